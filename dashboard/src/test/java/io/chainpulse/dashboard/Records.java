package io.chainpulse.dashboard;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.List;

/** Hand-built KPI windows and anomalies for the tests; windows are {@link #W} long. */
final class Records {
    static final long W = 10_000;

    private Records() {}

    /** A latency KPI window of {@code node} (null: the network) with the given percentiles. */
    static KpiWindow latency(String metric, String node, long windowStart, double p50, double p95, double p99) {
        return KpiWindow.newBuilder().setMetric(metric).setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node).setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true)
                .setCount(10).setMin(p50 / 2).setMean(p50).setMax(p99 * 1.5).setP50(p50).setP90(p95 * 0.9)
                .setP95(p95).setP99(p99).build();
    }

    /** A rate KPI window ({@code tps}) of {@code node} (null: the network). */
    static KpiWindow tps(String node, long windowStart, double rate) {
        return KpiWindow.newBuilder().setMetric("tps").setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node).setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true)
                .setCount((long) (rate * 10)).setRatePerS(rate).build();
    }

    /**
     * A resource gauge's node window ({@code cpu_pct}, {@code rss_bytes}…), as the processor writes it: two samples,
     * the later one {@code last}, and {@code p95} the statistic the page plots.
     */
    static KpiWindow gauge(String metric, String node, long windowStart, double p95, double last) {
        return KpiWindow.newBuilder().setMetric(metric).setScope(KpiScope.node).setNodeId(node)
                .setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true).setCount(2)
                .setMin(Math.min(p95, last)).setMean((p95 + last) / 2).setMax(Math.max(p95, last)).setP50(last)
                .setP90(p95).setP95(p95).setP99(p95).setLast(last).build();
    }

    /** A rate KPI window of {@code metric} ({@code net_rx_bytes_per_s}…) of {@code node} (null: the network). */
    static KpiWindow rate(String metric, String node, long windowStart, double rate) {
        return KpiWindow.newBuilder().setMetric(metric).setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node).setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true)
                .setCount(2).setRatePerS(rate).build();
    }

    static Anomaly anomaly(String id, AnomalyState state, String node, Severity severity, long windowStart) {
        return Anomaly.newBuilder().setAnomalyId(id).setState(state).setSeverity(severity)
                .setSeverityLevel(severity.ordinal() + 1).setDetector("peer_outlier").setRule("consensus_p95_peer")
                .setMetric("consensus_latency_ms").setScope(KpiScope.node).setNodeId(node)
                .setWindowStartMs(windowStart).setObserved(964.0).setExpected(119.0)
                .setDescription("p95 consensus latency 964 ms on " + node + ", 8.1x the network median 119 ms")
                .setSuggestedActions(List.of("check " + node + "'s CPU and disk", "compare its peers"))
                .setStartedMs(windowStart).build();
    }
}
