package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a real broker and a real schema registry (Apicurio), including broker failures. */
@ExtendWith(RealStackExtension.class)
class ProducerSdkIT {
    @TempDir
    Path dir;

    @Test
    void shouldPublishConfluentFramedAvroKeyedByNodeWithTimedPairs(RealStack stack) throws Exception {
        String topic = "sdk-it-" + UUID.randomUUID();
        stack.broker().createTopics(2, topic);
        try (ChainPulseSdk sdk = sdk("v7", stack.bootstrapServers(), stack.registryUrl(), topic).chainId("testnet").build()) {
            sdk.event(EventType.transaction_ingress).txId("0xab").sizeBytes(230).metadata("amount", "100").record();
            try (Timing t = sdk.time(Phase.BLOCK_EXECUTION, 42)) {
                t.completeEvent().gasUsed(21_000);
                Thread.sleep(20);
            }
            assertThat(sdk.flush(Duration.ofSeconds(30))).isTrue();
        }

        List<ConsumerRecord<String, ProtocolEvent>> records = readAll(stack.bootstrapServers(), stack.registryUrl(), topic, 3);

        assertThat(records).extracting(ConsumerRecord::key).containsOnly("v7");
        List<ProtocolEvent> events = records.stream().map(ConsumerRecord::value).toList();
        assertThat(events).extracting(ProtocolEvent::getEventType).containsExactly(
                EventType.transaction_ingress, EventType.block_execution_start, EventType.block_execution_complete);
        ProtocolEvent ingress = events.get(0);
        assertThat(ingress.getTxId()).isEqualTo("0xab");
        assertThat(ingress.getSizeBytes()).isEqualTo(230L);
        assertThat(ingress.getChainId()).isEqualTo("testnet");
        assertThat(ingress.getMetadata()).containsExactly(Map.entry("amount", "100"));
        ProtocolEvent start = events.get(1);
        ProtocolEvent complete = events.get(2);
        assertThat(start.getHeight()).isEqualTo(42L);
        assertThat(complete.getHeight()).isEqualTo(42L);
        assertThat(complete.getGasUsed()).isEqualTo(21_000L);
        assertThat(complete.getStatus()).isEqualTo(EventStatus.success);
        assertThat(complete.getDurationNs()).isGreaterThanOrEqualTo(20_000_000L);
        assertThat(complete.getTimestampNs()).isEqualTo(start.getTimestampNs() + complete.getDurationNs());
        assertThat(Set.of(ingress.getEventId(), start.getEventId(), complete.getEventId())).hasSize(3);
    }

