package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, fault 3: the processor is restarted, then a straggler arrives for a network window it emitted before the
 * restart. The straggler must be set aside as late (counted for node {@code network}), never produce a second
 * final record: the network stage's closed-through mark comes back from its changelog.
 *
 * <p>Partition 1 carries v2's events of window 0 and then falls silent, so its node window stays open while
 * partition 0 moves on; the network window 0 closes by its grace with v1's events only. After the restart (a fresh
 * state directory: everything comes back from the changelogs) partition 1 moves on, its node window 0 closes and
 * reaches the network stage — the straggler.
 */
@ExtendWith(RealStackExtension.class)
class ProcessorRestartChaosIT {
    private static final long T0 = 1_753_784_500_000L;
    private static final String METRIC = TxIngressTpsTopology.METRIC;
    /**
     * A node whose events belong on partition 0 and one on partition 1 of two, as Kafka's default partitioner places
     * their keys: the processor re-keys events found on another partition, which would defeat the silent partition.
     */
    private static final String V1 = nodeOnPartition(0);
    private static final String V2 = nodeOnPartition(1);

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "events-" + id;
    private final String kpis = "kpis-" + id;

    @Test
    void shouldCountAStragglerForANetworkWindowEmittedBeforeARestartAsLateAndNeverEmitItTwice(RealStack stack)
            throws Exception {
        stack.broker().createTopics(2, input);
        try (KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            try (StreamProcessorApp before = new StreamProcessorApp(config(stack, "before"))) {
                before.start();
                for (int i = 0; i < 3; i++) {
                    send(producer, 0, V1, 100 + i);                        // v1: 3 events in window 0
                }
                send(producer, 1, V2, 1_000);                              // v2: 2 events in window 0, on partition 1
                send(producer, 1, V2, 2_000);
                for (long t = 10_000; t <= 70_000; t += 5_000) {
                    send(producer, 0, V1, t);                              // partition 0 moves on alone
                }
                producer.flush();
                KpiWindow network0 = await(stack, k -> k.getScope() == KpiScope.network && k.getWindowStartMs() == T0,
                        "network window 0 before the restart").get(0);
                assertThat(network0.getCount()).as("v1's events only: v2's node window is still open").isEqualTo(3);
            }

            try (StreamProcessorApp after = new StreamProcessorApp(config(stack, "after"))) {
                after.start();
                send(producer, 1, V2, 70_000);                             // partition 1 moves on: v2's window 0 closes
                producer.flush();
                KpiWindow v2 = await(stack, k -> V2.equals(k.getNodeId()) && k.getWindowStartMs() == T0,
                        "v2's node window 0 after the restart").get(0);
                assertThat(v2.getCount()).isEqualTo(2);
                awaitLate(after);

                for (long t = 75_000; t <= 120_000; t += 5_000) {            // time enough for a reopened window to close
                    send(producer, 0, V1, t);
                    send(producer, 1, V2, t);
                }
                flush(producer, config(stack, "after"), T0 + 120_000);
                await(stack, k -> k.getScope() == KpiScope.network && k.getWindowStartMs() == T0 + 110_000,
                        "network window 11, after every window before it");

                Map<String, List<KpiWindow>> all = readAll(stack);
                // the flush node's windows are left out: its events went to both partitions, so each has its own
                assertThat(all.entrySet()).as("keys on %s with more than one final record", kpis)
                        .filteredOn(e -> !FlushEvents.isFlushNode(e.getValue().get(0).getNodeId()))
                        .filteredOn(e -> e.getValue().size() != 1).isEmpty();
                String network0Key = WindowedStats.key(METRIC, KpiScope.network, null, T0);
                assertThat(all.get(network0Key)).singleElement()
                        .satisfies(k -> assertThat(k.getCount()).isEqualTo(3));
                assertThat(after.counters().snapshot()).containsEntry("late|" + METRIC + "|network", 1L);
            }
        }
    }

    private static String nodeOnPartition(int partition) {
        for (int i = 1; ; i++) {
            String node = "v" + i;
            if (org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                    node.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 2 == partition) {
                return node;
            }
        }
    }

    private ProcessorConfig config(RealStack stack, String instance) {
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.APPLICATION_ID, "restart-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProcessorConfig.INPUT_TOPIC, input);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, "late-" + id);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.resolve(instance).toString()); // "after" restores from changelogs
        return new ProcessorConfig(values);
    }

    private void awaitLate(StreamProcessorApp app) throws InterruptedException {
        String key = "late|" + METRIC + "|network";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (app.counters().snapshot().getOrDefault(key, 0L) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(app.counters().snapshot()).as("the straggler set aside").containsEntry(key, 1L);
    }

    private void send(KafkaProducer<String, ProtocolEvent> producer, int partition, String node, long offsetMs) {
        ProtocolEvent e = ProtocolEvent.newBuilder().setEventId(node + "-" + offsetMs)
                .setEventType(EventType.transaction_ingress).setTxId(node + "-tx-" + offsetMs)
                .setTimestampNs((T0 + offsetMs) * 1_000_000L).setNodeId(node).setMetadata(new HashMap<>()).build();
        producer.send(new ProducerRecord<>(input, partition, node, e));
    }

    /** Flush events into both partitions, so every window of the real events is final. */
    private void flush(KafkaProducer<String, ProtocolEvent> producer, ProcessorConfig config, long lastMs) {
        FlushEvents flush = new FlushEvents(lastMs, config, KpiContext.of(config, new ProcessorCounters(), 2));
        for (ProtocolEvent e : flush.events()) {
            for (int p = 0; p < 2; p++) {
                producer.send(new ProducerRecord<>(input, p, e.getNodeId(), e));
            }
        }
        producer.flush();
    }

    private KafkaProducer<String, ProtocolEvent> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    /** Waits up to 2 minutes for a committed KPI of {@link #METRIC} matching {@code wanted}; returns those read. */
    private List<KpiWindow> await(RealStack stack, Predicate<KpiWindow> wanted, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            List<KpiWindow> found = readAll(stack).values().stream().flatMap(List::stream)
                    .filter(k -> k.getMetric().equals(METRIC)).filter(wanted).toList();
            if (!found.isEmpty()) {
                return found;
            }
        }
        throw new AssertionError("no " + what + " on " + kpis + " after 2 minutes");
    }

    /** The whole KPI topic, read_committed: every record by key, in the order read. */
    private Map<String, List<KpiWindow>> readAll(RealStack stack) {
        Map<String, List<KpiWindow>> out = new TreeMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(kpis).stream()
                    .map(p -> new TopicPartition(kpis, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the last stable offset
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
                }
            }
        }
        return out;
    }
}
