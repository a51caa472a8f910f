package io.chainpulse.processor;

import org.apache.kafka.streams.kstream.Produced;
import io.chainpulse.processor.WindowAggregation.Closed;
import io.chainpulse.processor.WindowAggregation.Emitted;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.time.Duration;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Turns samples into final {@link KpiWindow}s: per node in event-time tumbling windows with grace, one final result
 * per window once it closes ({@link WindowAggregation}); then the network window merged from the node windows'
 * statistics and sketches (never from raw events). Node windows of different partitions close at different times: the
 * network stage closes a window when every partition has reported its node windows out, or after {@link #networkGrace}.
 *
 * <p><b>Chains.</b> Samples are keyed by node within its chain ({@link Chains#scoped}), and a network is one chain's:
 * node windows go to the network window {@code network} of their chain ({@code chain/network}), all chains through
 * the one network partition. A window's record carries its chain ({@code chain_id}, null on the default chain) and
 * its record key gains the chain ({@link #key}).
 */
final class WindowedStats {
    /** How the window's statistics become a KPI: a latency distribution, or a rate per second. */
    enum Kind { LATENCY, RATE }

    static final String NETWORK = "network";

    /**
     * Partitions of a repartition topic keyed {@value #NETWORK}: every record has that one key, so it lands in one
     * partition whatever the count, and more partitions would only add idle tasks, changelog partitions and internal
     * topic partitions to create and to commit. (Before, these topics had the input's partition count: an application
     * upgraded from then must be reset, and Kafka Streams says so by naming the topic.)
     */
    static final int NETWORK_PARTITIONS = 1;

    private WindowedStats() {}

    /**
     * Node and network KPIs of {@code metric} from samples keyed by node. The node stage reports its progress, so a
     * network window closes once every input partition has emitted its node windows ({@link WindowAggregation}), or
     * after {@link #networkGrace} when a partition stays silent.
     */
    static void nodeAndNetwork(KStream<String, Sample> samples, String metric, Kind kind, KpiContext ctx) {
        nodeAndNetwork(samples, metric, kind, ctx.inputPartitions(), ctx);
    }

    /**
     * The same, for samples that come from {@code samplePartitions} partitions only (1: a stream gathered under one
     * key, as {@link ConsensusEvents}), so the network stage waits for that many partitions' progress.
     */
    static void nodeAndNetwork(KStream<String, Sample> samples, String metric, Kind kind, int samplePartitions,
                               KpiContext ctx) {
        KStream<String, Emitted> node = windows(samples, metric, KpiScope.node, ctx.grace(), adding(kind), true, 0, ctx);
        toKpis(node, metric, KpiScope.node, kind, ctx);
        KStream<String, Emitted> toNetwork = node
                .selectKey((key, emitted) -> Chains.rekey(key, NETWORK), Named.as(metric + "-to-network"))
                .repartition(Repartitioned.<String, Emitted>as(metric + "-network-stats")
                        .withKeySerde(Serdes.String()).withValueSerde(Emitted.SERDE)
                        .withNumberOfPartitions(NETWORK_PARTITIONS));
        BiFunction<Stats, Emitted, Stats> merge = (stats, emitted) -> stats.merge(((Closed) emitted).stats());
        toKpis(windows(toNetwork, metric, KpiScope.network, networkGrace(ctx), merge, false, samplePartitions, ctx),
                metric, KpiScope.network, kind, ctx);
    }

    /**
     * KPIs of one scope only: node (when the network value is not the sum of the nodes', as for tps) or network
     * (samples already keyed for the network, e.g. distinct blocks for tps).
     */
    static void oneScope(KStream<String, Sample> samples, String metric, KpiScope scope, Kind kind, KpiContext ctx) {
        toKpis(windows(samples, metric, scope, ctx.grace(), adding(kind), false, 0, ctx), metric, scope, kind, ctx);
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

    /** The window stage {@code metric-scope} ({@link WindowAggregation}). */
    private static <V> KStream<String, Emitted> windows(KStream<String, V> values, String metric, KpiScope scope,
                                                        Duration grace, BiFunction<Stats, V, Stats> add,
                                                        boolean reportProgress, int upstreamPartitions, KpiContext ctx) {
        return values.process(WindowAggregation.stage(metric, scope.name(), ctx.windowSize(), grace, add, reportProgress,
                upstreamPartitions, ctx), Named.as(metric + "-" + scope + "-window"));
    }

    private static BiFunction<Stats, Sample, Stats> adding(Kind kind) {
        boolean sketch = kind == Kind.LATENCY;
        return (stats, sample) -> stats.add(sample, sketch);
    }

    /** Closed windows become KPI records on the KPI topic; progress records stop here. */
    private static void toKpis(KStream<String, Emitted> emitted, String metric, KpiScope scope, Kind kind,
                               KpiContext ctx) {
        emitted.filter((key, e) -> e instanceof Closed, Named.as(metric + "-" + scope + "-closed"))
                .map((key, e) -> {
                    Closed w = (Closed) e;
                    String node = scope == KpiScope.node ? Chains.keyOf(w.key()) : null;
                    String chain = Chains.chainOf(w.key());
                    return KeyValue.pair(key(metric, scope, node, w.start(), chain),
                            toKpi(metric, scope, node, chain, w.start(), w.end(), w.stats(), kind, ctx.windowSize()));
                }, Named.as(metric + "-" + scope + "-kpi"))
                .to(ctx.kpis().name(), Produced.with(ctx.kpis().keySerde(), ctx.kpis().valueSerde()));
    }

    /**
     * The upsert key of a KPI record: {@code metric|scope|node|window_start_ms} (node empty for the network), followed
     * by {@code |chain} for a chain other than the default ({@code chain} null: the default chain).
     */
    static String key(String metric, KpiScope scope, String node, long windowStart, String chain) {
        String key = metric + "|" + scope + "|" + (node == null ? "" : node) + "|" + windowStart;
        return chain == null ? key : key + "|" + chain;
    }

    /** The key of a record of the default chain. */
    static String key(String metric, KpiScope scope, String node, long windowStart) {
        return key(metric, scope, node, windowStart, null);
    }

    /** The window's record; {@code chain} null on the default chain. */
    static KpiWindow toKpi(String metric, KpiScope scope, String node, String chain, long start, long end, Stats s,
                           Kind kind, Duration size) {
        KpiWindow.Builder kpi = KpiWindow.newBuilder()
                .setMetric(metric).setScope(scope).setNodeId(node).setChainId(chain)
                .setWindowStartMs(start).setWindowEndMs(end).setFinal$(true)
                .setExcludedSkew(s.excludedSkew);
        if (kind == Kind.RATE) {
            return kpi.setCount((long) s.sum()).setRatePerS(s.sum() / (size.toMillis() / 1000.0)).build();
        }
        kpi.setCount(s.count);
        if (s.count > 0) {
            kpi.setMin(s.min).setMax(s.max).setMean(s.sum() / s.count)
                    .setP50(s.quantile(0.50)).setP90(s.quantile(0.90)).setP95(s.quantile(0.95)).setP99(s.quantile(0.99))
                    .setSketch(java.nio.ByteBuffer.wrap(Sketches.encode(s.sketch)));
        }
        return kpi.build();
    }
}
