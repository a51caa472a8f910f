package io.chainpulse.processor;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The running statistics of one window: exact count, sum, min, max, the samples excluded as clock skew, and a
 * DDSketch for quantiles ({@link Sketches}: relative accuracy 1%, bounded bins, so memory does not grow with events).
 * Mergeable: node windows merge into the network window without raw events. Mutable, owned by one aggregation.
 */
final class Stats {
    long count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long excludedSkew;
    DDSketch sketch;

    static Stats empty() {
        return new Stats();
    }

    Stats add(Sample sample, boolean keepSketch) {
        if (sample.skewed()) {
            excludedSkew++;
            return this;
        }
        count++;
        sum += sample.value();
        min = Math.min(min, sample.value());
        max = Math.max(max, sample.value());
        if (keepSketch) {
            if (sketch == null) {
                sketch = Sketches.empty();
            }
            // DDSketch keeps positive and negative values apart; a latency of 0 is recorded as a zero count
            sketch.accept(sample.value());
        }
        return this;
    }

    Stats merge(Stats other) {
        count += other.count;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        excludedSkew += other.excludedSkew;
        if (other.sketch != null) {
            if (sketch == null) {
                sketch = Sketches.empty();
            }
            sketch.mergeWith(other.sketch);
        }
        return this;
    }

    double quantile(double q) {
        return sketch.getValueAtQuantile(q);
    }

    static final Serde<Stats> SERDE = Serdes.serdeFrom(
            (Serializer<Stats>) (topic, s) -> {
                byte[] sketch = s.sketch == null ? new byte[0] : Sketches.encode(s.sketch);
                return ByteBuffer.allocate(8 + 8 * 3 + 8 + 4 + sketch.length).putLong(s.count).putDouble(s.sum)
                        .putDouble(s.min).putDouble(s.max).putLong(s.excludedSkew).putInt(sketch.length).put(sketch)
                        .array();
            },
            (Deserializer<Stats>) (topic, bytes) -> {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                Stats s = new Stats();
                s.count = in.getLong();
                s.sum = in.getDouble();
                s.min = in.getDouble();
                s.max = in.getDouble();
                s.excludedSkew = in.getLong();
                byte[] sketch = new byte[in.getInt()];
                in.get(sketch);
                s.sketch = sketch.length == 0 ? null : Sketches.decode(sketch);
                return s;
            });
}
