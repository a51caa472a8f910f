package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/** Event time is the node's {@code timestamp_ns}, not when the record reached Kafka. */
public final class EventTimestampExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof ProtocolEvent event) {
            return Math.floorDiv(event.getTimestampNs(), 1_000_000L);
        }
        return record.timestamp();
    }
}
