package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * {@code propagation_delay_ms}: {@code block_propagation_complete} at the receiving node − {@code
 * block_propagation_start} at the origin, same {@code block_hash} and chain; scoped to the receiving node. Start and completes
 * come from different nodes, so events are first repartitioned by block hash (topic {@code …-by-block-hash}).
 */
public final class PropagationDelayTopology {
    public static final String METRIC = Kpi.PROPAGATION_DELAY_MS.metric();

    private PropagationDelayTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        KStream<String, ProtocolEvent> byHash = events
                .of(METRIC, EventType.block_propagation_start, EventType.block_propagation_complete)
                .filter((node, e) -> e.getBlockHash() != null, Named.as(METRIC + "-events"))
                .map((node, e) -> KeyValue.pair(Chains.scoped(e.getChainId(), e.getBlockHash()), e),
                        Named.as(METRIC + "-key-by-hash"))
                .repartition(Repartitioned.<String, ProtocolEvent>as(METRIC + "-by-block-hash")
                        .withKeySerde(Serdes.String()).withValueSerde(ctx.events().valueSerde()));
        String store = METRIC + "-pairs";
        builder.addStateStore(Pairing.store(store, ctx.config()));
        Pairing.Spec spec = new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.block_propagation_start ? Pairing.Role.START : Pairing.Role.COMPLETE,
                (hash, e) -> hash, true, false);
        KStream<String, Sample> samples = byHash.process(() -> new Pairing(spec, store, ctx.config().pairingTimeout(),
                ctx.config().maxLatencyMs(), ctx.counters()).rekeying(), Named.as(METRIC + "-pairing"), store);
        WindowedStats.nodeAndNetwork(WindowedStats.byKey(samples, METRIC + "-node"), METRIC, WindowedStats.Kind.LATENCY, ctx);
    }
}
