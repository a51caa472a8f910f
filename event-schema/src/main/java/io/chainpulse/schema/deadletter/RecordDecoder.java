package io.chainpulse.schema.deadletter;

import io.chainpulse.schema.registry.RegistryUnavailableException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes a plain consumer's records <em>outside</em> {@code poll()}: the consumer reads bytes, and a record that
 * cannot be decoded — not Avro, an unknown schema id, a corrupt or incompatible body — goes to the dead letters and
 * comes back empty, so the loop moves on. (A consumer that deserializes inside {@code poll()} throws there on every
 * retry and never gets past the bad record.)
 *
 * <pre>{@code
 * for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
 *     decoder.decode(record).ifPresent(this::handle);
 * }
 * consumer.commitSync();
 * }</pre>
 * A registry that cannot be reached is not poison: the deserializer's {@code RegistryWait} waits for it, and if it
 * gives up, the {@link RegistryUnavailableException} propagates — nothing is dead-lettered and nothing past the record
 * may be committed.
 */
public final class RecordDecoder<T> {
    private final Deserializer<T> deserializer;
    private final DeadLetterPublisher deadLetters;

    public RecordDecoder(Deserializer<T> deserializer, DeadLetterPublisher deadLetters) {
        this.deserializer = deserializer;
        this.deadLetters = deadLetters;
    }

    /**
     * The record's value; empty for a tombstone (nothing is dead-lettered) or a poison record (dead-lettered and
     * counted before this returns).
     */
    public Optional<T> decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(deserializer.deserialize(record.topic(), record.headers(), record.value()));
        } catch (SerializationException e) {
            deadLetters.publish(record, e.getMessage());
            return Optional.empty();
        }
    }
}
