package io.chainpulse.anomaly;

import static io.chainpulse.anomaly.Gauges.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production anomaly topology ({@link AnomalyReplay}) on hand-built CPU windows of four validators: a node's
 * machine far busier than its peers' is a peer outlier ({@link ResourcePeerDetector}); a small share never is.
 */
class ResourcePeerTopologyTest {
    private static final String[] NODES = {"v1", "v2", "v3", "v4"};

    /** Windows 0–14 of every node's cpu_used_pct: v3 at {@code busy} in windows 3–8, {@code idle} otherwise. */
    private static List<KpiWindow> cpu(double v3Busy, double v3Idle, double[] peers) {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int w = 0; w < 15; w++) {
            for (int n = 0; n < NODES.length; n++) {
                double value = n == 2 ? (w >= 3 && w <= 8 ? v3Busy : v3Idle) : peers[n];
                kpis.add(gauge("cpu_used_pct", NODES[n], w, value));
            }
        }
        return kpis;
    }

    private static String line(Anomaly a) {
        return (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " " + a.getSeverity() + " "
                + a.getDetector() + " " + a.getRule() + " " + a.getMetric() + " " + a.getNodeId();
    }

    @Test
    void shouldFlagTheOneMachineAtNinetyFivePercentAmongPeersAtTwentyOnceAfterFourWindows(@TempDir Path dir)
            throws Exception {
        // the shipped CPU rule (p95 > 90 % for 3 windows) would carry this incident: a rules file without it
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                rules:
                  - name: slow
                    metric: consensus_latency_ms
                    scope: node
                    statistic: p95
                    comparison: ">="
                    threshold: 1500
                    severity: HIGH
                    for_windows: 3
                """);
        List<Anomaly> transitions = AnomalyReplay.run(cpu(95, 20, new double[] {20, 21, 0, 19}),
                Map.of(AnomalyConfig.RULES_FILE, rules.toString()));

        // out in windows 3–8: fires in the 4th (6), back from 9: resolves in the 3rd (11); a window is judged
        // once the next one arrives, so window 14 never is
        assertThat(transitions).extracting(ResourcePeerTopologyTest::line).containsExactly(
                "6 FIRING HIGH peer_outlier resource_peer_median cpu_used_pct v3",
                "11 RESOLVED HIGH peer_outlier resource_peer_median cpu_used_pct v3");
        // v3's peers 20, 21, 19: median 20
        assertThat(transitions.get(0).getDescription()).isEqualTo("machine CPU use of all cores 95.0 % on v3, 75.0"
                + " points above its peers' median of 20.0 % (3 other nodes)");
        assertThat(transitions.get(0).getObserved()).isEqualTo(95.0);
        assertThat(transitions.get(0).getExpected()).isEqualTo(20.0);
    }

    @Test
    void shouldJoinTheShippedCpuRulesIncidentRatherThanRaiseASecondOne() {
        List<Anomaly> transitions = AnomalyReplay.run(cpu(95, 20, new double[] {20, 21, 0, 19}), Map.of());

        // the rule fires in window 5 (3 windows above 90 %), the peer comparison joins it in window 6 (no transition:
        // same severity); it resolves when both have been clean long enough (window 11)
        assertThat(transitions).extracting(ResourcePeerTopologyTest::line).containsExactly(
                "5 FIRING HIGH static_rule cpu_used_p95_high cpu_used_pct v3",
                "11 RESOLVED HIGH static_rule cpu_used_p95_high cpu_used_pct v3");
    }

    @Test
    void shouldNotFlagSixPercentAmongPeersAtTwo() {
        assertThat(AnomalyReplay.run(cpu(6, 6, new double[] {2, 2, 0, 2}), Map.of())).isEmpty();
    }
}
