package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Anomaly topic on the real broker → webhook service → a real local HTTP receiver. */
@ExtendWith(RealStackExtension.class)
class WebhookServiceIT {

    @Test
    void shouldPostEveryTransitionFromTheTopicOnce(RealStack stack) throws Exception {
        String topic = "anomalies-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic);
        try (Receiver receiver = new Receiver(1);
             KafkaProducer<String, Anomaly> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
                     new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true))) {
            for (Anomaly a : List.of(WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH),
                    WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH),
                    WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, Severity.HIGH))) {
                producer.send(new ProducerRecord<>(topic, a.getAnomalyId(), a)).get();
            }
            WebhookService service = WebhookService.create(Map.of(
                    NotifyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    NotifyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(),
                    NotifyConfig.TOPIC, topic,
                    NotifyConfig.GROUP_ID, "webhook-" + UUID.randomUUID(),
                    NotifyConfig.WEBHOOK_URLS, receiver.url().toString(),
                    NotifyConfig.RETRY_BACKOFF_INITIAL_MS, "10"));
            Thread thread = new Thread(service::run);
            thread.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (receiver.bodies.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(500);
            service.close();
            thread.join(10_000);

            assertThat(receiver.bodies).hasSize(2);
            assertThat(receiver.bodies.get(0)).contains("\"state\": \"FIRING\"");
            assertThat(receiver.bodies.get(1)).contains("\"state\": \"RESOLVED\"");
            assertThat(service.duplicates()).isEqualTo(1);
            assertThat(service.retries()).isEqualTo(1);
        }
    }
}
