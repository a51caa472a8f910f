package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A synthetic KPI stream of a small network with injected faults, as the KPI processor would publish it: per window,
 * every node's final KPIs, then the network's. Seeded, so every run is identical.
 */
final class Scenario {
    /** A fault: metric (or "kpis" for liveness), node (null: network-wide), first and last faulty window. */
    record Fault(String name, String metric, String node, int from, int to) {}

    static final String[] NODES = {"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"};
    static final int WINDOWS = 70;
    static final List<Fault> FAULTS = List.of(
            new Fault("slow validator v3 (3x consensus p95)", "consensus_latency_ms", "v3", 25, 31),
            new Fault("late blocks at v5 (2.5x propagation p95)", "propagation_delay_ms", "v5", 36, 41),
            new Fault("network-wide TPS collapse to 20%", "tps", null, 46, 51),
            new Fault("node v8 silent", "kpis", "v8", 56, 60));

    private Scenario() {}

    static List<KpiWindow> kpis() {
        Random random = new Random(42);
        List<KpiWindow> out = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            double[] consensus = new double[NODES.length];
            double[] propagation = new double[NODES.length];
            double networkTps = 200 * (1 + 0.03 * random.nextGaussian()) * (active("tps", null, w) ? 0.2 : 1);
            for (int n = 0; n < NODES.length; n++) {
                String node = NODES[n];
                consensus[n] = (280 + 5 * n) * (1 + 0.04 * random.nextGaussian())
                        * (active("consensus_latency_ms", node, w) ? 3 : 1);
                propagation[n] = (140 + 3 * n) * (1 + 0.05 * random.nextGaussian())
                        * (active("propagation_delay_ms", node, w) ? 2.5 : 1);
                if (active("kpis", node, w)) {
                    consensus[n] = Double.NaN;
                    continue;
                }
                out.add(Kpi.latency("consensus_latency_ms", node, w, consensus[n]));
                out.add(Kpi.latency("propagation_delay_ms", node, w, propagation[n]));
                out.add(Kpi.rate("tps", node, w, networkTps * (1 + 0.01 * random.nextGaussian())));
            }
            out.add(network("consensus_latency_ms", w, consensus));
            out.add(network("propagation_delay_ms", w, propagation));
            out.add(Kpi.rate("tps", null, w, networkTps));
            out.add(Kpi.latency("block_time_ms", null, w, 1000 * (1 + 0.02 * random.nextGaussian())));
        }
        return out;
    }

    static boolean active(String metric, String node, int window) {
        return FAULTS.stream().anyMatch(f -> f.metric().equals(metric) && java.util.Objects.equals(f.node(), node)
                && window >= f.from() && window <= f.to());
    }

    /** Network latency record: p50 the median of the nodes' p50, p95 the largest node p95 (what a merge gives). */
    private static KpiWindow network(String metric, int w, double[] nodeP95) {
        double[] present = Arrays.stream(nodeP95).filter(v -> !Double.isNaN(v)).sorted().toArray();
        double median = present[present.length / 2];
        return Kpi.latency(metric, null, w, 0.6 * median, present[present.length - 1]);
    }
}
