package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, windows of 10 s with 5 s grace, an in-memory registry. Future
 * events are judged as in analyze: against the progress of the events sent so far ({@link RecordingClock}), each
 * {@link #send} call observed as a whole before it is piped.
 */
final class Harness implements AutoCloseable {
    /** A window start: 1753784500000 is a multiple of 10 s. */
    static final long T0 = 1_753_784_500_000L;
    static final long W = 10_000;

    final ProcessorCounters counters = new ProcessorCounters();
    final ProcessorConfig config;
    final KpiContext ctx;
    final RecordingClock clock = new RecordingClock();
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, ProtocolEvent> input;
    private final TestInputTopic<byte[], ProtocolEvent> bytesKeyed;
    private final TestInputTopic<String, NodeResourceSample> resources;
    private boolean samplesSent;
    private final TestOutputTopic<String, KpiWindow> kpis;
    private final TestOutputTopic<String, ProtocolEvent> late;
    private final TestOutputTopic<String, ProtocolEvent> deadLetters;
    private long lastMs = Long.MIN_VALUE;
    private FlushEvents flush;
    private int sequence;

    Harness() {
        this(Map.of());
    }

    /** With {@link ProcessorConfig} settings on top of the defaults. */
    Harness(Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://processor-" + UUID.randomUUID());
        config = new ProcessorConfig(settings);
        ctx = KpiContext.of(config, counters, 1).withReferenceClock(clock); // the driver's topics have one partition
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "harness");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/harness-" + UUID.randomUUID());
        driver = new TopologyTestDriver(KpiTopology.build(ctx), props);
        input = driver.createInputTopic(ctx.events().name(), Serdes.String().serializer(), ctx.events().valueSerde().serializer());
        kpis = driver.createOutputTopic(ctx.kpis().name(), Serdes.String().deserializer(), ctx.kpis().valueSerde().deserializer());
        late = driver.createOutputTopic(ctx.late().name(), Serdes.String().deserializer(), ctx.late().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(ctx.deadLetters().name(), Serdes.String().deserializer(),
                ctx.deadLetters().valueSerde().deserializer());
        bytesKeyed = driver.createInputTopic(ctx.events().name(), Serdes.ByteArray().serializer(),
                ctx.events().valueSerde().serializer());
        resources = driver.createInputTopic(ctx.resources().name(), Serdes.String().serializer(),
                ctx.resources().valueSerde().serializer());
    }

    /** A resource sample of {@code node} at {@code T0 + offsetMs}, every required reading 0. */
    NodeResourceSample.Builder sample(String node, long offsetMs) {
        return NodeResourceSample.newBuilder().setNodeId(node).setTimestampNs((T0 + offsetMs) * 1_000_000L)
                .setCpuPercent(0).setProcessCpuPercent(0).setHeapUsedBytes(0).setRssBytes(0).setDiskReadBytes(0)
                .setDiskWriteBytes(0).setNetRxBytes(0).setNetTxBytes(0).setOpenFds(0).setMempoolSize(0);
    }

    /** Resource samples, each keyed by its node id, in this order. */
    Harness sendSamples(NodeResourceSample.Builder... samples) {
        for (NodeResourceSample.Builder b : samples) {
            sendSampleKeyed(b.getNodeId(), b);
        }
        return this;
    }

    /** One resource sample with the Kafka key {@code key} (null: none) instead of its node id. */
    Harness sendSampleKeyed(String key, NodeResourceSample.Builder sample) {
        NodeResourceSample built = sample.build();
        long ms = built.getTimestampNs() / 1_000_000L;
        if (ms - config.maxFutureSkew().toMillis() <= clock.getAsLong()) {
            lastMs = Math.max(lastMs, ms);
        }
        samplesSent = true;
        resources.pipeInput(key, built);
        return this;
    }

    /** An event at {@code T0 + offsetMs}. */
    ProtocolEvent.Builder event(String node, EventType type, long offsetMs) {
        return ProtocolEvent.newBuilder().setEventId(node + "-" + (++sequence)).setEventType(type)
                .setTimestampNs((T0 + offsetMs) * 1_000_000L).setNodeId(node).setMetadata(new HashMap<>());
    }

    Harness send(ProtocolEvent.Builder... events) {
        List<ProtocolEvent> built = new ArrayList<>();
        for (ProtocolEvent.Builder b : events) {
            built.add(observe(b));
        }
        built.forEach(e -> input.pipeInput(e.getNodeId(), e));
        return this;
    }

    /** One event with the Kafka key {@code key} (null: none) instead of its node id. */
    Harness sendKeyed(String key, ProtocolEvent.Builder event) {
        input.pipeInput(key, observe(event));
        return this;
    }

    /** One event whose key is {@code key}'s bytes, not necessarily UTF-8. */
    Harness sendKeyed(byte[] key, ProtocolEvent.Builder event) {
        bytesKeyed.pipeInput(key, observe(event));
        return this;
    }

    /** A record without a value (a tombstone) keyed {@code key}. */
    Harness sendTombstone(String key) {
        input.pipeInput(key, null);
        return this;
    }

    private ProtocolEvent observe(ProtocolEvent.Builder b) {
        ProtocolEvent e = b.build();
        clock.observe(e);
        lastMs = Math.max(lastMs, e.getTimestampNs() / 1_000_000L);
        return e;
    }

    /** Moves stream time past every window, as AnalyzeJob does at the end of a file. */
    Harness flush() {
        clock.unbounded();
        flush = new FlushEvents(lastMs, config, ctx);
        for (int round = 0; round < FlushEvents.ROUNDS; round++) {
            for (ProtocolEvent e : flush.round(round)) {
                input.pipeInput(e.getNodeId(), e);
            }
            if (samplesSent) {
                resources.pipeInput(FlushEvents.NODE, flush.sample(round));
            }
        }
        return this;
    }

    /**
     * Final KPI records of {@code metric} of the default chain so far, flush windows left out, keyed
     * "scope|node|window offset".
     */
    Map<String, KpiWindow> kpis(String metric) {
        return kpis(metric, null);
    }

    /**
     * The same for the chain {@code chain} (null: the default chain), whose records carry it as {@code chain_id} and
     * whose record keys end in {@code |chain}.
     */
    Map<String, KpiWindow> kpis(String metric, String chain) {
        Map<String, KpiWindow> out = new java.util.TreeMap<>();
        for (TestRecord<String, KpiWindow> r : readKpis()) {
            KpiWindow k = r.value();
            if (k.getMetric().equals(metric) && java.util.Objects.equals(k.getChainId(), chain)
                    && (flush == null || k.getWindowStartMs() < flush.firstWindowStartMs())) {
                String key = k.getScope() + "|" + (k.getScope() == KpiScope.node ? k.getNodeId() : "") + "|"
                        + (k.getWindowStartMs() - T0);
                if (out.put(key, k) != null) {
                    throw new AssertionError("two final results for " + key);
                }
                if (!r.key().equals(metric + "|" + k.getScope() + "|" + (k.getNodeId() == null ? "" : k.getNodeId())
                        + "|" + k.getWindowStartMs() + (chain == null ? "" : "|" + chain))) {
                    throw new AssertionError("unexpected key " + r.key());
                }
            }
        }
        return out;
    }

    /** The metrics of the final KPI records so far, flush windows left out. */
    java.util.Set<String> metrics() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (TestRecord<String, KpiWindow> r : readKpis()) {
            if (flush == null || r.value().getWindowStartMs() < flush.firstWindowStartMs()) {
                out.add(r.value().getMetric());
            }
        }
        return out;
    }

    /** The chains ({@code chain_id}, null for the default) of the final KPI records so far, flush windows left out. */
    java.util.Set<String> chains() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (TestRecord<String, KpiWindow> r : readKpis()) {
            if (flush == null || r.value().getWindowStartMs() < flush.firstWindowStartMs()) {
                out.add(r.value().getChainId());
            }
        }
        return out;
    }

    private final List<TestRecord<String, KpiWindow>> seen = new ArrayList<>();

    private List<TestRecord<String, KpiWindow>> readKpis() {
        seen.addAll(kpis.readRecordsToList());
        return seen;
    }

    List<TestRecord<String, ProtocolEvent>> late() {
        return late.readRecordsToList();
    }

    List<TestRecord<String, ProtocolEvent>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
