package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code validation_failure_pct} (node): a node's {@code transaction_validation_complete} and {@code
 * consensus_validation_complete} events with status failure ÷ those of both with status success or failure × 100, in
 * the window of the complete (no status or UNKNOWN: not counted). One test of all a node's validations: a node that
 * rejects what its peers accept fails both, and 3 of 38 pooled say it sooner than 2 of 28 and 1 of 10 apart.
 * Input: on-time events keyed by node; output: a KpiWindow per node, the percentage as {@code mean}, the validations
 * as {@code count}. No network window (the two ratios of their own have one).
 */
public final class ValidationFailureTopology {
    public static final String METRIC = Kpi.VALIDATION_FAILURE_PCT.metric();

    private ValidationFailureTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        WindowedStats.oneScope(FailureRatioKpi.samples(events.of(METRIC, EventType.transaction_validation_complete,
                EventType.consensus_validation_complete), METRIC), METRIC, KpiScope.node, WindowedStats.Kind.LATENCY, ctx);
    }
}
