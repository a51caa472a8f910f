package io.chainpulse.sdk.resources;

/**
 * What only the node knows, read once per resource sample from the supplier the node registers:
 *
 * <pre>{@code
 * ChainPulseSdk.builder()…
 *         .collectResources(Duration.ofSeconds(5))
 *         .resourceGauges(() -> new NodeGauges(mempool.size(), peers.connected()))
 *         .build();
 * }</pre>
 *
 * The supplier is called on the collector's thread, so it must be cheap and thread-safe (read a counter, never take
 * the node's locks for long); if it throws, the sample goes out with mempool size 0 and no peer count, and the
 * failure is counted and reported.
 *
 * @param mempoolSize transactions waiting in the node's pool, {@code >= 0}
 * @param peerCount   peers the node is connected to, {@code >= 0}
 */
public record NodeGauges(int mempoolSize, int peerCount) {
    public NodeGauges {
        if (mempoolSize < 0) {
            throw new IllegalArgumentException("mempoolSize must be >= 0: " + mempoolSize);
        }
        if (peerCount < 0) {
            throw new IllegalArgumentException("peerCount must be >= 0: " + peerCount);
        }
    }
}
