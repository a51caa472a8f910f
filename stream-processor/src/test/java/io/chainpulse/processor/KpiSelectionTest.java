package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_finalization;
import static io.chainpulse.schema.EventType.consensus_commit;
import static io.chainpulse.schema.EventType.consensus_proposal;
import static io.chainpulse.schema.EventType.consensus_vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * {@code kpis}: a selection of KPIs computes exactly those, with the values the whole topology computes, and builds
 * nothing of the others. Inputs are {@link BlockTopologiesTest}'s and {@link ConsensusRoundsTopologyTest}'s.
 */
class KpiSelectionTest {

    @Test
    void shouldComputeOnlyTheSelectedBlockKpisWithTheValuesOfTheWholeTopology() {
        Map<String, KpiWindow> gasAll;
        Map<String, KpiWindow> sizeAll;
        try (Harness all = blocks(Map.of())) {
            assertThat(all.metrics()).containsExactly("block_gas_used", "block_size_bytes", "gas_per_s",
                    "leader_share_pct", "tps");
            gasAll = all.kpis(GasPerSecondTopology.METRIC);
            sizeAll = all.kpis(BlockSizeTopology.METRIC);
        }
        try (Harness some = blocks(Map.of(ProcessorConfig.KPIS, "gas_per_s,block_size_bytes"))) {
            assertThat(some.metrics()).containsExactly("block_size_bytes", "gas_per_s");
            Map<String, KpiWindow> gas = some.kpis(GasPerSecondTopology.METRIC);
            assertThat(gas).isEqualTo(gasAll);
            // BlockTopologiesTest's hand-computed figures: 0xa + 0xb + 0xc at v1; each block once for the network
            assertThat(gas.get("node|v1|0").getRatePerS()).isEqualTo(73_500.0);
            assertThat(gas.get("node|v2|10000").getRatePerS()).isEqualTo(84_000.0);
            assertThat(gas.get("network||0").getCount()).isEqualTo(735_000L);
            assertThat(gas.get("network||10000").getRatePerS()).isEqualTo(63_000.0);
            Map<String, KpiWindow> size = some.kpis(BlockSizeTopology.METRIC);
            assertThat(size).isEqualTo(sizeAll);
            assertThat(size.get("network||10000").getMean()).isEqualTo(3_256.0);       // 512 and 6,000
            assertThat(size.get("node|v3|10000").getMean()).isEqualTo(756.0);          // 1,000 and 512
        }
    }

    @Test
    void shouldComputeRoundChangesAloneThroughTheSharedPerHeightStage() {
        Map<String, KpiWindow> changesAll;
        try (Harness all = rounds(Map.of())) {
            changesAll = all.kpis(ConsensusRoundsTopology.ROUND_CHANGES);
        }
        try (Harness one = rounds(Map.of(ProcessorConfig.KPIS, "round_changes_per_min"))) {
            assertThat(one.metrics()).containsExactly("round_changes_per_min");
            Map<String, KpiWindow> changes = one.kpis(ConsensusRoundsTopology.ROUND_CHANGES);
            assertThat(changes).isEqualTo(changesAll).containsOnlyKeys("network||0", "network||10000");
            assertThat(changes.get("network||0").getCount()).isEqualTo(2);          // h2, h3
            assertThat(changes.get("network||0").getRatePerS()).isEqualTo(0.2);
            assertThat(changes.get("network||10000").getCount()).isEqualTo(1);      // h6
            assertThat(changes.get("network||10000").getRatePerS()).isEqualTo(0.1);
        }
    }

    @Test
    void shouldComputeOnlyTheSelectedResourceKpisWithTheValuesOfTheWholeStage() {
        Map<String, KpiWindow> cpuAll;
        Map<String, KpiWindow> readsAll;
        try (Harness all = resources(Map.of())) {
            assertThat(all.metrics()).contains("cpu_pct", "disk_read_bytes_per_s", "rss_bytes", "peers_connected");
            cpuAll = all.kpis(Kpi.CPU_PCT.metric());
            readsAll = all.kpis(Kpi.DISK_READ_BYTES_PER_S.metric());
        }
        try (Harness two = resources(Map.of(ProcessorConfig.KPIS, "cpu_pct,disk_read_bytes_per_s"))) {
            assertThat(two.metrics()).containsExactly("cpu_pct", "disk_read_bytes_per_s");
            Map<String, KpiWindow> cpu = two.kpis(Kpi.CPU_PCT.metric());
            assertThat(cpu).isEqualTo(cpuAll).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            assertThat(cpu.get("node|v1|0").getMean()).isEqualTo(30.0);      // 10, 20, 60
            assertThat(cpu.get("node|v1|0").getLast()).isEqualTo(60.0);
            assertThat(cpu.get("network||0").getMean()).isEqualTo(32.5);     // 10, 20, 40, 60
            Map<String, KpiWindow> reads = two.kpis(Kpi.DISK_READ_BYTES_PER_S.metric());
            assertThat(reads).isEqualTo(readsAll);
            assertThat(reads.get("node|v1|0").getRatePerS()).isEqualTo(1_000.0);     // 10,000 bytes ÷ 10 s
            assertThat(reads.get("network||0").getRatePerS()).isEqualTo(1_500.0);    // + v2's 5,000
        }
    }

