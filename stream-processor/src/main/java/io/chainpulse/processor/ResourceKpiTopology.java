package io.chainpulse.processor;

import io.chainpulse.processor.WindowAggregation.Closed;
import io.chainpulse.processor.WindowAggregation.Emitted;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeIds;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The resource KPIs (every {@link Kpi#resource()} entry: cpu_pct, rss_bytes, …, net_tx_bytes_per_s) from the node
 * resource samples. Input {@code chainpulse.resources} (NodeResourceSample keyed by node id; event time =
 * {@code timestamp_ns}); output {@code chainpulse.kpis}, per node and for the network.
 *
 * <pre>{@code
 * SELECT node, window, per resource: count, min, mean, max, p50–p99, last (gauges) | Σ bytes ÷ window s (counters)
 * FROM chainpulse.resources GROUP BY node, TUMBLING window      -- then the same merged over the nodes: network
 *
 * resources ─▶ resources-gate ─┬─ key = node_id ─────────────────────────────┬─▶ resources-node-window ─▶ kpis
 *                              └─ other key ─▶ resources-by-node repartition ┘            │
 *   kpis ◀─ resources-network-window ◀─ resources-network-stats repartition ◀─────────────┘
 * }</pre>
 * One window stage per scope serves every resource ({@link ResourceWindow}: a {@link Stats} per resource), so the
 * resources add two stages, two stores ({@code resources-node-windows}, {@code resources-network-windows}) and two
 * small repartition topics, and nothing to the protocol events' path. Same rules as every KPI: event-time tumbling
 * windows with grace, final once ({@link WindowAggregation}); a sample for a closed window is counted
 * {@code late|resources|node}; one stamped more than {@code max.future.skew.ms} ahead never moves stream time and is
 * counted {@code future|resources|node}; a sample whose node id breaks {@link NodeIds} is counted
 * {@code invalid_node_id|resources|*} (neither goes to a topic: the late and dead-letter topics hold protocol events).
 * Only the resources the configuration selects ({@code kpis}) are read and emitted; the stages are built when one is.
 * A field a sample leaves empty (peer count, machine memory, disk use, threads) is not counted for its KPI; nor is a
 * sample without {@code cpu_cores} ({@code open_fds_limit}) for {@code cpu_used_pct} ({@code open_fds_used_pct}).
 */
public final class ResourceKpiTopology {
    /** The name of the window stages, their stores and the counters: not a KPI, the resources together. */
    static final String STAGE = "resources";

    /** How each resource KPI reads a sample: the catalog's resource entries, in catalog order. */
    enum Resource {
        CPU(Kpi.CPU_PCT, NodeResourceSample::getCpuPercent),
        PROCESS_CPU(Kpi.PROCESS_CPU_PCT, NodeResourceSample::getProcessCpuPercent),
        RSS(Kpi.RSS_BYTES, NodeResourceSample::getRssBytes),
        HEAP(Kpi.HEAP_BYTES, NodeResourceSample::getHeapUsedBytes),
        SYSTEM_MEMORY_USED(Kpi.SYSTEM_MEMORY_USED_BYTES, NodeResourceSample::getSystemMemoryUsedBytes),
        SYSTEM_MEMORY_AVAILABLE(Kpi.SYSTEM_MEMORY_AVAILABLE_BYTES, NodeResourceSample::getSystemMemoryAvailableBytes),
        DISK_USED(Kpi.DISK_USED_PCT, NodeResourceSample::getDiskUsedPercent),
        OPEN_FDS(Kpi.OPEN_FDS, NodeResourceSample::getOpenFds),
        THREADS(Kpi.PROCESS_THREADS, NodeResourceSample::getThreads),
        MEMPOOL(Kpi.MEMPOOL_TXS, NodeResourceSample::getMempoolSize),
        PEERS(Kpi.PEERS_CONNECTED, NodeResourceSample::getPeerCount),
        DISK_READ(Kpi.DISK_READ_BYTES_PER_S, NodeResourceSample::getDiskReadBytes),
        DISK_WRITE(Kpi.DISK_WRITE_BYTES_PER_S, NodeResourceSample::getDiskWriteBytes),
        NET_RX(Kpi.NET_RX_BYTES_PER_S, NodeResourceSample::getNetRxBytes),
        NET_TX(Kpi.NET_TX_BYTES_PER_S, NodeResourceSample::getNetTxBytes),
        CPU_USED(Kpi.CPU_USED_PCT, ResourceKpiTopology::cpuUsedPercent),
        OPEN_FDS_USED(Kpi.OPEN_FDS_USED_PCT, ResourceKpiTopology::openFdsUsedPercent);

        static final int COUNT = values().length;

        final Kpi kpi;
        /** A byte counter (bytes since the previous sample): summed into a rate; else a gauge. */
        final boolean counter;
        private final Function<NodeResourceSample, Number> reading;

        Resource(Kpi kpi, Function<NodeResourceSample, Number> reading) {
            this.kpi = kpi;
            this.counter = kpi.kind() == KpiKind.RATE;
            this.reading = reading;
        }

        static {
            if (!Arrays.stream(values()).map(r -> r.kpi).toList().equals(Kpi.resources())) {
                throw new IllegalStateException("every resource KPI of the catalog needs a reading, in catalog order: "
                        + Kpi.resources());
            }
        }

        WindowedStats.Kind kind() {
            return counter ? WindowedStats.Kind.RATE : WindowedStats.Kind.LATENCY;
        }
    }

    private ResourceKpiTopology() {}

    /** {@code cpu_percent} (0–100 × cores) ÷ {@code cpu_cores}: 0–100; null without a positive core count. */
    static Double cpuUsedPercent(NodeResourceSample sample) {
        Integer cores = sample.getCpuCores();
        return cores == null || cores <= 0 ? null : sample.getCpuPercent() / cores;
    }

    /** {@code open_fds} ÷ {@code open_fds_limit} × 100; null without a positive limit. */
    static Double openFdsUsedPercent(NodeResourceSample sample) {
        Long limit = sample.getOpenFdsLimit();
        return limit == null || limit <= 0 ? null : sample.getOpenFds() * 100.0 / limit;
    }

    static void build(StreamsBuilder builder, KpiContext ctx) {
        KStream<String, NodeResourceSample> samples = builder.stream(ctx.resources().name(),
                Consumed.with(ctx.resources().keySerde(), ctx.resources().valueSerde())
                        .withTimestampExtractor(new EventTimestampExtractor(ctx.referenceClock(),
                                ctx.config().maxFutureSkew().toMillis())).withName(STAGE + "-source"));
        Map<String, KStream<String, NodeResourceSample>> byKey = samples
                .processValues(() -> new Gate(ctx), Named.as(STAGE + "-gate"))
                .split(Named.as(STAGE + "-split-"))
                .branch((key, sample) -> sample.getNodeId().equals(key), Branched.as("keyed"))
                .defaultBranch(Branched.as("rekey"));
        Repartitioned<String, NodeResourceSample> byNode = Repartitioned.<String, NodeResourceSample>as(STAGE + "-by-node")
                .withKeySerde(ctx.resources().keySerde()).withValueSerde(ctx.resources().valueSerde());
        KStream<String, NodeResourceSample> rekeyed = byKey.get(STAGE + "-split-rekey")
                .selectKey((key, sample) -> sample.getNodeId(), Named.as(STAGE + "-rekey-by-node"))
                .repartition(ctx.resourcePartitions() > 0 ? byNode.withNumberOfPartitions(ctx.resourcePartitions())
                        : byNode);
        KStream<String, NodeResourceSample> keyed = byKey.get(STAGE + "-split-keyed")
                .merge(rekeyed, Named.as(STAGE + "-keyed-by-node"))
                .selectKey((node, sample) -> Chains.scoped(sample.getChainId(), node), Named.as(STAGE + "-in-chain"));

        List<Resource> selected = Arrays.stream(Resource.values()).filter(r -> ctx.config().computes(r.kpi)).toList();
        BiFunction<ResourceWindow, NodeResourceSample, ResourceWindow> add = (window, sample) -> add(window, sample,
                selected);
        KStream<String, Emitted> node = keyed.process(WindowAggregation.stage(STAGE, KpiScope.node.name(),
                ctx.windowSize(), ctx.grace(), ResourceWindow::empty, add, true, 0, ctx), Named.as(STAGE + "-node-window"));
        toKpis(node, KpiScope.node, ctx);

        KStream<String, Emitted> toNetwork = node
                .selectKey((key, emitted) -> Chains.rekey(key, WindowedStats.NETWORK), Named.as(STAGE + "-to-network"))
                .repartition(Repartitioned.<String, Emitted>as(STAGE + "-network-stats")
                        .withKeySerde(Serdes.String()).withValueSerde(Emitted.SERDE)
                        .withNumberOfPartitions(WindowedStats.NETWORK_PARTITIONS));
        BiFunction<ResourceWindow, Emitted, ResourceWindow> merge =
                (window, emitted) -> window.merge((ResourceWindow) ((Closed) emitted).window());
        KStream<String, Emitted> network = toNetwork.process(WindowAggregation.stage(STAGE, KpiScope.network.name(),
                ctx.windowSize(), WindowedStats.networkGrace(ctx), ResourceWindow::empty, merge, false,
                ctx.resourcePartitions(), ctx), Named.as(STAGE + "-network-window"));
        toKpis(network, KpiScope.network, ctx);
    }

    /** Adds the readings of the {@code selected} resources (the others stay empty, and are not emitted). */
    private static ResourceWindow add(ResourceWindow window, NodeResourceSample sample, List<Resource> selected) {
        long ms = Math.floorDiv(sample.getTimestampNs(), 1_000_000L);
        for (Resource r : selected) {
            Number value = r.reading.apply(sample);
            if (value != null) {
                window.add(r.ordinal(), sample.getNodeId(), value.doubleValue(), ms, !r.counter);
            }
        }
        return window;
    }

    /** A closed window becomes one KPI record per resource it has readings of, in catalog order. */
    private static void toKpis(KStream<String, Emitted> emitted, KpiScope scope, KpiContext ctx) {
        emitted.flatMap((key, e) -> e instanceof Closed closed ? kpis(closed, scope, ctx) : List.of(),
                        Named.as(STAGE + "-" + scope + "-kpis"))
                .to(ctx.kpis().name(), Produced.with(ctx.kpis().keySerde(), ctx.kpis().valueSerde()));
    }

    static List<KeyValue<String, KpiWindow>> kpis(Closed closed, KpiScope scope, KpiContext ctx) {
        ResourceWindow window = (ResourceWindow) closed.window();
        String node = scope == KpiScope.node ? Chains.keyOf(closed.key()) : null;
        String chain = Chains.chainOf(closed.key());
        List<KeyValue<String, KpiWindow>> out = new ArrayList<>();
        for (Resource r : Resource.values()) {
            Stats stats = window.stats(r.ordinal());
            if (stats == null) {
                continue;
            }
            String metric = r.kpi.metric();
            KpiWindow kpi = WindowedStats.toKpi(metric, scope, node, chain, closed.start(), closed.end(), stats, r.kind(),
                    ctx.windowSize());
            if (!r.counter && scope == KpiScope.node) {
                kpi.setLast(window.last(r.ordinal()));
            }
            out.add(KeyValue.pair(WindowedStats.key(metric, scope, node, closed.start(), chain), kpi));
        }
        return out;
    }

    /**
     * Lets through the samples that can be counted: not stamped too far ahead (their record time is not their own,
     * see {@link EventTimestampExtractor}), with a valid node id (the batch run's {@link FlushEvents} node aside).
     */
    private static final class Gate implements FixedKeyProcessor<String, NodeResourceSample, NodeResourceSample> {
        private final ProcessorCounters counters;
        private FixedKeyProcessorContext<String, NodeResourceSample> context;

        Gate(KpiContext ctx) {
            this.counters = ctx.counters();
        }

        @Override
        public void init(FixedKeyProcessorContext<String, NodeResourceSample> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, NodeResourceSample> record) {
            NodeResourceSample sample = record.value();
            if (sample == null) {
                counters.increment("invalid_node_id", STAGE, "*"); // a tombstone names no node
                return;
            }
            String node = sample.getNodeId();
            if (!FlushEvents.isFlushNode(node) && NodeIds.problem(node).isPresent()) {
                counters.increment("invalid_node_id", STAGE, "*");
                return;
            }
            long ms = Math.floorDiv(sample.getTimestampNs(), 1_000_000L);
            if (record.timestamp() != ms) {
                counters.increment(ms > record.timestamp() ? "future" : "late", STAGE, node);
                return;
            }
            context.forward(record);
        }
    }
}
