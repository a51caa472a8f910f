package io.chainpulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.sdk.SdkConfig;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A simulated network through one real SDK per validator into the real broker and registry. */
@ExtendWith(RealStackExtension.class)
class SdkPublisherIT {
    private static final long START_MS = 1_753_784_500_000L;

    @TempDir
    Path dir;

    @Test
    void shouldPublishEveryValidatorsEventsAndResourceSamplesThroughItsOwnSdk(RealStack stack) throws Exception {
        Scenario scenario = Scenario.builtIn("baseline").withDuration(Duration.ofSeconds(20));
        List<ProtocolEvent> expectedEvents = new ArrayList<>();
        List<NodeResourceSample> expectedSamples = new ArrayList<>();
        new NetworkSimulator(scenario, START_MS).run(expectedEvents::add, expectedSamples::add);
        String events = "sim-events-" + UUID.randomUUID();
        String resources = "sim-resources-" + UUID.randomUUID();
        stack.broker().createTopics(2, events, resources);

        try (SdkPublisher publisher = new SdkPublisher(new NetworkSimulator(scenario, START_MS),
                node -> ChainPulseSdk.builder().nodeId(node).chainId(scenario.chainId())
                        .bootstrapServers(stack.bootstrapServers()).schemaRegistryUrl(stack.registryUrl())
                        .topic(events).set(SdkConfig.RESOURCES_TOPIC, resources)
                        .spoolDirectory(dir.resolve("spool")).build())) {
            assertThat(publisher.run(0)).isEqualTo(expectedEvents.size());
            assertThat(publisher.publishedSamples()).isEqualTo(16); // 4 validators, 20 s, one every 5 s
            assertThat(publisher.flush(Duration.ofSeconds(60))).isTrue();
        }

        List<ConsumerRecord<String, NodeResourceSample>> samples = readAll(stack, resources, 16,
                new AvroDeserializer<>(NodeResourceSample.class, SchemaRegistryClients.forUrl(stack.registryUrl())));
        assertThat(samples).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getNodeId()));
        // per node (one partition each), in the order they were taken
        assertThat(byNode(samples.stream().map(ConsumerRecord::value).toList()))
                .isEqualTo(byNode(expectedSamples));
        List<ConsumerRecord<String, ProtocolEvent>> published = readAll(stack, events, expectedEvents.size(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(stack.registryUrl())));
        assertThat(published).hasSize(expectedEvents.size());
    }

    private static Map<String, List<NodeResourceSample>> byNode(List<NodeResourceSample> samples) {
        return samples.stream().collect(Collectors.groupingBy(s -> s.getNodeId().toString(), TreeMap::new,
                Collectors.toList()));
    }

    private static <V> List<ConsumerRecord<String, V>> readAll(RealStack stack, String topic, int expected,
                                                               Deserializer<V> values) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // duplicates would come now
                }
            }
        }
        return out;
    }
}
