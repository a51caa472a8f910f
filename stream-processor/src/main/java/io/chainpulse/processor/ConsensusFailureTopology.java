package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code consensus_failure_pct}: {@code consensus_validation_complete} events with status failure ÷ those with status
 * success or failure × 100, per node and network, in the window of the complete (no status or UNKNOWN: not counted).
 * Input: on-time events keyed by node; output: KpiWindow per node and network, the percentage as {@code mean}.
 */
public final class ConsensusFailureTopology {
    public static final String METRIC = Kpi.CONSENSUS_FAILURE_PCT.metric();

    private ConsensusFailureTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        FailureRatioKpi.of(events, EventType.consensus_validation_complete, METRIC, ctx);
    }
}
