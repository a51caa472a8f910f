package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;

/** Hand-built KPI windows for tests: 10 s windows, node id null means network scope. */
final class Kpi {
    static final long WINDOW_MS = 10_000;
    static final long T0 = 1_700_000_000_000L;

    private Kpi() {}

    static long w(int index) {
        return T0 + index * WINDOW_MS;
    }

    /** A latency KPI whose percentiles are derived from p95 (p50 = 0.6·p95, p99 = 1.2·p95). */
    static KpiWindow latency(String metric, String node, int window, double p95) {
        return latency(metric, node, window, 0.6 * p95, p95);
    }

    static KpiWindow latency(String metric, String node, int window, double p50, double p95) {
        return finalWindow(metric, node, window)
                .setCount(100)
                .setMin(0.2 * p95).setMean(0.65 * p95).setMax(1.5 * p95)
                .setP50(p50).setP90(0.9 * p95).setP95(p95).setP99(1.2 * p95)
                .build();
    }

    /** {@link #latency(String, String, int, double)} carrying its samples as the KPI processor's sketch. */
    static KpiWindow latency(String metric, String node, int window, double p95, double... samples) {
        com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput out =
                com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            TailGateTest.samples(samples).encode(out, false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return KpiWindow.newBuilder(latency(metric, node, window, p95)).setCount(samples.length)
                .setSketch(java.nio.ByteBuffer.wrap(out.trimmedCopy())).build();
    }

    /** A ratio or distribution KPI judged on its mean: every sample {@code mean}, as when all heights agree. */
    static KpiWindow mean(String metric, String node, int window, double mean) {
        return finalWindow(metric, node, window)
                .setCount(10)
                .setMin(mean).setMean(mean).setMax(mean)
                .setP50(mean).setP90(mean).setP95(mean).setP99(mean)
                .build();
    }

    /** A failure ratio of {@code failed} of {@code samples} (a window of a node at 20 TPS holds 10–50). */
    static KpiWindow ratio(String metric, String node, int window, int failed, int samples) {
        return KpiWindow.newBuilder(ratio(metric, node, window, 100.0 * failed / samples)).setCount(samples).build();
    }

    /**
     * A ratio KPI of 40 samples, each 100 (failed) or 0, {@code percent} of them failed: the mean is the percentage,
     * the percentiles are 0 or 100.
     */
    static KpiWindow ratio(String metric, String node, int window, double percent) {
        double failed = percent > 0 ? 100 : 0;
        return finalWindow(metric, node, window)
                .setCount(40)
                .setMin(percent < 100 ? 0.0 : 100.0).setMean(percent).setMax(failed)
                .setP50(percent >= 50 ? 100.0 : 0.0).setP90(percent > 10 ? 100.0 : 0.0)
                .setP95(percent > 5 ? 100.0 : 0.0).setP99(failed)
                .build();
    }

    static KpiWindow rate(String metric, String node, int window, double perSecond) {
        return finalWindow(metric, node, window)
                .setCount(Math.round(perSecond * WINDOW_MS / 1000))
                .setRatePerS(perSecond)
                .build();
    }

    /** The final window {@code window} of {@code metric} at {@code node} (network when null), statistics to be set. */
    private static KpiWindow.Builder finalWindow(String metric, String node, int window) {
        return KpiWindow.newBuilder()
                .setMetric(metric)
                .setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node)
                .setWindowStartMs(w(window))
                .setWindowEndMs(w(window) + WINDOW_MS)
                .setFinal$(true);
    }
}
