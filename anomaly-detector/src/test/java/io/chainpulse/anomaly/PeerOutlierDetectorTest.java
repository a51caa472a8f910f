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
    /** 45 transaction validations of a healthy node: 4.0, 4.2, … 12.8 ms. */
    private static double[] spread45() {
        return java.util.stream.IntStream.range(0, 45).mapToDouble(i -> 4 + 0.2 * i).toArray();
    }

    /** 45 samples from {@code from} ms, {@code step} ms apart. */
    private static double[] from(double from, double step) {
        return from(from, step, 45);
    }

    /** {@code count} samples from {@code from} ms, {@code step} ms apart. */
    private static double[] from(double from, double step, int count) {
        return java.util.stream.IntStream.range(0, count).mapToDouble(i -> from + step * i).toArray();
    }

    private static List<Verdict> txValidation(PeerOutlierDetector detector, double[] v4) {
        double[] peer = spread45();
        return detector.evaluate("tx_validation_ms", Kpi.w(0), Map.of("v1", 12.4, "v2", 12.4, "v3", 12.4, "v4", 12.2),
                Map.of(), Map.of("v1", TailGateTest.samples(peer), "v2", TailGateTest.samples(peer),
                        "v3", TailGateTest.samples(peer), "v4", TailGateTest.samples(v4)));
    }

    @Test
    void shouldFlagANodeWhoseSamplesMovedAsAWholeThoughItsPercentileIsNoOutlier() {
        // three peers of 45 samples 4.0–12.8 ms: pooled median 8.4 ms (66 of 135 above), p95 12.4 ms. v4, slower as a
        // whole: 9.0–12.3 ms — none above the peers' p95 (the tail test sees chance; its p95 below theirs), all 45
        // above their median where 22 are expected, its median 1.3× theirs (≥ 1 + peer.location.min.shift 0.2), and
        // its ranks among the 180 samples give the rank-sum test P = 3.1e-07 (< peer.location.alpha 1e-5; 2.6e-07
        // with every sample apart, the sketch's 1 % bins tie a few)
        List<Verdict> verdicts = txValidation(detector, from(9.0, 0.075));

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.severity())
                .containsExactly("v1 null", "v2 null", "v3 null", "v4 MEDIUM");
        Verdict v4 = verdicts.get(3);
        assertThat(v4.key().id()).isEqualTo("peer_outlier|network_median_mad|tx_validation_ms|node|v4");
        assertThat(v4.description()).isEqualTo("median transaction validation time 10.7 ms on v4, 1.3× its peers' "
                + "median of 8.4 ms: 45 of its 45 samples above that median where 22 are expected (the peers': 66 of "
                + "135; rank-sum P = 3.1e-07)");
        assertThat(v4.observed()).isCloseTo(10.65, org.assertj.core.api.Assertions.within(0.11)); // the sketch's 1 %
        assertThat(v4.suggestedActions()).containsExactly(
                "Only v4 is affected: check its CPU, disk, memory and peer connections",
                "Compare its software version and configuration with its peers");
        assertThat(v4.fireAfter()).isEqualTo(2);
        // the percentiles alone see nothing: v4's p95 is below its peers'
        assertThat(detector.evaluate("tx_validation_ms", Kpi.w(0), Map.of("v1", 12.4, "v2", 12.4, "v3", 12.4,
                "v4", 12.2))).noneMatch(Verdict::breached);
    }

    @Test
    void shouldNotFlagAMoveOfTheSamplesThatIsChanceOrTooSmall() {
        // 8.5–10.7 ms: all 45 above the peers' median, but the ranks' P = 0.0037 — chance at 1e-5
        assertThat(txValidation(detector, from(8.5, 0.05))).noneMatch(Verdict::breached);
        // 4.0–12.8 ms like its peers: nothing
        assertThat(txValidation(detector, spread45())).noneMatch(Verdict::breached);
        // the shifted window of the test above: its median 1.27× its peers' is below a min.shift of 0.3, and its
        // P = 3.1e-07 is no evidence at alpha 1e-8
        assertThat(txValidation(new PeerOutlierDetector(PeerOutlierDetector.Settings.defaults(), FailureGate.defaults(),
                TailGate.defaults(), new PeerOutlierDetector.Location(1e-5, 0.3)), from(9.0, 0.075)))
                .noneMatch(Verdict::breached);
        assertThat(txValidation(new PeerOutlierDetector(PeerOutlierDetector.Settings.defaults(), FailureGate.defaults(),
                TailGate.defaults(), new PeerOutlierDetector.Location(1e-8, 0.2)), from(9.0, 0.075)))
                .noneMatch(Verdict::breached);
    }

    @Test
    void shouldRankTheNodesSamplesOfItsLatestTwoWindowsTogetherAndFireAtOnce() {
        // ten consensus validations a window, 40–58 ms on three peers, v4 1.25× slower (50–72.5 ms) in two windows in
        // a row: its window alone ranks at P = 1.1e-04, chance at peer.location.alpha 1e-5; its 20 samples of both
        // windows among its peers' 60 rank at P = 6.7e-08, and the incident fires at once
        double[] peer = java.util.stream.IntStream.range(0, 10).mapToDouble(i -> 40 + 2 * i).toArray();
        double[] slower = java.util.Arrays.stream(peer).map(x -> 1.25 * x).toArray();
        Map<String, com.datadoghq.sketch.ddsketch.DDSketch> window = Map.of("v1", TailGateTest.samples(peer),
                "v2", TailGateTest.samples(peer), "v3", TailGateTest.samples(peer), "v4", TailGateTest.samples(slower));
        Map<String, Double> p95 = Map.of("v1", 58.0, "v2", 58.0, "v3", 58.0, "v4", 72.5);

        List<Verdict> verdicts = detector.evaluate("consensus_latency_ms", Kpi.w(1), p95, Map.of(), window, window);

        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.severity() + " " + v.fireAfter())
                .containsExactly("v1 null 2", "v2 null 2", "v3 null 2", "v4 MEDIUM 1");
        assertThat(verdicts.get(3).description()).isEqualTo("median consensus latency 59.7 ms on v4, 1.2× its peers' "
                + "median of 47.9 ms: 20 of its 20 samples of its latest 2 windows above that median where 10 are "
                + "expected (the peers': 30 of 60; rank-sum P = 6.7e-08)");
        // the window alone (nothing known before it, or only another node's): chance
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(1), p95, Map.of(), window))
                .noneMatch(Verdict::breached);
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(1), p95, Map.of(), window,
                Map.of("v1", TailGateTest.samples(peer)))).noneMatch(Verdict::breached);
        // the window after a slowdown ended: both windows pooled still rank high, but this one's median is only 1.1×
        // its peers', below peer.location.min.shift — no evidence of a slowdown now
        Map<String, com.datadoghq.sketch.ddsketch.DDSketch> after = Map.of("v1", TailGateTest.samples(peer),
                "v2", TailGateTest.samples(peer), "v3", TailGateTest.samples(peer),
                "v4", TailGateTest.samples(java.util.Arrays.stream(peer).map(x -> 1.1 * x).toArray()));
        Map<String, com.datadoghq.sketch.ddsketch.DDSketch> slowBefore = Map.of("v1", TailGateTest.samples(peer),
                "v2", TailGateTest.samples(peer), "v3", TailGateTest.samples(peer),
                "v4", TailGateTest.samples(java.util.Arrays.stream(peer).map(x -> 2 * x).toArray()));
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(2), Map.of("v1", 58.0, "v2", 58.0, "v3", 58.0,
                "v4", 58.0), Map.of(), after, slowBefore)).noneMatch(Verdict::breached);
    }

    /** A window of three peers' samples and v4's, each the same in both windows. */
    private static Map<String, com.datadoghq.sketch.ddsketch.DDSketch> window(double[] peer, double factor) {
        return Map.of("v1", TailGateTest.samples(peer), "v2", TailGateTest.samples(peer), "v3",
                TailGateTest.samples(peer), "v4", TailGateTest.samples(java.util.Arrays.stream(peer)
                        .map(x -> factor * x).toArray()));
    }

    /*
     * v4 validates consensus messages 1.45× slower (ten a window; its peers' 20–65 ms) and transactions 1.4× slower
     * (twelve a window; 2–7.5 ms), the same in two windows in a row. Each ranks, its 2 windows pooled, at P = 3.3e-04
     * and 5.8e-04: chance at peer.location.alpha 1e-5, below peer.location.validation.alpha 1e-3 both. Its windows
     * alone lean the same way (P = 0.0087 and 0.011, medians 1.5× and 1.4× its peers').
     */
    private static final Map<String, com.datadoghq.sketch.ddsketch.DDSketch> SLOW_CONSENSUS =
            window(from(20, 5, 10), 1.45);
    private static final Map<String, com.datadoghq.sketch.ddsketch.DDSketch> SLOW_TX = window(from(2, 0.5, 12), 1.4);
    private static final Map<String, Double> CONSENSUS_P95 = Map.of("v1", 60.0, "v2", 60.0, "v3", 60.0, "v4", 87.0);
    private static final Map<String, Double> TX_P95 = Map.of("v1", 7.0, "v2", 7.0, "v3", 7.0, "v4", 9.8);

    @Test
    void shouldJudgeANodesValidationTimesTogether() {
        Map<String, PeerOutlierDetector.Evidence> kept = new java.util.TreeMap<>(); // as a store keeps it
        Kept<PeerOutlierDetector.Evidence> keep = Kept.in(kept);

        // consensus judged first: no transaction evidence of the window yet; its own is kept for the other's judgement
        assertThat(detector.evaluate("consensus_latency_ms", Kpi.w(1), CONSENSUS_P95, Map.of(), SLOW_CONSENSUS,
                SLOW_CONSENSUS, keep)).noneMatch(Verdict::breached);
        assertThat(kept).containsOnlyKeys("consensus_latency_ms|v1", "consensus_latency_ms|v2",
                "consensus_latency_ms|v3", "consensus_latency_ms|v4");
        assertThat(kept.get("consensus_latency_ms|v4").windowStartMs()).isEqualTo(Kpi.w(1));
        assertThat(kept.get("consensus_latency_ms|v4").p()).isCloseTo(3.3e-4,
                org.assertj.core.api.Assertions.within(0.05e-4));
        assertThat(kept.get("consensus_latency_ms|v1").p()).isEqualTo(1.0);
        // then the transactions of the same window: both slow, v4 fires at once on the second
        List<Verdict> verdicts = detector.evaluate("tx_validation_ms", Kpi.w(1), TX_P95, Map.of(), SLOW_TX, SLOW_TX,
                keep);
        assertThat(verdicts).extracting(v -> v.key().nodeId() + " " + v.severity() + " " + v.fireAfter())
                .containsExactly("v1 null 2", "v2 null 2", "v3 null 2", "v4 MEDIUM 1");
        assertThat(verdicts.get(3).key().id()).isEqualTo("peer_outlier|network_median_mad|tx_validation_ms|node|v4");
        assertThat(verdicts.get(3).description()).isEqualTo("median transaction validation time 6.4 ms on v4, 1.4× its "
                + "peers' median of 4.5 ms: 18 of its 24 samples of its latest 2 windows above that median where 12 are "
                + "expected (the peers': 36 of 72; rank-sum P = 5.8e-04), and its consensus latency of the same windows "
                + "too (rank-sum P = 3.3e-04): it validates slowly");
        // each alone, at peer.location.alpha: nothing
        assertThat(detector.evaluate("tx_validation_ms", Kpi.w(1), TX_P95, Map.of(), SLOW_TX, SLOW_TX,
                Kept.in(new java.util.TreeMap<>()))).noneMatch(Verdict::breached);
    }

    @Test
    void shouldNotJudgeAValidationTimeWithAnotherWindowsOrAnotherMetricsEvidence() {
        Map<String, PeerOutlierDetector.Evidence> kept = new java.util.TreeMap<>(); // as a store keeps it
        Kept<PeerOutlierDetector.Evidence> keep = Kept.in(kept);
        detector.evaluate("consensus_latency_ms", Kpi.w(1), CONSENSUS_P95, Map.of(), SLOW_CONSENSUS, SLOW_CONSENSUS,
                keep);

        // the consensus evidence is of the window before: no corroboration
        assertThat(detector.evaluate("tx_validation_ms", Kpi.w(2), TX_P95, Map.of(), SLOW_TX, SLOW_TX, keep))
                .noneMatch(Verdict::breached);
        // proposal_to_vote_ms repeats the consensus validations: not a validation time, never corroborated
        assertThat(detector.evaluate("proposal_to_vote_ms", Kpi.w(1), CONSENSUS_P95, Map.of(), SLOW_CONSENSUS,
                SLOW_CONSENSUS, keep)).noneMatch(Verdict::breached);
        assertThat(kept).doesNotContainKey("proposal_to_vote_ms|v4");
        // nothing kept (the detector used alone): each judged on its own
        assertThat(detector.evaluate("tx_validation_ms", Kpi.w(1), TX_P95, Map.of(), SLOW_TX, SLOW_TX))
                .noneMatch(Verdict::breached);
        // the window alone, without the one before: no evidence kept, none used
        Map<String, PeerOutlierDetector.Evidence> alone = new java.util.TreeMap<>();
        Kept<PeerOutlierDetector.Evidence> keepAlone = Kept.in(alone);
        detector.evaluate("consensus_latency_ms", Kpi.w(1), CONSENSUS_P95, Map.of(), SLOW_CONSENSUS, Map.of(),
                keepAlone);
        assertThat(alone.get("consensus_latency_ms|v4").p()).isEqualTo(1.0);
        assertThat(detector.evaluate("tx_validation_ms", Kpi.w(1), TX_P95, Map.of(), SLOW_TX, SLOW_TX, keep).get(3)
                .breached()).isTrue();
        assertThat(detector.evaluate("tx_validation_ms", Kpi.w(1), TX_P95, Map.of(), SLOW_TX, SLOW_TX, keepAlone))
                .noneMatch(Verdict::breached);
    }
}
