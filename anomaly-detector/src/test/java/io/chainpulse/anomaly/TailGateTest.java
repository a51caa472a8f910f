package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailGateTest {
    private final TailGate gate = TailGate.defaults(); // alpha 0.01

    /** Samples as a KPI window's sketch holds them (the processor's configuration: 1 %, 2048 bins). */
    static DDSketch samples(double... values) {
        DDSketch sketch = DDSketches.logarithmicCollapsingLowestDense(0.01, 2048);
        for (double v : values) {
            sketch.accept(v);
        }
        return sketch;
    }

    static double[] repeat(int times, double value) {
        return java.util.stream.DoubleStream.generate(() -> value).limit(times).toArray();
    }

    static double[] concat(double[] a, double[] b) {
        return java.util.stream.DoubleStream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray();
    }

    @Test
    void shouldComputeTheHypergeometricUpperTailExactly() {
        // by hand: P(X >= k) = Σ_{i>=k} C(marked, i) C(total − marked, drawn − i) / C(total, drawn)
        assertThat(TailGate.tail(29, 4, 7, 3)).isCloseTo(805.0 / 23751, within(1e-12));    // (35·22 + 35) / C(29,4)
        assertThat(TailGate.tail(30, 6, 8, 5)).isCloseTo(1260.0 / 593775, within(1e-12));  // (56·22 + 28) / C(30,6)
        assertThat(TailGate.tail(30, 4, 8, 3)).isCloseTo(1302.0 / 27405, within(1e-12));   // (56·22 + 70) / C(30,4)
        assertThat(TailGate.tail(25, 9, 8, 8)).isCloseTo(9.0 / 1081575, within(1e-15));    // C(9,8) / C(25,8)
        assertThat(TailGate.tail(29, 1, 8, 1)).isCloseTo(8.0 / 29, within(1e-12));
        assertThat(TailGate.tail(10, 3, 4, 0)).isEqualTo(1.0);
        assertThat(TailGate.tail(10, 8, 5, 3)).isEqualTo(1.0); // 5 drawn of 10 with 8 marked: at least 3 are
        assertThat(TailGate.tail(10, 3, 4, 4)).isEqualTo(0.0);
        assertThat(TailGate.logChoose(29, 4)).isCloseTo(Math.log(23751), within(1e-12));
    }

    @Test
    void shouldCallAShiftOfMostSamplesEvidenceAndOneOrThreeLateOnesChance() {
        // peers: 22 samples, 21 at 30 ms and one at 60 ms; their pooled p95 is in the 30 ms bin, one of theirs above
        List<DDSketch> peers = List.of(samples(concat(repeat(7, 30), new double[] {60})), samples(repeat(7, 30)),
                samples(repeat(7, 30)));
        // 5 of 8 above against the peers' 1 of 22: P = 1260 / 593775 = 0.0021
        assertThat(gate.judge(samples(concat(repeat(5, 90), repeat(3, 30))), peers, 0.95))
                .isEqualTo(TailGate.Outcome.EVIDENCE);
        // 3 of 8: P = 1302 / 27405 = 0.048, chance
        assertThat(gate.judge(samples(concat(repeat(3, 90), repeat(5, 30))), peers, 0.95))
                .isEqualTo(TailGate.Outcome.CHANCE);
        // one late block of 8 (its p95 3× the peers'): 1 of 8 against 1 of 22, P = 1 − C(28, 8) / C(30, 8) = 0.47
        assertThat(gate.significant(samples(concat(repeat(1, 90), repeat(7, 30))), peers, 0.95)).isFalse();
        // every sample 50 ms later (a clock ahead): 8 of 8, P = C(9,8) / C(30,8)
        assertThat(gate.significant(samples(repeat(8, 80)), peers, 0.95)).isTrue();
    }

    @Test
    void shouldNotTestANodeWithTooFewSamplesForAnyCountToBeSignificant() {
        List<DDSketch> peers = List.of(samples(repeat(4, 100)), samples(repeat(4, 100)));
        // two blocks led, both slow, against 8: even 2 of 2 has P = 1 / C(10, 2) = 0.022 >= 0.01
        assertThat(gate.judge(samples(250, 250), peers, 0.95)).isEqualTo(TailGate.Outcome.UNTESTED);
        assertThat(gate.significant(samples(250, 250), peers, 0.95)).isTrue();
        // three: 1 / C(11, 3) = 0.006 could be: judged, and 1 of 3 above is chance
        assertThat(gate.judge(samples(250, 100, 100), peers, 0.95)).isEqualTo(TailGate.Outcome.CHANCE);
        assertThat(gate.judge(samples(250, 250, 250), peers, 0.95)).isEqualTo(TailGate.Outcome.EVIDENCE);
        assertThat(gate.judge(samples(250, 250, 250), List.of(), 0.95)).isEqualTo(TailGate.Outcome.UNTESTED);
    }

    @Test
    void shouldCountOnlySamplesInBinsAboveTheThresholds() {
        DDSketch sketch = samples(10, 30, 30.1, 31, 60, 90);
        assertThat(TailGate.above(sketch, 30)).isEqualTo(3); // 30.1 shares 30's bin (1 %): 31, 60, 90
        assertThat(TailGate.above(sketch, 0)).isEqualTo(6);
        assertThat(TailGate.above(sketch, 100)).isEqualTo(0);
    }

    @Test
    void shouldReadTheSketchBytesOfAKpiWindow() throws Exception {
        DDSketch sketch = samples(30, 40, 90);
        com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput out =
                com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput.withDefaultInitialCapacity();
        sketch.encode(out, false);
        DDSketch read = TailGate.decode(java.nio.ByteBuffer.wrap(out.trimmedCopy()));
        assertThat(read.getCount()).isEqualTo(3.0);
        assertThat(TailGate.above(read, 35)).isEqualTo(2);
    }

    @Test
    void shouldRejectAnAlphaOutsideItsRange() {
        assertThatThrownBy(() -> new TailGate(0)).hasMessage("alpha must be in (0, 1): 0.0");
        assertThatThrownBy(() -> new TailGate(1)).hasMessage("alpha must be in (0, 1): 1.0");
    }
}
