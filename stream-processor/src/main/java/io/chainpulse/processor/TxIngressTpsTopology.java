package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * {@code tx_ingress_tps}: count of {@code transaction_ingress} in the window ÷ window seconds, per node; the network
 * value is the sum over nodes. Input: on-time events keyed by node.
 */
public final class TxIngressTpsTopology {
    public static final String METRIC = Kpi.TX_INGRESS_TPS.metric();

    private TxIngressTpsTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        KStream<String, Sample> ingress = events.of(EventType.transaction_ingress)
                .mapValues((node, e) -> Sample.of(node, 1), Named.as(METRIC + "-samples"));
        WindowedStats.nodeAndNetwork(ingress, METRIC, WindowedStats.Kind.RATE, ctx);
    }
}
