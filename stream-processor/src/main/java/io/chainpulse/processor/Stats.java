package io.chainpulse.processor;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The running statistics of one window: exact count, sum, min, max, the samples excluded as clock skew, and a
 * DDSketch for quantiles (relative accuracy 1%, at most {@value #MAX_BINS} bins, so memory does not grow with events).
 * Mergeable: node windows merge into the network window without raw events. Mutable, owned by one aggregation.
 */
public final class Stats {
    public static final double RELATIVE_ACCURACY = 0.01;
    static final int MAX_BINS = 2048;

    long count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long excludedSkew;
    DDSketch sketch;

    static Stats empty() {
        return new Stats();
    }

    static DDSketch newSketch() {
        return DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
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
                sketch = newSketch();
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
                sketch = newSketch();
            }
            sketch.mergeWith(other.sketch);
        }
        return this;
    }

    double quantile(double q) {
        return sketch.getValueAtQuantile(q);
    }

    /** The sketch in DDSketch's own binary encoding (index mapping included), as {@link #decodeSketch} reads it. */
    static byte[] encodeSketch(DDSketch sketch) {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.trimmedCopy();
    }

    /** Reads a sketch written into {@code KpiWindow.sketch}. */
    public static DDSketch decodeSketch(byte[] bytes) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable DDSketch bytes: " + e.getMessage(), e);
        }
    }

    public static final Serde<Stats> SERDE = Serdes.serdeFrom(
            (Serializer<Stats>) (topic, s) -> {
                byte[] sketch = s.sketch == null ? new byte[0] : encodeSketch(s.sketch);
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
                s.sketch = sketch.length == 0 ? null : decodeSketch(sketch);
                return s;
            });
}