    @Test
    void shouldBuildNoNodeStoreOrTopicOfAnUnselectedKpi() {
        Set<Kpi> selected = Set.of(Kpi.TPS, Kpi.GAS_PER_S, Kpi.CONSENSUS_LATENCY_MS, Kpi.VOTE_PARTICIPATION_PCT,
                Kpi.CPU_PCT);
        Set<String> names = names(String.join(",", selected.stream().map(Kpi::metric).toList()));

        for (Kpi kpi : Kpi.values()) {
            boolean built = names.stream().anyMatch(n -> n.startsWith(kpi.metric() + "-"));
            assertThat(built).as(kpi.metric()).isEqualTo(selected.contains(kpi) && !kpi.resource());
        }
        assertThat(names).contains("consensus-by-network-repartition", "resources-node-window", "tps-by-block-hash"
                + "-repartition");
        // with the whole catalog, the same nodes as the default
        assertThat(names(String.join(",", Kpi.metrics()))).isEqualTo(names(ProcessorConfig.ALL_KPIS))
                .containsAll(names);
    }

    @Test
    void shouldBuildASharedStageOnlyForTheKpisThatNeedIt() {
        // gas_per_s alone: the distinct blocks (named after tps, whose stage it was: state stays valid), none of tps's
        // own nodes, no consensus events by network, no resources input
        Set<String> gas = names("gas_per_s");
        List<String> blocksStage = gas.stream().filter(n -> n.startsWith("tps-")).sorted().toList();
        assertThat(blocksStage)
                .containsExactly("tps-by-block-hash-repartition", "tps-by-block-hash-repartition-filter",
                        "tps-by-block-hash-repartition-sink", "tps-by-block-hash-repartition-source",
                        "tps-earliest-finalization", "tps-key-by-hash", "tps-network-blocks",
                        "tps-network-samples-repartition", "tps-network-samples-repartition-filter",
                        "tps-network-samples-repartition-sink", "tps-network-samples-repartition-source",
                        "tps-with-hash");
        assertThat(gas).noneMatch(n -> n.startsWith("consensus-") || n.startsWith("resources-"));
        // a consensus-latency KPI alone: neither shared stage
        assertThat(names("consensus_latency_ms")).noneMatch(n -> n.startsWith("tps-") || n.startsWith("consensus-")
                || n.startsWith("resources-"));
        // one resource KPI: the resource stages, nothing of the blocks or consensus events
        assertThat(names("open_fds")).contains("resources-source", "resources-node-window")
                .noneMatch(n -> n.startsWith("tps-") || n.startsWith("consensus-"));
    }

