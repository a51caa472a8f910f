package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The consensus events that the cross-node consensus KPIs ({@link ProposalToVoteTopology},
 * {@link ConsensusRoundsTopology}, {@link VoteParticipationTopology}, {@link ConflictingVotesTopology}) read,
 * gathered in one task: {@code consensus_proposal}, {@code consensus_vote}, {@code consensus_commit} and {@code block_finalization} with a height,
 * keyed {@value WindowedStats#NETWORK} of their chain ({@code chain/network} on a chain other than the default; every
 * chain in the one partition, each stage keeps chains apart), through one repartition topic ({@code …-consensus-by-network-repartition}).
 * A proposal and its votes come from different nodes, and a height's participation needs every node's events of its
 * window, so none of them can be computed on the input keyed by node; they share this one repartition instead
 * of one each. It carries a few events per node and height, not the transactions.
 */
final class ConsensusEvents {
    private ConsensusEvents() {}

    static KStream<String, ProtocolEvent> byNetwork(EventsByType events, KpiContext ctx) {
        return events.of("consensus", EventType.consensus_proposal, EventType.consensus_vote,
                        EventType.consensus_commit, EventType.block_finalization)
                .filter((node, e) -> e.getHeight() != null, Named.as("consensus-events"))
                .map((node, e) -> KeyValue.pair(Chains.rekey(node, WindowedStats.NETWORK), e),
                        Named.as("consensus-key-by-network"))
                .repartition(Repartitioned.<String, ProtocolEvent>as("consensus-by-network")
                        .withKeySerde(Serdes.String()).withValueSerde(ctx.events().valueSerde())
                        .withNumberOfPartitions(WindowedStats.NETWORK_PARTITIONS));
    }
}
