package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code block_packing_ms}: {@code block_execution_start − block_packing_start}, same node, same height, in the window
 * of the execution start. Input: on-time events keyed by node; output: KpiWindow per node and network.
 */
public final class BlockPackingTopology {
    public static final String METRIC = Kpi.BLOCK_PACKING_MS.metric();

    private BlockPackingTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        LatencyKpi.sameNode(builder, events.of(METRIC, EventType.block_packing_start, EventType.block_execution_start), new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.block_packing_start ? Pairing.Role.START
                        : e.getEventType() == EventType.block_execution_start ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (node, e) -> e.getHeight() == null ? null : node + "|" + e.getHeight(), false, false), ctx);
    }
}
