package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_finalization;
import static io.chainpulse.schema.EventType.consensus_commit;
import static io.chainpulse.schema.EventType.consensus_proposal;
import static io.chainpulse.schema.EventType.consensus_vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ConsensusRoundsTopologyTest {
    private static final Percentage SKETCH = Percentage.withPercentage(1);

    @Test
    void shouldCountEachHeightsRoundsOnceInTheWindowOfItsFirstFinalization() {
        try (Harness h = new Harness()) {
            h.send(
                    // h1: one round
                    h.event("v1", consensus_proposal, 100).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v2", consensus_vote, 150).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v2", consensus_commit, 300).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v1", block_finalization, 310).setHeight(1L).setBlockHash("0xa"),
                    h.event("v2", block_finalization, 320).setHeight(1L).setBlockHash("0xa"),
                    h.event("v1", block_finalization, 310).setHeight(1L).setBlockHash("0xa"),           // duplicate
                    // h2: two rounds, round 1 seen on a vote and a commit
                    h.event("v2", consensus_proposal, 1_100).setHeight(2L).setRound(0).setBlockHash("0xb"),
                    h.event("v1", consensus_vote, 1_300).setHeight(2L).setRound(1).setBlockHash("0xb"),
                    h.event("v1", consensus_commit, 1_400).setHeight(2L).setRound(1).setBlockHash("0xb"),
                    h.event("v1", block_finalization, 1_500).setHeight(2L).setBlockHash("0xb"),
                    // h3: three rounds; its round-2 proposal arrives after both finalizations, the later one first
                    h.event("v2", block_finalization, 2_600).setHeight(3L).setBlockHash("0xc"),
                    h.event("v1", block_finalization, 2_500).setHeight(3L).setBlockHash("0xc"),
                    h.event("v3", consensus_proposal, 2_300).setHeight(3L).setRound(2).setBlockHash("0xc"),
                    // h4: finalized, no round on any event: one round
                    h.event("v1", block_finalization, 3_000).setHeight(4L).setBlockHash("0xd"),
                    // h5: finalized in window 0; its round-1 vote at 10.1 s is after that window's end: one round
                    h.event("v1", consensus_proposal, 9_800).setHeight(5L).setRound(0).setBlockHash("0xe"),
                    h.event("v1", block_finalization, 9_900).setHeight(5L).setBlockHash("0xe"),
                    h.event("v2", consensus_vote, 10_100).setHeight(5L).setRound(1).setBlockHash("0xe"),
                    // h6: two rounds, window 1
                    h.event("v2", consensus_proposal, 11_000).setHeight(6L).setRound(0).setBlockHash("0xf"),
                    h.event("v2", consensus_proposal, 11_200).setHeight(6L).setRound(1).setBlockHash("0xf"),
                    h.event("v2", block_finalization, 11_500).setHeight(6L).setBlockHash("0xf"),
                    // h7: one round, window 1; its stream time (15.5 s) releases window 0's heights
                    h.event("v1", block_finalization, 15_500).setHeight(7L).setBlockHash("0x7"));
            // after its release h1 is remembered: another node's finalization does not count it again in window 1
            h.send(h.event("v3", block_finalization, 15_600).setHeight(1L).setBlockHash("0xa")).flush();

            Map<String, KpiWindow> rounds = h.kpis(ConsensusRoundsTopology.METRIC);
            assertThat(rounds).containsOnlyKeys("network||0", "network||10000");
            KpiWindow w0 = rounds.get("network||0");    // h1..h5: 1, 2, 3, 1, 1
            assertThat(w0.getNodeId()).isNull();
            assertThat(w0.getCount()).isEqualTo(5);
            assertThat(w0.getMin()).isEqualTo(1.0);
            assertThat(w0.getMax()).isEqualTo(3.0);
            assertThat(w0.getMean()).isCloseTo(1.6, within(1e-9));
            assertThat(w0.getP50()).isCloseTo(1.0, SKETCH);          // 1, 1, 1, 2, 3: rank ⌊0.5·4⌋ = 2
            assertThat(w0.getP95()).isCloseTo(2.0, SKETCH);          // rank ⌊0.95·4⌋ = 3
            KpiWindow w1 = rounds.get("network||10000");  // h6: 2, h7: 1
            assertThat(w1.getCount()).isEqualTo(2);
            assertThat(w1.getMean()).isCloseTo(1.5, within(1e-9));

            Map<String, KpiWindow> changes = h.kpis(ConsensusRoundsTopology.ROUND_CHANGES);
            assertThat(changes).containsOnlyKeys("network||0", "network||10000");
            assertThat(changes.get("network||0").getCount()).isEqualTo(2);          // h2, h3
            assertThat(changes.get("network||0").getRatePerS()).isEqualTo(0.2);     // per second, like every rate
            assertThat(changes.get("network||0").getP95()).as("a rate carries no distribution").isNull();
            assertThat(changes.get("network||10000").getCount()).isEqualTo(1);      // h6
            assertThat(changes.get("network||10000").getRatePerS()).isEqualTo(0.1);
        }
    }
}
