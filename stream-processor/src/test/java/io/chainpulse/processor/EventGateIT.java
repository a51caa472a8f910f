package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event gate on the real broker and registry: events keyed every way a third-party producer keys them, and a
 * clock a year ahead, across a restart of the processor. Event times are ten minutes behind the wall clock, which
 * is the processor's reference for future events.
 */
@ExtendWith(RealStackExtension.class)
class EventGateIT {
    private static final int PARTITIONS = 4;
    private static final long W = 10_000;
    private static final long YEAR_MS = 365L * 24 * 3600 * 1000;

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "events-" + id;
    private final String kpis = "kpis-" + id;
    private final String late = "late-" + id;
    private final long t0 = (System.currentTimeMillis() / W) * W - 600_000;

    private ProcessorConfig config(RealStack stack) {
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.APPLICATION_ID, "gate-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProcessorConfig.INPUT_TOPIC, input);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, late);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.resolve("state").toString());
        return new ProcessorConfig(values);
    }

    @Test
    void shouldCountKeylessAndDifferentlyKeyedEventsOfConfluentsPythonClientExactlyNextToSdkNodes(RealStack stack)
            throws Exception {
        stack.broker().createTopics(PARTITIONS, input);
        ProcessorConfig config = config(stack);
        try (StreamProcessorApp app = new StreamProcessorApp(config);
             KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            app.start();
            // two nodes through the SDK, keyed by node id, and five through the Python client, window by window;
            // all of a window's events fall in its first 5 s, so the next window's cannot close it
            List<ChainPulseSdk> sdks = new ArrayList<>();
            for (String node : List.of("s1", "s2")) {
                sdks.add(ChainPulseSdk.builder().nodeId(node).bootstrapServers(stack.bootstrapServers())
                        .schemaRegistryUrl(stack.registryUrl()).topic(input).spoolDirectory(dir.resolve("spool")).build());
            }
            try {
                for (int w = 0; w < 3; w++) {
                    for (int s = 0; s < sdks.size(); s++) {
                        ChainPulseSdk sdk = sdks.get(s);
                        String node = sdk.nodeId();
                        for (int i = 0; i < 20; i++) {
                            long t = t0 + w * W + i * 200 + 20 + 5 + s;
                            long height = w * 100 + i;
                            sdk.recordWaiting(event(node, EventType.transaction_ingress, t).setTxId("tx-" + height).build());
                            sdk.recordWaiting(event(node, EventType.consensus_validation_start, t + 100).setHeight(height).build());
                            sdk.recordWaiting(event(node, EventType.consensus_validation_complete, t + 150).setHeight(height).build());
                        }
                        assertThat(sdk.flush(Duration.ofSeconds(60))).as("SDK %s delivered", node).isTrue();
                    }
                    runThirdPartyProducer(stack, w);
                    // re-keyed events take a second hop (the events-by-node repartition topic, visible once the
                    // processor's transaction commits): on this shared 2-core machine that hop has taken longer than
                    // two windows, so the next window waits for the processor to catch up
                    awaitCaughtUp(stack, input, "gate-it-" + id + "-events-by-node-repartition");
                }
            } finally {
                sdks.forEach(ChainPulseSdk::close);
            }
            flush(producer, config, t0 + 2 * W + 5_000, stack, TxIngressTpsTopology.METRIC, 7 * 3);

            List<String> nodes = List.of("p1", "p2", "p3", "p4", "p5", "s1", "s2");
            Map<String, KpiWindow> ingress = awaitKpis(stack, TxIngressTpsTopology.METRIC, (nodes.size() + 1) * 3);
            Map<String, KpiWindow> consensus = awaitKpis(stack, ConsensusLatencyTopology.METRIC, (nodes.size() + 1) * 3);
            for (int w = 0; w < 3; w++) {
                long start = t0 + w * W;
                for (String node : nodes) {
                    assertThat(ingress.get("node|" + node + "|" + start).getCount()).as("%s window %d", node, w)
                            .isEqualTo(20);
                    assertThat(consensus.get("node|" + node + "|" + start).getCount()).as("%s window %d", node, w)
                            .isEqualTo(20);
                    assertThat(consensus.get("node|" + node + "|" + start).getMean()).isCloseTo(50.0, within(1e-9));
                }
                assertThat(ingress.get("network||" + start).getCount()).isEqualTo(140);
                assertThat(consensus.get("network||" + start).getCount()).isEqualTo(140);
            }
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            // an ingress without its validation is an unpaired start of tx_validation_ms by design; nothing else
            assertThat(app.counters().snapshot().keySet()).as("late, future, dead or unpaired events of real nodes")
                    .filteredOn(k -> k.matches(".*\\|[ps][0-9]$") && !k.startsWith("unpaired_start|tx_validation_ms|"))
                    .isEmpty();
        }
    }

