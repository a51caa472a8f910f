package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StatsTest {

    private static Stats latencies(double... values) {
        Stats s = Stats.empty();
        for (double v : values) {
            s.add(new Sample("v1", v, false), true);
        }
        return s;
    }

    /** The state layout before format 2: count, sum, min, max, skew, then DDSketch's own encoding. */
    private static byte[] encodeV1(Stats s) {
        byte[] sketch = s.sketch == null ? new byte[0] : Sketches.encode(s.sketch);
        return ByteBuffer.allocate(8 + 8 * 3 + 8 + 4 + sketch.length).putLong(s.count).putDouble(s.sum())
                .putDouble(s.min).putDouble(s.max).putLong(s.excludedSkew).putInt(sketch.length).put(sketch)
                .array();
    }

    @Test
    void shouldRestoreCountSumMinMaxSkewAndEveryBinOfTheSketch() {
        SplittableRandom random = new SplittableRandom(7);
        Stats written = Stats.empty();
        for (int i = 0; i < 5_000; i++) {
            written.add(new Sample("v1", Math.exp(random.nextGaussian() + 3), false), true); // log-normal, median ~20 ms
        }
        written.add(new Sample("v1", 0.0, false), true);  // a zero-length latency: the sketch's zero count
        written.add(new Sample("v1", -5.0, true), true);  // skew: counted, not sampled

        Stats read = Stats.SERDE.deserializer().deserialize("t", Stats.SERDE.serializer().serialize("t", written));

        assertThat(read.count).isEqualTo(5_001);
        assertThat(read.excludedSkew).isEqualTo(1);
        assertThat(read.scaledSum).isEqualTo(written.scaledSum);
        assertThat(read.min).isEqualTo(0.0);
        assertThat(read.max).isEqualTo(written.max);
        assertThat(read.sketch.getCount()).isEqualTo(5_001.0);
        for (double q : new double[] {0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 1.0}) {
            assertThat(read.quantile(q)).as("q%s", q).isEqualTo(written.quantile(q));
        }
        // and it is the same sketch in the KPI record's encoding
        assertThat(Sketches.encode(read.sketch)).isEqualTo(Sketches.encode(written.sketch));
    }

    @Test
    void shouldRestoreStatsWithoutASketchAndAnEmptyWindow() {
        Stats rate = Stats.empty();
        rate.add(new Sample("v1", 12.0, false), false);
        rate.add(new Sample("v1", 3.0, false), false);

        Stats read = Stats.decode(Stats.encode(rate));

        assertThat(read.count).isEqualTo(2);
        assertThat(read.sum()).isEqualTo(15.0);
        assertThat(read.sketch).isNull();
        assertThat(Stats.decode(Stats.encode(Stats.empty())).count).isZero();
    }

    @Test
    void shouldStillReadTheFormatWrittenBeforeVersionTwoSoExistingChangelogsRestore() {
        Stats written = latencies(40, 45, 50, 120, 300);

        Stats read = Stats.decode(encodeV1(written));

        assertThat(read.count).isEqualTo(5);
        assertThat(read.sum()).isEqualTo(555.0);
        assertThat(read.quantile(0.5)).isEqualTo(written.quantile(0.5));
        assertThat(Stats.encode(read)[0]).isEqualTo(Stats.FORMAT_V3);
    }

    @Test
    void shouldSumExactlySoThatTheMeanDoesNotDependOnTheOrderOfTheSamples() {
        // as doubles, 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1 in the last bit; a KPI must not depend on arrival order
        Stats forward = latencies(0.1, 0.2, 0.3, 1e-6, 123.456789);
        Stats backward = latencies(123.456789, 1e-6, 0.3, 0.2, 0.1);

        assertThat(forward.scaledSum).isEqualTo(backward.scaledSum).isEqualTo(124_056_790L);
        assertThat(forward.sum()).isEqualTo(backward.sum()).isEqualTo(124.05679);
    }

    @Test
    void shouldReadTheDoubleSumOfVersionTwoIntoTheExactSum() {
        Stats written = latencies(1.5, 2.25);
        byte[] v2 = Stats.encode(written);
        v2[0] = Stats.FORMAT_V2;
        ByteBuffer.wrap(v2).putDouble(1 + 8, 3.75); // where version 2 kept the sum as a double

        assertThat(Stats.decode(v2).scaledSum).isEqualTo(3_750_000L);
    }
}