    @Test
    void shouldRejectAnUnknownKpiNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> new ProcessorConfig(Map.of(ProcessorConfig.KPIS, "tps,tsp,gas")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kpis: unknown KPI 'tsp', 'gas' (known: all, " + String.join(", ", Kpi.metrics()) + ")");
        assertThatThrownBy(() -> new ProcessorConfig(Map.of(ProcessorConfig.KPIS, "")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kpis: no KPI selected (known: all, " + String.join(", ", Kpi.metrics()) + ")");
        assertThat(new ProcessorConfig(Map.of()).kpis()).containsExactly(Kpi.values());
        assertThat(new ProcessorConfig(Map.of(ProcessorConfig.KPIS, "gas_per_s, tps")).kpis())
                .containsExactly(Kpi.TPS, Kpi.GAS_PER_S);
    }

    /**
     * Every source, processor and sink name, store and topic of the topology of {@code kpis}; generated names
     * ({@code KSTREAM-SINK-0000000007} of a sink to the KPI topic) left out: their numbers depend on what was built.
     */
    private static Set<String> names(String kpis) {
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.KPIS, kpis,
                ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://selection-" + UUID.randomUUID()));
        TopologyDescription description = KpiTopology.build(KpiContext.of(config, new ProcessorCounters(), 1))
                .describe();
        Set<String> names = new TreeSet<>();
        Consumer<TopologyDescription.Node> add = node -> {
            names.add(node.name());
            if (node instanceof TopologyDescription.Processor p) {
                names.addAll(p.stores());
            }
            if (node instanceof TopologyDescription.Sink s && s.topic() != null) {
                names.add(s.topic());
            }
            if (node instanceof TopologyDescription.Source s && s.topicSet() != null) {
                names.addAll(s.topicSet());
            }
        };
        description.subtopologies().forEach(sub -> sub.nodes().forEach(add));
        names.removeIf(name -> name.startsWith("KSTREAM-"));
        return names;
    }

    /** {@link ResourceKpiTopologyTest}'s first samples: v1 three in window 0, v2 one. */
    private static Harness resources(Map<String, ?> settings) {
        Harness h = new Harness(settings);
        h.sendSamples(
                h.sample("v1", 1_000).setCpuPercent(10).setRssBytes(100).setDiskReadBytes(1_000).setPeerCount(3),
                h.sample("v1", 6_000).setCpuPercent(60).setRssBytes(300).setDiskReadBytes(7_000).setPeerCount(5),
                h.sample("v1", 3_500).setCpuPercent(20).setRssBytes(200).setDiskReadBytes(2_000),
                h.sample("v2", 2_000).setCpuPercent(40).setRssBytes(400).setDiskReadBytes(5_000))
                .flush();
        return h;
    }

    private static Harness blocks(Map<String, ?> settings) {
        Harness h = new Harness(settings);
        h.send(
                fin(h, "v1", 1_000, "0xa", "v1", 210_000L, 2_000L),
                fin(h, "v2", 1_100, "0xa", "v1", 210_000L, 2_000L),
                fin(h, "v3", 1_200, "0xa", "v1", 210_000L, 2_000L),
                fin(h, "v2", 2_000, "0xb", "v2", 420_000L, 4_000L),
                fin(h, "v1", 2_050, "0xb", "v2", 420_000L, 4_000L),
                fin(h, "v3", 2_100, "0xb", "v2", 420_000L, 4_000L),
                fin(h, "v2", 10_100, "0xc", "v3", 105_000L, 1_000L),
                fin(h, "v1", 9_900, "0xc", "v3", 105_000L, 1_000L),
                fin(h, "v2", 10_100, "0xc", "v3", 105_000L, 1_000L),
                fin(h, "v3", 10_200, "0xc", "v3", 105_000L, 1_000L),
                fin(h, "v1", 12_000, "0xd", "v1", 0L, 512L),
                fin(h, "v2", 12_100, "0xd", "v1", 0L, 512L),
                fin(h, "v3", 12_200, "0xd", "v1", 0L, 512L),
                fin(h, "v1", 15_000, "0xe", "v1", 630_000L, 6_000L),
                fin(h, "v2", 15_100, "0xe", "v1", 630_000L, 6_000L),
                fin(h, "v3", 16_000, "0xf", "v2", null, null),
                fin(h, "v2", 75_000, "0xh", "v2", 42_000L, 900L))
                .flush();
        return h;
    }

    private static ProtocolEvent.Builder fin(Harness h, String node, long ms, String hash, String leader, Long gas,
                                             Long size) {
        return h.event(node, block_finalization, ms).setBlockHash(hash).setLeader(leader).setGasUsed(gas)
                .setSizeBytes(size).setTxCount(gas == null ? 3 : (int) (gas / 21_000));
    }

    private static Harness rounds(Map<String, ?> settings) {
        Harness h = new Harness(settings);
        h.send(
                h.event("v1", consensus_proposal, 100).setHeight(1L).setRound(0).setBlockHash("0xa"),
                h.event("v2", consensus_vote, 150).setHeight(1L).setRound(0).setBlockHash("0xa"),
                h.event("v2", consensus_commit, 300).setHeight(1L).setRound(0).setBlockHash("0xa"),
                h.event("v1", block_finalization, 310).setHeight(1L).setBlockHash("0xa"),
                h.event("v2", block_finalization, 320).setHeight(1L).setBlockHash("0xa"),
                h.event("v2", consensus_proposal, 1_100).setHeight(2L).setRound(0).setBlockHash("0xb"),
                h.event("v1", consensus_vote, 1_300).setHeight(2L).setRound(1).setBlockHash("0xb"),
                h.event("v1", consensus_commit, 1_400).setHeight(2L).setRound(1).setBlockHash("0xb"),
                h.event("v1", block_finalization, 1_500).setHeight(2L).setBlockHash("0xb"),
                h.event("v2", block_finalization, 2_600).setHeight(3L).setBlockHash("0xc"),
                h.event("v1", block_finalization, 2_500).setHeight(3L).setBlockHash("0xc"),
                h.event("v3", consensus_proposal, 2_300).setHeight(3L).setRound(2).setBlockHash("0xc"),
                h.event("v1", block_finalization, 3_000).setHeight(4L).setBlockHash("0xd"),
                h.event("v1", consensus_proposal, 9_800).setHeight(5L).setRound(0).setBlockHash("0xe"),
                h.event("v1", block_finalization, 9_900).setHeight(5L).setBlockHash("0xe"),
                h.event("v2", consensus_vote, 10_100).setHeight(5L).setRound(1).setBlockHash("0xe"),
                h.event("v2", consensus_proposal, 11_000).setHeight(6L).setRound(0).setBlockHash("0xf"),
                h.event("v2", consensus_proposal, 11_200).setHeight(6L).setRound(1).setBlockHash("0xf"),
                h.event("v2", block_finalization, 11_500).setHeight(6L).setBlockHash("0xf"),
                h.event("v1", block_finalization, 15_500).setHeight(7L).setBlockHash("0x7"));
        h.send(h.event("v3", block_finalization, 15_600).setHeight(1L).setBlockHash("0xa")).flush();
        return h;
    }
}
