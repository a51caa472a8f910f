package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;

/** Hand-built resource KPI windows (10 s, as {@link Kpi}'s): every sample {@code value}, the last one too. */
final class Gauges {
    private Gauges() {}

    /** A node's resource gauge window whose samples were all {@code value}. */
    static KpiWindow gauge(String metric, String node, int window, double value) {
        return gauge(metric, node, window, value, value);
    }

    /** A node's (network's when null) gauge window of two samples: mean {@code mean}, p95 and max {@code p95}. */
    static KpiWindow gauge(String metric, String node, int window, double mean, double p95) {
        return KpiWindow.newBuilder()
                .setMetric(metric)
                .setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node)
                .setWindowStartMs(Kpi.w(window))
                .setWindowEndMs(Kpi.w(window) + Kpi.WINDOW_MS)
                .setFinal$(true)
                .setCount(2)
                .setMin(2 * mean - p95).setMean(mean).setMax(p95)
                .setP50(2 * mean - p95).setP90(p95).setP95(p95).setP99(p95)
                .setLast(node == null ? null : p95)
                .build();
    }
}
