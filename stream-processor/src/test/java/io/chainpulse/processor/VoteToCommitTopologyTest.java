package io.chainpulse.processor;

import static io.chainpulse.processor.Harness.W;
import static io.chainpulse.schema.EventType.consensus_commit;
import static io.chainpulse.schema.EventType.consensus_vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class VoteToCommitTopologyTest {
    private static final Percentage SKETCH = Percentage.withPercentage(1);

    @Test
    void shouldPairEachCommitWithTheVoteOfItsOwnRoundAtTheSameNode() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", consensus_vote, 100).setHeight(1L).setRound(0),
                    h.event("v1", consensus_commit, 130).setHeight(1L).setRound(0),       // 30 ms
                    h.event("v2", consensus_vote, 120).setHeight(1L).setRound(0),
                    h.event("v2", consensus_commit, 320).setHeight(1L).setRound(0),       // v2: 200 ms
                    h.event("v1", consensus_vote, 1_000).setHeight(2L).setRound(0),       // round change: never committed
                    h.event("v1", consensus_vote, 1_150).setHeight(2L).setRound(1),
                    h.event("v1", consensus_commit, 1_200).setHeight(2L).setRound(1),     // 50 ms, not 200 from round 0
                    h.event("v1", consensus_commit, 2_100).setHeight(3L).setRound(0),     // commit first ...
                    h.event("v1", consensus_vote, 2_040).setHeight(3L).setRound(0),       // ... 60 ms
                    h.event("v1", consensus_commit, 3_000).setHeight(4L).setRound(0),     // missed its vote: no sample
                    h.event("v2", consensus_vote, 3_000).setHeight(4L).setRound(0),       // v2's vote is not v1's
                    h.event("v2", consensus_commit, 3_000).setHeight(4L).setRound(0),     // v2: 0 ms
                    h.event("v1", consensus_vote, 4_000).setHeight(5L).setRound(0),
                    h.event("v1", consensus_vote, 4_000).setHeight(5L).setRound(0),       // duplicate vote
                    h.event("v1", consensus_commit, 4_090).setHeight(5L).setRound(0),     // 90 ms
                    h.event("v1", consensus_vote, 5_000).setHeight(6L).setRound(0),
                    h.event("v1", consensus_commit, 4_990).setHeight(6L).setRound(0),     // -10 ms: skew, excluded
                    h.event("v1", consensus_vote, 6_000).setRound(0),                     // no height: nothing to pair on
                    h.event("v2", consensus_vote, 10_500).setHeight(7L).setRound(0),
                    h.event("v2", consensus_commit, 10_540).setHeight(7L).setRound(0))    // v2, next window: 40 ms
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(VoteToCommitTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v2|10000", "network||0",
                    "network||10000");
            // v1: 30, 50, 60, 90 — DDSketch's quantile is the sample at index ⌊q·(n−1)⌋
            KpiWindow v1 = kpis.get("node|v1|0");
            assertThat(v1.getWindowEndMs() - v1.getWindowStartMs()).isEqualTo(W);
            assertThat(v1.getCount()).isEqualTo(4);
            assertThat(v1.getMin()).isEqualTo(30.0);
            assertThat(v1.getMax()).isEqualTo(90.0);
            assertThat(v1.getMean()).isCloseTo(57.5, within(1e-9));
            assertThat(v1.getExcludedSkew()).isEqualTo(1);
            assertThat(v1.getP50()).isCloseTo(50.0, SKETCH);
            assertThat(v1.getP95()).isCloseTo(60.0, SKETCH);
            // v2: 0, 200
            KpiWindow v2 = kpis.get("node|v2|0");
            assertThat(v2.getCount()).isEqualTo(2);
            assertThat(v2.getMin()).isEqualTo(0.0);
            assertThat(v2.getMax()).isEqualTo(200.0);
            assertThat(v2.getMean()).isCloseTo(100.0, within(1e-9));
            assertThat(v2.getExcludedSkew()).isZero();
            KpiWindow v2Next = kpis.get("node|v2|10000");
            assertThat(v2Next.getCount()).isEqualTo(1);
            assertThat(v2Next.getMean()).isCloseTo(40.0, within(1e-9));
            // network: 0, 30, 50, 60, 90, 200
            KpiWindow network = kpis.get("network||0");
            assertThat(network.getNodeId()).isNull();
            assertThat(network.getCount()).isEqualTo(6);
            assertThat(network.getMin()).isEqualTo(0.0);
            assertThat(network.getMax()).isEqualTo(200.0);
            assertThat(network.getMean()).isCloseTo(430.0 / 6, within(1e-9));
            assertThat(network.getExcludedSkew()).isEqualTo(1);
            assertThat(network.getP50()).isCloseTo(50.0, SKETCH);
            assertThat(network.getP95()).isCloseTo(90.0, SKETCH);
            KpiWindow networkNext = kpis.get("network||10000");
            assertThat(networkNext.getCount()).isEqualTo(1);
            assertThat(networkNext.getMean()).isCloseTo(40.0, within(1e-9));

            // the round-0 vote of height 2 is the one unpaired start; a commit without the node's vote is normal
            assertThat(h.counters.snapshot()).containsEntry("unpaired_start|vote_to_commit_ms|v1", 1L)
                    .containsEntry("duplicate|vote_to_commit_ms|v1", 1L)
                    .doesNotContainKeys("unpaired_complete|vote_to_commit_ms|v1", "unpaired_start|vote_to_commit_ms|v2");
        }
    }
}
