package io.chainpulse.cli.report;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.chainpulse.processor.Sketches;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/** Hand-made KPI windows and anomalies, built the way the processor and the detector build them. */
public final class Kpis {
    public static final long W = 10_000;

    private Kpis() {}

    /** A final latency window of {@code node} (null: network) holding exactly these samples. */
    public static KpiWindow latency(String metric, String node, long startMs, double... samples) {
        DDSketch sketch = Sketches.empty();
        Arrays.stream(samples).forEach(sketch::accept);
        return KpiWindow.newBuilder().setMetric(metric).setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node).setWindowStartMs(startMs).setWindowEndMs(startMs + W).setCount(samples.length)
                .setMin(Arrays.stream(samples).min().orElseThrow()).setMax(Arrays.stream(samples).max().orElseThrow())
                .setMean(Arrays.stream(samples).average().orElseThrow())
                .setP50(sketch.getValueAtQuantile(0.50)).setP90(sketch.getValueAtQuantile(0.90))
                .setP95(sketch.getValueAtQuantile(0.95)).setP99(sketch.getValueAtQuantile(0.99))
                .setSketch(ByteBuffer.wrap(Sketches.encode(sketch))).build();
    }

    /** A final resource gauge window of {@code node} holding these samples in time order: the last one is {@code last}. */
    public static KpiWindow gauge(String metric, String node, long startMs, double... samples) {
        KpiWindow w = latency(metric, node, startMs, samples);
        w.setLast(samples[samples.length - 1]);
        return w;
    }

    /** {@code n} samples of {@code value}. */
    public static double[] repeat(double value, int n) {
        double[] samples = new double[n];
        Arrays.fill(samples, value);
        return samples;
    }

    /** A final rate window: {@code perSecond} over the 10 s window. */
    public static KpiWindow rate(String metric, String node, long startMs, double perSecond) {
        return KpiWindow.newBuilder().setMetric(metric).setScope(node == null ? KpiScope.network : KpiScope.node)
                .setNodeId(node).setWindowStartMs(startMs).setWindowEndMs(startMs + W)
                .setCount(Math.round(perSecond * W / 1000)).setRatePerS(perSecond).build();
    }

    public static Anomaly anomaly(String id, AnomalyState state, Severity severity, String node, String metric,
                           long windowStartMs, long startedMs, List<String> actions) {
        return Anomaly.newBuilder().setAnomalyId(id).setState(state).setSeverity(severity)
                .setSeverityLevel(severity.ordinal() + 1).setDetector("peer_outlier").setRule("network_median_mad")
                .setMetric(metric).setScope(node == null ? KpiScope.network : KpiScope.node).setNodeId(node)
                .setWindowStartMs(windowStartMs).setDescription("d").setSuggestedActions(actions)
                .setStartedMs(startedMs).build();
    }
}
