package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.catalog.Kpi;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * {@code vote_to_commit_ms}: {@code consensus_commit − consensus_vote}, same node, same height and round, in the window
 * of the commit. Input: on-time events keyed by node; output: KpiWindow per node and network.
 *
 * <p>A node commits in the round that decided the height, so a vote of an earlier round (a round change) never meets a
 * commit and is counted {@code unpaired_start}; a commit without the node's own vote (it missed the vote) is normal
 * and evicted silently.
 */
public final class VoteToCommitTopology {
    public static final String METRIC = Kpi.VOTE_TO_COMMIT_MS.metric();

    private VoteToCommitTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        LatencyKpi.sameNode(builder, events.of(METRIC, EventType.consensus_vote, EventType.consensus_commit), new Pairing.Spec(METRIC,
                e -> e.getEventType() == EventType.consensus_vote ? Pairing.Role.START
                        : e.getEventType() == EventType.consensus_commit ? Pairing.Role.COMPLETE
                        : Pairing.Role.IGNORE,
                (node, e) -> e.getHeight() == null ? null
                        : node + "|" + e.getHeight() + "|" + (e.getRound() == null ? "" : e.getRound()),
                false, false, Pairing.LoneComplete.NORMAL), ctx);
    }
}
