package io.chainpulse.processor;

import java.nio.ByteBuffer;

/**
 * One window of one node's (or the network's) resource samples: for each resource KPI ({@link
 * ResourceKpiTopology.Resource}, by ordinal) its {@link Stats} — with a sketch for gauges, a sum for byte counters —
 * and its latest reading (time, value). One aggregate for every resource, so one window stage serves them all.
 * Mergeable: node windows merge into the network window. Mutable, owned by one aggregation.
 */
final class ResourceWindow implements WindowAggregation.Slot {
    /**
     * First byte of the stored form: never the first byte of {@link Stats}' (2, 3, or 0 in the layout before formats)
     * nor of the stage clock's (0xFF).
     */
    static final byte FORMAT = (byte) 0xFE;

    private final Stats[] stats;
    private final long[] lastMs;
    private final double[] last;

    private ResourceWindow(int resources) {
        stats = new Stats[resources];
        lastMs = new long[resources];
        last = new double[resources];
        java.util.Arrays.fill(lastMs, Long.MIN_VALUE);
    }

    static ResourceWindow empty() {
        return new ResourceWindow(ResourceKpiTopology.Resource.COUNT);
    }

    /** Adds reading {@code value} of resource {@code index}, taken at {@code timeMs}. */
    ResourceWindow add(int index, String node, double value, long timeMs, boolean sketch) {
        if (stats[index] == null) {
            stats[index] = Stats.empty();
        }
        stats[index].add(Sample.of(node, value), sketch);
        keepLatest(index, timeMs, value);
        return this;
    }

    ResourceWindow merge(ResourceWindow other) {
        for (int i = 0; i < stats.length && i < other.stats.length; i++) {
            if (other.stats[i] == null) {
                continue;
            }
            if (stats[i] == null) {
                stats[i] = Stats.empty();
            }
            stats[i].merge(other.stats[i]);
            keepLatest(i, other.lastMs[i], other.last[i]);
        }
        return this;
    }

    /** The later reading wins; of two at the same time the larger, so the result does not depend on arrival order. */
    private void keepLatest(int index, long timeMs, double value) {
        if (timeMs > lastMs[index] || timeMs == lastMs[index] && value > last[index]) {
            lastMs[index] = timeMs;
            last[index] = value;
        }
    }

    /** The statistics of resource {@code index}; null when the window had no reading of it. */
    Stats stats(int index) {
        return stats[index];
    }

    /** The latest reading of resource {@code index}; null when none. */
    Double last(int index) {
        return stats[index] == null ? null : last[index];
    }

    /**
     * Stored form: {@link #FORMAT}, the number of resources, then per resource a presence byte and, when present, the
     * latest reading's time and value and the length-prefixed {@link Stats} form. Resources are only ever appended, so
     * a window stored with fewer reads back.
     */
    byte[] encode() {
        byte[][] encoded = new byte[stats.length][];
        int length = 1 + 4;
        for (int i = 0; i < stats.length; i++) {
            length += 1;
            if (stats[i] != null) {
                encoded[i] = Stats.encode(stats[i]);
                length += 8 + 8 + 4 + encoded[i].length;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(length).put(FORMAT).putInt(stats.length);
        for (int i = 0; i < stats.length; i++) {
            if (encoded[i] == null) {
                out.put((byte) 0);
            } else {
                out.put((byte) 1).putLong(lastMs[i]).putDouble(last[i]).putInt(encoded[i].length).put(encoded[i]);
            }
        }
        return out.array();
    }

    static ResourceWindow decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.get();
        int stored = in.getInt();
        ResourceWindow w = new ResourceWindow(Math.max(stored, ResourceKpiTopology.Resource.COUNT));
        for (int i = 0; i < stored; i++) {
            if (in.get() == 0) {
                continue;
            }
            w.lastMs[i] = in.getLong();
            w.last[i] = in.getDouble();
            byte[] s = new byte[in.getInt()];
            in.get(s);
            w.stats[i] = Stats.decode(s);
        }
        return w;
    }
}
