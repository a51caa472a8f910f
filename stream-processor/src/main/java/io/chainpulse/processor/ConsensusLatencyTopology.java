package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code consensus_latency_ms}: {@code consensus_validation_complete − consensus_validation_start}, same node, same
 * height and round (when given); the complete event's own {@code duration_ns} wins when present.
 */
public final class ConsensusLatencyTopology {
    public static final String METRIC = Kpi.CONSENSUS_LATENCY_MS.metric();

    private ConsensusLatencyTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        LatencyKpi.sameNode(builder, events.of(METRIC, EventType.consensus_validation_start, EventType.consensus_validation_complete), new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.consensus_validation_start ? Pairing.Role.START
                        : e.getEventType() == EventType.consensus_validation_complete ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (node, e) -> e.getHeight() == null ? null
                        : node + "|" + e.getHeight() + "|" + (e.getRound() == null ? "" : e.getRound()),
                false, true), ctx);
    }
}
