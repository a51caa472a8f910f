package io.chainpulse.schema;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter contract shared by every service that reads a topic: a record that cannot be decoded or processed
 * (not Avro, unknown schema id, incompatible schema, invalid node id) is copied, key and value bytes unchanged, to
 * {@value #TOPIC} with headers naming where it came from and why, counted, and the service goes on. A registry that
 * cannot be reached is <b>not</b> poison: services wait for it instead.
 *
 * <pre>{@code
 * producer.send(DeadLetters.record(record.topic(), record.partition(), record.offset(), "sink-es",
 *         "not Avro: magic byte 0x7b", record.key(), record.value()));
 * }</pre>
 * {@code ./chainpulse dead-letters} lists them and can re-publish them to their source topic.
 */
public final class DeadLetters {
    public static final String TOPIC = io.chainpulse.schema.catalog.Topics.DEAD_LETTERS.name();
    public static final String SOURCE_TOPIC_HEADER = "chainpulse.source.topic";
    public static final String SOURCE_PARTITION_HEADER = "chainpulse.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "chainpulse.source.offset";
    public static final String SERVICE_HEADER = "chainpulse.service";
    /** The same header name the late-events topic uses for its reason. */
    public static final String REASON_HEADER = "chainpulse.reason";

    private DeadLetters() {}

    /** The headers of a dead letter. */
    public static Headers headers(String sourceTopic, int partition, long offset, String service, String reason) {
        Headers headers = new RecordHeaders();
        headers.add(SOURCE_TOPIC_HEADER, utf8(sourceTopic));
        headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(offset)));
        headers.add(SERVICE_HEADER, utf8(service));
        headers.add(REASON_HEADER, utf8(reason));
        return headers;
    }

    /** A dead letter for {@link #TOPIC}: the original key and value bytes, with {@link #headers}. */
    public static ProducerRecord<byte[], byte[]> record(String sourceTopic, int partition, long offset, String service,
                                                        String reason, byte[] key, byte[] value) {
        return new ProducerRecord<>(TOPIC, null, null, key, value, headers(sourceTopic, partition, offset, service, reason));
    }

    /** A header's value as text, if present. */
    public static Optional<String> header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
