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
 * <pre>{@code
 * Verdict v = liveness.evaluate("v7", lastWindowEndOfV7, streamTimeMs, windowSizeMs);
 * }</pre>
 */
public final class LivenessDetector {
    public static final String DETECTOR = "liveness";
    public static final String RULE = "node_silent";
    /** Liveness is about the node, not one KPI; this is the metric name its anomalies carry. */
    public static final String METRIC = "kpis";

    private final int silentWindows;
    private final int maxLagWindows;

    public LivenessDetector(int silentWindows, int maxLagWindows) {
        if (silentWindows < 1) {
            throw new IllegalArgumentException("silentWindows must be >= 1: " + silentWindows);
        }
        if (maxLagWindows < 0) {
            throw new IllegalArgumentException("maxLagWindows must be >= 0: " + maxLagWindows);
        }
        this.silentWindows = silentWindows;
        this.maxLagWindows = maxLagWindows;
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