    @Test
    void shouldSetAsideEventsAYearAheadAndKeepEveryWindowOfEightNodesExactAcrossAProcessorRestart(RealStack stack)
            throws Exception {
        stack.broker().createTopics(PARTITIONS, input);
        ProcessorConfig config = config(stack);
        try (KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            try (StreamProcessorApp before = new StreamProcessorApp(config)) {
                before.start();
                for (int w = 0; w < 2; w++) {
                    ingress(producer, w);
                    if (w == 1) { // v3's clock jumps a year ahead for one event
                        send(producer, event("v3", EventType.transaction_ingress, t0 + 15_000 + YEAR_MS).setTxId("ahead-1"));
                    }
                }
                producer.flush();
                awaitCount(before, "future|events|v3");
            } // closed: offsets and the partitions' stream time committed; the processor restarts on the same state
            try (StreamProcessorApp after = new StreamProcessorApp(config)) {
                after.start();
                send(producer, event("v5", EventType.transaction_ingress, t0 + 20_500 + YEAR_MS).setTxId("ahead-2"));
                ingress(producer, 2);
                producer.flush();
                flush(producer, config, t0 + 2 * W + 39 * 200 + 8, stack, TxIngressTpsTopology.METRIC, 8 * 3);

                Map<String, KpiWindow> out = awaitKpis(stack, TxIngressTpsTopology.METRIC, 9 * 3);
                for (int w = 0; w < 3; w++) {
                    for (int n = 1; n <= 8; n++) {
                        assertThat(out.get("node|v" + n + "|" + (t0 + w * W)).getCount()).as("v%d window %d", n, w)
                                .isEqualTo(40);
                    }
                    assertThat(out.get("network||" + (t0 + w * W)).getCount()).isEqualTo(8 * 40);
                }
                System.out.println("counters after the restart: " + after.counters().snapshot());
                assertThat(after.counters().snapshot()).containsEntry("future|events|v5", 1L);
                assertThat(after.counters().snapshot().keySet()).as("late events of real nodes")
                        .filteredOn(k -> k.startsWith("late|") && k.matches(".*\\|v[0-9]$")).isEmpty();
                assertThat(after.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
            List<ConsumerRecord<String, ProtocolEvent>> setAside = readLate(stack, 2);
            assertThat(setAside.stream().map(r -> r.value().getTxId())).containsExactlyInAnyOrder("ahead-1", "ahead-2");
            assertThat(setAside).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(LateEvents.REASON_HEADER)
                    .value(), StandardCharsets.UTF_8)).startsWith("future: event time ")
                    .endsWith(" is more than 60000 ms (max.future.skew.ms) ahead of the reference clock; "
                            + "stream time not advanced"));
        }
    }

    /** Window {@code w}: 40 ingress events of each of 8 nodes, keyed by node. */
    private void ingress(KafkaProducer<String, ProtocolEvent> producer, int w) {
        for (int i = 0; i < 40; i++) {
            for (int n = 1; n <= 8; n++) {
                send(producer, event("v" + n, EventType.transaction_ingress, t0 + w * W + i * 200L + n)
                        .setTxId("t" + w + "-" + i + "-" + n));
            }
        }
    }

    /** Waits until the processor's group has committed the end of every partition of {@code topics}. */
    private void awaitCaughtUp(RealStack stack, String... topics) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
                for (String topic : topics) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
                    }
                }
                var end = admin.listOffsets(latest).all().get();
                var committed = admin.listConsumerGroupOffsets("gate-it-" + id).partitionsToOffsetAndMetadata().get();
                boolean done = end.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue().offset());
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the processor did not catch up within 120 s: committed " + committed
                            + ", end " + end);
                }
                Thread.sleep(200);
            }
        }
    }

    private static void awaitCount(StreamProcessorApp app, String counter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (app.counters().snapshot().getOrDefault(counter, 0L) < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + counter + " within 90 s: " + app.counters().snapshot());
            }
            Thread.sleep(200);
        }
        Thread.sleep(1_000); // and a commit after it
    }

    /** Runs src/test/resources/third_party_producer.py with Debian's python3 and Confluent's client. */
    private void runThirdPartyProducer(RealStack stack, int window) throws Exception {
        Path script = dir.resolve("third_party_producer.py");
        if (!Files.exists(script)) {
            try (InputStream in = getClass().getResourceAsStream("/third_party_producer.py")) {
                Files.copy(in, script);
            }
        }
        Path schema = Files.writeString(dir.resolve("ProtocolEvent.avsc"), ProtocolEvent.getClassSchema().toString());
        Path log = dir.resolve("python-" + window + ".log");
        Process python = new ProcessBuilder("/usr/bin/python3", script.toString(), stack.bootstrapServers(),
                stack.registryUrl(), input, schema.toString(), Long.toString(t0), Integer.toString(window))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(python.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
        assertThat(python.exitValue()).as("python exit code; its output: %s", Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("sent 300 events, 0 undelivered");
    }

    private ProtocolEvent.Builder event(String node, EventType type, long ms) {
        return ProtocolEvent.newBuilder().setEventId(node + "-" + type + "-" + ms).setEventType(type)
                .setTimestampNs(ms * 1_000_000L).setNodeId(node).setRound(0).setMetadata(new HashMap<>());
    }

    private void send(KafkaProducer<String, ProtocolEvent> producer, ProtocolEvent.Builder event) {
        ProtocolEvent e = event.build();
        producer.send(new ProducerRecord<>(input, e.getNodeId(), e));
    }

    private KafkaProducer<String, ProtocolEvent> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    /** Flush events into every partition: round 0, then, once the node results are out, the network rounds. */
    private void flush(KafkaProducer<String, ProtocolEvent> producer, ProcessorConfig config, long lastMs,
                       RealStack stack, String metric, int nodeResults) {
        FlushEvents flush = new FlushEvents(lastMs, config, KpiContext.of(config, new ProcessorCounters()));
        for (int round = 0; round < FlushEvents.ROUNDS; round++) {
            for (ProtocolEvent e : flush.round(round)) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(input, p, e.getNodeId(), e));
                }
            }
            producer.flush();
            if (round == 0) {
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (System.nanoTime() < deadline && read(stack, metric, Duration.ofSeconds(2), Integer.MAX_VALUE)
                        .keySet().stream().filter(k -> k.startsWith("node|")).count() < nodeResults) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    private Map<String, KpiWindow> awaitKpis(RealStack stack, String metric, int expected) {
        Map<String, KpiWindow> out = read(stack, metric, Duration.ofSeconds(120), expected);
        assertThat(out).as("final KPI records of %s", metric).hasSize(expected);
        return out;
    }

    /** Final KPI records of {@code metric} (real windows only), keyed scope|node|window start; fails on a duplicate. */
    private Map<String, KpiWindow> read(RealStack stack, String metric, Duration timeout, int expected) {
        return FinalKpis.read(stack, kpis, "read_committed", k -> k.getMetric().equals(metric)
                        && !FlushEvents.isFlushNode(k.getNodeId()) && k.getWindowStartMs() < t0 + 3 * W,
                FinalKpis::scopeNodeAndWindow, expected, timeout);
    }

    private List<ConsumerRecord<String, ProtocolEvent>> readLate(RealStack stack, int expected) {
        List<ConsumerRecord<String, ProtocolEvent>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(late).stream()
                    .map(p -> new TopicPartition(late, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(250)).forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }
}
