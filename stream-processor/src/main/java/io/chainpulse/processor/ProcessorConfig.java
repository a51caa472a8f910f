package io.chainpulse.processor;

import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.Topics;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the KPI processor; the README's table is generated from {@link #CONFIG}. */
public final class ProcessorConfig extends AbstractConfig {
    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String INPUT_TOPIC = "input.topic";
    public static final String KPI_TOPIC = "kpi.topic";
    public static final String LATE_TOPIC = "late.topic";
    public static final String RESOURCES_TOPIC = "resources.topic";
    public static final String WINDOW_SIZE_MS = "window.size.ms";
    public static final String GRACE_MS = "grace.ms";
    public static final String PAIRING_TIMEOUT_MS = "pairing.timeout.ms";
    public static final String MAX_LATENCY_MS = "max.latency.ms";
    public static final String STREAM_THREADS = "num.stream.threads";
    public static final String STATE_DIR = "state.dir";
    public static final String STATE_STORES = "state.stores";
    public static final String MAX_FUTURE_SKEW_MS = "max.future.skew.ms";
    public static final String MAX_NODES = "max.nodes";
    public static final String REGISTRY_WAIT_MAX_MS = "registry.wait.max.ms";
    public static final String KPIS = "kpis";
    /** The value of {@value #KPIS} that selects every KPI of the catalog. */
    public static final String ALL_KPIS = "all";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(APPLICATION_ID, Type.STRING, "chainpulse-processor", Importance.HIGH,
                    "Kafka Streams application id: instances with the same id share the work.")
            .define(BOOTSTRAP_SERVERS, Type.LIST, "127.0.0.1:9092", Importance.HIGH, "Kafka brokers.")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "http://127.0.0.1:8081/apis/ccompat/v7", Importance.HIGH,
                    "Confluent-compatible schema registry.")
            .define(INPUT_TOPIC, Type.STRING, Topics.EVENTS.name(), Importance.MEDIUM, "Protocol events. The SDK keys them by node id; any other key (none, another string, bytes) is "
                    + "accepted: the processor re-keys and re-partitions by the event's node_id.")
            .define(KPI_TOPIC, Type.STRING, Topics.KPIS.name(), Importance.MEDIUM,
                    "KpiWindow output, key metric|scope|node|window_start_ms.")
            .define(LATE_TOPIC, Type.STRING, Topics.LATE_EVENTS.name(), Importance.MEDIUM,
                    "Events that arrived after their window closed, events stamped too far ahead (future) and events of "
                            + "nodes beyond max.nodes, with the reason in the header chainpulse.reason: nothing is "
                            + "dropped silently.")
            .define(RESOURCES_TOPIC, Type.STRING, Topics.RESOURCES.name(), Importance.MEDIUM,
                    "NodeResourceSample input (keyed by node id; another key is re-keyed by node_id): the resource "
                            + "KPIs. Created with the input topic's partition count when missing.")
            .define(WINDOW_SIZE_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.HIGH,
                    "Size of the event-time tumbling windows, aligned to the epoch.")
            .define(GRACE_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.HIGH,
                    "How long after a window's end out-of-order events are still counted in it.")
            .define(PAIRING_TIMEOUT_MS, Type.LONG, 60_000L, Range.atLeast(1_000), Importance.MEDIUM,
                    "A start event without its complete event after this much stream time is evicted and reported.")
            .define(MAX_LATENCY_MS, Type.LONG, 600_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Deltas above this, or below zero, are clock skew between nodes: counted in excluded_skew, not "
                            + "averaged in.")
            .define(MAX_FUTURE_SKEW_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.MEDIUM,
                    "An event stamped more than this ahead of the reference clock (the wall clock; in analyze, the "
                            + "recording's own progress: the median over nodes of each node's latest event) never "
                            + "advances stream time: it goes to the late topic with reason future and is counted per "
                            + "node. Events of a node whose clock is ahead by less still move stream time.")
            .define(MAX_NODES, Type.INT, NodeRegistry.DEFAULT_MAX_NODES, Range.atLeast(1), Importance.MEDIUM,
                    "Distinct node ids per chain (chain_id; events without one belong to the chain '"
                            + NodeRegistry.DEFAULT_CHAIN + "') the processor holds, and at most "
                            + NodeRegistry.MAX_CHAINS + " chains. An event of a further node goes to the late topic "
                            + "with reason max.nodes and is counted; a node silent for pairing.timeout.ms plus two "
                            + "network graces is forgotten, making room. An event whose node_id breaks the node-id "
                            + "rule goes to " + Topics.DEAD_LETTERS.name() + ".")
            .define(STREAM_THREADS, Type.INT, 2, Range.atLeast(1), Importance.MEDIUM, "Kafka Streams threads.")
            .define(STATE_DIR, Type.STRING, ".chainpulse/streams-state", Importance.LOW,
                    "Local state (RocksDB) directory.")
            .define(STATE_STORES, Type.STRING, "rocksdb", ConfigDef.ValidString.in("rocksdb", "in_memory"),
                    Importance.LOW, "Kind of the processor's own state stores: rocksdb (persistent, backed by changelog topics, "
                            + "for the service) or in_memory (batch analysis of a file: no changelogs, nothing to recover).")
            .define(REGISTRY_WAIT_MAX_MS, Type.LONG, 240_000L, Range.between(0, 290_000), Importance.LOW,
                    "How long a stream thread waits, retrying with backoff, for a schema registry it cannot reach "
                            + "(it reports /health 503 meanwhile; nothing is skipped or dead-lettered). Below the "
                            + "consumer's max.poll.interval.ms (5 min); after it the Streams client fails and the "
                            + "restarted process resumes from the last commit.")
            .define(KPIS, Type.LIST, List.of(ALL_KPIS), new KpiNames(), Importance.MEDIUM,
                    "The KPIs to compute, by catalog metric name (e.g. " + Kpi.TPS.metric() + ","
                            + Kpi.CONSENSUS_LATENCY_MS.metric() + "), or all. "
                            + "A KPI left out builds no operators, stores or repartition topics; a stage several KPIs "
                            + "share (the distinct blocks, the consensus events by network, the resource windows) is "
                            + "built when one of them is selected. " + Kpi.ROUND_CHANGES_PER_MIN.metric() + " and "
                            + Kpi.CONSENSUS_ROUNDS.metric() + " share their per-height stage too.");

    private final Set<Kpi> kpis;

    public ProcessorConfig(Map<?, ?> values) {
        super(CONFIG, values, false);
        this.kpis = selected(getList(KPIS));
    }

    /** The KPIs selected by {@value #KPIS}, in catalog order ({@value #ALL_KPIS}: every KPI of the catalog). */
    public Set<Kpi> kpis() {
        return EnumSet.copyOf(kpis);
    }

    private static Set<Kpi> selected(List<String> names) {
        if (names.contains(ALL_KPIS)) {
            return EnumSet.allOf(Kpi.class);
        }
        Set<Kpi> selected = EnumSet.noneOf(Kpi.class);
        names.forEach(name -> selected.add(Kpi.of(name)));
        return selected;
    }

    /** true when {@code kpi} is computed ({@link #kpis()}). */
    public boolean computes(Kpi kpi) {
        return kpis.contains(kpi);
    }

    /** Every name must be a catalog metric (or {@value #ALL_KPIS}); all unknown names are reported at once. */
    private static final class KpiNames implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<String> unknown = ((List<?>) value).stream().map(String::valueOf)
                    .filter(metric -> !metric.equals(ALL_KPIS) && Kpi.byMetric(metric).isEmpty()).toList();
            if (!unknown.isEmpty()) {
                throw new ConfigException(name + ": unknown KPI " + String.join(", ", unknown.stream()
                        .map(m -> "'" + m + "'").toList()) + " (known: " + ALL_KPIS + ", "
                        + String.join(", ", Kpi.metrics()) + ")");
            }
            if (((List<?>) value).isEmpty()) {
                throw new ConfigException(name + ": no KPI selected (known: " + ALL_KPIS + ", "
                        + String.join(", ", Kpi.metrics()) + ")");
            }
        }

        @Override
        public String toString() {
            return ALL_KPIS + " or catalog KPI names (./chainpulse catalog)";
        }
    }

    public Duration windowSize() {
        return Duration.ofMillis(getLong(WINDOW_SIZE_MS));
    }

    public Duration grace() {
        return Duration.ofMillis(getLong(GRACE_MS));
    }

    public Duration pairingTimeout() {
        return Duration.ofMillis(getLong(PAIRING_TIMEOUT_MS));
    }

    public Duration registryWaitMax() {
        return Duration.ofMillis(getLong(REGISTRY_WAIT_MAX_MS));
    }

    boolean inMemoryStores() {
        return getString(STATE_STORES).equals("in_memory");
    }

    public Duration maxFutureSkew() {
        return Duration.ofMillis(getLong(MAX_FUTURE_SKEW_MS));
    }

    public int maxNodes() {
        return getInt(MAX_NODES);
    }

    public double maxLatencyMs() {
        return getLong(MAX_LATENCY_MS);
    }
}
