package io.chainpulse.anomaly.notify;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes the anomaly topic in its own consumer group ({@code read_committed}) and hands each transition to a
 * {@link WebhookNotifier}; offsets are committed after the posts, so a restart re-posts at most the last batch (and
 * the notifier skips what it already posted).
 *
 * <p>Records are decoded outside {@code poll()} ({@link RecordDecoder}): one that cannot be decoded goes to
 * {@code chainpulse.dead-letters} and the loop goes on. While the schema registry cannot be reached the consumer waits
 * for it, polling with its partitions paused, commits nothing, and {@link #healthy()} is false.
 */
public final class WebhookService implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetterCounter deadLetters = new DeadLetterCounter("notify");
    private final DeadLetterPublisher deadLetterPublisher;
    private final RegistryWait registryWait;
    private final RecordDecoder<Anomaly> decoder;
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
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.registryWait = RegistryWait.untilBack(RegistryWait.pollingPaused(consumer));
        this.deadLetterPublisher = DeadLetterPublisher.create(bootstrapServers, deadLetters);
        this.decoder = new RecordDecoder<>(new AvroDeserializer<>(Anomaly.class, SchemaRegistryClients.forUrl(registryUrl),
                registryWait), deadLetterPublisher);
    }

    /** Until {@link #close()}. */
    public void run() throws InterruptedException {
        consumer.subscribe(List.of(topic));
        try {
            while (!closed.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Optional<Anomaly> anomaly = decoder.decode(record);
                    if (anomaly.isPresent()) {
                        notifier.notify(anomaly.get());
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
            deadLetterPublisher.close();
        }
    }

    /** Records sent to the dead letters, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /** False while waiting for the schema registry. */
    public boolean healthy() {
        return !closed.get() && !registryWait.waiting();
    }

    public WebhookNotifier notifier() {
        return notifier;
    }

    @Override
    public void close() {
        closed.set(true);
        registryWait.close();
        consumer.wakeup();
    }
}
