package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code block_execution_ms}: {@code block_execution_complete − block_execution_start}, same node, same height, in
 * the window of the complete event. Input: on-time events keyed by node; output: KpiWindow per node and network.
 */
public final class BlockExecutionTopology {
    public static final String METRIC = Kpi.BLOCK_EXECUTION_MS.metric();

    private BlockExecutionTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        LatencyKpi.sameNode(builder, events.of(METRIC, EventType.block_execution_start, EventType.block_execution_complete), new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.block_execution_start ? Pairing.Role.START
                        : e.getEventType() == EventType.block_execution_complete ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (node, e) -> e.getHeight() == null ? null : node + "|" + e.getHeight(), false, false), ctx);
    }
}
