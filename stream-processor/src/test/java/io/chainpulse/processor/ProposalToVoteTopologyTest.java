package io.chainpulse.processor;

import static io.chainpulse.processor.Harness.W;
import static io.chainpulse.schema.EventType.consensus_proposal;
import static io.chainpulse.schema.EventType.consensus_vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ProposalToVoteTopologyTest {
    private static final Percentage SKETCH = Percentage.withPercentage(1);

    @Test
    void shouldMeasureEachVoterAgainstTheLeadersProposalOfTheSameHeightAndRound() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", consensus_proposal, 100).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v1", consensus_vote, 130).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v1: 30 (the leader votes too)
                    h.event("v2", consensus_vote, 150).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v2: 50
                    h.event("v4", consensus_vote, 160).setHeight(1L).setRound(0).setBlockHash("0xbad"),   // v4: 60, conflicting hash, same height and round
                    h.event("v3", consensus_vote, 180).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v3: 80
                    h.event("v1", consensus_proposal, 100).setHeight(1L).setRound(0).setBlockHash("0xa"), // duplicate proposal
                    h.event("v1", consensus_vote, 1_200).setHeight(2L).setRound(0).setBlockHash("0xb"),   // vote first ...
                    h.event("v2", consensus_proposal, 1_100).setHeight(2L).setRound(0).setBlockHash("0xb"), // ... v1: 100
                    h.event("v2", consensus_vote, 1_140).setHeight(2L).setRound(0).setBlockHash("0xb"),   // v2: 40
                    h.event("v2", consensus_proposal, 1_300).setHeight(2L).setRound(1).setBlockHash("0xb"),
                    h.event("v2", consensus_vote, 1_310).setHeight(2L).setRound(1).setBlockHash("0xb"),   // v2: 10, against round 1
                    h.event("v1", consensus_vote, 1_420).setHeight(2L).setRound(1).setBlockHash("0xb"),   // v1: 120, not 320
                    h.event("v3", consensus_proposal, 2_000).setHeight(3L).setRound(0).setBlockHash("0xc"),
                    h.event("v2", consensus_vote, 1_990).setHeight(3L).setRound(0).setBlockHash("0xc"),   // −10: skew, excluded
                    h.event("v1", consensus_vote, 3_000).setHeight(4L).setRound(0).setBlockHash("0xd"))   // no proposal ever
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(ProposalToVoteTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v3|0", "node|v4|0", "network||0");
            KpiWindow v1 = kpis.get("node|v1|0");     // 30, 100, 120
            assertThat(v1.getWindowEndMs() - v1.getWindowStartMs()).isEqualTo(W);
            assertThat(v1.getCount()).isEqualTo(3);
            assertThat(v1.getMin()).isEqualTo(30.0);
            assertThat(v1.getMax()).isEqualTo(120.0);
            assertThat(v1.getMean()).isCloseTo(250.0 / 3, within(1e-9));
            KpiWindow v2 = kpis.get("node|v2|0");     // 50, 40, 10; −10 excluded
            assertThat(v2.getCount()).isEqualTo(3);
            assertThat(v2.getMean()).isCloseTo(100.0 / 3, within(1e-9));
            assertThat(v2.getExcludedSkew()).isEqualTo(1);
            assertThat(kpis.get("node|v3|0").getCount()).isEqualTo(1);
            assertThat(kpis.get("node|v3|0").getMean()).isCloseTo(80.0, within(1e-9));
            assertThat(kpis.get("node|v4|0").getMean()).isCloseTo(60.0, within(1e-9));
            // network: 10, 30, 40, 50, 60, 80, 100, 120 — the sketch's quantile is the sample at rank ⌊q·(n−1)⌋
            KpiWindow network = kpis.get("network||0");
            assertThat(network.getNodeId()).isNull();
            assertThat(network.getCount()).isEqualTo(8);
            assertThat(network.getMin()).isEqualTo(10.0);
            assertThat(network.getMax()).isEqualTo(120.0);
            assertThat(network.getMean()).isCloseTo(61.25, within(1e-9));
            assertThat(network.getExcludedSkew()).isEqualTo(1);
            assertThat(network.getP50()).isCloseTo(50.0, SKETCH);
            assertThat(network.getP95()).isCloseTo(100.0, SKETCH);

            assertThat(h.counters.snapshot()).containsEntry("duplicate|proposal_to_vote_ms|v1", 1L)
                    .containsEntry("unpaired_complete|proposal_to_vote_ms|v1", 1L);
        }
    }
}
