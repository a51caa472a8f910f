package io.chainpulse.sink.es;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.nio.ByteBuffer;
import java.util.List;

/** Output records as the stream processor writes them, for tests. */
final class Records {
    /** 2025-07-29T10:00:00Z. */
    static final long WINDOW_START = 1_753_783_200_000L;
    static final long WINDOW_MS = 10_000L;

    private Records() {}

    /** A node window of the default chain (no chain_id). */
    static KpiWindow.Builder latency(String node, long windowStart, boolean isFinal, double p99) {
        return KpiWindow.newBuilder().setMetric("consensus_latency_ms").setScope(KpiScope.node).setNodeId(node)
                .setWindowStartMs(windowStart).setWindowEndMs(windowStart + WINDOW_MS)
                .setFinal$(isFinal).setCount(40).setMin(12.0).setMean(80.5).setMax(300.0).setP50(75.0).setP90(150.0)
                .setP95(200.0).setP99(p99).setExcludedSkew(1).setSketch(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }

    static KpiWindow tps(long windowStart, long count) {
        return KpiWindow.newBuilder().setMetric("tps").setScope(KpiScope.network).setNodeId(null)
                .setWindowStartMs(windowStart).setWindowEndMs(windowStart + WINDOW_MS).setFinal$(true)
                .setCount(count).setRatePerS(count / 10.0).build();
    }

    static Anomaly anomaly(AnomalyState state, Severity severity) {
        return Anomaly.newBuilder().setAnomalyId("static_rule|p99_high|consensus_latency_ms|node|v1|" + WINDOW_START)
                .setState(state).setSeverity(severity).setSeverityLevel(severity.ordinal() + 1)
                .setDetector("static_rule").setRule("p99_high").setMetric("consensus_latency_ms")
                .setScope(KpiScope.node).setNodeId("v1").setWindowStartMs(WINDOW_START).setObserved(950.0)
                .setExpected(500.0).setDescription("v1 consensus latency p99 950 ms above 500 ms")
                .setSuggestedActions(List.of("check v1's network", "check v1's CPU")).setStartedMs(WINDOW_START)
                .build();
    }
}
