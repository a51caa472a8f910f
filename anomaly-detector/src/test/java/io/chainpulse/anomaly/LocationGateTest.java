package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocationGateTest {
    private final LocationGate gate = new LocationGate(0.001);

    @Test
    void shouldComputeTheNormalUpperTail() {
        assertThat(LocationGate.normalUpperTail(0)).isCloseTo(0.5, within(1e-7));
        assertThat(LocationGate.normalUpperTail(1.959964)).isCloseTo(0.025, within(1e-7));
        assertThat(LocationGate.normalUpperTail(3.090232)).isCloseTo(0.001, within(1e-8)); // 1.2e-7 relative
        assertThat(LocationGate.normalUpperTail(-1.644854)).isCloseTo(0.95, within(1e-7));
    }

    @Test
    void shouldRankTheNodesSamplesAmongItsPeersWithTiesAtTheirMeanRank() {
        // node 4, 5, 6 against peers 1, 2, 3: U = 9 of nm = 9, mean 4.5, variance 9/12·7 = 5.25, z = 4/√5.25 = 1.746
        assertThat(LocationGate.upperTail(TailGateTest.samples(4, 5, 6), TailGateTest.samples(1, 2, 3)))
                .isCloseTo(0.040428, within(1e-6));
        // the same samples on both sides: U = nm/2 (each tie half), z = −0.5/σ (the continuity correction)
        double[] same = {1, 2, 3, 4, 5};
        assertThat(LocationGate.upperTail(TailGateTest.samples(same), TailGateTest.samples(same)))
                .isCloseTo(0.542235, within(1e-6)); // ties: variance 25/12·(11 − 30/90)
        // one bin only: nothing to rank
        assertThat(LocationGate.upperTail(TailGateTest.samples(7, 7), TailGateTest.samples(7, 7, 7))).isEqualTo(1.0);
    }

    @Test
    void shouldCallAShiftOfEverySampleEvidenceAndCountTheSamplesAboveThePeersMedian() {
        // ten consensus validations 1.5× their peers' (30 samples 40, 42, … 98 ms, pooled median 70 ms)
        double[] peer = java.util.stream.IntStream.range(0, 10).mapToDouble(i -> 40 + 6.0 * i).toArray();
        double[] slow = java.util.Arrays.stream(peer).map(v -> 1.5 * v).toArray();
        List<com.datadoghq.sketch.ddsketch.DDSketch> peers = List.of(TailGateTest.samples(peer),
                TailGateTest.samples(peer), TailGateTest.samples(peer));

        LocationGate.Test test = gate.test(TailGateTest.samples(slow), peers);

        assertThat(test.outcome()).isEqualTo(TailGate.Outcome.EVIDENCE);
        assertThat(test.samples()).isEqualTo(10);
        assertThat(test.above()).isEqualTo(9);       // 60 … 138 ms above 70 ms but 60
        assertThat(test.peerSamples()).isEqualTo(30);
        assertThat(test.peersAbove()).isEqualTo(15); // 76 … 94 of each
        assertThat(test.expectedAbove()).isEqualTo(5.0);
        assertThat(test.p()).isLessThan(0.001);
        // the peers' own samples are no shift; four samples are too few to judge
        assertThat(gate.test(TailGateTest.samples(peer), peers).outcome()).isEqualTo(TailGate.Outcome.CHANCE);
        assertThat(gate.test(TailGateTest.samples(200, 200, 200, 200), peers).outcome())
                .isEqualTo(TailGate.Outcome.UNTESTED);
        assertThat(gate.test(TailGateTest.samples(slow), List.of()).outcome()).isEqualTo(TailGate.Outcome.UNTESTED);
        assertThatThrownBy(() -> new LocationGate(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
