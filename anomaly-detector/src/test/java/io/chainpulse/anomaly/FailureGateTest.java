package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FailureGateTest {
    private final FailureGate gate = FailureGate.defaults(); // alpha 0.01, floor 1 %

    @Test
    void shouldComputeTheBinomialUpperTailExactly() {
        // by hand: P(X >= k) = 1 − Σ_{i<k} C(n, i) p^i (1 − p)^(n − i)
        assertThat(FailureGate.tail(17, 1, 0.01)).isCloseTo(0.157057, within(1e-6));   // 1 − 0.99^17
        assertThat(FailureGate.tail(19, 2, 0.01)).isCloseTo(0.0152738, within(1e-7));  // 1 − 0.82617 − 0.15856
        assertThat(FailureGate.tail(28, 2, 0.01)).isCloseTo(0.0318248, within(1e-7));
        assertThat(FailureGate.tail(28, 3, 0.01)).isCloseTo(0.00271712, within(1e-8));
        assertThat(FailureGate.tail(50, 3, 0.01)).isCloseTo(0.0138173, within(1e-7));
        assertThat(FailureGate.tail(50, 4, 0.01)).isCloseTo(0.00159617, within(1e-8));
        assertThat(FailureGate.tail(50, 4, 0.03)).isCloseTo(0.0627599, within(1e-7));
        assertThat(FailureGate.tail(28, 3, 0.1)).isCloseTo(0.540617, within(1e-6));
        assertThat(FailureGate.tail(2000, 30, 0.01)).isCloseTo(0.0212562, within(1e-7)); // no overflow at n = 2000
        assertThat(FailureGate.tail(10, 0, 0.01)).isEqualTo(1.0);
        assertThat(FailureGate.tail(5, 6, 0.01)).isEqualTo(0.0);
        assertThat(FailureGate.tail(5, 1, 0.0)).isEqualTo(0.0);
    }

    @Test
    void shouldCallFailuresSignificantOnlyWhenUnlikelyAtTheFlooredReferenceShare() {
        assertThat(gate.significant(28, 2, 1.0)).isFalse();  // 0.0318: two of 28 is the healthy 1 % at work
        assertThat(gate.significant(28, 3, 1.0)).isTrue();   // 0.00272
        assertThat(gate.significant(50, 3, 1.0)).isFalse();  // 0.0138
        assertThat(gate.significant(50, 4, 1.0)).isTrue();   // 0.00160
        assertThat(gate.significant(50, 4, 3.0)).isFalse();  // 0.0628 at a learned share of 3 %
        assertThat(gate.significant(50, 4, 0.2)).isTrue();   // floored to 1 %: 0.00160
        assertThat(gate.significant(28, 2, null)).isFalse(); // unknown share: the floor, 0.0318
        assertThat(gate.significant(28, 0, 1.0)).isFalse();  // no failure is never evidence
        assertThat(new FailureGate(0.05, 1.0).significant(28, 2, 1.0)).isTrue(); // 0.0318 < 0.05
    }

    @Test
    void shouldJudgeOnlyFailureRatiosFromTheirMeanAndCount() {
        assertThat(gate.significant(Kpi.ratio("tx_failure_pct", "v1", 0, 3, 28), 1.0)).isTrue();
        assertThat(gate.significant(Kpi.ratio("consensus_failure_pct", "v1", 0, 2, 28), 1.0)).isFalse();
        // participation and latencies are not failure ratios: always evidence
        assertThat(gate.significant(Kpi.mean("vote_participation_pct", null, 0, 75.0), 1.0)).isTrue();
        assertThat(gate.significant(Kpi.latency("consensus_latency_ms", "v1", 0, 900), 1.0)).isTrue();
    }

    @Test
    void shouldRejectAnAlphaOrFloorOutsideItsRange() {
        assertThatThrownBy(() -> new FailureGate(0, 1)).hasMessage("alpha must be in (0, 1): 0.0");
        assertThatThrownBy(() -> new FailureGate(0.01, 100)).hasMessage("floorPct must be in [0, 100): 100.0");
    }
}
