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
 * otherwise (a partition without values, after a restart) when its own grace runs out.
 */
final class WindowAggregation<V> implements Processor<String, V, String, WindowAggregation.Emitted> {

    /** What a window stage emits: a closed window, or its task's progress. */
    sealed interface Emitted permits Closed, Progress {
        Serde<Emitted> SERDE = Serdes.serdeFrom((Serializer<Emitted>) (topic, e) -> encode(e),
                (Deserializer<Emitted>) (topic, bytes) -> decode(bytes));
    }

    /** A closed window's statistics; {@code key} is a node id or {@code network}. */
    record Closed(String key, long start, long end, Stats stats) implements Emitted {}

    /** Every window of input partition {@code partition}'s task that ends at or before {@code finalUpTo} is out. */
    record Progress(int partition, long finalUpTo) implements Emitted {}

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
    private final BiFunction<Stats, V, Stats> add;
    private final String metric;
    private final boolean reportProgress;
    private final int upstreamPartitions;
    private final ProcessorCounters counters;
    private ProcessorContext<String, Emitted> context;
    private KeyValueStore<WindowKey, Stats> windows;
    /** The open windows by start: what to close when time moves; rebuilt from the store. */
    private TreeMap<Long, TreeSet<String>> open;
    private final Map<Integer, Long> progress = new HashMap<>();
    private long streamTime = Long.MIN_VALUE;
    /** Windows starting at or before this are closed. */
    private long closedThrough = Long.MIN_VALUE;
    private long reported = Long.MIN_VALUE;

    private WindowAggregation(String storeName, Duration size, Duration grace, BiFunction<Stats, V, Stats> add,
                              String metric, boolean reportProgress, int upstreamPartitions, ProcessorCounters counters) {
        this.storeName = storeName;
        this.size = size.toMillis();
        this.grace = grace.toMillis();
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
        String store = metric + "-" + stage + "-windows";
        StoreBuilder<?> storeBuilder = WriteBackStore.builder(store, WindowKey.SERDE, Stats.SERDE, ctx.config());
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, V, String, Emitted> get() {
                return new WindowAggregation<>(store, size, grace, add, metric, reportProgress, upstreamPartitions,
                        ctx.counters());
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(storeBuilder);
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, Emitted> context) {
        this.context = context;
        this.windows = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, V> record) {
        loadIndex();
        if (record.value() instanceof Progress p) {
            progress.merge(p.partition(), p.finalUpTo(), Math::max);
            if (upstreamPartitions > 0 && progress.size() >= upstreamPartitions) {
                long everywhere = progress.values().stream().mapToLong(Long::longValue).min().getAsLong();
                close(everywhere - size);
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
            Stats stats = windows.get(key);
            if (stats == null) {
                stats = Stats.empty();
                open.computeIfAbsent(start, s -> new TreeSet<>()).add(record.key());
            }
            windows.put(key, add.apply(stats, record.value()));
        }
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
                Stats stats = windows.delete(new WindowKey(key, start));
                context.forward(new Record<>(key, new Closed(key, start, start + size, stats), start + size - 1));
            }
        }
        closed.clear();
    }

    private void loadIndex() {
        if (open != null) {
            return;
        }
        open = new TreeMap<>();
        try (KeyValueIterator<WindowKey, Stats> all = windows.all()) {
            all.forEachRemaining(kv -> open.computeIfAbsent(kv.key.start(), s -> new TreeSet<>()).add(kv.key.key()));
        }
    }

    private static final byte CLOSED = 0;
    private static final byte PROGRESS = 1;

    private static byte[] encode(Emitted e) {
        if (e instanceof Progress p) {
            return ByteBuffer.allocate(1 + 4 + 8).put(PROGRESS).putInt(p.partition()).putLong(p.finalUpTo()).array();
        }
        Closed c = (Closed) e;
        byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
        byte[] stats = Stats.encode(c.stats());
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
        return new Closed(new String(key, StandardCharsets.UTF_8), start, end, Stats.decode(stats));
    }
}
