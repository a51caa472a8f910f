package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.RestSchemaRegistryClient;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 point 4 for a plain consumer: {@code notify} starts while the registry is SIGKILLed. It waits (unhealthy,
 * in its group, nothing committed, nothing dead-lettered), and once the registry is back posts every transition once.
 */
@ExtendWith(RealStackExtension.class)
class WebhookServiceRegistryChaosIT {

    @TempDir
    Path dir;

    @Test
    void shouldWaitForAKilledRegistryThenPostEveryTransitionOnceAndDeadLetterNothing(RealStack stack) throws Exception {
        String topic = "anomalies-chaos-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic);
        SchemaRegistry registry = SchemaRegistry.inDirectory(dir).start();
        try (Receiver receiver = new Receiver(1);
             KafkaProducer<String, Anomaly> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
                     new AvroSerializer<>(new RestSchemaRegistryClient(registry.url(), null, Duration.ofSeconds(5)), true))) {
            for (Anomaly a : List.of(WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH),
                    WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, Severity.HIGH))) {
                producer.send(new ProducerRecord<>(topic, a.getAnomalyId(), a)).get();
            }
            registry.kill();
            // a URL no client of this JVM has used: nothing cached, as in a freshly started process
            WebhookService service = WebhookService.create(Map.of(NotifyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    NotifyConfig.SCHEMA_REGISTRY_URL, registry.url() + "/", NotifyConfig.TOPIC, topic,
                    NotifyConfig.GROUP_ID, "webhook-chaos-" + UUID.randomUUID(), NotifyConfig.WEBHOOK_URLS, receiver.url().toString(),
                    NotifyConfig.RETRY_BACKOFF_INITIAL_MS, "10"));
            Thread thread = new Thread(service::run);
            thread.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (service.healthy() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(service.healthy()).as("unhealthy while it waits for the registry").isFalse();
                Thread.sleep(10_000); // the outage goes on; the consumer keeps polling, paused
                assertThat(receiver.bodies).isEmpty();
                assertThat(thread.isAlive()).isTrue();

                registry.start();
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (receiver.bodies.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(1_000); // nothing more may come
                assertThat(receiver.bodies).hasSize(2);
                assertThat(receiver.bodies.get(0)).contains("\"state\": \"FIRING\"");
                assertThat(receiver.bodies.get(1)).contains("\"state\": \"RESOLVED\"");
                assertThat(service.healthy()).isTrue();
                assertThat(service.deadLetters().snapshot()).isEmpty();
            } finally {
                service.close();
                thread.join(10_000);
            }
        } finally {
            registry.close();
        }
        assertThat(stack.broker().readCommitted(DeadLetters.TOPIC).stream()
                .filter(r -> topic.equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC_HEADER).orElse(""))))
                .isEmpty();
    }
}
