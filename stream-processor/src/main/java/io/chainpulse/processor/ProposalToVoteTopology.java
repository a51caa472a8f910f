package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * {@code proposal_to_vote_ms}: at each voter, its {@code consensus_vote} − the leader's {@code consensus_proposal},
 * same chain, height and round; scoped to the voting node. Pairs by height and round, not block hash: a conflicting vote
 * carries another hash but still answers the proposal. Input: {@link ConsensusEvents} (one task); one proposal pairs
 * with every vote, a vote may arrive before its proposal, a second proposal of a height and round is a duplicate.
 */
public final class ProposalToVoteTopology {
    public static final String METRIC = Kpi.PROPOSAL_TO_VOTE_MS.metric();

    private ProposalToVoteTopology() {}

    /** @param consensus the events of {@link ConsensusEvents#byNetwork}, all in one partition */
    public static void build(StreamsBuilder builder, KStream<String, ProtocolEvent> consensus, KpiContext ctx) {
        String store = METRIC + "-pairs";
        builder.addStateStore(Pairing.store(store, ctx.config()));
        Pairing.Spec spec = new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.consensus_proposal ? Pairing.Role.START
                        : e.getEventType() == EventType.consensus_vote ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (network, e) -> Chains.scoped(e.getChainId(), e.getHeight() + "|" + (e.getRound() == null ? "" : e.getRound())),
                true, false);
        KStream<String, Sample> samples = consensus.process(() -> new Pairing(spec, store,
                ctx.config().pairingTimeout(), ctx.config().maxLatencyMs(), ctx.counters()).rekeying(),
                Named.as(METRIC + "-pairing"), store);
        // every voter's samples come out of the one task that holds all consensus events: its node windows live
        // there without another repartition, and one partition's progress is everything the network stage waits for
        WindowedStats.nodeAndNetwork(samples, METRIC, WindowedStats.Kind.LATENCY, 1, ctx);
    }
}
