package io.chainpulse.processor;

import org.apache.kafka.streams.kstream.Consumed;
import io.chainpulse.schema.ProtocolEvent;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;

/**
 * All KPI topologies on one event stream. Input {@code chainpulse.events} (ProtocolEvent, any key: the gate keys
 * it by {@code node_id}; event time = {@code timestamp_ns}); outputs {@code chainpulse.kpis} (final KpiWindow per
 * chain, metric, scope, node and window: a network is one chain's, see {@link EventGate} and {@link WindowedStats}), {@code chainpulse.late-events} (late, future and max.nodes events, with the
 * reason) and {@code chainpulse.dead-letters} (invalid node ids). The resource KPIs read {@code chainpulse.resources}
 * in a sub-topology of their own ({@link ResourceKpiTopology}) that shares nothing with the events' path.
 *
 * <pre>{@code
 * events ─▶ event gate ─┬─▶ tx_ingress_tps, tps, block_time_ms, block_creation_ms, block_execution_ms,
 *                       │   consensus_latency_ms, propagation_delay_ms, tx_validation_ms, vote_to_commit_ms,
 *                       │   block_packing_ms, tx_failure_pct, consensus_failure_pct, gas_per_s,
 *                       │   block_gas_used, block_size_bytes, leader_share_pct ─▶ chainpulse.kpis
 *                       ├─▶ consensus events by network ─▶ proposal_to_vote_ms, consensus_rounds,
 *                       │   round_changes_per_min, vote_participation_pct ─▶ chainpulse.kpis
 *                       ├─▶ chainpulse.late-events
 *                       └─▶ chainpulse.dead-letters
 * resources ─▶ cpu_pct, rss_bytes, … net_tx_bytes_per_s ─▶ chainpulse.kpis   (ResourceKpiTopology, apart)
 * }</pre>
 * The KPIs of blocks (tps, gas_per_s, block_gas_used, block_size_bytes, leader_share_pct) share one stream of
 * finalizations and of distinct blocks ({@link Blocks}).
 * Pure: builds the topology, does no I/O; {@link StreamProcessorApp} runs it and {@link AnalyzeJob} runs the same
 * build over a file.
 */
public final class KpiTopology {
    private KpiTopology() {}

    public static Topology build(KpiContext ctx) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ProtocolEvent> events = builder.stream(ctx.events().name(),
                Consumed.with(ctx.events().keySerde(), ctx.events().valueSerde())
                        .withTimestampExtractor(new EventTimestampExtractor(ctx.referenceClock(),
                        ctx.config().maxFutureSkew().toMillis())).withName("events-source"));
        EventsByType onTime = EventsByType.split(EventGate.gate(events, ctx));
        TxIngressTpsTopology.build(builder, onTime, ctx);
        Blocks blocks = Blocks.build(builder, onTime, ctx);
        TpsTopology.build(blocks, ctx);
        BlockTimeTopology.build(builder, onTime, ctx);
        BlockCreationTopology.build(builder, onTime, ctx);
        BlockExecutionTopology.build(builder, onTime, ctx);
        ConsensusLatencyTopology.build(builder, onTime, ctx);
        PropagationDelayTopology.build(builder, onTime, ctx);
        TxValidationTopology.build(builder, onTime, ctx);
        VoteToCommitTopology.build(builder, onTime, ctx);
        BlockPackingTopology.build(builder, onTime, ctx);
        TxFailureTopology.build(builder, onTime, ctx);
        ConsensusFailureTopology.build(builder, onTime, ctx);
        GasPerSecondTopology.build(blocks, ctx);
        BlockGasUsedTopology.build(blocks, ctx);
        BlockSizeTopology.build(blocks, ctx);
        LeaderShareTopology.build(builder, blocks, ctx);
        KStream<String, ProtocolEvent> consensus = ConsensusEvents.byNetwork(onTime, ctx);
        ProposalToVoteTopology.build(builder, consensus, ctx);
        ConsensusRoundsTopology.build(builder, consensus, ctx);
        VoteParticipationTopology.build(builder, consensus, ctx);
        ResourceKpiTopology.build(builder, ctx);
        return builder.build();
    }
}
