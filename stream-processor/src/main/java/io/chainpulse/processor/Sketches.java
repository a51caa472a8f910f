package io.chainpulse.processor;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The one DDSketch configuration of ChainPulse (relative accuracy 1%, at most {@value #MAX_BINS} bins) and its
 * binary form in {@code KpiWindow.sketch}. Consumers of KPI records use it to merge windows and nodes into
 * percentiles over any period without raw events:
 *
 * <pre>{@code
 * DDSketch period = Sketches.empty();
 * for (KpiWindow w : windows) period.mergeWith(Sketches.decode(w.getSketch()));
 * double p95 = period.getValueAtQuantile(0.95);
 * }</pre>
 */
public final class Sketches {
    public static final double RELATIVE_ACCURACY = 0.01;
    public static final int MAX_BINS = 2048;

    private Sketches() {}

    /** A new empty sketch with the configuration every KPI window uses. */
    public static DDSketch empty() {
        return DDSketches.logarithmicCollapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);
    }

    /** The sketch in DDSketch's own binary encoding (index mapping included), as {@link #decode} reads it. */
    public static byte[] encode(DDSketch sketch) {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.trimmedCopy();
    }

    /** Reads a sketch written into {@code KpiWindow.sketch}. */
    public static DDSketch decode(byte[] bytes) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(MAX_BINS));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable DDSketch bytes: " + e.getMessage(), e);
        }
    }

    /** Reads {@code KpiWindow.getSketch()} without moving the buffer's position. */
    public static DDSketch decode(ByteBuffer bytes) {
        return decode(toArray(bytes));
    }

    static byte[] toArray(ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        byte[] array = new byte[view.remaining()];
        view.get(array);
        return array;
    }
}
