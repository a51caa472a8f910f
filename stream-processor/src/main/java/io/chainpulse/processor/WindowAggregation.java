package io.chainpulse.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Event-time tumbling windows aligned to the epoch, one final result per window: a window is emitted (and forgotten)
 * once stream time passes its end plus grace — what Kafka Streams' {@code windowedBy(…).aggregate(…)
 * .suppress(untilWindowCloses(…))} does, but on live {@link Stats} in a {@link WriteBackStore} instead of a store
 * round trip and a suppression buffer per sample. Stream time is the latest time of the values this stage has seen
 * (not the task's: under TopologyTestDriver one task runs every stage). A value for a window
 * already closed is counted as {@code late} for its metric and key (a node, or {@code network}), never dropped
 * silently. Windows closing together go out in (start, key) order, each timestamped at its last millisecond.
 *
 * <p><b>Progress, for the network stage.</b> Node windows of one window arrive at the network stage from every
 * input partition's task, at different times; waiting a fixed network grace for the slowest costs every network
 * KPI tens of seconds. So a node stage built with {@code reportProgress} follows its closed windows with a
 * {@link Progress} record: "every window of partition p ending at or before t has been emitted" — sent by the same
 * task after those windows, so on the network stage's single partition it arrives after them. A network stage that
 * knows how many partitions feed it closes a window as soon as every partition's progress has passed its end, and
 * otherwise (a partition without values) when its own grace runs out.
 *
 * <p><b>A window is final once.</b> The stage's clock — its stream time, the start of the last window it closed and
 * the progress it reported or received — is kept in the stage's own store under a reserved key ({@link StageClock}),
 * written back with the windows (so it is in the changelog, in the same transaction as the input offsets), and
 * reloaded with the open windows whenever {@link #init} runs: after a restart on another machine and when Kafka Streams
 * revives a task on the same processor instance. A value for a window closed before the restart is late, never a
 * second final window. It is saved when a window closes or progress moves, not per value.
 */
final class WindowAggregation<V, A extends WindowAggregation.Slot>
        implements Processor<String, V, String, WindowAggregation.Emitted> {

    /** What a window stage emits: a closed window, or its task's progress. */
    sealed interface Emitted permits Closed, Progress {
        Serde<Emitted> SERDE = Serdes.serdeFrom((Serializer<Emitted>) (topic, e) -> encode(e),
                (Deserializer<Emitted>) (topic, bytes) -> decode(bytes));
    }

    /**
     * A closed window's aggregate; {@code key} is a node id or {@code network}. The aggregate is a {@link Stats} for
     * every stage but the resource KPIs' ({@link ResourceWindow}).
     */
    record Closed(String key, long start, long end, Slot window) implements Emitted {
        /** The window's statistics, for a stage aggregating {@link Stats}. */
        Stats stats() {
            return (Stats) window;
        }
    }

    /** Every window of input partition {@code partition}'s task that ends at or before {@code finalUpTo} is out. */
    record Progress(int partition, long finalUpTo) implements Emitted {}

    /**
     * What the stage's store holds: a window's aggregate ({@link Stats}, or a {@link ResourceWindow}), or under
     * {@link #CLOCK} the stage's clock. Told apart by the first byte of their stored form.
     */
    sealed interface Slot permits Stats, StageClock, ResourceWindow {
        Serde<Slot> SERDE = Serdes.serdeFrom((Serializer<Slot>) (topic, slot) -> encodeSlot(slot),
                (Deserializer<Slot>) (topic, bytes) -> decodeSlot(bytes));
    }

    static byte[] encodeSlot(Slot slot) {
        if (slot instanceof Stats stats) {
            return Stats.encode(stats);
        }
        return slot instanceof StageClock c ? c.encode() : ((ResourceWindow) slot).encode();
    }

    static Slot decodeSlot(byte[] bytes) {
        if (bytes.length > 0 && bytes[0] == StageClock.FORMAT) {
            return StageClock.decode(bytes);
        }
        return bytes.length > 0 && bytes[0] == ResourceWindow.FORMAT ? ResourceWindow.decode(bytes) : Stats.decode(bytes);
    }

    /**
     * What the stage knows beyond its open windows, stored under {@link #CLOCK}: its stream time when last saved,
     * the start of the last window it closed, the progress it last reported (node stage) and each partition's progress
     * it received (network stage). Immutable; a new one is put when it changes.
     */
    record StageClock(long streamTime, long closedThrough, long reported, Map<Integer, Long> progress) implements Slot {
        /**
         * First byte of the stored form; never the first byte of {@link Stats}' (its format number 2, 3 …, or 0, the
         * high byte of the count, in the layout before formats).
         */
        static final byte FORMAT = (byte) 0xFF;
        static final StageClock NONE = new StageClock(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Map.of());

        byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(1 + 8 * 3 + 4 + progress.size() * 12).put(FORMAT)
                    .putLong(streamTime).putLong(closedThrough).putLong(reported).putInt(progress.size());
            new TreeMap<>(progress).forEach((partition, upTo) -> out.putInt(partition).putLong(upTo));
            return out.array();
        }

        static StageClock decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            in.get();
            long streamTime = in.getLong();
            long closedThrough = in.getLong();
            long reported = in.getLong();
            Map<Integer, Long> progress = new HashMap<>();
            for (int i = in.getInt(); i > 0; i--) {
                progress.put(in.getInt(), in.getLong());
            }
            return new StageClock(streamTime, closedThrough, reported, Map.copyOf(progress));
        }
    }

    /** The key of the stage's clock: no window has an empty key and starts at {@code Long.MIN_VALUE}. */
    static final WindowKey CLOCK = new WindowKey("", Long.MIN_VALUE);

    /** A key's window in the aggregation store. */
    record WindowKey(String key, long start) {
        static final Serde<WindowKey> SERDE = Serdes.serdeFrom(
                (Serializer<WindowKey>) (topic, k) -> {
                    byte[] key = k.key().getBytes(StandardCharsets.UTF_8);
                    return ByteBuffer.allocate(8 + key.length).putLong(k.start()).put(key).array();
                },
                (Deserializer<WindowKey>) (topic, bytes) -> new WindowKey(
                        new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8), ByteBuffer.wrap(bytes).getLong()));
    }

    private final String storeName;
    private final long size;
    private final long grace;
    private final Supplier<A> empty;
    private final BiFunction<A, V, A> add;
    private final String metric;
    private final boolean reportProgress;
    private final int upstreamPartitions;
    private final ProcessorCounters counters;
    private ProcessorContext<String, Emitted> context;
    private KeyValueStore<WindowKey, Slot> windows;
    // What follows is loaded from the store by load() after every init(), and the clock saved back when it changes.
    /** The open windows by start: what to close when time moves; null until loaded. */
    private TreeMap<Long, TreeSet<String>> open;
    private final Map<Integer, Long> progress = new HashMap<>();
    private long streamTime;
    /** Windows starting at or before this are closed. */
    private long closedThrough;
    private long reported;

    private WindowAggregation(String storeName, Duration size, Duration grace, Supplier<A> empty,
                              BiFunction<A, V, A> add, String metric, boolean reportProgress, int upstreamPartitions,
                              ProcessorCounters counters) {
        this.storeName = storeName;
        this.size = size.toMillis();
        this.grace = grace.toMillis();
        this.empty = empty;
        this.add = add;
        this.metric = metric;
        this.reportProgress = reportProgress;
        this.upstreamPartitions = upstreamPartitions;
        this.counters = counters;
    }

    /**
     * The stage {@code metric-stage} with its store {@code metric-stage-windows}.
     *
     * @param reportProgress follow closed windows with this task's {@link Progress} (a node stage feeding a network stage)
     * @param upstreamPartitions how many partitions' progress this stage receives (0: close by grace only)
     */
    static <V> ProcessorSupplier<String, V, String, Emitted> stage(String metric, String stage, Duration size,
                                                                  Duration grace, BiFunction<Stats, V, Stats> add,
                                                                  boolean reportProgress, int upstreamPartitions,
                                                                  KpiContext ctx) {
        return stage(metric, stage, size, grace, Stats::empty, add, reportProgress, upstreamPartitions, ctx);
    }

    /** The same stage over another aggregate than {@link Stats}: {@code empty} starts each window. */
    static <V, A extends Slot> ProcessorSupplier<String, V, String, Emitted> stage(
            String metric, String stage, Duration size, Duration grace, Supplier<A> empty, BiFunction<A, V, A> add,
            boolean reportProgress, int upstreamPartitions, KpiContext ctx) {
        String store = metric + "-" + stage + "-windows";
        StoreBuilder<?> storeBuilder = WriteBackStore.builder(store, WindowKey.SERDE, Slot.SERDE, ctx.config());
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, V, String, Emitted> get() {
                return new WindowAggregation<>(store, size, grace, empty, add, metric, reportProgress,
                        upstreamPartitions, ctx.counters());
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(storeBuilder);
            }
        };
    }

    /**
     * Also runs again on the same instance when Kafka Streams revives the task (its stores restored to the last
     * commit): everything in fields is forgotten here and reloaded from the store.
     */
    @Override
    public void init(ProcessorContext<String, Emitted> context) {
        this.context = context;
        this.windows = context.getStateStore(storeName);
        this.open = null;
    }

    @Override
    public void process(Record<String, V> record) {
        load();
        if (record.value() instanceof Progress p) {
            Long before = progress.get(p.partition());
            if (before == null || p.finalUpTo() > before) {
                progress.put(p.partition(), p.finalUpTo());
                if (upstreamPartitions > 0 && progress.size() >= upstreamPartitions) {
                    long everywhere = progress.values().stream().mapToLong(Long::longValue).min().getAsLong();
                    close(everywhere - size);
                }
                saveClock();
            }
            return;
        }
        long ts = record.timestamp();
        long start = ts - Math.floorMod(ts, size);
        streamTime = Math.max(streamTime, ts);
        if (start <= closedThrough || start + size + grace <= streamTime) {
            counters.increment("late", metric, record.key());
        } else {
            WindowKey key = new WindowKey(record.key(), start);
            @SuppressWarnings("unchecked")
            A window = (A) windows.get(key);
            if (window == null) {
                window = empty.get();
                open.computeIfAbsent(start, s -> new TreeSet<>()).add(record.key());
            }
            windows.put(key, add.apply(window, record.value()));
        }
        long closedBefore = closedThrough;
        close(streamTime - size - grace);
        if (reportProgress && closedThrough != Long.MIN_VALUE) {
            // windows start aligned, so those ending by the next boundary are out: one progress record per window
            long finalUpTo = Math.floorDiv(closedThrough, size) * size + size;
            if (finalUpTo > reported) {
                reported = finalUpTo;
                context.forward(new Record<>(WindowedStats.NETWORK,
                        new Progress(context.taskId().partition(), finalUpTo), finalUpTo - 1));
            }
        }
        if (closedThrough != closedBefore) {
            saveClock();
        }
    }

    /** Emits and forgets every window starting at or before {@code lastStart}. */
    private void close(long lastStart) {
        if (lastStart <= closedThrough) {
            return;
        }
        closedThrough = lastStart;
        Map<Long, TreeSet<String>> closed = open.headMap(lastStart, true);
        for (Map.Entry<Long, TreeSet<String>> window : closed.entrySet()) {
            long start = window.getKey();
            for (String key : window.getValue()) {
                Slot aggregate = windows.delete(new WindowKey(key, start));
                context.forward(new Record<>(key, new Closed(key, start, start + size, aggregate), start + size - 1));
            }
        }
        closed.clear();
    }

    /** The open windows and the clock, from the store: once after each {@link #init}. */
    private void load() {
        if (open != null) {
            return;
        }
        open = new TreeMap<>();
        StageClock clock = StageClock.NONE;
        try (KeyValueIterator<WindowKey, Slot> all = windows.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                if (kv.value instanceof StageClock stored) {
                    clock = stored;
                } else {
                    open.computeIfAbsent(kv.key.start(), s -> new TreeSet<>()).add(kv.key.key());
                }
            }
        }
        streamTime = clock.streamTime();
        closedThrough = clock.closedThrough();
        reported = clock.reported();
        progress.clear();
        progress.putAll(clock.progress());
    }

    /** Puts the clock into the store: written back at the next commit, with the windows it closed. */
    private void saveClock() {
        windows.put(CLOCK, new StageClock(streamTime, closedThrough, reported, Map.copyOf(progress)));
    }

    private static final byte CLOSED = 0;
    private static final byte PROGRESS = 1;

    private static byte[] encode(Emitted e) {
        if (e instanceof Progress p) {
            return ByteBuffer.allocate(1 + 4 + 8).put(PROGRESS).putInt(p.partition()).putLong(p.finalUpTo()).array();
        }
        Closed c = (Closed) e;
        byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
        byte[] stats = encodeSlot(c.window());
        return ByteBuffer.allocate(1 + 4 + key.length + 16 + stats.length).put(CLOSED).putInt(key.length).put(key)
                .putLong(c.start()).putLong(c.end()).put(stats).array();
    }

    private static Emitted decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.get() == PROGRESS) {
            return new Progress(in.getInt(), in.getLong());
        }
        byte[] key = new byte[in.getInt()];
        in.get(key);
        long start = in.getLong();
        long end = in.getLong();
        byte[] stats = new byte[in.remaining()];
        in.get(stats);
        return new Closed(new String(key, StandardCharsets.UTF_8), start, end, decodeSlot(stats));
    }
}
