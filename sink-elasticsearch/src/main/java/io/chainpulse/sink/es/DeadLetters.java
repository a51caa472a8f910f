package io.chainpulse.sink.es;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter topic: the original key and value bytes of a record that cannot be indexed, untouched so it can be
 * replayed once fixed, with why and where it came from in headers. {@link #awaitAcknowledged()} must return before
 * the source offsets are committed, so a dead letter is never lost either.
 */
final class DeadLetters {
    static final String REASON = "chainpulse.dlq.reason";
    static final String STATUS = "chainpulse.dlq.status";
    static final String TOPIC = "chainpulse.dlq.topic";
    static final String PARTITION = "chainpulse.dlq.partition";
    static final String OFFSET = "chainpulse.dlq.offset";
    static final String INDEX = "chainpulse.dlq.index";
    static final String ID = "chainpulse.dlq.id";
    /** Headers carry at most this many characters of Elasticsearch's reason (which can quote the whole document). */
    static final int MAX_REASON_CHARS = 2_000;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final List<Future<RecordMetadata>> inFlight = new ArrayList<>();

    DeadLetters(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** Sends {@code origin} to the dead-letter topic; {@code status} 0 and {@code doc} null when it never reached ES. */
    void send(ConsumerRecord<byte[], byte[]> origin, int status, String reason, IndexDoc doc) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, utf8(reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason));
        headers.add(STATUS, utf8(Integer.toString(status)));
        headers.add(TOPIC, utf8(origin.topic()));
        headers.add(PARTITION, utf8(Integer.toString(origin.partition())));
        headers.add(OFFSET, utf8(Long.toString(origin.offset())));
        if (doc != null) {
            headers.add(INDEX, utf8(doc.index()));
            headers.add(ID, utf8(doc.id()));
        }
        inFlight.add(producer.send(new ProducerRecord<>(topic, null, origin.key(), origin.value(), headers)));
    }

    /** Blocks until every dead letter sent so far is acknowledged by the broker. */
    void awaitAcknowledged() throws InterruptedException {
        producer.flush();
        try {
            for (Future<RecordMetadata> future : inFlight) {
                future.get();
            }
        } catch (ExecutionException e) {
            throw new SinkEsException("could not write to dead-letter topic " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } finally {
            inFlight.clear();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
