package io.chainpulse.schema.deadletter;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.DeadLetters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a plain consumer's poison records to {@link DeadLetters#TOPIC} — key and value bytes unchanged, headers
 * naming source topic, partition, offset, service and reason — and counts them. {@link #publish} returns once the
 * broker has the dead letter, so the caller may commit past the record right after: a dead letter is never lost.
 *
 * <pre>{@code
 * try (DeadLetterPublisher deadLetters = DeadLetterPublisher.create("127.0.0.1:9092", new DeadLetterCounter("notify"))) {
 *     RecordDecoder<Anomaly> decoder = new RecordDecoder<>(anomalyDeserializer, deadLetters);
 * }
 * }</pre>
 * Poison is rare, so each dead letter is sent synchronously. Thread-safe.
 */
public final class DeadLetterPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final DeadLetterCounter counter;
    private final boolean ownsProducer;

    public DeadLetterPublisher(Producer<byte[], byte[]> producer, DeadLetterCounter counter) {
        this(producer, counter, false);
    }

    private DeadLetterPublisher(Producer<byte[], byte[]> producer, DeadLetterCounter counter, boolean ownsProducer) {
        this.producer = producer;
        this.counter = counter;
        this.ownsProducer = ownsProducer;
    }

    /** A publisher with its own idempotent producer to {@code bootstrapServers}, closed with it. */
    public static DeadLetterPublisher create(Object bootstrapServers, DeadLetterCounter counter) {
        return create(bootstrapServers, Map.of(), counter);
    }

    /**
     * A publisher with its own idempotent producer to {@code bootstrapServers}, closed with it, configured with the
     * Kafka client keys of {@code settings} ({@link ClientSettings#forClient} with the {@code producer.} prefix: e.g.
     * {@code security.protocol}, {@code sasl.*}).
     */
    public static DeadLetterPublisher create(Object bootstrapServers, Map<String, ?> settings,
                                             DeadLetterCounter counter) {
        Map<String, Object> props = ClientSettings.forClient(settings, ClientSettings.PRODUCER);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers instanceof List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(bootstrapServers));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "chainpulse-" + counter.service() + "-dead-letters");
        return new DeadLetterPublisher(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()),
                counter, true);
    }

    public String service() {
        return counter.service();
    }

    public DeadLetterCounter counter() {
        return counter;
    }

    /** Sends {@code record} to the dead letters because of {@code reason}; returns once acknowledged. */
    public void publish(ConsumerRecord<byte[], byte[]> record, String reason) {
        LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        try {
            producer.send(DeadLetters.record(record.topic(), record.partition(), record.offset(), counter.service(),
                    reason, record.key(), record.value())).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while dead-lettering " + record.topic() + "-" + record.partition()
                    + "@" + record.offset(), e);
        } catch (ExecutionException e) {
            throw new KafkaException("could not write the dead letter of " + record.topic() + "-" + record.partition()
                    + "@" + record.offset() + " to " + DeadLetters.TOPIC + ": " + e.getCause().getMessage(), e.getCause());
        }
        counter.increment(record.topic());
    }

    @Override
    public void close() {
        if (ownsProducer) {
            producer.close();
        }
    }
}
