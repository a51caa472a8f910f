package io.chainpulse.processor;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The running statistics of one window: exact count, sum, min, max, the samples excluded as clock skew, and a
 * DDSketch for quantiles ({@link Sketches}: relative accuracy 1%, bounded bins, so memory does not grow with events).
 * Mergeable: node windows merge into the network window without raw events. Mutable, owned by one aggregation.
 *
 * <p>The sum is kept exactly, as a {@code long} in millionths of the sample unit (a latency in ms is a whole number
 * of nanoseconds, a count a whole number): a sum of doubles depends on the order of its terms in the last bits, and a
 * KPI must not depend on the order its events arrived in.
 */
final class Stats implements WindowAggregation.Slot {
    private static final double SCALE = 1e6;
    long count;
    /** Sum of the samples' values × {@value #SCALE}, exact. */
    long scaledSum;
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
        scaledSum += Math.round(sample.value() * SCALE);
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
        scaledSum += other.scaledSum;
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

    /** The sum of the samples' values. */
    double sum() {
        return scaledSum / SCALE;
    }

    double quantile(double q) {
        return sketch.getValueAtQuantile(q);
    }

    /**
     * State-store form. Version 3 (first byte {@value #FORMAT_V3}) is version 2 with the exact {@code long} sum.
     * Version 2 (first byte {@value #FORMAT_V2}) writes the sketch's non-empty bins as
     * {@code (index, count)} pairs: the window aggregations read and write a window's statistics on every sample, and
     * DDSketch's own self-describing encoding (variable-length doubles, store re-centring on decode) was the largest
     * single cost of the processor's stream threads (see benchmarks/README.md). Version 1 — the layout before, whose
     * first byte is the top byte of the count and so always 0 — is still read, so existing changelogs restore.
     */
    static final Serde<Stats> SERDE = Serdes.serdeFrom((Serializer<Stats>) (topic, s) -> encode(s),
            (Deserializer<Stats>) (topic, bytes) -> decode(bytes));

    static final byte FORMAT_V2 = 2;
    static final byte FORMAT_V3 = 3;
    private static final int HEADER = 1 + 8 + 8 * 3 + 8; // format, count, sum, min, max, excluded skew

    static byte[] encode(Stats s) {
        if (s.sketch == null) {
            return header(ByteBuffer.allocate(HEADER + 1), s).put((byte) 0).array();
        }
        Store negative = s.sketch.getNegativeValueStore();
        Store positive = s.sketch.getPositiveValueStore();
        ByteBuffer out = header(ByteBuffer.allocate(HEADER + 1 + 8 + 4 + 12 * span(negative) + 4 + 12 * span(positive)),
                s).put((byte) 1);
        out.putDouble(s.sketch.getCount() - negative.getTotalCount() - positive.getTotalCount()); // zero count
        putBins(out, negative);
        putBins(out, positive);
        return out.position() == out.capacity() ? out.array() : java.util.Arrays.copyOf(out.array(), out.position());
    }

    static Stats decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length == 0 || bytes[0] != FORMAT_V2 && bytes[0] != FORMAT_V3) {
            return decodeV1(in);
        }
        Stats s = readHeader(in, in.get() == FORMAT_V3);
        if (in.get() == 0) {
            return s;
        }
        // the bins go back into an empty sketch of the one configuration (same mapping, same stores): the sketch
        // that was written
        s.sketch = Sketches.empty();
        double zeroCount = in.getDouble();
        getBins(in, s.sketch.getNegativeValueStore());
        getBins(in, s.sketch.getPositiveValueStore());
        if (zeroCount > 0) {
            s.sketch.accept(0.0, zeroCount);
        }
        return s;
    }

    private static int span(Store store) {
        return store.isEmpty() ? 0 : store.getMaxIndex() - store.getMinIndex() + 1;
    }

    private static void putBins(ByteBuffer out, Store store) {
        int countAt = out.position();
        out.putInt(0);
        int[] bins = {0};
        store.forEach((index, count) -> {
            out.putInt(index).putDouble(count);
            bins[0]++;
        });
        out.putInt(countAt, bins[0]);
    }

    private static void getBins(ByteBuffer in, Store store) {
        int bins = in.getInt();
        if (bins == 0) {
            return;
        }
        // the lowest and highest bins first: the dense store sizes itself once instead of growing bin by bin
        int start = in.position();
        int lowest = in.getInt(start);
        double lowestCount = in.getDouble(start + 4);
        int last = start + 12 * (bins - 1);
        store.add(lowest, lowestCount);
        if (bins > 1) {
            store.add(in.getInt(last), in.getDouble(last + 4));
        }
        for (int i = 1; i < bins - 1; i++) {
            int at = start + 12 * i;
            store.add(in.getInt(at), in.getDouble(at + 4));
        }
        in.position(start + 12 * bins);
    }

    private static ByteBuffer header(ByteBuffer out, Stats s) {
        return out.put(FORMAT_V3).putLong(s.count).putLong(s.scaledSum).putDouble(s.min).putDouble(s.max)
                .putLong(s.excludedSkew);
    }

    /** @param exactSum format 3: the sum as a scaled long; before, a double */
    private static Stats readHeader(ByteBuffer in, boolean exactSum) {
        Stats s = new Stats();
        s.count = in.getLong();
        s.scaledSum = exactSum ? in.getLong() : Math.round(in.getDouble() * SCALE);
        s.min = in.getDouble();
        s.max = in.getDouble();
        s.excludedSkew = in.getLong();
        return s;
    }

    /** The layout before version 2: header without a format byte, then DDSketch's own encoding. */
    private static Stats decodeV1(ByteBuffer in) {
        Stats s = readHeader(in, false);
        byte[] sketch = new byte[in.getInt()];
        in.get(sketch);
        s.sketch = sketch.length == 0 ? null : Sketches.decode(sketch);
        return s;
    }
}
