package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import java.util.Map;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The on-time events split once by type ({@code events-by-type-<type>}), so that each KPI stage receives only the
 * types it reads. Without it every stage got every event and filtered: each of a dozen stages costs Kafka Streams a
 * record copy per event (headers included), a fifth of the stream threads' CPU in ProcessorCatchUpHarness's profile.
 * Events of a type no KPI reads stop at their branch.
 */
final class EventsByType {
    private static final String PREFIX = "events-by-type-";

    /** By branch name: {@value #PREFIX} and the type. */
    private final Map<String, KStream<String, ProtocolEvent>> branches;

    private EventsByType(KStream<String, ProtocolEvent> events) {
        BranchedKStream<String, ProtocolEvent> split = events.split(Named.as(PREFIX));
        for (EventType type : EventType.values()) {
            split = split.branch((node, e) -> e.getEventType() == type, Branched.as(type.name()));
        }
        branches = split.noDefaultBranch();
    }

    /** Splits {@code events} (keyed by node) by type. */
    static EventsByType split(KStream<String, ProtocolEvent> events) {
        return new EventsByType(events);
    }

    /** The events of {@code type}, keyed by node. */
    KStream<String, ProtocolEvent> of(EventType type) {
        return branches.get(PREFIX + type.name());
    }

    /** The events of {@code first} and {@code others}, keyed by node, in one stream; {@code name} names the merge. */
    KStream<String, ProtocolEvent> of(String name, EventType first, EventType... others) {
        KStream<String, ProtocolEvent> merged = of(first);
        for (EventType type : others) {
            merged = merged.merge(of(type), Named.as(name + "-with-" + type.name()));
        }
        return merged;
    }
}
