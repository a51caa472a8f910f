package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;
import java.util.Locale;

/**
 * A node that has emitted KPIs before and then nothing for {@code silentWindows} windows of <em>stream time</em>
 * (the largest window end seen on the KPI stream, not the wall clock) is {@code node_silent}, CRITICAL. Stream time
 * makes a replay of a recorded incident raise the same anomalies as the live run, and a paused pipeline does not
 * declare every node dead.
 *
 * <p>Stream time is the newest window of <em>any</em> node, and the processor's partitions progress at different
 * speeds: under load one node's KPIs can arrive a few windows behind the others' while the node is perfectly alive.
 * Each node therefore carries a learned lag — how many windows behind stream time its newest window arrived, at most
 * {@code maxLagWindows}, shrinking by one with each of its windows that arrives less late — and is silent only after
 * {@code silentWindows} plus that lag. A node that starts lagging may be flagged once; its late KPIs resolve the
 * incident and teach the lag, so it does not flap window after window.
 *
 * <p>A node silent for {@code nodeExpiryMs} of stream time is forgotten ({@link #expired}), so liveness state is bounded
 * by the nodes heard from within that span, not by every node ever seen: its open {@code node_silent} incident
 * resolves with reason {@value IncidentTracker#EXPIRED}, and a later KPI of that node starts it afresh.
 *
 * <pre>{@code
 * Verdict v = liveness.evaluate("v7", lastWindowEndOfV7, streamTimeMs, windowSizeMs);
 * if (liveness.expired(lastWindowEndOfV7, streamTimeMs)) forget("v7");
 * }</pre>
 */
public final class LivenessDetector {
    public static final String DETECTOR = "liveness";
    public static final String RULE = "node_silent";
    /** Liveness is about the node, not one KPI; this is the metric name its anomalies carry. */
    public static final String METRIC = "kpis";

    /** Default of {@code node.expiry.ms}: one hour of event time. */
    public static final long DEFAULT_NODE_EXPIRY_MS = 3_600_000L;

    private final int silentWindows;
    private final int maxLagWindows;
    private final long nodeExpiryMs;

    /** With the default node expiry ({@value #DEFAULT_NODE_EXPIRY_MS} ms). */
    public LivenessDetector(int silentWindows, int maxLagWindows) {
        this(silentWindows, maxLagWindows, DEFAULT_NODE_EXPIRY_MS);
    }

    /**
     * @param nodeExpiryMs stream time after a node's latest window at which the node is forgotten
     */
    public LivenessDetector(int silentWindows, int maxLagWindows, long nodeExpiryMs) {
        if (silentWindows < 1) {
            throw new IllegalArgumentException("silentWindows must be >= 1: " + silentWindows);
        }
        if (maxLagWindows < 0) {
            throw new IllegalArgumentException("maxLagWindows must be >= 0: " + maxLagWindows);
        }
        if (nodeExpiryMs < 1) {
            throw new IllegalArgumentException("nodeExpiryMs must be >= 1: " + nodeExpiryMs);
        }
        this.silentWindows = silentWindows;
        this.maxLagWindows = maxLagWindows;
        this.nodeExpiryMs = nodeExpiryMs;
    }

    /** True when a node whose latest window ended at {@code lastWindowEndMs} is to be forgotten at this stream time. */
    public boolean expired(long lastWindowEndMs, long streamTimeMs) {
        return streamTimeMs - lastWindowEndMs >= nodeExpiryMs;
    }

    /**
     * The clean verdict that goes with forgetting {@code nodeId} ({@link IncidentTracker#expire}); observed is the
     * number of windows it missed, expected the expiry in windows.
     */
    public Verdict expiry(String nodeId, long lastWindowEndMs, long streamTimeMs, long windowSizeMs) {
        IncidentKey key = new IncidentKey(DETECTOR, RULE, METRIC, KpiScope.node, nodeId);
        return Verdict.clean(key, streamTimeMs - windowSizeMs, (double) (streamTimeMs - lastWindowEndMs) / windowSizeMs,
                (double) nodeExpiryMs / windowSizeMs, 1, 1);
    }

    /** The description of the RESOLVED transition of an expired node's incident. */
    public String expiryDescription(String nodeId, long lastWindowEndMs, long streamTimeMs) {
        return String.format(Locale.ROOT, "expired: no KPIs from %s for %d s of stream time (node.expiry.ms = %d); "
                + "%s is forgotten until it reports again", nodeId, (streamTimeMs - lastWindowEndMs) / 1000,
                nodeExpiryMs, nodeId);
    }

    /**
     * The node's lag after one of its windows, newer than any it sent before, arrived.
     *
     * @param lagWindows      its lag so far
     * @param windowEndMs     end of the window that arrived
     * @param streamTimeMs    largest window end seen from any node when it arrived
     */
    public int lagAfter(int lagWindows, long windowEndMs, long streamTimeMs, long windowSizeMs) {
        int behind = (int) Math.min(maxLagWindows, Math.max(0, (streamTimeMs - windowEndMs) / windowSizeMs));
        return Math.max(behind, lagWindows - 1);
    }

    /** {@link #evaluate(String, long, long, long, int)} for a node with no lag. */
    public Verdict evaluate(String nodeId, long lastWindowEndMs, long streamTimeMs, long windowSizeMs) {
        return evaluate(nodeId, lastWindowEndMs, streamTimeMs, windowSizeMs, 0);
    }

    /**
     * @param lastWindowEndMs end of the node's latest KPI window
     * @param streamTimeMs    largest window end seen from any node
     * @param windowSizeMs    KPI window size
     * @param lagWindows      the node's learned lag ({@link #lagAfter})
     */
    public Verdict evaluate(String nodeId, long lastWindowEndMs, long streamTimeMs, long windowSizeMs,
                            int lagWindows) {
        IncidentKey key = new IncidentKey(DETECTOR, RULE, METRIC, KpiScope.node, nodeId);
        long silentMs = streamTimeMs - lastWindowEndMs;
        long windowStart = streamTimeMs - windowSizeMs;
        double missed = (double) silentMs / windowSizeMs;
        int lag = Math.min(maxLagWindows, Math.max(0, lagWindows));
        int threshold = silentWindows + lag;
        if (silentMs < (long) threshold * windowSizeMs) {
            return Verdict.clean(key, windowStart, missed, (double) threshold, 1, 1);
        }
        String description = lag == 0
                ? String.format(Locale.ROOT, "no KPIs from %s for %d windows (%d s of stream time); node_silent",
                        nodeId, silentMs / windowSizeMs, silentMs / 1000)
                : String.format(Locale.ROOT, "no KPIs from %s for %d windows (%d s of stream time; its KPIs have "
                        + "been arriving up to %d windows behind the other nodes'); node_silent", nodeId,
                        silentMs / windowSizeMs, silentMs / 1000, lag);
        return Verdict.breach(key, windowStart, Severity.CRITICAL, missed, (double) threshold, description,
                List.of("Check that " + nodeId + " is running and can reach Kafka (its SDK spools while Kafka is "
                        + "unreachable)", "Check the node's process, disk space and network"), 1, 1);
    }
}
