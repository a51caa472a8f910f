package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BaselineDetectorTest {
    private static final BaselineDetector.Settings SETTINGS = new BaselineDetector.Settings(0.1, 10, 4, 6, 10, 0.25,
            2, 3);
    private final BaselineDetector detector = new BaselineDetector(SETTINGS);

    /** Alternates 95 and 105 (mean 100, σ 5) for {@code n} windows from window 0. */
    private BaselineState warm(int n) {
        BaselineState state = null;
        for (int i = 0; i < n; i++) {
            state = detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", i, i % 2 == 0 ? 95 : 105))
                    .state();
        }
        return state;
    }

    @Test
    void shouldLearnTheExactMeanAndVarianceDuringWarmUpWithoutVerdicts() {
        BaselineState state = null;
        List<Optional<Verdict>> verdicts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            BaselineDetector.Outcome out = detector.evaluate(state,
                    Kpi.latency("consensus_latency_ms", "v1", i, i % 2 == 0 ? 95 : 105));
            state = out.state();
            verdicts.add(out.verdict());
        }

        assertThat(verdicts).allMatch(Optional::isEmpty);
        assertThat(state.count()).isEqualTo(10);
        assertThat(state.mean()).isEqualTo(100.0);
        assertThat(state.variance()).isEqualTo(25.0);
    }

    @Test
    void shouldFlagAValueMoreThanKSigmaAboveTheBaselineWithSeverityByK() {
        BaselineState state = warm(10);

        assertThat(verdict(state, 119).breached()).isFalse();            // 3.8 σ
        assertThat(verdict(state, 126).severity()).isEqualTo(Severity.MEDIUM);   // 5.2 σ
        assertThat(verdict(state, 131).severity()).isEqualTo(Severity.HIGH);     // 6.2 σ
        assertThat(verdict(state, 151).severity()).isEqualTo(Severity.CRITICAL); // 10.2 σ
        Verdict high = verdict(state, 131);
        assertThat(high.key().id()).isEqualTo("baseline|ewma_p95|consensus_latency_ms|node|v1");
        assertThat(high.description())
                .isEqualTo("p95 consensus latency 131 ms on v1, 6.2 σ above its baseline of 100 ms");
        assertThat(high.expected()).isEqualTo(100.0);
    }

    @Test
    void shouldNotFlagALatencyDropOrAChangeBelowTheMinimumRelativeChange() {
        BaselineState state = warm(10);

        assertThat(verdict(state, 10).breached()).isFalse();
        // σ tiny: 0.1 ms noise around 100 ms; 110 ms is 100 σ but only 10% away
        BaselineState tight = null;
        for (int i = 0; i < 10; i++) {
            tight = detector.evaluate(tight, Kpi.latency("consensus_latency_ms", "v1", i, i % 2 == 0 ? 99.9 : 100.1))
                    .state();
        }
        assertThat(verdict(tight, 110).breached()).isFalse();
        assertThat(verdict(tight, 126).breached()).isTrue();
    }

    @Test
    void shouldJudgeParticipationOnItsMeanAndFlagADropNotARise() {
        BaselineState state = null;
        for (int i = 0; i < 10; i++) {   // every height of every window voted by all: exactly 100, σ 0
            state = detector.evaluate(state, Kpi.mean("vote_participation_pct", null, i, 100)).state();
        }

        Verdict stopped = detector.evaluate(state, Kpi.mean("vote_participation_pct", null, 10, 75)).verdict()
                .orElseThrow();   // one of four validators stopped voting: 25 points, 25 % of the baseline
        assertThat(stopped.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(stopped.key().id()).isEqualTo("baseline|ewma_mean|vote_participation_pct|network|");
        assertThat(stopped.description())
                .isEqualTo("mean vote participation 75.0 % on the network, ∞ σ below its baseline of 100 %");
        // one of seven: 14 % of the baseline, under the minimum relative change of 25 %
        assertThat(detector.evaluate(state, Kpi.mean("vote_participation_pct", null, 10, 600.0 / 7)).verdict()
                .orElseThrow().breached()).isFalse();
    }

    @Test
    void shouldKeepFlaggedValuesOutOfTheBaseline() {
        BaselineState state = warm(10);
        BaselineDetector.Outcome outlier = detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", 10, 1000));

        assertThat(outlier.verdict().orElseThrow().breached()).isTrue();
        // mean and variance untouched; only the latest ratio (1000 ms ÷ 100 ms) is remembered
        assertThat(outlier.state()).isEqualTo(new BaselineState(state.count(), state.mean(), state.variance(), 10.0));
        // the very next normal-but-high value is judged against the untouched baseline
        assertThat(verdict(outlier.state(), 131).severity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void shouldClampASingleWarmUpOutlierSoItCannotWidenTheBand() {
        BaselineState state = null;
        for (int i = 0; i < 10; i++) {
            double v = i == 6 ? 10_000 : i % 2 == 0 ? 95 : 105;
            state = detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", i, v)).state();
        }

        assertThat(Math.sqrt(state.variance())).isLessThan(12);
        assertThat(verdict(state, 200).breached()).isTrue();
    }

    /** Alternates 95 and 105 per second (mean 100, σ 5) for {@code n} windows of {@code node} (null: network). */
    private BaselineState warmRate(String metric, String node, int n) {
        BaselineState state = null;
        for (int i = 0; i < n; i++) {
            state = detector.evaluate(state, Kpi.rate(metric, node, i, i % 2 == 0 ? 95 : 105)).state();
        }
        return state;
    }

    @Test
    void shouldFlagANetworkRateBelowThreeQuartersOfItsBaselineWithSeverityByDepth() {
        BaselineState state = warmRate("tps", null, 10);

        assertThat(state.mean()).isEqualTo(100.0);
        assertThat(state.variance()).isEqualTo(25.0);
        assertThat(rate(state, "tps", null, 80, null).breached()).isFalse();        // 80 %: 4 σ, but not 25 % down
        assertThat(rate(state, "tps", null, 75, null).severity()).isEqualTo(Severity.MEDIUM);   // 75 %
        assertThat(rate(state, "tps", null, 50.5, null).severity()).isEqualTo(Severity.MEDIUM); // 50.5 %
        assertThat(rate(state, "tps", null, 50, null).severity()).isEqualTo(Severity.HIGH);     // 50 %
        assertThat(rate(state, "tps", null, 26, null).severity()).isEqualTo(Severity.HIGH);     // 26 %
        assertThat(rate(state, "tps", null, 25, null).severity()).isEqualTo(Severity.CRITICAL); // 25 %
        assertThat(rate(state, "tps", null, 0, null).severity()).isEqualTo(Severity.CRITICAL);  // stalled
        assertThat(rate(state, "tps", null, 400, null).breached()).isFalse();       // a rise is not a problem
        Verdict half = rate(state, "tps", null, 50, null);
        assertThat(half.key().id()).isEqualTo("baseline|ewma_rate|tps|network|");
        assertThat(half.description()).isEqualTo("TPS 50.0/s on the network, 50% of its baseline of 100/s (10.0 σ below)");
        assertThat(half.observed()).isEqualTo(50.0);
        assertThat(half.expected()).isEqualTo(100.0);
    }

    @Test
    void shouldNotFlagADeepButInsignificantDropOfANoisyRate() {
        // a quiet node: 2 and 8 tx/s alternating, mean 5, σ 3
        BaselineState state = null;
        for (int i = 0; i < 10; i++) {
            state = detector.evaluate(state, Kpi.rate("tx_ingress_tps", "v1", i, i % 2 == 0 ? 2 : 8)).state();
        }

        assertThat(state.mean()).isEqualTo(5.0);
        assertThat(state.variance()).isCloseTo(9.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(rate(state, "tx_ingress_tps", "v1", 0, null).breached()).isFalse(); // 0 %, but only 1.7 σ
    }

    @Test
    void shouldFlagANodeRateOnlyWhenItFellFurtherThanTheNetwork() {
        BaselineState node = warmRate("tx_ingress_tps", "v2", 10);
        BaselineState networkAtHalf = new BaselineState(40, 400, 100, 0.5);
        BaselineState networkSteady = new BaselineState(40, 400, 100, 1.0);

        // the network's latest window was at 50 %: v2 at 50 % (or 40 %) is that drop, not v2's own
        assertThat(rate(node, "tx_ingress_tps", "v2", 50, networkAtHalf).breached()).isFalse();
        assertThat(rate(node, "tx_ingress_tps", "v2", 40, networkAtHalf).breached()).isFalse();
        // 37.5 % is 25 % below the network's 50 %: v2's own
        assertThat(rate(node, "tx_ingress_tps", "v2", 37.5, networkAtHalf).severity()).isEqualTo(Severity.HIGH);
        assertThat(rate(node, "tx_ingress_tps", "v2", 50, networkSteady).severity()).isEqualTo(Severity.HIGH);
        assertThat(rate(node, "tx_ingress_tps", "v2", 50, null).severity()).isEqualTo(Severity.HIGH);
        Verdict own = rate(node, "tx_ingress_tps", "v2", 10, networkSteady);
        assertThat(own.key().id()).isEqualTo("baseline|ewma_rate|tx_ingress_tps|node|v2");
        assertThat(own.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(own.description()).isEqualTo(
                "transaction ingress rate 10.0/s on v2, 10% of its baseline of 100/s (18.0 σ below)");
        assertThat(own.suggestedActions()).containsExactly(
                "Only v2 lost throughput: check its RPC endpoint, peer connections and whether it is syncing");
    }

    @Test
    void shouldKeepAFlaggedRateOutOfTheBaselineButRememberItsRatio() {
        BaselineState state = warmRate("tps", null, 10);
        BaselineDetector.Outcome drop = detector.evaluate(state, Kpi.rate("tps", null, 10, 40));
        BaselineDetector.Outcome steady = detector.evaluate(state, Kpi.rate("tps", null, 10, 100));

        assertThat(drop.state()).isEqualTo(new BaselineState(10, 100.0, 25.0, 0.4));
        // a clean window is learned: mean 100 + 0.1 × 0, variance 0.9 × (25 + 0)
        assertThat(steady.state()).isEqualTo(new BaselineState(11, 100.0, 22.5, 1.0));
    }

    @Test
    void shouldWarmUpForTwelveWindowsByDefaultThenFireAfterTwoFlaggedWindowsAndResolveAfterThreeClean() {
        BaselineDetector defaults = new BaselineDetector(BaselineDetector.Settings.defaults());
        BaselineState state = null;
        List<String> timeline = new ArrayList<>();
        IncidentState incident = null;
        // 12 warm-up windows at 95/105, then 100, 40, 100, 40, 40, 45, 100, 100, 100 tx/s
        double[] values = {95, 105, 95, 105, 95, 105, 95, 105, 95, 105, 95, 105,
                           100, 40, 100, 40, 40, 45, 100, 100, 100};
        for (int i = 0; i < values.length; i++) {
            BaselineDetector.Outcome out = defaults.evaluate(state, Kpi.rate("tps", null, i, values[i]));
            state = out.state();
            if (out.verdict().isEmpty()) {
                timeline.add(i + " -");
                continue;
            }
            IncidentTracker.Step step = IncidentTracker.apply(incident, out.verdict().get());
            incident = step.state();
            timeline.add(i + " " + (out.verdict().get().breached() ? out.verdict().get().severity() : "clean")
                    + (step.transition() == null ? "" : " " + step.transition().getState()));
        }

        assertThat(timeline).containsExactly("0 -", "1 -", "2 -", "3 -", "4 -", "5 -", "6 -", "7 -", "8 -", "9 -",
                "10 -", "11 -",
                "12 clean",
                "13 HIGH",            // one flagged window: pending
                "14 clean",           // back: the pending streak is forgotten
                "15 HIGH",
                "16 HIGH FIRING",     // the second consecutive flagged window fires
                "17 HIGH",            // 45 %: still HIGH, nothing new to say
                "18 clean", "19 clean",
                "20 clean RESOLVED"); // the third clean window resolves
    }

    private Verdict rate(BaselineState state, String metric, String node, double perSecond, BaselineState network) {
        return detector.evaluate(state, Kpi.rate(metric, node, 10, perSecond), network).verdict().orElseThrow();
    }

    @Test
    void shouldJudgeAFailureRateOnItsMeanInPercent() {
        BaselineState state = null;
        for (int i = 0; i < 10; i++) { // 0 % and 2 %: mean 1 %, σ 1 point; p95 would be 0 or 100
            state = detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", i, i % 2 == 0 ? 0 : 2)).state();
        }
        assertThat(state.mean()).isEqualTo(1.0);
        assertThat(state.variance()).isEqualTo(1.0);

        assertThat(detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 4.5)).verdict().orElseThrow()
                .breached()).isFalse();                                                         // 3.5 σ
        // 5.9 σ, but 4.9 points above the baseline: a few failures more in a window is noise
        assertThat(detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 5.9)).verdict().orElseThrow()
                .breached()).isFalse();
        // 6.1 %: 5.1 σ, 5.1 points; 6 failures of 98 at the learned 1 %: P(X >= 6) = 0.0005
        assertThat(detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 6, 98)).verdict().orElseThrow()
                .severity()).isEqualTo(Severity.MEDIUM);
        // 11.1 %, 10.1 points and 10.1 σ above — but one failure of nine (P = 0.086) or two of 18 (P = 0.0138) is the
        // learned 1 % at work, not evidence (failure.alpha 0.01); three of 27 (P = 0.0024) is
        assertThat(detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 1, 9)).verdict().orElseThrow()
                .breached()).isFalse();
        assertThat(detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 2, 18)).verdict().orElseThrow()
                .breached()).isFalse();
        assertThat(detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 3, 27)).verdict().orElseThrow()
                .severity()).isEqualTo(Severity.CRITICAL);                                     // the same 11.1 %
        Verdict critical = detector.evaluate(state, Kpi.ratio("tx_failure_pct", "v1", 10, 12.5)).verdict()
                .orElseThrow();
        assertThat(critical.severity()).isEqualTo(Severity.CRITICAL);                          // 11.5 σ
        assertThat(critical.key().id()).isEqualTo("baseline|ewma_mean|tx_failure_pct|node|v1");
        assertThat(critical.description())
                .isEqualTo("mean transaction failure rate 12.5 % on v1, 11.5 σ above its baseline of 1.0 %");
        assertThat(critical.suggestedActions()).singleElement().asString().startsWith(
                "Compare with the node's peers: if only this node fails more");
        // the network is judged on its mean too, not on its p50
        BaselineState network = null;
        for (int i = 0; i < 10; i++) {
            network = detector.evaluate(network, Kpi.ratio("consensus_failure_pct", null, i, i % 2 == 0 ? 0 : 2))
                    .state();
        }
        assertThat(detector.evaluate(network, Kpi.ratio("consensus_failure_pct", null, 10, 8)).verdict().orElseThrow()
                .description()).isEqualTo("mean consensus failure rate 8.0 % on the network, 7.0 σ above its "
                + "baseline of 1.0 %");
    }

    private Verdict verdict(BaselineState state, double p95) {
        KpiWindow w = Kpi.latency("consensus_latency_ms", "v1", 10, p95);
        return detector.evaluate(state, w).verdict().orElseThrow();
    }

    @Test
    void shouldFlagANodeP95OnlyWhenHalfItsSamplesLieAboveTheBaseline() {
        BaselineState state = warm(10); // mean 100 ms, σ 5
        // p95 131 ms (6.2 σ, HIGH on the percentile): the second largest of ten samples
        double[] twoSlow = {60, 60, 60, 60, 60, 60, 60, 60, 131, 140};
        double[] fiveAbove = {60, 60, 60, 60, 60, 110, 110, 110, 131, 140};
        double[] fourAbove = {60, 60, 60, 60, 60, 60, 110, 110, 131, 140};
        double[] allMoved = {110, 112, 114, 116, 118, 120, 122, 125, 131, 140};

        assertThat(judge(state, 131, twoSlow).breached()).isFalse();      // 2 of 10 above 100 ms: two slow samples
        assertThat(judge(state, 131, fourAbove).breached()).isFalse();    // 4 of 10
        assertThat(judge(state, 131, fiveAbove).severity()).isEqualTo(Severity.HIGH);  // 5 of 10: the share
        assertThat(judge(state, 131, allMoved).severity()).isEqualTo(Severity.HIGH);   // 10 of 10
        assertThat(judge(state, 131, allMoved).description())
                .isEqualTo("p95 consensus latency 131 ms on v1, 6.2 σ above its baseline of 100 ms");
        // a window without its samples (records of older versions) is judged on its p95, as before
        assertThat(verdict(state, 131).severity()).isEqualTo(Severity.HIGH);
        // baseline.node.min.share.above 0: the p95 alone
        BaselineDetector p95Only = new BaselineDetector(new BaselineDetector.Settings(0.1, 10, 4, 6, 10, 0.25, 2, 3,
                BaselineDetector.RateDrop.defaults(), 0));
        assertThat(p95Only.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", 99, 131, twoSlow)).verdict()
                .orElseThrow().severity()).isEqualTo(Severity.HIGH);
        // the network's p50 is no node's window of few samples: not gated
        BaselineState network = null;
        for (int i = 0; i < 10; i++) {
            network = detector.evaluate(network, Kpi.latency("consensus_latency_ms", null, i, i % 2 == 0 ? 95 : 105,
                    200)).state();
        }
        KpiWindow p50 = KpiWindow.newBuilder(Kpi.latency("consensus_latency_ms", null, 99, 200, twoSlow))
                .setP50(131.0).build();
        assertThat(detector.evaluate(network, p50).verdict().orElseThrow().severity()).isEqualTo(Severity.HIGH);
    }

    private Verdict judge(BaselineState state, double p95, double... samples) {
        return detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", 99, p95, samples)).verdict()
                .orElseThrow();
    }
}
