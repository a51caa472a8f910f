package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/** The shape every paired latency KPI shares: pair → samples → node and network windows. */
final class LatencyKpi {
    private LatencyKpi() {}

    /** Pairs within one node's partition (the input is keyed by node id). */
    static void sameNode(StreamsBuilder builder, KStream<String, ProtocolEvent> events, Pairing.Spec spec,
                         KpiContext ctx) {
        String store = spec.metric() + "-pairs";
        builder.addStateStore(Pairing.store(store, ctx.config()));
        KStream<String, Sample> samples = events.processValues(() -> new Pairing(spec, store,
                ctx.config().pairingTimeout(), ctx.config().maxLatencyMs(), ctx.counters()).sameKey(),
                Named.as(spec.metric() + "-pairing"), store);
        WindowedStats.nodeAndNetwork(samples, spec.metric(), WindowedStats.Kind.LATENCY, ctx);
    }
}
