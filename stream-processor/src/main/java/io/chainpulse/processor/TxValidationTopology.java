package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code tx_validation_ms}: {@code transaction_validation_complete − transaction_ingress}, same node, same
 * {@code tx_id}: how long a transaction waited and was validated after reaching the node.
 */
public final class TxValidationTopology {
    public static final String METRIC = Kpi.TX_VALIDATION_MS.metric();

    private TxValidationTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        LatencyKpi.sameNode(builder, events.of(METRIC, EventType.transaction_ingress, EventType.transaction_validation_complete), new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.transaction_ingress ? Pairing.Role.START
                        : e.getEventType() == EventType.transaction_validation_complete ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (node, e) -> e.getTxId() == null ? null : node + "|" + e.getTxId(), false, false), ctx);
    }
}
