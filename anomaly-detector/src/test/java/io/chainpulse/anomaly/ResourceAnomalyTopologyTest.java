package io.chainpulse.anomaly;

import static io.chainpulse.anomaly.Gauges.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The production anomaly topology ({@link AnomalyReplay}: {@link AnomalyTopology} in a TopologyTestDriver) on KPIs
 * like the simulator's: four validators, v3's machine CPU saturated, v2 leaking memory.
 */
class ResourceAnomalyTopologyTest {
    private static final double MIB = 1 << 20;
    private static final double MACHINE = 16 * 1024 * MIB;
    private static final String[] NODES = {"v1", "v2", "v3", "v4"};
    /** ±20 MiB of noise on the healthy nodes' memory, the same every run. */
    private static final int[] NOISE = {7, -13, 19, -4, 11, -18, 2, 15, -9, 5, -16, 13, -1, 18, -7, 9, -12, 4, -20, 16};

    /** Window by window: every node's consensus latency, then (arriving later) its resource KPIs. */
    private static List<KpiWindow> kpis(int windows, boolean resources) {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            for (int n = 0; n < NODES.length; n++) {
                String node = NODES[n];
                boolean saturated = node.equals("v3") && w >= 8 && w <= 21;
                // the saturated machine slows consensus 6.5× from window 10 (the simulator's cpu_saturation)
                kpis.add(Kpi.latency("consensus_latency_ms", node, w, node.equals("v3") && w >= 10 && w <= 19
                        ? 2600 : 400 + 3 * n));
            }
            if (!resources) {
                continue;
            }
            for (int n = 0; n < NODES.length; n++) {
                String node = NODES[n];
                boolean saturated = node.equals("v3") && w >= 8 && w <= 21;
                double noise = NOISE[(w + 5 * n) % NOISE.length];
                double rss = node.equals("v2") ? 800 * MIB + 200 * MIB * w : (800 + noise) * MIB;
                double used = rss + 1024 * MIB;
                kpis.add(gauge("cpu_used_pct", node, w, saturated ? 97 : 2 + 0.1 * n, saturated ? 99 : 2.5 + 0.1 * n));
                kpis.add(gauge("rss_bytes", node, w, rss));
                kpis.add(gauge("system_memory_used_bytes", node, w, used));
                kpis.add(gauge("system_memory_available_bytes", node, w, MACHINE - used));
                kpis.add(gauge("open_fds_used_pct", node, w, 7.4));
            }
        }
        return kpis;
    }

    private static String line(Anomaly a) {
        return (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " " + a.getSeverity() + " "
                + a.getDetector() + " " + a.getMetric() + " " + a.getNodeId();
    }

    @Test
    void shouldFlagTheSaturatedCpuNameItInTheLatencyAlertAndProjectTheLeakOnlyOnTheirNodes() {
        List<Anomaly> transitions = AnomalyReplay.run(kpis(30, true), Map.of());

        assertThat(transitions).extracting(ResourceAnomalyTopologyTest::line).containsExactly(
                "10 FIRING HIGH static_rule cpu_used_pct v3",          // v3's CPU above 90 % from window 8
                "11 FIRING HIGH static_rule consensus_latency_ms v3",  // its consensus slow from window 10; the peer
                "17 FIRING CRITICAL memory_leak rss_bytes v2",         // outlier joins it later (IncidentGroup)
                "22 RESOLVED HIGH static_rule consensus_latency_ms v3",
                "24 RESOLVED HIGH static_rule cpu_used_pct v3");       // 3 clean windows after window 21
        // window 11's latency came before window 11's resources: the FIRING waited for v3's (ResourceWait), which
        // are cited. CPU median of 2.5, 2.6, 2.8 and 99; memory available 16 GiB − 1 GiB − RSS (v1 813, v2 3,000,
        // v3 787, v4 802 MiB)
        assertThat(transitions.get(1).getDescription()).isEqualTo("p95 consensus latency 2600 ms on v3, above 2000 ms;"
                + " CPU max 99.0 % (network median 2.7 %); memory available 14.2 GiB (network median 14.2 GiB)"
                + " → CPU-bound");
        assertThat(transitions.get(1).getSuggestedActions()).first().asString().startsWith("v3 is CPU-bound: ");
        // RSS 800 MiB + 200 MiB a window (1.2 GiB a minute); window 17's RSS came before its available memory: window
        // 16's, 16,384 − 1,024 − 4,000 = 11,360 MiB, in the middle of window 16 (T0 + 165 s): gone 568 s later, at
        // T0 + 733 s = 22:25:33 UTC, when RSS = 800 + 200 × 72.8 = 15,360 MiB fills the machine: exactly then; 9
        // minutes after window 17's end (22:16:20 UTC)
        assertThat(transitions.get(2).getDescription()).isEqualTo("resident memory of v2 grew 3.3 GiB in 3 min"
                + " (+1.2 GiB/min, fit R² 1.00 over 18 windows); at this rate the machine's 11.1 GiB of available"
                + " memory runs out in 9 min (about 22:25:33 UTC)");
    }

    @Test
    void shouldMakeTheSameTransitionsWithResourceKpisOnlyAddingTheirCausesToTheText() {
        List<Anomaly> without = AnomalyReplay.run(kpis(30, false), Map.of());
        List<Anomaly> with = AnomalyReplay.run(kpis(30, true), Map.of()).stream()
                .filter(a -> a.getMetric().equals("consensus_latency_ms")).toList();

        assertThat(with).extracting(a -> a.getAnomalyId() + " " + a.getState() + " " + a.getWindowStartMs())
                .containsExactlyElementsOf(without.stream()
                        .map(a -> a.getAnomalyId() + " " + a.getState() + " " + a.getWindowStartMs()).toList());
        for (int i = 0; i < with.size(); i++) {
            Anomaly plain = without.get(i);
            if (plain.getState() == AnomalyState.FIRING) {
                assertThat(with.get(i).getDescription()).startsWith(plain.getDescription() + "; CPU max ");
            } else {
                assertThat(with.get(i)).isEqualTo(plain);
            }
        }
    }
}
