package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourcePeerDetectorTest {
    private final ResourcePeerDetector detector = new ResourcePeerDetector(ResourcePeerDetector.Settings.defaults());

    @Test
    void shouldFlagTheOneMachineFarBusierThanItsPeersNamingItsValueAndTheirMedian() {
        // v3's peers: 20, 21, 19 → median 20, deviations 0, 1, 1 → MAD 1; 95 lies 75 points above (≥ 30, > 5 × 1)
        List<Verdict> verdicts = detector.evaluate("cpu_used_pct", Kpi.w(0),
                Map.of("v1", 20.0, "v2", 21.0, "v3", 95.0, "v4", 19.0));

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.breached() + " " + v.expected())
                .containsExactly("v1 false 21.0", "v2 false 20.0", "v3 true 20.0", "v4 false 21.0");
        Verdict v3 = verdicts.get(2);
        assertThat(v3.severity()).isEqualTo(Severity.HIGH);
        assertThat(v3.observed()).isEqualTo(95.0);
        assertThat(v3.fireAfter()).isEqualTo(4);
        assertThat(v3.resolveAfter()).isEqualTo(3);
        assertThat(v3.key().id()).isEqualTo("peer_outlier|resource_peer_median|cpu_used_pct|node|v3");
        assertThat(v3.description()).isEqualTo("machine CPU use of all cores 95.0 % on v3, 75.0 points above its"
                + " peers' median of 20.0 % (3 other nodes)");
        assertThat(v3.suggestedActions()).first().asString().startsWith("Only v3's machine is this busy: ");
    }

    @Test
    void shouldNotFlagSmallSharesHoweverManyTimesTheirPeers() {
        // 6 % against 2 % (3×) and 3 % against 1 %: 4 and 2 points, under the 30-point floor
        assertThat(detector.evaluate("cpu_used_pct", Kpi.w(0), Map.of("v1", 2.0, "v2", 2.0, "v3", 6.0, "v4", 2.0)))
                .hasSize(4).noneMatch(Verdict::breached);
        assertThat(detector.evaluate("cpu_used_pct", Kpi.w(0), Map.of("v1", 1.0, "v2", 1.0, "v3", 3.0)))
                .hasSize(3).noneMatch(Verdict::breached);
    }

    @Test
    void shouldNotFlagANodeOfAFleetLoadedAllOverTheRange() {
        // v3's peers 10, 40, 70: median 40, MAD 30; 95 is 55 points above, not 5 MADs (150)
        assertThat(detector.evaluate("cpu_used_pct", Kpi.w(0), Map.of("v1", 10.0, "v2", 40.0, "v3", 95.0, "v4", 70.0)))
                .noneMatch(Verdict::breached);
    }

    @Test
    void shouldGiveMediumBelowNinetyPercentAndNameTheResourcesAction() {
        List<Verdict> verdicts = detector.evaluate("disk_used_pct", Kpi.w(0),
                Map.of("v1", 41.0, "v2", 43.0, "v3", 42.5, "v4", 80.0));

        Verdict v4 = verdicts.get(3);
        assertThat(v4.breached()).isTrue();
        assertThat(v4.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(v4.description()).isEqualTo("data disk use 80.0 % on v4, 37.5 points above its peers' median of"
                + " 42.5 % (3 other nodes)");
        assertThat(v4.suggestedActions()).first().asString().startsWith("Only v4's data disk is this full: ");
        assertThat(detector.evaluate("open_fds_used_pct", Kpi.w(0), Map.of("v1", 7.0, "v2", 7.0, "v3", 60.0))
                .get(2).suggestedActions()).first().asString().startsWith("Only v3 holds this many open files: ");
    }

    @Test
    void shouldCompareOnlyMachineSharesAndOnlyWithEnoughNodes() {
        assertThat(detector.evaluate("cpu_used_pct", Kpi.w(0), Map.of("v1", 20.0, "v3", 95.0))).isEmpty();
        // bytes are not compared: machines differ in size
        assertThat(detector.appliesTo("rss_bytes")).isFalse();
        assertThat(detector.appliesTo("consensus_latency_ms")).isFalse();
        assertThat(detector.evaluate("rss_bytes", Kpi.w(0), Map.of("v1", 1.0, "v2", 1.0, "v3", 9e9))).isEmpty();
    }
}
