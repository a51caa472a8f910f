package io.chainpulse.processor;

import static io.chainpulse.processor.Harness.W;
import static io.chainpulse.schema.EventType.consensus_proposal;
import static io.chainpulse.schema.EventType.consensus_vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConflictingVotesTopologyTest {
    private static final String BETA = "beta";

    @Test
    void shouldCountPerNodeAndWindowTheVotesForAnotherBlockThanTheProposalOfTheirHeightAndRound() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", consensus_proposal, 100).setHeight(1L).setRound(0).setBlockHash("0xa"),
                    h.event("v1", consensus_vote, 130).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v1: agrees
                    h.event("v2", consensus_vote, 150).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v2: agrees
                    h.event("v4", consensus_vote, 160).setHeight(1L).setRound(0).setBlockHash("0xbad"),   // v4: conflicts
                    h.event("v3", consensus_vote, 180).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v3: agrees
                    h.event("v2", consensus_vote, 190).setHeight(1L).setRound(0),                         // no hash: not judged
                    h.event("v1", consensus_proposal, 105).setHeight(1L).setRound(0).setBlockHash("0xother"), // duplicate: 0xa stays
                    h.event("v2", consensus_vote, 195).setHeight(1L).setRound(0).setBlockHash("0xa"),     // v2: agrees with 0xa
                    h.event("v4", consensus_vote, 1_200).setHeight(2L).setRound(0).setBlockHash("0xevil"), // vote first ...
                    h.event("v2", consensus_proposal, 1_100).setHeight(2L).setRound(0).setBlockHash("0xb"), // ... v4 conflicts
                    h.event("v2", consensus_vote, 1_140).setHeight(2L).setRound(0).setBlockHash("0xb"),   // v2: agrees
                    h.event("v2", consensus_proposal, 1_300).setHeight(2L).setRound(1).setBlockHash("0xc"), // round 1: 0xc
                    h.event("v1", consensus_vote, 1_420).setHeight(2L).setRound(1).setBlockHash("0xc"),   // v1: agrees with round 1
                    h.event("v3", consensus_vote, 1_250).setHeight(2L).setRound(0).setBlockHash("0xb"),   // v3: agrees with round 0
                    h.event("v4", consensus_vote, 3_000).setHeight(4L).setRound(0).setBlockHash("0xd"),   // no proposal ever
                    // beta: the same height, round and nodes; v4 votes beta's proposal, not the default chain's 0xa
                    h.event("v1", consensus_proposal, 2_000).setHeight(1L).setRound(0).setBlockHash("0xbeta")
                            .setChainId(BETA),
                    h.event("v4", consensus_vote, 2_050).setHeight(1L).setRound(0).setBlockHash("0xbeta")
                            .setChainId(BETA),                                                          // beta v4: agrees
                    h.event("v3", consensus_proposal, 10_400).setHeight(10L).setRound(0).setBlockHash("0xe"),
                    h.event("v3", consensus_vote, 10_450).setHeight(10L).setRound(0).setBlockHash("0xe"), // v3: agrees
                    h.event("v4", consensus_vote, 10_500).setHeight(10L).setRound(0).setBlockHash("0xf")) // v4: conflicts
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(ConflictingVotesTopology.METRIC);

            // conflicting votes per node and window; a node whose votes all agree has a window of 0
            assertThat(counts(kpis)).isEqualTo(Map.of(
                    "node|v1|0", 0L, "node|v2|0", 0L, "node|v3|0", 0L, "node|v4|0", 2L,
                    "node|v3|" + W, 0L, "node|v4|" + W, 1L));
            KpiWindow v4 = kpis.get("node|v4|0");
            assertThat(v4.getNodeId()).isEqualTo("v4");
            assertThat(v4.getWindowEndMs() - v4.getWindowStartMs()).isEqualTo(W);
            assertThat(v4.getRatePerS()).isEqualTo(0.2);
            assertThat(v4.getMean()).as("a rate carries no distribution").isNull();
            assertThat(kpis.get("node|v4|" + W).getRatePerS()).isEqualTo(0.1);
            assertThat(kpis.get("node|v1|0").getRatePerS()).isEqualTo(0.0);
            assertThat(counts(h.kpis(ConflictingVotesTopology.METRIC, BETA))).isEqualTo(Map.of("node|v4|0", 0L));

            assertThat(h.counters.snapshot()).containsEntry("duplicate|conflicting_votes|v1", 1L)
                    .containsEntry("unpaired_complete|conflicting_votes|v4", 1L);
        }
    }

    private static Map<String, Long> counts(Map<String, KpiWindow> kpis) {
        Map<String, Long> out = new TreeMap<>();
        kpis.forEach((key, window) -> out.put(key, window.getCount()));
        return out;
    }
}
