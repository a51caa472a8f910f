package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_finalization;
import static io.chainpulse.schema.EventType.consensus_commit;
import static io.chainpulse.schema.EventType.consensus_proposal;
import static io.chainpulse.schema.EventType.consensus_vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VoteParticipationTopologyTest {

    @Test
    void shouldDivideEachHeightsDistinctVotersByTheValidatorsActiveInItsWindow() {
        try (Harness h = new Harness()) {
            h.send(
                    // window 0, v1..v4 active. h1: v4 commits and finalizes but does not vote → 3 of 4
                    h.event("v1", consensus_proposal, 100).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v1", consensus_vote, 150).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v2", consensus_vote, 160).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v1", consensus_commit, 300).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v2", consensus_commit, 300).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v3", consensus_commit, 300).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v4", consensus_commit, 300).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v1", block_finalization, 310).setHeight(1L).setBlockHash("0xa"),
                    h.event("v4", block_finalization, 320).setHeight(1L).setBlockHash("0xa"),
                    h.event("v3", consensus_vote, 170).setHeight(1L).setRound(0).setBlockHash("0xa"),  // after the finalizations: counted
                    // h2: all four vote — v4 with a conflicting hash, v2 in two rounds (one voter) → 4 of 4
                    h.event("v1", consensus_vote, 1_150).setHeight(2L).setRound(0).setBlockHash("0xb"),
                    h.event("v2", consensus_vote, 1_160).setHeight(2L).setRound(0).setBlockHash("0xb"),
                    h.event("v2", consensus_vote, 1_360).setHeight(2L).setRound(1).setBlockHash("0xb"),
                    h.event("v3", consensus_vote, 1_170).setHeight(2L).setRound(0).setBlockHash("0xb"),
                    h.event("v4", consensus_vote, 1_180).setHeight(2L).setRound(0).setBlockHash("0xbad"),
                    h.event("v2", block_finalization, 1_500).setHeight(2L).setBlockHash("0xb"),
                    // h3: v1 and v2 vote → 2 of 4
                    h.event("v1", consensus_vote, 2_150).setHeight(3L).setRound(0).setBlockHash("0xc"),
                    h.event("v2", consensus_vote, 2_160).setHeight(3L).setRound(0).setBlockHash("0xc"),
                    h.event("v1", block_finalization, 2_300).setHeight(3L).setBlockHash("0xc"),
                    // h6 is finalized in window 1, but v3 voted for it in window 0
                    h.event("v3", consensus_vote, 9_900).setHeight(6L).setRound(0).setBlockHash("0xf"),
                    // window 1: only v1 and v2 active. h4: both vote → 2 of 2
                    h.event("v1", consensus_vote, 10_900).setHeight(4L).setRound(0).setBlockHash("0xd"),
                    h.event("v2", consensus_vote, 10_910).setHeight(4L).setRound(0).setBlockHash("0xd"),
                    h.event("v1", block_finalization, 11_000).setHeight(4L).setBlockHash("0xd"),
                    h.event("v2", block_finalization, 11_010).setHeight(4L).setBlockHash("0xd"),
                    // h5: v1 votes → 1 of 2
                    h.event("v1", consensus_vote, 12_100).setHeight(5L).setRound(0).setBlockHash("0xe"),
                    h.event("v1", block_finalization, 12_200).setHeight(5L).setBlockHash("0xe"),
                    h.event("v2", block_finalization, 12_300).setHeight(5L).setBlockHash("0xe"),
                    // h6: v3 only → 1 of 3 (v1, v2 active in window 1, and v3, its voter)
                    h.event("v1", block_finalization, 10_500).setHeight(6L).setBlockHash("0xf"),
                    // v3 votes for h4 at 20.1 s, after window 1's end: not one of h4's voters; window 2 has no height
                    h.event("v3", consensus_vote, 20_100).setHeight(4L).setRound(0).setBlockHash("0xd"))
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(VoteParticipationTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("network||0", "network||10000");
            KpiWindow w0 = kpis.get("network||0");       // 75, 100, 50
            assertThat(w0.getNodeId()).isNull();
            assertThat(w0.getCount()).isEqualTo(3);
            assertThat(w0.getMin()).isEqualTo(50.0);
            assertThat(w0.getMax()).isEqualTo(100.0);
            assertThat(w0.getMean()).isCloseTo(75.0, within(1e-9));
            KpiWindow w1 = kpis.get("network||10000");   // 100, 50, 33.333333 (a sample's sum is exact to 1e-6)
            assertThat(w1.getCount()).isEqualTo(3);
            assertThat(w1.getMin()).isCloseTo(100.0 / 3, within(1e-9));
            assertThat(w1.getMax()).isEqualTo(100.0);
            assertThat(w1.getMean()).isCloseTo((100.0 + 50.0 + 100.0 / 3) / 3, within(1e-6));
        }
    }
}