    @Test
    void shouldDeliverEveryEventExactlyOnceWhenTheBrokerIsKilledAndRestartedMidStream(RealStack stack) throws Exception {
        int total = 40_000;
        String topic = "sdk-outage";
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start()) {
            broker.createTopics(1, topic);
            try (ChainPulseSdk sdk = sdk("v1", broker.bootstrapServers(), stack.registryUrl(), topic)
                    .stallTimeout(Duration.ofMillis(500)).build()) {
                for (int i = 0; i < total; i++) {
                    sdk.event(EventType.consensus_vote).height(i).metadata("seq", Integer.toString(i)).record();
                    if (i % 1_000 == 999) {
                        Thread.sleep(50); // ~20k events/s: the outage lands mid-stream
                    }
                    if (i == total / 4) {
                        broker.kill();
                    }
                    if (i == total / 2) {
                        broker.start();
                    }
                }
                assertThat(sdk.flush(Duration.ofSeconds(90))).isTrue();
                ChainPulseSdk.Stats stats = sdk.stats();
                assertThat(stats.dropped()).isZero();
                assertThat(stats.spooled()).as("the outage must have sent events through the spool").isPositive();
                assertThat(stats.sent()).as("acknowledged events; stats %s", stats).isEqualTo(total);
            }

            assertExactlyOnceInOrder(readAll(broker.bootstrapServers(), stack.registryUrl(), topic, total), total);
        }
    }

    @Test
    void shouldSendWhatAnEarlierRunLeftInTheSpoolWhenStartedAgain(RealStack stack) throws Exception {
        int total = 5_000;
        String topic = "sdk-restart";
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start()) {
            broker.createTopics(1, topic);
            broker.kill();
            try (ChainPulseSdk first = sdk("v2", broker.bootstrapServers(), stack.registryUrl(), topic).build()) {
                for (int i = 0; i < total; i++) {
                    first.event(EventType.transaction_ingress).metadata("seq", Integer.toString(i)).record();
                }
                first.close(Duration.ofSeconds(5));
                assertThat(first.stats().spooled()).isEqualTo(total);
            }

            broker.start();
            try (ChainPulseSdk second = sdk("v2", broker.bootstrapServers(), stack.registryUrl(), topic).build()) {
                assertThat(second.flush(Duration.ofSeconds(60))).isTrue();
                assertThat(second.stats().replayed()).isEqualTo(total);
            }

            assertExactlyOnceInOrder(readAll(broker.bootstrapServers(), stack.registryUrl(), topic, total), total);
        }
    }

    @Test
    void shouldPublishResourceSamplesToTheirOwnTopicWithTheirOwnSchemaIdKeyedByNode(RealStack stack) throws Exception {
        String topic = "sdk-events-" + UUID.randomUUID();
        String resources = "sdk-resources-" + UUID.randomUUID();
        stack.broker().createTopics(2, topic, resources);
        NodeResourceSample first = ChainPulseSdkTest.sample("v8", 1_753_784_505_000_000_000L, 12.5, 104_857_600L, 17);
        NodeResourceSample second = ChainPulseSdkTest.sample("v8", 1_753_784_510_000_000_000L, 80.0, 314_572_800L, 0);
        try (ChainPulseSdk sdk = sdk("v8", stack.bootstrapServers(), stack.registryUrl(), topic)
                .set(SdkConfig.RESOURCES_TOPIC, resources).build()) {
            sdk.event(EventType.transaction_ingress).txId("0x01").metadata("seq", "0").record();
            sdk.recordResources(first);
            sdk.event(EventType.transaction_ingress).txId("0x02").metadata("seq", "1").record();
            sdk.recordResources(second);
            assertThat(sdk.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(sdk.stats().sent()).isEqualTo(4);
        }

        SchemaRegistryClient registry = SchemaRegistryClients.forUrl(stack.registryUrl());
        int eventSchema = registry.lookup(topic + "-value", ProtocolEvent.getClassSchema());
        int sampleSchema = registry.lookup(resources + "-value", NodeResourceSample.getClassSchema());
        assertThat(sampleSchema).isNotEqualTo(eventSchema);

        List<ConsumerRecord<String, byte[]>> samples = readAll(stack.bootstrapServers(), resources, 2,
                new ByteArrayDeserializer());
        assertThat(samples).extracting(ConsumerRecord::key).containsExactly("v8", "v8");
        assertThat(samples).allSatisfy(r -> assertThat(schemaId(r.value())).isEqualTo(sampleSchema));
        assertThat(samples).extracting(r -> decode(r.value(), NodeResourceSample.class)).containsExactly(first, second);

        List<ConsumerRecord<String, byte[]>> events = readAll(stack.bootstrapServers(), topic, 2,
                new ByteArrayDeserializer());
        assertThat(events).extracting(ConsumerRecord::key).containsExactly("v8", "v8");
        assertThat(events).allSatisfy(r -> assertThat(schemaId(r.value())).isEqualTo(eventSchema));
        assertThat(events).extracting(r -> decode(r.value(), ProtocolEvent.class).getTxId()).containsExactly("0x01", "0x02");
    }

    @Test
    void shouldReplayEventsAndResourceSamplesAnEarlierRunSpooledInOrderToTheirTopics(RealStack stack) throws Exception {
        int total = 3_000;
        String topic = "sdk-restart-events";
        String resources = "sdk-restart-resources";
        List<NodeResourceSample> recorded = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start()) {
            broker.createTopics(1, topic, resources);
            broker.kill();
            try (ChainPulseSdk first = sdk("v9", broker.bootstrapServers(), stack.registryUrl(), topic)
                    .set(SdkConfig.RESOURCES_TOPIC, resources).build()) {
                for (int i = 0; i < total; i++) {
                    first.event(EventType.transaction_ingress).metadata("seq", Integer.toString(i)).record();
                    if (i % 100 == 0) {
                        NodeResourceSample sample = ChainPulseSdkTest.sample("v9", i, i / 10.0, 1_000L * i, i);
                        recorded.add(sample);
                        first.recordResources(sample);
                    }
                }
                first.close(Duration.ofSeconds(5));
                assertThat(first.stats().spooled()).isEqualTo(total + 30);
            }

            broker.start();
            try (ChainPulseSdk second = sdk("v9", broker.bootstrapServers(), stack.registryUrl(), topic)
                    .set(SdkConfig.RESOURCES_TOPIC, resources).build()) {
                assertThat(second.flush(Duration.ofSeconds(60))).isTrue();
                assertThat(second.stats().replayed()).isEqualTo(total + 30);
            }

            assertExactlyOnceInOrder(readAll(broker.bootstrapServers(), stack.registryUrl(), topic, total), total);
            List<ConsumerRecord<String, byte[]>> samples = readAll(broker.bootstrapServers(), resources, 30,
                    new ByteArrayDeserializer());
            assertThat(samples).extracting(ConsumerRecord::key).containsOnly("v9");
            assertThat(samples).extracting(r -> decode(r.value(), NodeResourceSample.class))
                    .containsExactlyElementsOf(recorded);
        }
    }

    private static int schemaId(byte[] value) {
        assertThat(value[0]).as("Confluent magic byte").isZero();
        return java.nio.ByteBuffer.wrap(value, 1, 4).getInt();
    }

    private static <T> T decode(byte[] value, Class<T> type) {
        try {
            return new SpecificDatumReader<>(type).read(null,
                    DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ChainPulseSdk.Builder sdk(String node, String bootstrap, String registry, String topic) {
        return ChainPulseSdk.builder().nodeId(node).bootstrapServers(bootstrap).schemaRegistryUrl(registry)
                .topic(topic).spoolDirectory(dir.resolve("spool"));
    }

    private static void assertExactlyOnceInOrder(List<ConsumerRecord<String, ProtocolEvent>> records, int total) {
        Set<String> ids = new HashSet<>();
        List<Integer> sequence = new ArrayList<>();
        for (ConsumerRecord<String, ProtocolEvent> record : records) {
            ids.add(record.value().getEventId());
            sequence.add(Integer.parseInt(record.value().getMetadata().get("seq")));
        }
        assertThat(records).hasSize(total);
        assertThat(ids).hasSize(total);
        assertThat(sequence).isSorted();
    }

    private static List<ConsumerRecord<String, ProtocolEvent>> readAll(String bootstrap, String registry, String topic,
                                                                      int expected) {
        return readAll(bootstrap, topic, expected, new AvroDeserializer<>(ProtocolEvent.class,
                io.chainpulse.schema.registry.SchemaRegistryClients.forUrl(registry)));
    }

    private static <V> List<ConsumerRecord<String, V>> readAll(String bootstrap, String topic, int expected,
                                                               Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                var batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    // keep reading a little: duplicates would arrive after the expected count
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }
}
