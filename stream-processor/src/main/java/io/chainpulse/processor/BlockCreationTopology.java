package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code block_creation_ms}: {@code block_finalization − block_creation_start}, same node, same height (the
 * proposer's own view of how long its block took to become final). Either may arrive first. Finalizations at nodes
 * that did not create the block have no start: they wait like any complete (the start may still come) and are evicted
 * without being counted as unpaired. Input: on-time events keyed by node.
 */
public final class BlockCreationTopology {
    public static final String METRIC = Kpi.BLOCK_CREATION_MS.metric();

    private BlockCreationTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        LatencyKpi.sameNode(builder, events.of(METRIC, EventType.block_creation_start, EventType.block_finalization), new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.block_creation_start ? Pairing.Role.START
                        : e.getEventType() == EventType.block_finalization ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (node, e) -> e.getHeight() == null ? null : node + "|" + e.getHeight(), false, false, Pairing.LoneComplete.NORMAL), ctx);
    }
}
