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

    public LivenessDetector(int silentWindows) {
        if (silentWindows < 1) {
            throw new IllegalArgumentException("silentWindows must be >= 1: " + silentWindows);
        }
        this.silentWindows = silentWindows;
    }

    /**
     * @param lastWindowEndMs end of the node's latest KPI window
     * @param streamTimeMs    largest window end seen from any node
     * @param windowSizeMs    KPI window size
     */
    public Verdict evaluate(String nodeId, long lastWindowEndMs, long streamTimeMs, long windowSizeMs) {
        IncidentKey key = new IncidentKey(DETECTOR, RULE, METRIC, KpiScope.node, nodeId);
        long silentMs = streamTimeMs - lastWindowEndMs;
        long windowStart = streamTimeMs - windowSizeMs;
        double missed = (double) silentMs / windowSizeMs;
        if (silentMs < (long) silentWindows * windowSizeMs) {
            return Verdict.clean(key, windowStart, missed, (double) silentWindows, 1, 1);
        }
        String description = String.format(Locale.ROOT, "no KPIs from %s for %d windows (%d s of stream time); "
                + "node_silent", nodeId, silentMs / windowSizeMs, silentMs / 1000);
        return Verdict.breach(key, windowStart, Severity.CRITICAL, missed, (double) silentWindows, description,
                List.of("Check that " + nodeId + " is running and can reach Kafka (its SDK spools while Kafka is "
                        + "unreachable)", "Check the node's process, disk space and network"), 1, 1);
    }
}
