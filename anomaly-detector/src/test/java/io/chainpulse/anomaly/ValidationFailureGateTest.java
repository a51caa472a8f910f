package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.Anomaly;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped rule on a node's pooled validations ({@code validation_failure_pct_node_high}: above 5 % and significant
 * at the healthy 1 % by {@link FailureGate}, 2 windows) on the simulated network of {@code evaluate} (20 TPS, 1 s
 * blocks): a node's window holds 28 transactions and 10 consensus validations at 7 nodes, 50 and 10 at 4; healthy,
 * 1 % of the transactions and none of the blocks fail.
 */
class ValidationFailureGateTest {
    private static final FailureGate GATE = FailureGate.defaults();
    private static final int WINDOWS_PER_HOUR = 360;

    @Test
    void shouldNeedThreeOf38AndFourOf60PooledValidationsAtTheShippedAlpha() {
        assertThat(GATE.significant(38, 2, null)).isFalse();  // P = 0.055
        assertThat(GATE.significant(38, 3, null)).isTrue();   // P = 0.0065
        assertThat(GATE.significant(60, 3, null)).isFalse();  // P = 0.022
        assertThat(GATE.significant(60, 4, null)).isTrue();   // P = 0.0031
    }

    @Test
    void shouldRaiseAHealthyNodeFewerThanOneFalseIncidentPer300NodeHours() {
        // healthy, only the transactions fail: 3 of 28 at 7 nodes, 4 of 50 at 4 nodes, in two windows in a row
        double seven = FailureGate.tail(28, 3, 0.01);
        double four = FailureGate.tail(50, 4, 0.01);
        assertThat(seven).isCloseTo(0.002717, within(1e-6));
        assertThat(four).isCloseTo(0.001596, within(1e-6));
        assertThat(WINDOWS_PER_HOUR * seven * seven).isCloseTo(0.00266, within(1e-5)).isLessThan(1.0 / 300);
        assertThat(WINDOWS_PER_HOUR * four * four).isCloseTo(0.00092, within(1e-5));
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
    void shouldFireTheShippedRuleOnTwoSignificantPooledWindowsOfTheNode() {
        StaticRuleDetector rules = new StaticRuleDetector(RulesFile.defaults());
        List<Anomaly> out = StaticRuleDetectorTest.transitions(rules, List.of(
                Kpi.ratio("validation_failure_pct", "v3", 0, 2, 38),   // 5.3 %, P = 0.055: clean
                Kpi.ratio("validation_failure_pct", "v3", 1, 3, 38),   // 7.9 %, P = 0.0065: 1 of 2
                Kpi.ratio("validation_failure_pct", "v3", 2, 4, 38))); // fires

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getNodeId() + " "
                + a.getWindowStartMs() + " " + a.getDescription()).containsExactly("FIRING HIGH v3 " + Kpi.w(2)
                + " validation failure rate 10.5 % on v3, above 5.0 %: it rejects transactions and blocks alike");
    }
}
