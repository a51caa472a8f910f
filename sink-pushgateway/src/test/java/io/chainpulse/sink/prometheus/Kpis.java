package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.List;

/** Hand-built KPI and anomaly records for the tests. */
final class Kpis {
    static final long W = 10_000;

    private Kpis() {}

    static KpiWindow latency(String node, long windowStart, double p50, double p95) {
        return KpiWindow.newBuilder().setMetric("consensus_latency_ms")
                .setScope(node == null ? KpiScope.network : KpiScope.node).setNodeId(node)
                .setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true).setCount(10)
                .setMin(p50 / 2).setMean(p50).setMax(p95 * 1.5).setP50(p50).setP90(p95 * 0.9).setP95(p95).setP99(p95 * 1.2)
                .build();
    }

    static KpiWindow tps(String node, long windowStart, double rate) {
        return KpiWindow.newBuilder().setMetric("tps").setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node).setWindowStartMs(windowStart).setWindowEndMs(windowStart + W).setFinal$(true)
                .setCount((long) (rate * 10)).setRatePerS(rate).build();
    }

    static Anomaly anomaly(String id, AnomalyState state, String node, Severity severity) {
        return Anomaly.newBuilder().setAnomalyId(id).setState(state).setSeverity(severity)
                .setSeverityLevel(severity.ordinal() + 1).setDetector("peer_outlier").setRule("consensus_p95_peer")
                .setMetric("consensus_latency_ms").setScope(KpiScope.node).setNodeId(node).setWindowStartMs(0)
                .setObserved(964.0).setExpected(119.0).setDescription("p95 consensus latency 964 ms on " + node)
                .setSuggestedActions(List.of("check the node's CPU and peers")).setStartedMs(0).build();
    }
}
