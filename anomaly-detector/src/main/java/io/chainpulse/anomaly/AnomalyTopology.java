package io.chainpulse.anomaly;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Final KPI windows in, anomaly incident transitions out.
 *
 * <pre>
 * SELECT transitions(detectors(kpi)) FROM chainpulse.kpis WHERE final GROUP BY metric  -- plus liveness over all nodes
 * </pre>
 *
 * <ul>
 *   <li>Input: {@code chainpulse.kpis} (key {@code metric|scope|node_id|window_start_ms}, value {@code KpiWindow});
 *   live ({@code final=false}) records are dropped. Every detector's state is one chain's (its keys start with the
 *   metric within the window's chain, {@code Chains.scoped}), so peers are one chain's nodes and a network is one
 *   chain; an incident of a chain other than the default carries its {@code chain_id}.</li>
 *   <li>Sub-topology 1, repartitioned by metric ({@value #BY_METRIC}) so every node of a metric's window meets in one
 *   task (a node's validation times, together in one: {@code Metrics.partitionKey}): static rules, baseline and trend
 *   per record (a node's rate against the network's latest drop); peer outlier per window once the window is
 *   complete (its network record arrived and at least as many nodes as last time, or a later window of the metric
 *   appeared) — a node's CPU, disk and fds shares against its peers' by {@link ResourcePeerDetector}, collected
 *   alike; the memory-leak detector on a node's rss and heap. A node's CPU, memory, disk, fds and peer windows also go, as
 *   context copies, to every partition ({@link NodeResources}), so a firing latency or throughput anomaly names its
 *   node's likely cause — waiting, boundedly, for the node's resources of its window ({@link ResourceWait}).
 *   Detectors agreeing on one metric of one node (or the network) publish one incident ({@link IncidentGroup}).</li>
 *   <li>Sub-topology 2, all node records in one partition ({@value #LIVENESS}): liveness on stream time, i.e. the
 *   largest window end seen. Only KPIs a node makes from its own events count ({@code Kpi.fromOwnEvents}): others'
 *   finalizations keep a silent leader's {@code leader_share_pct} going.</li>
 *   <li>Output: {@code chainpulse.anomalies} (every transition, key anomaly_id) and compacted
 *   {@code chainpulse.anomalies.current} (the FIRING record, replaced by a tombstone when the incident resolves).</li>
 * </ul>
 * State is bounded by nodes × metrics × rules (incidents, baselines, trends) plus at most a couple of open windows per
 * metric (peer windows), never by the number of windows processed.
 */
public final class AnomalyTopology {
    static final String BY_METRIC = "anomaly-by-metric";
    static final String LIVENESS = "anomaly-liveness";
    static final String INCIDENT_STORE = "anomaly-incidents";
    /** One published incident per metric, scope and node across detectors ({@link IncidentGroup}). */
    static final String GROUP_STORE = "anomaly-incident-groups";
    static final String BASELINE_STORE = "anomaly-baselines";
    static final String TREND_STORE = "anomaly-trends";
    static final String PEER_WINDOW_STORE = "anomaly-peer-windows";
    static final String PEER_PROGRESS_STORE = "anomaly-peer-progress";
    static final String LIVENESS_STORE = "anomaly-liveness-nodes";
    static final String LIVENESS_INCIDENT_STORE = "anomaly-liveness-incidents";
    static final String NODE_RESOURCES_STORE = "anomaly-node-resources";
    static final String MEMORY_SERIES_STORE = "anomaly-memory-series";
    /** Firing transitions waiting for their node's resources of the same window ({@link ResourceWait}). */
    static final String HELD_STORE = "anomaly-held-for-resources";
    /** A pooled static rule's latest windows per incident key ({@link RuleWindows}). */
    static final String RULE_WINDOWS_STORE = "anomaly-rule-windows";
    /** Each node's latest location evidence per validation time ({@link PeerOutlierDetector.Evidence}). */
    static final String VALIDATION_STORE = "anomaly-validation-evidence";
    /** How often the wall-clock bound of {@link ResourceWait} is checked. */
    private static final java.time.Duration HELD_CHECK_INTERVAL = java.time.Duration.ofSeconds(1);
    /** Liveness repartition has one partition: silence is judged against the stream time of all nodes together. */
    private static final int LIVENESS_PARTITIONS = 1;
    /** Key of the stream-time entry in the liveness store; node ids are never empty. */
    private static final String STREAM_TIME_KEY = "";

    /** Names and serdes of the topics; see {@link AnomalyConfig}. */
    public record Topics(String kpis, String anomalies, String current, Serde<KpiWindow> kpiSerde,
                         Serde<Anomaly> anomalySerde) {}

    private AnomalyTopology() {}

    /**
     * Where the detector's state lives: {@link #ROCKSDB} for the service (persistent, with changelogs), {@link
     * #IN_MEMORY} for a replay of a recording, which has nothing to recover and runs many times faster without a
     * store flush per record.
     */
    public enum StoreKind { ROCKSDB, IN_MEMORY }

    /** Builds the topology with RocksDB stores; no I/O (the rules were read when {@code detectors} was built). */
    public static Topology build(Detectors detectors, Topics topics) {
        return build(detectors, topics, StoreKind.ROCKSDB);
    }

    /** Builds the topology with stores of the given kind; no I/O. */
    public static Topology build(Detectors detectors, Topics topics, StoreKind storeKind) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> strings = Serdes.String();
        java.util.function.Function<String, KeyValueBytesStoreSupplier> store = storeKind == StoreKind.IN_MEMORY
                ? Stores::inMemoryKeyValueStore : Stores::persistentKeyValueStore;
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(INCIDENT_STORE), strings,
                JsonSerde.of(IncidentState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(GROUP_STORE), strings,
                JsonSerde.of(IncidentGroup.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(BASELINE_STORE), strings,
                JsonSerde.of(BaselineState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(TREND_STORE), strings,
                JsonSerde.of(TrendState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(PEER_WINDOW_STORE), strings,
                JsonSerde.of(PeerWindow.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(PEER_PROGRESS_STORE),
                strings, JsonSerde.of(PeerProgress.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(LIVENESS_STORE), strings,
                JsonSerde.of(NodeSeen.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(LIVENESS_INCIDENT_STORE),
                strings, JsonSerde.of(IncidentState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(NODE_RESOURCES_STORE), strings,
                JsonSerde.of(NodeResources.Seen.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(MEMORY_SERIES_STORE), strings,
                JsonSerde.of(MemoryLeakDetector.State.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(HELD_STORE), strings,
                JsonSerde.of(ResourceWait.Held.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(RULE_WINDOWS_STORE), strings,
                JsonSerde.of(RuleWindows.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store.apply(VALIDATION_STORE), strings,
                JsonSerde.of(PeerOutlierDetector.Evidence.class)));

        KStream<String, KpiWindow> finals = builder
                .stream(topics.kpis(), Consumed.with(strings, topics.kpiSerde()).withName("anomaly-kpi-source"))
                .filter((key, kpi) -> kpi != null && kpi.getFinal$(), Named.as("anomaly-final-only"));

        KStream<String, Anomaly> judged = finals
                .flatMap((key, kpi) -> NodeResources.keyed(kpi), Named.as("anomaly-key-by-metric"))
                .repartition(Repartitioned.<String, KpiWindow>as(BY_METRIC)
                        .withKeySerde(strings).withValueSerde(topics.kpiSerde())
                        .withStreamPartitioner(new NodeResources.Broadcast()))
                .process(() -> new MetricDetectors(detectors), Named.as("anomaly-metric-detectors"),
                        INCIDENT_STORE, GROUP_STORE, BASELINE_STORE, TREND_STORE, PEER_WINDOW_STORE,
                        PEER_PROGRESS_STORE, NODE_RESOURCES_STORE, MEMORY_SERIES_STORE, HELD_STORE,
                        RULE_WINDOWS_STORE, VALIDATION_STORE);

        KStream<String, Anomaly> silent = finals
                .filter((key, kpi) -> kpi.getScope() == KpiScope.node && kpi.getNodeId() != null
                        && !kpi.getNodeId().isEmpty() && Metrics.fromOwnEvents(kpi.getMetric()),
                        Named.as("anomaly-node-kpis"))
                .selectKey((key, kpi) -> Chains.scoped(kpi.getChainId(), kpi.getNodeId()), Named.as("anomaly-key-by-node"))
                .repartition(Repartitioned.<String, KpiWindow>as(LIVENESS)
                        .withKeySerde(strings).withValueSerde(topics.kpiSerde())
                        .withNumberOfPartitions(LIVENESS_PARTITIONS))
                .process(() -> new Liveness(detectors.liveness()), Named.as("anomaly-liveness-detector"),
                        LIVENESS_STORE, LIVENESS_INCIDENT_STORE);

        KStream<String, Anomaly> transitions = judged.merge(silent, Named.as("anomaly-transitions"));
        transitions.to(topics.anomalies(), Produced.with(strings, topics.anomalySerde()).withName("anomaly-events-sink"));
        transitions
                .mapValues(a -> a.getState() == AnomalyState.RESOLVED ? null : a, Named.as("anomaly-current-or-tombstone"))
                .to(topics.current(), Produced.with(strings, topics.anomalySerde()).withName("anomaly-current-sink"));
        return builder.build();
    }

    /** Applies a verdict to its incident in {@code store} and returns the transition, if any. */
    private static Optional<Anomaly> track(KeyValueStore<String, IncidentState> store, Verdict verdict) {
        String key = verdict.key().id();
        IncidentTracker.Step step = IncidentTracker.apply(store.get(key), verdict);
        if (step.state() == null) {
            store.delete(key);
        } else {
            store.put(key, step.state());
        }
        return Optional.ofNullable(step.transition());
    }

    /** Static rules, baseline, trend and peer outlier for the metrics of one partition. */
    private static final class MetricDetectors implements Processor<String, KpiWindow, String, Anomaly> {
        private final Detectors detectors;
        private ProcessorContext<String, Anomaly> context;
        private KeyValueStore<String, IncidentState> incidents;
        private KeyValueStore<String, IncidentGroup> groups;
        private KeyValueStore<String, BaselineState> baselines;
        private KeyValueStore<String, TrendState> trends;
        private KeyValueStore<String, PeerWindow> peerWindows;
        private KeyValueStore<String, PeerProgress> peerProgress;
        private ResourceMemory resources;
        private KeyValueStore<String, MemoryLeakDetector.State> memorySeries;
        private ResourceWait waiting;
        private KeyValueStore<String, RuleWindows> ruleWindows;
        private KeyValueStore<String, PeerOutlierDetector.Evidence> validations;

        MetricDetectors(Detectors detectors) {
            this.detectors = detectors;
        }

        @Override
        public void init(ProcessorContext<String, Anomaly> context) {
            this.context = context;
            incidents = context.getStateStore(INCIDENT_STORE);
            groups = context.getStateStore(GROUP_STORE);
            baselines = context.getStateStore(BASELINE_STORE);
            trends = context.getStateStore(TREND_STORE);
            peerWindows = context.getStateStore(PEER_WINDOW_STORE);
            peerProgress = context.getStateStore(PEER_PROGRESS_STORE);
            resources = new ResourceMemory(context.getStateStore(NODE_RESOURCES_STORE));
            memorySeries = context.getStateStore(MEMORY_SERIES_STORE);
            ruleWindows = context.getStateStore(RULE_WINDOWS_STORE);
            validations = context.getStateStore(VALIDATION_STORE);
            waiting = new ResourceWait(context.getStateStore(HELD_STORE), resources::of,
                    (a, timestamp) -> context.forward(new Record<>(a.getAnomalyId(), a, timestamp)));
            context.schedule(HELD_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, waiting::punctuate);
        }

        @Override
        public void process(Record<String, KpiWindow> record) {
            KpiWindow kpi = record.value();
            if (NodeResources.isContext(record.key())) {
                resources.remember(kpi); // a copy for the causes named in alerts; judged under its own key
                waiting.arrived(kpi);
                return;
            }
            // every state key starts with the metric within the window's chain: chains never meet (the default's
            // keys are the metric alone, as before chains)
            String chain = Chains.idOf(kpi.getChainId());
            String series = Chains.scoped(chain, kpi.getMetric());
            // a failure ratio breaches a static rule only when significant at the network's learned share
            BaselineState networkShare = FailureGate.gates(kpi.getMetric())
                    ? baselines.get(series + '|' + KpiScope.network + '|') : null;
            List<Verdict> verdicts = new ArrayList<>(detectors.rules().evaluate(kpi,
                    networkShare == null ? null : networkShare.mean(), inChain(ruleWindows, chain)));
            String seriesKey = series + '|' + kpi.getScope() + '|'
                    + (kpi.getNodeId() == null ? "" : kpi.getNodeId());
            if (BaselineDetector.appliesTo(kpi)) {
                // a node's rate is judged against the network's latest drop: node windows come before the network's
                BaselineState network = kpi.getScope() == KpiScope.node && Metrics.isRate(kpi.getMetric())
                        ? baselines.get(series + '|' + KpiScope.network + '|') : null;
                BaselineDetector.Outcome out = detectors.baseline().evaluate(baselines.get(seriesKey), kpi, network);
                baselines.put(seriesKey, out.state());
                out.verdict().ifPresent(verdicts::add);
            }
            if (detectors.trend().appliesTo(kpi)) {
                TrendDetector.Outcome out = detectors.trend().evaluate(trends.get(seriesKey), kpi);
                trends.put(seriesKey, out.state());
                verdicts.addAll(out.verdicts());
            }
            ResourceMemory chainResources = resources.of(chain);
            if (detectors.peers().appliesTo(kpi.getMetric())) {
                verdicts.addAll(peers(kpi, series, k -> Metrics.learnedStatistic(k.getMetric()).of(k),
                        (start, w, before) -> detectors.peers().evaluate(kpi.getMetric(), start, w.values(),
                                w.counted(), w.decodedSketches(), before, inChain(validations, chain))));
            } else if (detectors.resourcePeers().appliesTo(kpi.getMetric())) {
                // a node's machine against its peers': windows collected as the protocol KPIs' are, judged apart
                verdicts.addAll(peers(kpi, series, ResourcePeerDetector::value,
                        (start, w, before) -> detectors.resourcePeers().evaluate(kpi.getMetric(), start,
                                w.values())));
            }
            if (detectors.memoryLeak().appliesTo(kpi)) {
                verdicts.addAll(memoryLeak(kpi, series, chainResources));
            }
            // one incident per metric, scope and node: the detectors' transitions of this record, merged per key
            java.util.Map<String, List<Anomaly>> byGroup = new java.util.LinkedHashMap<>();
            for (Verdict verdict : verdicts) {
                track(incidents, verdict.inChain(chain)).ifPresent(a -> byGroup.computeIfAbsent(IncidentGroup.key(a),
                        k -> new ArrayList<>()).add(a));
            }
            byGroup.forEach((key, transitions) -> {
                IncidentGroup.Step step = IncidentGroup.apply(groups.get(key), transitions);
                if (step.state() == null) {
                    groups.delete(key);
                } else {
                    groups.put(key, step.state());
                }
                // a firing latency or throughput transition may wait for its node's resources of the window
                step.transitions().forEach(a -> waiting.publish(a, kpi.getWindowEndMs() - kpi.getWindowStartMs(),
                        record.timestamp(), context.currentSystemTimeMs()));
            });
        }

        /** {@code store} seen from one chain: its keys within the chain ({@link Chains#scoped}). */
        private static <V> Kept<V> inChain(KeyValueStore<String, V> store, String chain) {
            return new Kept<>() {
                @Override
                public V get(String key) {
                    return store.get(Chains.scoped(chain, key));
                }

                @Override
                public void put(String key, V value) {
                    store.put(Chains.scoped(chain, key), value);
                }
            };
        }

        private List<Verdict> memoryLeak(KpiWindow kpi, String series, ResourceMemory resources) {
            String key = series + '|' + kpi.getNodeId();
            NodeResources.Seen available = resources.get(NodeResources.Reading.MEMORY_AVAILABLE, kpi.getNodeId());
            MemoryLeakDetector.Outcome out = detectors.memoryLeak().evaluate(memorySeries.get(key), kpi,
                    available == null ? null : MemoryLeakDetector.Available.of(available.value(),
                            available.windowStartMs(), available.windowEndMs()));
            if (out.state() != null) {
                memorySeries.put(key, out.state());
            }
            return out.verdict().map(List::of).orElse(List.of());
        }

        /**
         * @param series the metric within the window's chain: peers are the nodes of one chain
         * @param valueOf a node window's value compared
         * @param judge   a complete window's verdicts, given the samples of the window just before it (empty when that
         *                window was not compared or held none): a compared window stays in the store until the next
         *                one is compared
         */
        private List<Verdict> peers(KpiWindow kpi, String series,
                                    java.util.function.Function<KpiWindow, Optional<Double>> valueOf, PeerJudge judge) {
            String metric = kpi.getMetric();
            PeerProgress progress = peerProgress.get(series);
            if (progress == null) {
                progress = new PeerProgress(Long.MIN_VALUE, Long.MIN_VALUE, 0);
            }
            long window = kpi.getWindowStartMs();
            if (window <= progress.lastEvaluatedMs()) {
                return List.of(); // a straggler for a window already compared: too late to change that verdict
            }
            String windowKey = windowKey(series, window);
            PeerWindow pending = peerWindows.get(windowKey);
            PeerWindow updated = pending == null ? new PeerWindow(java.util.Map.of(), false) : pending;
            if (kpi.getScope() == KpiScope.network) {
                updated = new PeerWindow(updated.values(), true, updated.failed(), updated.samples(),
                        updated.sketches());
            } else {
                Optional<Double> value = valueOf.apply(kpi);
                if (value.isPresent()) {
                    java.util.Map<String, Double> values = new java.util.TreeMap<>(updated.values());
                    values.put(kpi.getNodeId(), value.get());
                    java.util.Map<String, Long> failed = new java.util.TreeMap<>(updated.failed());
                    java.util.Map<String, Long> samples = new java.util.TreeMap<>(updated.samples());
                    java.util.Map<String, byte[]> sketches = new java.util.TreeMap<>(updated.sketches());
                    if (FailureGate.gates(metric)) {
                        failed.put(kpi.getNodeId(), Metrics.failedSamples(kpi));
                        samples.put(kpi.getNodeId(), kpi.getCount());
                    } else if (kpi.getSketch() != null) {
                        sketches.put(kpi.getNodeId(), TailGate.bytes(kpi.getSketch()));
                    }
                    updated = new PeerWindow(values, updated.networkSeen(), failed, samples, sketches);
                }
            }
            peerWindows.put(windowKey, updated);
            long latest = Math.max(progress.latestWindowMs(), window);

            List<Verdict> verdicts = new ArrayList<>();
            List<KeyValue<String, PeerWindow>> open = new ArrayList<>();
            try (KeyValueIterator<String, PeerWindow> it = peerWindows.prefixScan(series + '|', Serdes.String().serializer())) {
                it.forEachRemaining(open::add);
            }
            long lastEvaluated = progress.lastEvaluatedMs();
            int lastNodes = progress.lastNodes();
            long size = kpi.getWindowEndMs() - kpi.getWindowStartMs();
            KeyValue<String, PeerWindow> judged = null; // the window compared last, kept for the next one's
            for (KeyValue<String, PeerWindow> entry : open) { // keys sort by window start (zero-padded)
                long start = Long.parseLong(entry.key.substring(series.length() + 1));
                PeerWindow w = entry.value;
                if (start <= lastEvaluated) {
                    if (judged != null) {
                        peerWindows.delete(judged.key);
                    }
                    judged = entry;
                    continue;
                }
                boolean complete = start < latest || (w.networkSeen() && w.values().size() >= lastNodes);
                if (!complete) {
                    break;
                }
                verdicts.addAll(judge.judge(start, w, judged != null && lastEvaluated == start - size
                        ? judged.value.decodedSketches() : java.util.Map.of()));
                if (judged != null) {
                    peerWindows.delete(judged.key);
                }
                judged = entry;
                lastEvaluated = start;
                lastNodes = w.values().size();
            }
            peerProgress.put(series, new PeerProgress(latest, lastEvaluated, lastNodes));
            return verdicts;
        }

        /** A complete window's verdicts, given each node's samples of the window just before it. */
        @FunctionalInterface
        private interface PeerJudge {
            List<Verdict> judge(long windowStartMs, PeerWindow window,
                                java.util.Map<String, com.datadoghq.sketch.ddsketch.DDSketch> before);
        }

        private static String windowKey(String metric, long windowStartMs) {
            return metric + '|' + String.format("%020d", windowStartMs);
        }
    }

    /**
     * Each node's latest cited resource readings ({@link NodeResources}), in a task's store, seen from one chain
     * ({@code chain} null: the default): a node is keyed within its chain ({@link Chains#scoped}), so a cause names the
     * node of the anomaly's own chain.
     */
    private record ResourceMemory(KeyValueStore<String, NodeResources.Seen> store, String chain)
            implements NodeResources.Memory {
        ResourceMemory(KeyValueStore<String, NodeResources.Seen> store) {
            this(store, null);
        }

        /** The same store seen from {@code chain}. */
        ResourceMemory of(String chain) {
            return java.util.Objects.equals(chain, this.chain) ? this : new ResourceMemory(store, chain);
        }

        void remember(KpiWindow kpi) {
            NodeResources.Reading reading = NodeResources.Reading.of(kpi.getMetric()).orElseThrow();
            String key = NodeResources.storeKey(reading, Chains.scoped(kpi.getChainId(), kpi.getNodeId()));
            NodeResources.Seen known = store.get(key);
            NodeResources.seen(kpi).filter(s -> known == null || s.windowStartMs() >= known.windowStartMs())
                    .ifPresent(s -> store.put(key, s));
        }

        @Override
        public NodeResources.Seen get(NodeResources.Reading reading, String node) {
            return store.get(NodeResources.storeKey(reading, Chains.scoped(chain, node)));
        }

        @Override
        public java.util.Map<String, NodeResources.Seen> all(NodeResources.Reading reading) {
            String prefix = reading.kpi.metric() + '|';
            java.util.Map<String, NodeResources.Seen> all = new java.util.TreeMap<>();
            try (KeyValueIterator<String, NodeResources.Seen> it = store.prefixScan(prefix,
                    Serdes.String().serializer())) {
                it.forEachRemaining(kv -> {
                    String node = kv.key.substring(prefix.length());
                    if (java.util.Objects.equals(Chains.chainOf(node), chain)) {
                        all.put(Chains.keyOf(node), kv.value);
                    }
                });
            }
            return all;
        }
    }

    /** Liveness over all nodes, on stream time (largest window end seen). */
    private static final class Liveness implements Processor<String, KpiWindow, String, Anomaly> {
        private final LivenessDetector detector;
        private ProcessorContext<String, Anomaly> context;
        private KeyValueStore<String, NodeSeen> nodes;
        private KeyValueStore<String, IncidentState> incidents;

        Liveness(LivenessDetector detector) {
            this.detector = detector;
        }

        @Override
        public void init(ProcessorContext<String, Anomaly> context) {
            this.context = context;
            nodes = context.getStateStore(LIVENESS_STORE);
            incidents = context.getStateStore(LIVENESS_INCIDENT_STORE);
        }

        @Override
        public void process(Record<String, KpiWindow> record) {
            KpiWindow kpi = record.value();
            long end = kpi.getWindowEndMs();
            long size = end - kpi.getWindowStartMs();
            NodeSeen clock = nodes.get(STREAM_TIME_KEY);
            String node = record.key(); // the node within its chain: the same id on two chains is two nodes
            NodeSeen seen = nodes.get(node);
            if (seen == null && clock != null && detector.expired(end, clock.lastWindowEndMs())) {
                // a straggler of a node already forgotten (or never seen) that is older than the expiry: learning it
                // would flag the node silent at once and forget it again at the next window
                return;
            }
            if (seen == null || end > seen.lastWindowEndMs()) {
                int lag = detector.lagAfter(seen == null ? 0 : seen.lagWindows(), end,
                        clock == null ? end : clock.lastWindowEndMs(), size);
                nodes.put(node, new NodeSeen(end, size, lag));
            }
            if (clock == null || end > clock.lastWindowEndMs()) {
                // Stream time moved: every known node is judged against it.
                nodes.put(STREAM_TIME_KEY, new NodeSeen(end, size, 0));
                List<KeyValue<String, NodeSeen>> all = new ArrayList<>();
                try (KeyValueIterator<String, NodeSeen> it = nodes.all()) {
                    it.forEachRemaining(all::add);
                }
                for (KeyValue<String, NodeSeen> known : all) {
                    if (known.key.equals(STREAM_TIME_KEY)) {
                        continue;
                    }
                    if (detector.expired(known.value.lastWindowEndMs(), end)) {
                        forget(record, known.key, known.value, end, size);
                    } else {
                        judge(record, known.key, known.value, end, size);
                    }
                }
            } else {
                // A node that was silent and reports again is resolved without waiting for the next window.
                judge(record, node, nodes.get(node), clock.lastWindowEndMs(), size);
            }
        }

        /**
         * node.expiry.ms: the node leaves the store; its open incident resolves with reason expired. {@code inChain}
         * is the node within its chain, as the store keys it.
         */
        private void forget(Record<String, KpiWindow> record, String inChain, NodeSeen seen, long streamTime,
                            long size) {
            nodes.delete(inChain);
            String chain = Chains.chainOf(inChain);
            String node = Chains.keyOf(inChain);
            Verdict verdict = detector.expiry(node, seen.lastWindowEndMs(), streamTime, size).inChain(chain);
            String key = verdict.key().id();
            IncidentTracker.Step step = IncidentTracker.expire(incidents.get(key), verdict,
                    Verdict.described(chain, detector.expiryDescription(node, seen.lastWindowEndMs(), streamTime)));
            incidents.delete(key);
            if (step.transition() != null) {
                context.forward(record.withKey(step.transition().getAnomalyId()).withValue(step.transition()));
            }
        }

        private void judge(Record<String, KpiWindow> record, String inChain, NodeSeen seen, long streamTime,
                           long size) {
            Verdict verdict = detector.evaluate(Chains.keyOf(inChain), seen.lastWindowEndMs(), streamTime, size,
                    seen.lagWindows()).inChain(Chains.chainOf(inChain));
            track(incidents, verdict).ifPresent(a -> context.forward(record.withKey(a.getAnomalyId()).withValue(a)));
        }
    }
}
