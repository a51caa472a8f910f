package io.chainpulse.sdk;

import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** What the SDK did with the events it was given; read by {@link SdkMetrics} and {@link ChainPulseSdk#stats()}. */
final class Counters {
    /** Why an event was dropped. */
    enum DropReason {
        /** The in-memory buffer was full: the sender could not keep up. */
        BUFFER_FULL,
        /** Kafka unreachable and the spool at its bound. */
        SPOOL_FULL,
        /** Recorded after {@link ChainPulseSdk#close()}. */
        CLOSED,
        /** Refused for good by Kafka (record too large, not authorised…). */
        REJECTED,
        /**
         * A record built elsewhere ({@link ChainPulseSdk#record(io.chainpulse.schema.ProtocolEvent)}, a resource
         * sample) named a node id that breaks the rule of {@link io.chainpulse.schema.NodeIds}.
         */
        INVALID_NODE_ID;

        String tag() {
            return name().toLowerCase();
        }
    }

    final LongAdder recorded = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder spooled = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    volatile Timer sendLatency;

    Counters() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
    }

    void drop(DropReason reason) {
        dropped.get(reason).increment();
    }

    long droppedTotal() {
        return dropped.values().stream().mapToLong(LongAdder::sum).sum();
    }

    void recordLatency(long nanos) {
        Timer timer = sendLatency;
        if (timer != null) {
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
