package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.Anomaly;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped rule on a node's pooled validations ({@code validation_failure_pct_node_high}: its latest 2 windows'
 * transaction and consensus validations judged as one, above 5 % and significant at the healthy 1 % by
 * {@link FailureGate} at {@code failure.pooled.alpha} 1e-4) on the simulated network of {@code evaluate} (20 TPS, 1 s
 * blocks): a node's window holds 28 transactions and 10 consensus validations at 7 nodes, 50 and 10 at 4; healthy,
 * 1 % of the transactions and none of the blocks fail.
 */
class ValidationFailureGateTest {
    private static final FailureGate GATE = FailureGate.defaults();
    private static final FailureGate POOLED = new FailureGate(StaticRuleDetector.DEFAULT_POOLED_ALPHA,
            FailureGate.DEFAULT_FLOOR_PCT);
    private static final int WINDOWS_PER_HOUR = 360;

    @Test
    void shouldNeedThreeOf38AndFourOf60PooledValidationsAtTheShippedAlpha() {
        assertThat(GATE.significant(38, 2, null)).isFalse();  // P = 0.055
        assertThat(GATE.significant(38, 3, null)).isTrue();   // P = 0.0065
        assertThat(GATE.significant(60, 3, null)).isFalse();  // P = 0.022
        assertThat(GATE.significant(60, 4, null)).isTrue();   // P = 0.0031
    }

    @Test
    void shouldNeedSevenOf76AndEightOf120ValidationsOfTwoWindowsAtThePooledAlpha() {
        assertThat(POOLED.significant(76, 6, null)).isFalse();  // P = 1.2e-4
        assertThat(POOLED.significant(76, 7, null)).isTrue();   // P = 1.2e-5
        assertThat(POOLED.significant(120, 7, null)).isFalse(); // P = 2.2e-4
        assertThat(POOLED.significant(120, 8, null)).isTrue();  // P = 3.1e-5
    }

    @Test
    void shouldRaiseAHealthyNodeFewerThanOneFalseIncidentPer300NodeHours() {
        // healthy, only the transactions of the two windows fail: 7 of 56 at 7 nodes, 8 of 100 at 4 nodes; every
        // window is a test (an upper bound: a run of firing windows is one incident)
        double seven = FailureGate.tail(56, 7, 0.01);
        double four = FailureGate.tail(100, 8, 0.01);
        assertThat(seven).isCloseTo(1.51e-6, within(1e-8));
        assertThat(four).isCloseTo(8.22e-6, within(1e-8));
        assertThat(WINDOWS_PER_HOUR * seven).isCloseTo(0.00054, within(1e-5));
        assertThat(WINDOWS_PER_HOUR * four).isCloseTo(0.00296, within(1e-5)).isLessThan(1.0 / 300);
    }

    @Test
    void shouldCatchMoreTenPercentBurstsInTwoWindowsPooledThanInTwoSignificantWindowsInARow() {
        // two full windows of a burst at 7 nodes: 7 of 76 pooled, against 3 of 38 in each (the rule before pooling)
        assertThat(FailureGate.tail(76, 7, 0.1)).isCloseTo(0.647, within(1e-3));
        assertThat(Math.pow(FailureGate.tail(38, 3, 0.1), 2)).isCloseTo(0.557, within(1e-3));
    }

    @Test
    void shouldGiveAWindowOfAFailureBurstAtTenPercentMorePowerPooledThanEitherRatioAlone() {
        // p = 0.1 on both: the pooled window needs 3 of 38; apart, 3 of 28 transactions or 2 of 10 blocks
        assertThat(FailureGate.tail(38, 3, 0.1)).isCloseTo(0.746, within(1e-3));
        assertThat(FailureGate.tail(28, 3, 0.1)).isCloseTo(0.541, within(1e-3));
        assertThat(FailureGate.tail(10, 2, 0.1)).isCloseTo(0.264, within(1e-3));
        assertThat(GATE.significant(10, 2, null)).isTrue();
        assertThat(GATE.significant(10, 1, null)).isFalse();
    }

    @Test
    void shouldFireTheShippedRuleOnTwoWindowsOfTheNodeSignificantTogether() {
        StaticRuleDetector rules = new StaticRuleDetector(RulesFile.defaults());
        List<Anomaly> out = StaticRuleDetectorTest.transitions(rules, List.of(
                Kpi.ratio("validation_failure_pct", "v3", 0, 2, 38),   // 2 of 38 alone: 5.3 %, P = 0.055
                Kpi.ratio("validation_failure_pct", "v3", 1, 3, 38),   // 5 of 76: 6.6 %, P = 1.0e-3
                Kpi.ratio("validation_failure_pct", "v3", 2, 4, 38))); // 7 of 76: 9.2 %, P = 1.2e-5: fires

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getNodeId() + " "
                + a.getWindowStartMs() + " " + a.getDescription()).containsExactly("FIRING HIGH v3 " + Kpi.w(2)
                + " validation failure rate 9.2 % on v3 (7 failed of 76 in its latest 2 windows), above 5.0 %: it "
                + "rejects transactions and blocks alike");
    }

    @Test
    void shouldPoolEachChainsWindowsOfTheNodeApartInTheTopology() {
        // the default chain's v3 fires on windows 1 and 2 pooled; beta's v3, 4 of 38 in window 3 after them, is
        // judged with beta's windows only (none kept): P = 5.6e-4, no alert (pooled with the default's window 2 it
        // would be 8 of 76)
        List<Anomaly> out = AnomalyReplay.run(List.of(
                Kpi.ratio("validation_failure_pct", "v3", 0, 2, 38),
                Kpi.ratio("validation_failure_pct", "v3", 1, 3, 38),
                Kpi.ratio("validation_failure_pct", "v3", 2, 4, 38),
                io.chainpulse.schema.KpiWindow.newBuilder(Kpi.ratio("validation_failure_pct", "v3", 3, 4, 38))
                        .setChainId("beta").build()), java.util.Map.of());

        assertThat(out).extracting(a -> a.getState() + " " + a.getChainId() + " " + a.getWindowStartMs() + " "
                + a.getDescription()).containsExactly("FIRING null " + Kpi.w(2) + " validation failure rate 9.2 % on "
                + "v3 (7 failed of 76 in its latest 2 windows), above 5.0 %: it rejects transactions and blocks alike");
    }
}
