package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code notify} no longer crash-loops on a bad record: it dead-letters it and posts the transitions around it. */
@ExtendWith(RealStackExtension.class)
class WebhookServiceDeadLetterIT {

    @Test
    void shouldDeadLetterPoisonOnceEachAndPostTheTransitionsAroundIt(RealStack stack) throws Exception {
        String topic = "anomalies-dl-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic);
        AvroSerializer<Anomaly> avro = new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true);
        Anomaly firing = WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH);
        Anomaly resolved = WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, Severity.HIGH);
        byte[] notAvro = "FIRING v3".getBytes(StandardCharsets.UTF_8);
        byte[] unknownId = {0, 0, 0x0f, 0x42, 0x3f, 2};
        try (Receiver receiver = new Receiver(1);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            for (byte[] value : List.of(notAvro, avro.serialize(topic, firing), unknownId, avro.serialize(topic, resolved))) {
                producer.send(new ProducerRecord<>(topic, firing.getAnomalyId().getBytes(StandardCharsets.UTF_8), value)).get();
            }
            WebhookService service = WebhookService.create(Map.of(NotifyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    NotifyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(), NotifyConfig.TOPIC, topic,
                    NotifyConfig.GROUP_ID, "webhook-dl-" + UUID.randomUUID(), NotifyConfig.WEBHOOK_URLS, receiver.url().toString(),
                    NotifyConfig.RETRY_BACKOFF_INITIAL_MS, "10"));
            Thread thread = new Thread(service::run);
            thread.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (receiver.bodies.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(thread.isAlive()).isTrue();
            assertThat(service.healthy()).isTrue();
            service.close();
            thread.join(10_000);

            assertThat(receiver.bodies).hasSize(2);
            assertThat(receiver.bodies.get(0)).contains("\"state\": \"FIRING\"");
            assertThat(receiver.bodies.get(1)).contains("\"state\": \"RESOLVED\"");
            assertThat(service.deadLetters().snapshot()).isEqualTo(Map.of(topic, 2L));
        }
        List<ConsumerRecord<byte[], byte[]>> dead = stack.broker().readCommitted(DeadLetters.TOPIC).stream()
                .filter(r -> topic.equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC_HEADER).orElse("")))
                .toList();
        assertThat(dead).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET_HEADER).orElseThrow())
                .containsExactly("0", "2");
        assertThat(dead).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.SERVICE_HEADER).orElseThrow())
                .containsExactly("notify", "notify");
        assertThat(dead.get(0).value()).isEqualTo(notAvro);
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON_HEADER)).contains("record of topic '"
                + topic + "' starts with byte 70, not the Confluent magic byte 0: it was not written by a "
                + "schema-registry serializer");
        assertThat(dead.get(1).value()).isEqualTo(unknownId);
    }
}
