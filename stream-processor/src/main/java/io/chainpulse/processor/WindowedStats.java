package io.chainpulse.processor;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Turns samples into final {@link KpiWindow}s: per node in event-time tumbling windows with grace, one final result
 * per window (suppressed until the window closes); then the network window merged from the node windows' statistics
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
        KStream<Windowed<String>, Stats> nodeFinal = windowed(samples, metric + "-node", kind, ctx.windowSize(), ctx.grace(), ctx);
        nodeFinal.map((w, stats) -> KeyValue.pair(key(metric, KpiScope.node, w.key(), w.window()),
                        toKpi(metric, KpiScope.node, w.key(), w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-node-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());

        KStream<String, Stats> byNetwork = nodeFinal.map((w, stats) -> KeyValue.pair(NETWORK, stats),
                Named.as(metric + "-to-network"));
        windowedMerge(byNetwork, metric + "-network", ctx.windowSize(), networkGrace(ctx), ctx)
                .map((w, stats) -> KeyValue.pair(key(metric, KpiScope.network, null, w.window()),
                        toKpi(metric, KpiScope.network, null, w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-network-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());
    }

    /** Node KPIs only (when the network value is not the sum of the nodes', as for tps). */
    static void nodeOnly(KStream<String, Sample> samples, String metric, Kind kind, KpiContext ctx) {
        windowed(samples, metric + "-node", kind, ctx.windowSize(), ctx.grace(), ctx)
                .map((w, stats) -> KeyValue.pair(key(metric, KpiScope.node, w.key(), w.window()),
                        toKpi(metric, KpiScope.node, w.key(), w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-node-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());
    }

    /** Network KPIs only, from samples already keyed for the network (e.g. distinct blocks for tps). */
    static void networkOnly(KStream<String, Sample> samples, String metric, Kind kind, KpiContext ctx) {
        windowed(samples, metric + "-network", kind, ctx.windowSize(), ctx.grace(), ctx)
                .map((w, stats) -> KeyValue.pair(key(metric, KpiScope.network, null, w.window()),
                        toKpi(metric, KpiScope.network, null, w.window(), stats, kind, ctx.windowSize())),
                        Named.as(metric + "-network-kpi"))
                .to(ctx.kpis().name(), ctx.kpis().produced());
    }

    static Duration networkGrace(KpiContext ctx) {
        return ctx.windowSize().plus(ctx.grace()).multipliedBy(2);
    }

    private static KStream<Windowed<String>, Stats> windowed(KStream<String, Sample> samples, String name, Kind kind,
                                                             Duration size, Duration grace, KpiContext ctx) {
        boolean sketch = kind == Kind.LATENCY;
        return samples
                .groupByKey(Grouped.<String, Sample>as(name + "-samples").withKeySerde(Serdes.String())
                        .withValueSerde(Sample.SERDE))
                .windowedBy(TimeWindows.ofSizeAndGrace(size, grace))
                .aggregate(Stats::empty, (node, sample, stats) -> stats.add(sample, sketch), Named.as(name + "-window"),
                        materialized(name, ctx))
                .suppress(Suppressed.untilWindowCloses(buffer(ctx)).withName(name + "-final"))
                .toStream(Named.as(name + "-final-stream"));
    }

    private static KStream<Windowed<String>, Stats> windowedMerge(KStream<String, Stats> stats, String name,
                                                                  Duration size, Duration grace, KpiContext ctx) {
        return stats
                .groupByKey(Grouped.<String, Stats>as(name + "-stats").withKeySerde(Serdes.String())
                        .withValueSerde(Stats.SERDE))
                .windowedBy(TimeWindows.ofSizeAndGrace(size, grace))
                .aggregate(Stats::empty, (key, node, merged) -> merged.merge(node), Named.as(name + "-window"),
                        materialized(name, ctx))
                .suppress(Suppressed.untilWindowCloses(buffer(ctx)).withName(name + "-final"))
                .toStream(Named.as(name + "-final-stream"));
    }

    private static Materialized<String, Stats, WindowStore<Bytes, byte[]>> materialized(String name, KpiContext ctx) {
        Materialized<String, Stats, WindowStore<Bytes, byte[]>> store =
                Materialized.<String, Stats, WindowStore<Bytes, byte[]>>as(name + "-window-store")
                        .withKeySerde(Serdes.String()).withValueSerde(Stats.SERDE);
        return ctx.config().inMemoryStores() ? store.withLoggingDisabled() : store;
    }

    private static Suppressed.StrictBufferConfig buffer(KpiContext ctx) {
        Suppressed.StrictBufferConfig unbounded = Suppressed.BufferConfig.unbounded();
        return ctx.config().inMemoryStores() ? unbounded.withLoggingDisabled() : unbounded;
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
