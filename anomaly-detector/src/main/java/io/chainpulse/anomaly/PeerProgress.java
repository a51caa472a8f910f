package io.chainpulse.anomaly;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per metric: the latest window start seen, the last window compared (later records for it are ignored) and how many
 * nodes it had (a window whose network record arrived is compared once at least that many nodes are in), and that
 * window's samples per node ({@link PeerWindow#sketches()}, empty for other than latencies and in progress stored by
 * older versions): the location test pools them with the next window's.
 */
public record PeerProgress(long latestWindowMs, long lastEvaluatedMs, int lastNodes, Map<String, byte[]> lastSketches) {
    public PeerProgress {
        lastSketches = lastSketches == null ? new TreeMap<>() : new TreeMap<>(lastSketches);
    }

    public PeerProgress(long latestWindowMs, long lastEvaluatedMs, int lastNodes) {
        this(latestWindowMs, lastEvaluatedMs, lastNodes, Map.of());
    }
}
