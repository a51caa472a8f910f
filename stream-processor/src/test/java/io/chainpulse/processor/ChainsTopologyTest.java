package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_finalization;
import static io.chainpulse.schema.EventType.consensus_proposal;
import static io.chainpulse.schema.EventType.consensus_validation_complete;
import static io.chainpulse.schema.EventType.consensus_validation_start;
import static io.chainpulse.schema.EventType.consensus_vote;
import static io.chainpulse.schema.EventType.transaction_ingress;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two chains on one topic, interleaved, with the same node ids, block hash, height and round on both: the default
 * chain (events without {@code chain_id}) and {@code beta}. Every window is one chain's, and "network" is one chain.
 */
class ChainsTopologyTest {
    private static final String BETA = "beta";

    @Test
    void shouldKeepExactSeparateNodeAndNetworkWindowsPerChainWhenTwoChainsShareNodeIdsOnOneTopic() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", transaction_ingress, 100),
                    h.event("v1", transaction_ingress, 110).setChainId(BETA),
                    h.event("v1", transaction_ingress, 120),
                    h.event("v2", transaction_ingress, 130),
                    h.event("v1", transaction_ingress, 140),
                    // consensus latency of height 5 round 0 at v1 on both chains: 100 ms on the default, 300 ms on beta
                    h.event("v1", consensus_validation_start, 1_000).setHeight(5L).setRound(0),
                    h.event("v1", consensus_validation_start, 1_000).setHeight(5L).setRound(0).setChainId(BETA),
                    h.event("v1", consensus_validation_complete, 1_100).setHeight(5L).setRound(0),
                    h.event("v1", consensus_validation_complete, 1_300).setHeight(5L).setRound(0).setChainId(BETA),
                    // proposals of height 5 round 0 on both chains, by different leaders
                    h.event("v1", consensus_proposal, 1_500).setHeight(5L).setRound(0),
                    h.event("v2", consensus_vote, 1_540).setHeight(5L).setRound(0),                    // 40 ms
                    h.event("v2", consensus_proposal, 1_600).setHeight(5L).setRound(0).setChainId(BETA),
                    h.event("v1", consensus_vote, 1_700).setHeight(5L).setRound(0).setChainId(BETA),   // 100 ms
                    h.event("v2", consensus_vote, 1_800).setHeight(5L).setRound(1).setChainId(BETA),   // a round change
                    // block 0xb1 of height 5 on both chains: 10 transactions led by v1, and 4 led by v2 on beta
                    h.event("v1", block_finalization, 2_000).setHeight(5L).setBlockHash("0xb1").setTxCount(10)
                            .setLeader("v1"),
                    h.event("v2", block_finalization, 2_050).setHeight(5L).setBlockHash("0xb1").setTxCount(10)
                            .setLeader("v1"),
                    h.event("v1", block_finalization, 2_100).setHeight(5L).setBlockHash("0xb1").setTxCount(4)
                            .setLeader("v2").setChainId(BETA),
                    h.event("v2", block_finalization, 2_150).setHeight(5L).setBlockHash("0xb1").setTxCount(4)
                            .setLeader("v2").setChainId(BETA))
                    .flush();

            // tx_ingress_tps: v1 3 and v2 1 on the default chain, v1 1 on beta
            Map<String, KpiWindow> ingress = h.kpis(Kpi.TX_INGRESS_TPS.metric());
            assertThat(ingress).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            assertThat(counts(ingress)).isEqualTo("node|v1|0=3, node|v2|0=1, network||0=4");
            assertThat(ingress.get("network||0").getRatePerS()).isEqualTo(0.4);
            Map<String, KpiWindow> betaIngress = h.kpis(Kpi.TX_INGRESS_TPS.metric(), BETA);
            assertThat(counts(betaIngress)).isEqualTo("node|v1|0=1, network||0=1");
            assertThat(betaIngress.get("network||0").getRatePerS()).isEqualTo(0.1);

            // the same node, height and round on two chains are two pairs
            assertThat(means(h.kpis(Kpi.CONSENSUS_LATENCY_MS.metric()))).isEqualTo("node|v1|0=100.0, network||0=100.0");
            assertThat(means(h.kpis(Kpi.CONSENSUS_LATENCY_MS.metric(), BETA)))
                    .isEqualTo("node|v1|0=300.0, network||0=300.0");

            // a vote answers its own chain's proposal only
            assertThat(means(h.kpis(Kpi.PROPOSAL_TO_VOTE_MS.metric()))).isEqualTo("node|v2|0=40.0, network||0=40.0");
            assertThat(means(h.kpis(Kpi.PROPOSAL_TO_VOTE_MS.metric(), BETA)))
                    .isEqualTo("node|v1|0=100.0, network||0=100.0");

            // the same block hash on two chains is two blocks: 10 transactions on the default chain, 4 on beta
            Map<String, KpiWindow> tps = h.kpis(Kpi.TPS.metric());
            assertThat(counts(tps)).isEqualTo("node|v1|0=10, node|v2|0=10, network||0=10");
            assertThat(tps.get("network||0").getRatePerS()).isEqualTo(1.0);
            Map<String, KpiWindow> betaTps = h.kpis(Kpi.TPS.metric(), BETA);
            assertThat(counts(betaTps)).isEqualTo("node|v1|0=4, node|v2|0=4, network||0=4");
            assertThat(betaTps.get("network||0").getRatePerS()).isEqualTo(0.4);

            // each chain's one block was led by its own leader
            assertThat(means(h.kpis(Kpi.LEADER_SHARE_PCT.metric()))).isEqualTo("node|v1|0=100.0");
            assertThat(means(h.kpis(Kpi.LEADER_SHARE_PCT.metric(), BETA))).isEqualTo("node|v2|0=100.0");

            // height 5 took one round on the default chain, two on beta
            assertThat(means(h.kpis(Kpi.CONSENSUS_ROUNDS.metric()))).isEqualTo("network||0=1.0");
            assertThat(means(h.kpis(Kpi.CONSENSUS_ROUNDS.metric(), BETA))).isEqualTo("network||0=2.0");
            assertThat(counts(h.kpis(Kpi.ROUND_CHANGES_PER_MIN.metric()))).isEqualTo("network||0=0");
            assertThat(counts(h.kpis(Kpi.ROUND_CHANGES_PER_MIN.metric(), BETA))).isEqualTo("network||0=1");

            // default: v2 of the active v1, v2 voted (50 %); beta: both voted (100 %)
            assertThat(means(h.kpis(Kpi.VOTE_PARTICIPATION_PCT.metric()))).isEqualTo("network||0=50.0");
            assertThat(means(h.kpis(Kpi.VOTE_PARTICIPATION_PCT.metric(), BETA))).isEqualTo("network||0=100.0");

            assertThat(h.chains()).containsExactlyInAnyOrder(null, BETA);
        }
    }

    @Test
    void shouldKeepResourceWindowsPerChainWhenTwoChainsShareANodeId() {
        try (Harness h = new Harness()) {
            h.sendSamples(
                    h.sample("v1", 1_000).setCpuPercent(10),
                    h.sample("v1", 1_000).setCpuPercent(30).setChainId(BETA),
                    h.sample("v1", 2_000).setCpuPercent(20),
                    h.sample("v2", 2_000).setCpuPercent(60).setChainId(BETA))
                    .flush();

            String cpu = Kpi.CPU_PCT.metric();
            assertThat(means(h.kpis(cpu))).isEqualTo("node|v1|0=15.0, network||0=15.0");
            assertThat(means(h.kpis(cpu, BETA))).isEqualTo("node|v1|0=30.0, node|v2|0=60.0, network||0=45.0");
            assertThat(h.kpis(cpu, BETA).get("node|v1|0").getLast()).isEqualTo(30.0);
            assertThat(h.kpis(cpu).get("node|v1|0").getLast()).isEqualTo(20.0);
        }
    }

    @Test
    void shouldWriteTheChainIntoKpisJsonlOnlyForAChainOtherThanTheDefault() {
        KpiWindow beta = KpiWindow.newBuilder().setMetric("tps").setScope(io.chainpulse.schema.KpiScope.network)
                .setChainId(BETA).setWindowStartMs(0).setWindowEndMs(10_000).setCount(4).setRatePerS(0.4).build();
        String line = KpiJson.write(beta);

        assertThat(line).isEqualTo("{\"metric\":\"tps\",\"scope\":\"network\",\"node_id\":null,\"chain_id\":\"beta\","
                + "\"window_start_ms\":0,\"window_end_ms\":10000,\"count\":4,\"rate_per_s\":0.4,\"excluded_skew\":0}");
        assertThat(KpiJson.parse(line).getChainId()).isEqualTo(BETA);
        beta.setChainId(null);
        assertThat(KpiJson.write(beta)).isEqualTo("{\"metric\":\"tps\",\"scope\":\"network\",\"node_id\":null,"
                + "\"window_start_ms\":0,\"window_end_ms\":10000,\"count\":4,\"rate_per_s\":0.4,\"excluded_skew\":0}");
    }

    /** "key=count, …" in key order, node windows first as the map sorts them. */
    private static String counts(Map<String, KpiWindow> kpis) {
        return String.join(", ", ordered(kpis).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().getCount())
                .toList());
    }

    private static String means(Map<String, KpiWindow> kpis) {
        return String.join(", ", ordered(kpis).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().getMean())
                .toList());
    }

    /** Node windows by node, then the network window: the order the assertions read in. */
    private static Map<String, KpiWindow> ordered(Map<String, KpiWindow> kpis) {
        Map<String, KpiWindow> out = new java.util.LinkedHashMap<>();
        Arrays.asList(true, false).forEach(node -> kpis.forEach((k, v) -> {
            if (k.startsWith("node|") == node) {
                out.put(k, v);
            }
        }));
        return out;
    }
}
