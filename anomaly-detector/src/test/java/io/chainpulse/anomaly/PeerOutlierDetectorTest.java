package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerOutlierDetectorTest {
    private final PeerOutlierDetector detector = new PeerOutlierDetector(PeerOutlierDetector.Settings.defaults());

    @Test
    void shouldFlagTheOneSlowValidatorAgainstTheNetworkMedian() {
        List<Verdict> verdicts = detector.evaluate("consensus_latency_ms", Kpi.w(0),
                Map.of("v1", 118.0, "v2", 121.0, "v3", 964.0, "v4", 119.0, "v5", 125.0));

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.breached())
                .containsExactly("v1 false", "v2 false", "v3 true", "v4 false", "v5 false");
        Verdict v3 = verdicts.get(2);
        assertThat(v3.severity()).isEqualTo(Severity.HIGH);
        assertThat(v3.observed()).isEqualTo(964.0);
        assertThat(v3.expected()).isEqualTo(121.0);
        assertThat(v3.description()).isEqualTo("p95 consensus latency 964 ms on v3, 8.0× the network median of 121 ms");
        assertThat(v3.key().id()).isEqualTo("peer_outlier|network_median_mad|consensus_latency_ms|node|v3");
    }

    @Test
    void shouldGiveMediumSeverityBelowTwiceTheMedian() {
        List<Verdict> verdicts = detector.evaluate("propagation_delay_ms", Kpi.w(0),
                Map.of("v1", 100.0, "v2", 102.0, "v3", 98.0, "v4", 170.0));

        assertThat(verdicts.get(3).severity()).isEqualTo(Severity.MEDIUM);
        assertThat(verdicts.get(3).description())
                .isEqualTo("p95 propagation delay 170 ms on v4, 1.7× the network median of 101 ms");
    }

    @Test
    void shouldFlagTheOneNodeThatFailsMuchMoreOftenThanItsPeers() {
        List<Verdict> verdicts = detector.evaluate("tx_failure_pct", Kpi.w(0),
                Map.of("v1", 1.0, "v2", 0.0, "v3", 30.0, "v4", 2.0, "v5", 1.0));

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.severity())
                .containsExactly("v1 null", "v2 null", "v3 HIGH", "v4 null", "v5 null");
        assertThat(verdicts.get(2).description())
                .isEqualTo("mean transaction failure rate 30.0 % on v3, 30.0× the network median of 1.0 %");
        assertThat(verdicts.get(2).suggestedActions()).first().asString()
                .isEqualTo("Only v3 fails this often: check its logs for what it rejects");
    }

    @Test
    void shouldCallAFailureRatioAnOutlierOnlyWhenSignificantAtThePeersPooledShare() {
        // v3: two failures of 28 (7.1 %), v5 four of 28 (14.3 %), the others none of 30; against a median of 0 % both
        // are unbounded. v3 against the others' pooled 4 of 118 (3.4 %): P(X >= 2 | 28) = 0.245, noise; v5 against
        // 2 of 118 (1.7 %): P(X >= 4 | 28) = 0.0012 < failure.alpha 0.01, an outlier
        Map<String, Double> values = Map.of("v1", 0.0, "v2", 0.0, "v3", 100.0 * 2 / 28, "v4", 0.0, "v5", 100.0 * 4 / 28);
        Map<String, PeerOutlierDetector.Counted> counted = Map.of("v1", new PeerOutlierDetector.Counted(30, 0),
                "v2", new PeerOutlierDetector.Counted(30, 0), "v3", new PeerOutlierDetector.Counted(28, 2),
                "v4", new PeerOutlierDetector.Counted(30, 0), "v5", new PeerOutlierDetector.Counted(28, 4));

        assertThat(detector.evaluate("tx_failure_pct", Kpi.w(0), values, counted))
                .extracting(v -> v.key().nodeId() + " " + v.severity())
                .containsExactly("v1 null", "v2 null", "v3 null", "v4 null", "v5 HIGH");
        // with failure.alpha 0.001 v5 is not unlikely enough either
        assertThat(new PeerOutlierDetector(PeerOutlierDetector.Settings.defaults(), new FailureGate(0.001, 1.0))
                .evaluate("tx_failure_pct", Kpi.w(0), values, counted)).noneMatch(Verdict::breached);
        // without the counts (an older stored window) both are judged on their ratio alone
        assertThat(detector.evaluate("tx_failure_pct", Kpi.w(0), values))
                .extracting(v -> v.key().nodeId() + " " + v.severity())
                .containsExactly("v1 null", "v2 null", "v3 HIGH", "v4 null", "v5 HIGH");
    }

    @Test
    void shouldNotCallAFewFailuresMoreThanPeersWithNoneAnOutlier() {
        // the median is 0 %, so the MAD is 0 and the relative difference unbounded: only the 5-point floor holds
        assertThat(detector.evaluate("tx_failure_pct", Kpi.w(0),
                Map.of("v1", 0.0, "v2", 0.0, "v3", 5.0, "v4", 0.0, "v5", 2.0)))
                .noneMatch(Verdict::breached);
        assertThat(detector.evaluate("tx_failure_pct", Kpi.w(0),
                Map.of("v1", 0.0, "v2", 0.0, "v3", 5.1, "v4", 0.0, "v5", 2.0)))
                .extracting(v -> v.key().nodeId() + " " + v.breached())
                .containsExactly("v1 false", "v2 false", "v3 true", "v4 false", "v5 false");
    }

    @Test
    void shouldNotFireWhenTheWholeNetworkIsSlowOrTheMadIsTinyOrTooFewNodes() {
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(0),
                Map.of("v1", 900.0, "v2", 950.0, "v3", 1000.0, "v4", 980.0)))
                .noneMatch(Verdict::breached);
        // MAD 0.5 ms: 110 is 20 MADs above but only 10% over the median
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(0),
                Map.of("v1", 100.0, "v2", 100.5, "v3", 99.5, "v4", 110.0)))
                .noneMatch(Verdict::breached);
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(0), Map.of("v1", 100.0, "v2", 900.0))).isEmpty();
    }

    @Test
    void shouldFlagANodeWhoseThroughputLagsItsPeersButNotOneFasterThanThem() {
        List<Verdict> verdicts = detector.evaluate("tps", Kpi.w(0),
                Map.of("v1", 200.0, "v2", 198.0, "v3", 60.0, "v4", 202.0, "v5", 500.0));

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.severity())
                .containsExactly("v1 null", "v2 null", "v3 HIGH", "v4 null", "v5 null");
        assertThat(verdicts.get(2).description()).isEqualTo("TPS 60.0/s on v3, 0.3× the network median of 200/s");
    }

    @Test
    void shouldNotFlagALatencyPercentileThatRestsOnOneLateSample() {
        // p95 of 8 propagation delays: v4's one late block makes it 2× its peers' (MAD 0), but 1 of its 8 samples
        // above the peers' pooled p95 (none of their 21) is chance: P = 8 / 29
        Map<String, Double> p95 = Map.of("v1", 30.0, "v2", 30.0, "v3", 30.0, "v4", 60.0);
        Map<String, com.datadoghq.sketch.ddsketch.DDSketch> samples = Map.of(
                "v1", TailGateTest.samples(TailGateTest.repeat(7, 30)),
                "v2", TailGateTest.samples(TailGateTest.repeat(7, 30)),
                "v3", TailGateTest.samples(TailGateTest.repeat(7, 30)),
                "v4", TailGateTest.samples(TailGateTest.concat(TailGateTest.repeat(7, 30), new double[] {60})));

        assertThat(detector.evaluate("propagation_delay_ms", Kpi.w(0), p95, Map.of(), samples))
                .noneMatch(Verdict::breached);
        // without the samples (records of older versions): judged on the percentiles, as before
        assertThat(detector.evaluate("propagation_delay_ms", Kpi.w(0), p95, Map.of(), Map.of()))
                .extracting(v -> v.key().nodeId() + " " + v.breached())
                .containsExactly("v1 false", "v2 false", "v3 false", "v4 true");
    }

    @Test
    void shouldFlagANodeWhoseSamplesAllMovedEvenBelowTheRelativeDifferenceOfItsPercentile() {
        // a clock ahead: v4's p95 is only 1.375× its peers' (110 against 80), but all 8 of its samples lie above the
        // peers' pooled p95 (P = 1 / C(29, 8)) and its median is 3.3× theirs (100 against 30): a shift, flagged
        Map<String, Double> p95 = Map.of("v1", 80.0, "v2", 80.0, "v3", 80.0, "v4", 110.0);
        double[] peer = TailGateTest.concat(TailGateTest.repeat(6, 30), new double[] {80});
        Map<String, com.datadoghq.sketch.ddsketch.DDSketch> samples = Map.of(
                "v1", TailGateTest.samples(peer), "v2", TailGateTest.samples(peer), "v3", TailGateTest.samples(peer),
                "v4", TailGateTest.samples(TailGateTest.concat(TailGateTest.repeat(7, 100), new double[] {110})));

        List<Verdict> verdicts = detector.evaluate("propagation_delay_ms", Kpi.w(0), p95, Map.of(), samples);

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.breached())
                .containsExactly("v1 false", "v2 false", "v3 false", "v4 true");
        assertThat(verdicts.get(3).description())
                .isEqualTo("p95 propagation delay 110 ms on v4, 1.4× the network median of 80.0 ms");
        // on the percentiles alone, 1.375× is below peer.min.relative.difference (1.5×)
        assertThat(detector.evaluate("propagation_delay_ms", Kpi.w(0), p95, Map.of(), Map.of()))
                .noneMatch(Verdict::breached);
    }
}
