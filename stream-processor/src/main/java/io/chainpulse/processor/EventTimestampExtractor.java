package io.chainpulse.processor;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time is the node's {@code timestamp_ns} (of a protocol event, or of a resource sample), not when the record reached Kafka — unless it lies more than
 * {@code max.future.skew.ms} ahead of the reference clock (the wall clock live; the recording's progress in analyze,
 * {@link RecordingClock}). Such an event gets the partition's time instead (or the reference, before the partition
 * has one), so one broken clock never moves stream time — which would close every other node's windows early and
 * be committed with the offsets. The event gate recognises it by its record time differing from its own and sets
 * it aside with reason {@code future}. Negative event times likewise get the partition's time (Kafka Streams would
 * drop them silently) and are set aside as late; so do records without an event (they go to the dead letters).
 */
public final class EventTimestampExtractor implements TimestampExtractor {
    private final LongSupplier reference;
    private final long maxFutureSkewMs;
    /** The reference last read: an event behind it needs no new read (the wall clock only moves on). */
    private volatile long lastReference = Long.MIN_VALUE;

    public EventTimestampExtractor(LongSupplier reference, long maxFutureSkewMs) {
        this.reference = reference;
        this.maxFutureSkewMs = maxFutureSkewMs;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long ns;
        if (record.value() instanceof ProtocolEvent event) {
            ns = event.getTimestampNs();
        } else if (record.value() instanceof NodeResourceSample sample) {
            ns = sample.getTimestampNs();
        } else {
            return Math.max(partitionTime, 0); // not an event (no value): it has no time of its own to move stream time
        }
        long ms = Math.floorDiv(ns, 1_000_000L);
        if (ms < 0) {
            return Math.max(partitionTime, 0);
        }
        if (ms - maxFutureSkewMs <= lastReference) {
            return ms;
        }
        long now = reference.getAsLong();
        lastReference = now;
        if (ms - maxFutureSkewMs <= now) {
            return ms;
        }
        return partitionTime >= 0 ? partitionTime : now; // either way below ms: the gate sees it is not its own
    }
}
