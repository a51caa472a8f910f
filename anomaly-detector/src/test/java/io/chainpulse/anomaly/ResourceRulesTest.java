package io.chainpulse.anomaly;

import static io.chainpulse.anomaly.Gauges.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.KpiWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped resource rules (CPU, disk, file descriptors), window by window. */
class ResourceRulesTest {
    private final StaticRuleDetector detector = new StaticRuleDetector(RulesFile.defaults());

    private List<String> run(KpiWindow... windows) {
        return StaticRuleDetectorTest.transitions(detector, List.of(windows)).stream()
                .map(a -> (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " "
                        + a.getSeverity() + " " + a.getRule() + " " + a.getNodeId() + ": " + a.getDescription()
                        + " | " + a.getSuggestedActions().size() + " actions")
                .toList();
    }

    @Test
    void shouldFlagCpuP95AboveNinetyPercentOfAllCoresAfterThreeWindowsAndResolveAfterThreeClean() {
        assertThat(run(
                gauge("cpu_used_pct", "v3", 0, 96, 98), gauge("cpu_used_pct", "v3", 1, 95, 97.5),
                gauge("cpu_used_pct", "v3", 2, 97, 99),                                   // third breached: fires
                gauge("cpu_used_pct", "v3", 3, 50, 95),                                   // still above
                gauge("cpu_used_pct", "v3", 4, 10, 20), gauge("cpu_used_pct", "v3", 5, 10, 20),
                gauge("cpu_used_pct", "v3", 6, 10, 20),                                   // third clean: resolves
                gauge("cpu_used_pct", "v1", 0, 85, 90), gauge("cpu_used_pct", "v1", 1, 85, 90),
                gauge("cpu_used_pct", "v1", 2, 85, 90),                                   // at 90, not above
                gauge("cpu_used_pct", "v2", 0, 96, 98), gauge("cpu_used_pct", "v2", 1, 96, 98),
                gauge("cpu_used_pct", "v2", 2, 5, 9),                                     // two windows only
                gauge("cpu_used_pct", null, 0, 96, 98), gauge("cpu_used_pct", null, 1, 96, 98),
                gauge("cpu_used_pct", null, 2, 96, 98)))                                  // node rule only
                .containsExactly(
                        "2 FIRING HIGH cpu_used_p95_high v3: p95 machine CPU use of all cores 99.0 % on v3, above "
                                + "90.0 % for 3 windows: the machine is CPU-bound | 2 actions",
                        "6 RESOLVED HIGH cpu_used_p95_high v3: resolved after 3 clean windows (was: p95 machine CPU "
                                + "use of all cores 95.0 % on v3, above 90.0 % for 3 windows: the machine is "
                                + "CPU-bound) | 0 actions");
    }

    @Test
    void shouldFlagADiskMoreThanNinetyPercentFullForTwoWindows() {
        assertThat(run(
                gauge("disk_used_pct", "v1", 0, 90.5), gauge("disk_used_pct", "v1", 1, 91.2),
                gauge("disk_used_pct", "v2", 0, 90), gauge("disk_used_pct", "v2", 1, 90)))
                .containsExactly("1 FIRING HIGH disk_used_high v1: data disk use 91.2 % on v1, above 90.0 %: the "
                        + "data disk is nearly full | 2 actions");
    }

    @Test
    void shouldFlagOpenFileDescriptorsAboveEightyPercentOfTheLimitForTwoWindows() {
        assertThat(run(
                gauge("open_fds_used_pct", "v4", 0, 70, 81), gauge("open_fds_used_pct", "v4", 1, 75, 86.5),
                gauge("open_fds_used_pct", "v1", 0, 7.6), gauge("open_fds_used_pct", "v1", 1, 7.6)))
                .containsExactly("1 FIRING HIGH open_fds_near_limit v4: open file descriptors of the limit 86.5 % "
                        + "on v4, above 80.0 % of its open-files limit | 2 actions");
    }
}
