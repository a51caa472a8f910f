package io.chainpulse.anomaly.notify;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Consumes the anomaly topic in its own consumer group ({@code read_committed}) and hands each transition to a
 * {@link WebhookNotifier}; offsets are committed after the posts, so a restart re-posts at most the last batch (and
 * the notifier skips what it already posted).
 */
public final class WebhookService implements AutoCloseable {
    private final KafkaConsumer<String, Anomaly> consumer;
    private final WebhookNotifier notifier;
    private final String topic;
    private final AtomicBoolean closed = new AtomicBoolean();

    public WebhookService(String bootstrapServers, String registryUrl, String topic, String groupId, WebhookNotifier notifier) {
        this.topic = topic;
        this.notifier = notifier;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new AvroDeserializer<>(Anomaly.class, SchemaRegistryClients.forUrl(registryUrl)));
    }

    /** Until {@link #close()}. */
    public void run() throws InterruptedException {
        consumer.subscribe(List.of(topic));
        try {
            while (!closed.get()) {
                for (ConsumerRecord<String, Anomaly> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        notifier.notify(record.value());
                    }
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    public WebhookNotifier notifier() {
        return notifier;
    }

    @Override
    public void close() {
        closed.set(true);
        consumer.wakeup();
    }
}
