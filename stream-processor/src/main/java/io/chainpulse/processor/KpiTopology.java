package io.chainpulse.processor;

import org.apache.kafka.streams.kstream.Consumed;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.util.EnumSet;
import java.util.Set;
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
 *                       │   block_packing_ms, tx_failure_pct, consensus_failure_pct, validation_failure_pct, gas_per_s,
 *                       │   block_gas_used, block_size_bytes, leader_share_pct ─▶ chainpulse.kpis
 *                       ├─▶ consensus events by network ─▶ proposal_to_vote_ms, consensus_rounds,
 *                       │   round_changes_per_min, vote_participation_pct, conflicting_votes ─▶ chainpulse.kpis
 *                       ├─▶ chainpulse.late-events
 *                       └─▶ chainpulse.dead-letters
 * resources ─▶ cpu_pct, rss_bytes, … net_tx_bytes_per_s ─▶ chainpulse.kpis   (ResourceKpiTopology, apart)
 * }</pre>
 * The KPIs of blocks (tps, gas_per_s, block_gas_used, block_size_bytes, leader_share_pct) share one stream of
 * finalizations and of distinct blocks ({@link Blocks}).
 * Only the KPIs the configuration selects are built ({@code kpis}): a KPI left out adds no operator, store or
 * repartition topic, and a stage shared by several ({@link Blocks}, {@link ConsensusEvents#byNetwork}, the resource
 * windows) is built when one of its KPIs is selected.
 * Pure: builds the topology, does no I/O; {@link StreamProcessorApp} runs it and {@link AnalyzeJob} runs the same
 * build over a file.
 */
public final class KpiTopology {
    private KpiTopology() {}

    /** The KPIs computed from {@link Blocks}: the stage is built when one of them is selected. */
    private static final Set<Kpi> OF_BLOCKS = EnumSet.of(Kpi.TPS, Kpi.GAS_PER_S, Kpi.BLOCK_GAS_USED,
            Kpi.BLOCK_SIZE_BYTES, Kpi.LEADER_SHARE_PCT);
    /** The KPIs computed from {@link ConsensusEvents#byNetwork}: the repartition is built when one of them is selected. */
    private static final Set<Kpi> OF_CONSENSUS_BY_NETWORK = EnumSet.of(Kpi.PROPOSAL_TO_VOTE_MS, Kpi.CONSENSUS_ROUNDS,
            Kpi.ROUND_CHANGES_PER_MIN, Kpi.VOTE_PARTICIPATION_PCT, Kpi.CONFLICTING_VOTES);

    /** Every KPI the configuration selects ({@code kpis}, see {@link ProcessorConfig#kpis()}), and nothing else. */
    public static Topology build(KpiContext ctx) {
        ProcessorConfig config = ctx.config();
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ProtocolEvent> events = builder.stream(ctx.events().name(),
                Consumed.with(ctx.events().keySerde(), ctx.events().valueSerde())
                        .withTimestampExtractor(new EventTimestampExtractor(ctx.referenceClock(),
                        ctx.config().maxFutureSkew().toMillis())).withName("events-source"));
        EventsByType onTime = EventsByType.split(EventGate.gate(events, ctx));
        when(config, Kpi.TX_INGRESS_TPS, () -> TxIngressTpsTopology.build(builder, onTime, ctx));
        Blocks blocks = anySelected(config, OF_BLOCKS) ? Blocks.build(builder, onTime, ctx) : null;
        when(config, Kpi.TPS, () -> TpsTopology.build(blocks, ctx));
        when(config, Kpi.BLOCK_TIME_MS, () -> BlockTimeTopology.build(builder, onTime, ctx));
        when(config, Kpi.BLOCK_CREATION_MS, () -> BlockCreationTopology.build(builder, onTime, ctx));
        when(config, Kpi.BLOCK_EXECUTION_MS, () -> BlockExecutionTopology.build(builder, onTime, ctx));
        when(config, Kpi.CONSENSUS_LATENCY_MS, () -> ConsensusLatencyTopology.build(builder, onTime, ctx));
        when(config, Kpi.PROPAGATION_DELAY_MS, () -> PropagationDelayTopology.build(builder, onTime, ctx));
        when(config, Kpi.TX_VALIDATION_MS, () -> TxValidationTopology.build(builder, onTime, ctx));
        when(config, Kpi.VOTE_TO_COMMIT_MS, () -> VoteToCommitTopology.build(builder, onTime, ctx));
        when(config, Kpi.BLOCK_PACKING_MS, () -> BlockPackingTopology.build(builder, onTime, ctx));
        when(config, Kpi.TX_FAILURE_PCT, () -> TxFailureTopology.build(builder, onTime, ctx));
        when(config, Kpi.CONSENSUS_FAILURE_PCT, () -> ConsensusFailureTopology.build(builder, onTime, ctx));
        when(config, Kpi.VALIDATION_FAILURE_PCT, () -> ValidationFailureTopology.build(builder, onTime, ctx));
        when(config, Kpi.GAS_PER_S, () -> GasPerSecondTopology.build(blocks, ctx));
        when(config, Kpi.BLOCK_GAS_USED, () -> BlockGasUsedTopology.build(blocks, ctx));
        when(config, Kpi.BLOCK_SIZE_BYTES, () -> BlockSizeTopology.build(blocks, ctx));
        when(config, Kpi.LEADER_SHARE_PCT, () -> LeaderShareTopology.build(builder, blocks, ctx));
        if (anySelected(config, OF_CONSENSUS_BY_NETWORK)) {
            KStream<String, ProtocolEvent> consensus = ConsensusEvents.byNetwork(onTime, ctx);
            when(config, Kpi.PROPOSAL_TO_VOTE_MS, () -> ProposalToVoteTopology.build(builder, consensus, ctx));
            if (config.computes(Kpi.CONSENSUS_ROUNDS) || config.computes(Kpi.ROUND_CHANGES_PER_MIN)) {
                ConsensusRoundsTopology.build(builder, consensus, ctx);
            }
            when(config, Kpi.VOTE_PARTICIPATION_PCT, () -> VoteParticipationTopology.build(builder, consensus, ctx));
            when(config, Kpi.CONFLICTING_VOTES, () -> ConflictingVotesTopology.build(builder, consensus, ctx));
        }
        if (readsResources(config)) {
            ResourceKpiTopology.build(builder, ctx);
        }
        return builder.build();
    }

    /** true when the topology reads {@code chainpulse.resources}: a resource KPI is selected. */
    public static boolean readsResources(ProcessorConfig config) {
        return anySelected(config, EnumSet.copyOf(Kpi.resources()));
    }

    /** Builds a KPI's operators when the configuration selects it. */
    private static void when(ProcessorConfig config, Kpi kpi, Runnable build) {
        if (config.computes(kpi)) {
            build.run();
        }
    }

    private static boolean anySelected(ProcessorConfig config, Set<Kpi> kpis) {
        return kpis.stream().anyMatch(config::computes);
    }
}
