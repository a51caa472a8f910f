package io.chainpulse.processor;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Turns samples into final {@link KpiWindow}s: per node in event-time tumbling windows with grace, one final result
 * per window once it closes ({@link WindowAggregation}); then the network window merged from the node windows' statistics
 * and sketches (never from raw events). The network stage waits longer ({@link #networkGrace}) because node windows
 * of different partitions close at different times.
 */
final class WindowedStats {
    /** How the window's statistics become a KPI: a latency distribution, or a rate per second. */
    enum Kind { LATENCY, RATE }

    static final String NETWORK = "network";

    private WindowedStats() {}

    /** Node and network KPIs of {@code metric} from samples keyed by node. */
    static void nodeAndNetwork(KStream<String, Sample> samples, String metric, Kind kind, KpiContext ctx) {
        KStream<Windowed<String>, Stats> nodeFinal = windowed(samples, metric, "node", kind, ctx.windowSize(), ctx.grace(), ctx);
        nodeFinal.map((w, stats) -> KeyValue.pair(key(metric, KpiScope.node, w.key(), w.window()),
                        toKpi(metric, KpiScope.node, w.key(), w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-node-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());

        KStream<String, Stats> byNetwork = nodeFinal.map((w, stats) -> KeyValue.pair(NETWORK, stats),
                Named.as(metric + "-to-network"));
        windowedMerge(byNetwork, metric, "network", ctx.windowSize(), networkGrace(ctx), ctx)
                .map((w, stats) -> KeyValue.pair(key(metric, KpiScope.network, null, w.window()),
                        toKpi(metric, KpiScope.network, null, w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-network-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());
    }

    /** Node KPIs only (when the network value is not the sum of the nodes', as for tps). */
    static void nodeOnly(KStream<String, Sample> samples, String metric, Kind kind, KpiContext ctx) {
        windowed(samples, metric, "node", kind, ctx.windowSize(), ctx.grace(), ctx)
                .map((w, stats) -> KeyValue.pair(key(metric, KpiScope.node, w.key(), w.window()),
                        toKpi(metric, KpiScope.node, w.key(), w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-node-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());
    }

    /** Network KPIs only, from samples already keyed for the network (e.g. distinct blocks for tps). */
    static void networkOnly(KStream<String, Sample> samples, String metric, Kind kind, KpiContext ctx) {
        windowed(samples, metric, "network", kind, ctx.windowSize(), ctx.grace(), ctx)
                .map((w, stats) -> KeyValue.pair(key(metric, KpiScope.network, null, w.window()),
                        toKpi(metric, KpiScope.network, null, w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-network-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());
    }

    static Duration networkGrace(KpiContext ctx) {
        return ctx.windowSize().plus(ctx.grace()).multipliedBy(2);
    }

    /**
     * Samples whose key changed upstream (pairs across nodes, distinct blocks) go through a named repartition topic
     * ({@code …-samples-repartition}) first, so each key's windows live in one task.
     */
    static KStream<String, Sample> byKey(KStream<String, Sample> samples, String name) {
        return samples.repartition(Repartitioned.<String, Sample>as(name + "-samples")
                .withKeySerde(Serdes.String()).withValueSerde(Sample.SERDE));
    }

    private static KStream<Windowed<String>, Stats> windowed(KStream<String, Sample> samples, String metric,
                                                             String stage, Kind kind,
                                                             Duration size, Duration grace, KpiContext ctx) {
        boolean sketch = kind == Kind.LATENCY;
        return aggregate(samples, metric, stage, size, grace, ctx, (stats, sample) -> stats.add(sample, sketch));
    }

    private static KStream<Windowed<String>, Stats> windowedMerge(KStream<String, Stats> stats, String metric,
                                                                  String stage,
                                                                  Duration size, Duration grace, KpiContext ctx) {
        KStream<String, Stats> byKey = stats.repartition(Repartitioned.<String, Stats>as(metric + "-" + stage + "-stats")
                .withKeySerde(Serdes.String()).withValueSerde(Stats.SERDE));
        return aggregate(byKey, metric, stage, size, grace, ctx, Stats::merge);
    }

    private static <V> KStream<Windowed<String>, Stats> aggregate(KStream<String, V> values, String metric,
                                                                  String stage, Duration size, Duration grace,
                                                                  KpiContext ctx, BiFunction<Stats, V, Stats> add) {
        String name = metric + "-" + stage;
        String store = name + "-windows";
        StoreBuilder<?> storeBuilder = WriteBackStore.builder(store, WindowKey.SERDE, Stats.SERDE, ctx.config());
        return values.process(new ProcessorSupplier<String, V, Windowed<String>, Stats>() {
            @Override
            public Processor<String, V, Windowed<String>, Stats> get() {
                return new WindowAggregation<>(store, size.toMillis(), grace.toMillis(), add, metric,
                        ctx.counters());
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(storeBuilder);
            }
        }, Named.as(name + "-window"));
    }

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

    /**
     * Event-time tumbling windows aligned to the epoch, one final result per window: a window is emitted (and
     * forgotten) once the stream time this processor has seen passes its end plus grace — what Kafka Streams'
     * {@code windowedBy(…).aggregate(…).suppress(untilWindowCloses(…))} does, but on live {@link Stats} in a
     * {@link WriteBackStore} instead of a store round trip and a suppression buffer per sample. A value for a window
     * already closed is counted as {@code late} for its metric and key (a node, or {@code network}), never dropped
     * silently. Output: the window's key
     * and statistics, timestamped at the window's last millisecond; windows closing together go out in (start, key)
     * order.
     */
    private static final class WindowAggregation<V> implements Processor<String, V, Windowed<String>, Stats> {
        private final String storeName;
        private final long size;
        private final long grace;
        private final BiFunction<Stats, V, Stats> add;
        private final String metric;
        private final ProcessorCounters counters;
        private ProcessorContext<Windowed<String>, Stats> context;
        private KeyValueStore<WindowKey, Stats> windows;
        /** The open windows by start: what to close when stream time moves; rebuilt from the store. */
        private TreeMap<Long, TreeSet<String>> open;
        private long streamTime = Long.MIN_VALUE;

        WindowAggregation(String storeName, long size, long grace, BiFunction<Stats, V, Stats> add, String metric,
                          ProcessorCounters counters) {
            this.storeName = storeName;
            this.size = size;
            this.grace = grace;
            this.add = add;
            this.metric = metric;
            this.counters = counters;
        }

        @Override
        public void init(ProcessorContext<Windowed<String>, Stats> context) {
            this.context = context;
            this.windows = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, V> record) {
            if (open == null) {
                open = new TreeMap<>();
                try (KeyValueIterator<WindowKey, Stats> all = windows.all()) {
                    all.forEachRemaining(kv -> open.computeIfAbsent(kv.key.start(), s -> new TreeSet<>()).add(kv.key.key()));
                }
            }
            long ts = record.timestamp();
            streamTime = Math.max(streamTime, ts);
            long start = ts - Math.floorMod(ts, size);
            if (start + size + grace <= streamTime) {
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
            Map<Long, TreeSet<String>> closed = open.headMap(streamTime - size - grace, true);
            for (Map.Entry<Long, TreeSet<String>> window : closed.entrySet()) {
                long windowStart = window.getKey();
                for (String key : window.getValue()) {
                    Stats stats = windows.delete(new WindowKey(key, windowStart));
                    context.forward(new Record<>(new Windowed<>(key, new Tumbling(windowStart, windowStart + size)),
                            stats, windowStart + size - 1));
                }
            }
            closed.clear();
        }
    }

    /** A tumbling window: windows of one aggregation never overlap unless equal. */
    private static final class Tumbling extends Window {
        Tumbling(long start, long end) {
            super(start, end);
        }

        @Override
        public boolean overlap(Window other) {
            return start() < other.end() && other.start() < end();
        }
    }

    /** The upsert key of a KPI record: {@code metric|scope|node|window_start_ms} (node empty for the network). */
    static String key(String metric, KpiScope scope, String node, Window window) {
        return metric + "|" + scope + "|" + (node == null ? "" : node) + "|" + window.start();
    }

    static KpiWindow toKpi(String metric, KpiScope scope, String node, Window window, Stats s, Kind kind,
                           Duration size) {
        KpiWindow.Builder kpi = KpiWindow.newBuilder()
                .setMetric(metric).setScope(scope).setNodeId(node)
                .setWindowStartMs(window.start()).setWindowEndMs(window.end()).setFinal$(true)
                .setExcludedSkew(s.excludedSkew);
        if (kind == Kind.RATE) {
            return kpi.setCount((long) s.sum).setRatePerS(s.sum / (size.toMillis() / 1000.0)).build();
        }
        kpi.setCount(s.count);
        if (s.count > 0) {
            kpi.setMin(s.min).setMax(s.max).setMean(s.sum / s.count)
                    .setP50(s.quantile(0.50)).setP90(s.quantile(0.90)).setP95(s.quantile(0.95)).setP99(s.quantile(0.99))
                    .setSketch(java.nio.ByteBuffer.wrap(Sketches.encode(s.sketch)));
        }
        return kpi.build();
    }
}
