package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_finalization;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.chainpulse.processor.Blocks.Block;
import io.chainpulse.processor.Blocks.Pending;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * gas_per_s, block_gas_used, block_size_bytes and leader_share_pct on one hand-built stream, 10 s windows, 5 s grace.
 *
 * <pre>
 * block  leader  gas      size   finalized at (ms after T0)
 * 0xa    v1      210,000  2,000  v1 1,000   v2 1,100   v3 1,200
 * 0xb    v2      420,000  4,000  v2 2,000   v1 2,050   v3 2,100
 * 0xc    v3      105,000  1,000  v1 9,900   v2 10,100 (twice)   v3 10,200   → window 0 for the network
 * 0xd    v1            0    512  v1 12,000  v2 12,100  v3 12,200
 * 0xe    v1      630,000  6,000  v1 15,000  v2 15,100
 * 0xf    v2            —      —  v3 16,000                                   (no gas_used, no size_bytes)
 * 0xh    v2       42,000    900  v2 75,000
 * </pre>
 */
class BlockTopologiesTest {

    private static Harness stream() {
        Harness h = new Harness();
        h.send(
                fin(h, "v1", 1_000, "0xa", "v1", 210_000L, 2_000L),
                fin(h, "v2", 1_100, "0xa", "v1", 210_000L, 2_000L),
                fin(h, "v3", 1_200, "0xa", "v1", 210_000L, 2_000L),
                fin(h, "v2", 2_000, "0xb", "v2", 420_000L, 4_000L),
                fin(h, "v1", 2_050, "0xb", "v2", 420_000L, 4_000L),
                fin(h, "v3", 2_100, "0xb", "v2", 420_000L, 4_000L),
                // 0xc: v2's finalization arrives before v1's earlier one, which still makes it a window-0 block
                fin(h, "v2", 10_100, "0xc", "v3", 105_000L, 1_000L),
                fin(h, "v1", 9_900, "0xc", "v3", 105_000L, 1_000L),
                fin(h, "v2", 10_100, "0xc", "v3", 105_000L, 1_000L), // duplicate
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

    @Test
    void shouldSumGasPerNodeAndForEachBlockOnceForTheNetwork() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(GasPerSecondTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v1|10000", "node|v2|0", "node|v2|10000",
                    "node|v2|70000", "node|v3|0", "node|v3|10000", "network||0", "network||10000", "network||70000");
            assertThat(kpis.get("node|v1|0").getRatePerS()).isEqualTo(73_500.0);     // 0xa + 0xb + 0xc = 735,000
            assertThat(kpis.get("node|v1|0").getCount()).isEqualTo(735_000L);
            assertThat(kpis.get("node|v1|10000").getRatePerS()).isEqualTo(63_000.0); // 0xd 0 + 0xe 630,000
            assertThat(kpis.get("node|v2|0").getRatePerS()).isEqualTo(63_000.0);     // 0xa + 0xb
            // v2 finalized 0xc twice: each event counts at the node, as for tps
            assertThat(kpis.get("node|v2|10000").getRatePerS()).isEqualTo(84_000.0); // 2 × 105,000 + 0 + 630,000
            assertThat(kpis.get("node|v3|10000").getRatePerS()).isEqualTo(10_500.0); // 0xc; 0xf has no gas_used
            assertThat(kpis.get("node|v2|70000").getRatePerS()).isEqualTo(4_200.0);
            // network: each block once, 0xc in window 0 where v1 finalized it first
            assertThat(kpis.get("network||0").getCount()).isEqualTo(735_000L);
            assertThat(kpis.get("network||0").getRatePerS()).isEqualTo(73_500.0);
            assertThat(kpis.get("network||10000").getRatePerS()).isEqualTo(63_000.0); // 0xd + 0xe; 0xf left out
            assertThat(kpis.get("network||70000").getRatePerS()).isEqualTo(4_200.0);
            assertThat(kpis.get("network||0").getP95()).as("a rate carries no distribution").isNull();
        }
    }

    @Test
    void shouldDistributeGasPerBlockAtEachNodeAndOverDistinctBlocksForTheNetwork() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(BlockGasUsedTopology.METRIC);

            KpiWindow network0 = kpis.get("network||0");                       // 210,000, 420,000, 105,000
            assertThat(network0.getCount()).isEqualTo(3);
            assertThat(network0.getMin()).isEqualTo(105_000.0);
            assertThat(network0.getMax()).isEqualTo(420_000.0);
            assertThat(network0.getMean()).isEqualTo(245_000.0);
            assertThat(network0.getP50()).isCloseTo(210_000.0, withinPercentage(1));
            assertThat(network0.getSketch()).isNotNull();
            KpiWindow network1 = kpis.get("network||10000");                   // 0 and 630,000; 0xf left out
            assertThat(network1.getCount()).isEqualTo(2);
            assertThat(network1.getMin()).isEqualTo(0.0);
            assertThat(network1.getMax()).isEqualTo(630_000.0);
            assertThat(network1.getMean()).isEqualTo(315_000.0);
            assertThat(kpis.get("node|v1|0").getMean()).isEqualTo(245_000.0);
            KpiWindow v2 = kpis.get("node|v2|10000");                          // 105,000 twice, 0, 630,000
            assertThat(v2.getCount()).isEqualTo(4);
            assertThat(v2.getMean()).isEqualTo(210_000.0);
            KpiWindow v3 = kpis.get("node|v3|10000");                          // 105,000 and 0
            assertThat(v3.getCount()).isEqualTo(2);
            assertThat(v3.getMean()).isEqualTo(52_500.0);
            assertThat(kpis.get("network||70000").getMean()).isEqualTo(42_000.0);
        }
    }

    @Test
    void shouldDistributeBlockSizesAtEachNodeAndOverDistinctBlocksForTheNetwork() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(BlockSizeTopology.METRIC);

            KpiWindow network0 = kpis.get("network||0");                       // 2,000, 4,000, 1,000
            assertThat(network0.getCount()).isEqualTo(3);
            assertThat(network0.getMean()).isCloseTo(7_000.0 / 3, within(1e-9));
            assertThat(network0.getMax()).isEqualTo(4_000.0);
            // the sketch's p99 of three samples is the second (rank 0.99 × (3 − 1) = 1.98 rounds down), within 1 %
            assertThat(network0.getP99()).isCloseTo(2_000.0, withinPercentage(1));
            KpiWindow network1 = kpis.get("network||10000");                   // 512 and 6,000
            assertThat(network1.getCount()).isEqualTo(2);
            assertThat(network1.getMin()).isEqualTo(512.0);
            assertThat(network1.getMean()).isEqualTo(3_256.0);
            assertThat(kpis.get("node|v3|10000").getCount()).isEqualTo(2);    // 1,000 and 512; 0xf has no size
            assertThat(kpis.get("node|v3|10000").getMean()).isEqualTo(756.0);
            assertThat(kpis.get("node|v2|70000").getMean()).isEqualTo(900.0);
        }
    }

    @Test
    void shouldGiveEachNodeItsShareOfTheWindowsDistinctBlocksAndZeroWhileItIsRemembered() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(LeaderShareTopology.METRIC);

            // window 0: 0xa (v1), 0xb (v2), 0xc (v3); window 10 s: 0xd, 0xe (v1), 0xf (v2); window 70 s: 0xh (v2).
            // v3 led nothing after window 0: 0 % at 10 s; at 70 s window 0 is more than the 60 s pairing timeout ago.
            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v3|0", "node|v1|10000",
                    "node|v2|10000", "node|v3|10000", "node|v1|70000", "node|v2|70000");
            for (String node : List.of("v1", "v2", "v3")) {
                assertThat(kpis.get("node|" + node + "|0").getCount()).isEqualTo(3);
                assertThat(kpis.get("node|" + node + "|0").getMean()).isCloseTo(100.0 / 3, within(1e-9));
            }
            assertThat(kpis.get("node|v1|10000").getCount()).isEqualTo(3);
            assertThat(kpis.get("node|v1|10000").getMean()).isCloseTo(200.0 / 3, within(1e-9));
            assertThat(kpis.get("node|v1|10000").getMin()).isEqualTo(0.0);
            assertThat(kpis.get("node|v1|10000").getMax()).isEqualTo(100.0);
            assertThat(kpis.get("node|v2|10000").getMean()).isCloseTo(100.0 / 3, within(1e-9));
            KpiWindow v3 = kpis.get("node|v3|10000");
            assertThat(v3.getCount()).isEqualTo(3);
            assertThat(v3.getMean()).isEqualTo(0.0);
            assertThat(v3.getMax()).isEqualTo(0.0);
            assertThat(kpis.get("node|v2|70000").getMean()).isEqualTo(100.0);
            assertThat(kpis.get("node|v1|70000").getCount()).isEqualTo(1);
            assertThat(kpis.get("node|v1|70000").getMean()).isEqualTo(0.0);
            assertThat(kpis.get("node|v1|10000").getNodeId()).isEqualTo("v1");
        }
    }

    @Test
    void shouldShareOneRepartitionByBlockHashAndOneToTheNetworkUnderTpsNames() {
        try (Harness h = new Harness()) {
            TopologyDescription description = KpiTopology.build(h.ctx).describe();
            TreeSet<String> topics = new TreeSet<>();
            TreeSet<String> stores = new TreeSet<>();
            for (TopologyDescription.Subtopology sub : description.subtopologies()) {
                for (TopologyDescription.Node node : sub.nodes()) {
                    if (node instanceof TopologyDescription.Sink sink && sink.topic() != null
                            && sink.topic().endsWith("-repartition")) {
                        topics.add(sink.topic());
                    }
                    if (node instanceof TopologyDescription.Processor p) {
                        stores.addAll(p.stores());
                    }
                }
            }
            assertThat(topics).filteredOn(t -> t.startsWith("tps-") || t.startsWith("gas") || t.startsWith("block_g")
                    || t.startsWith("block_s") || t.startsWith("leader")).containsExactly(
                    "tps-by-block-hash-repartition", "tps-network-samples-repartition");
            assertThat(stores).contains("tps-network-blocks", "tps-node-windows", "tps-network-windows",
                    "gas_per_s-node-windows", "gas_per_s-network-windows", "block_gas_used-node-windows",
                    "block_gas_used-network-windows", "block_size_bytes-node-windows",
                    "block_size_bytes-network-windows", "leader_share_pct-network-windows");
        }
    }

    @Test
    void shouldReadTheRecordsTpsWroteBeforeAsBlocksOfUnknownGasSizeAndLeader() {
        byte[] sample = Sample.SERDE.serializer().serialize("t", Sample.of(WindowedStats.NETWORK, 12));
        assertThat(Block.SERDE.deserializer().deserialize("t", sample)).isEqualTo(new Block(12, null, null, null));
        byte[] stored = ByteBuffer.allocate(13).putLong(1_234L).putInt(7).put((byte) 1).array();
        assertThat(Pending.SERDE.deserializer().deserialize("t", stored))
                .isEqualTo(new Pending(1_234L, new Block(7, null, null, null), true));

        Block block = new Block(5, 105_000L, 1_000L, "v3");
        byte[] wire = Block.SERDE.serializer().serialize("t", block);
        assertThat(Block.SERDE.deserializer().deserialize("t", wire)).isEqualTo(block);
        assertThat(Sample.SERDE.deserializer().deserialize("t", wire)).as("still a tps sample")
                .isEqualTo(Sample.of(WindowedStats.NETWORK, 5));
        Pending pending = new Pending(99L, new Block(0, null, 512L, "v1"), false);
        assertThat(Pending.SERDE.deserializer().deserialize("t", Pending.SERDE.serializer().serialize("t", pending)))
                .isEqualTo(pending);
    }
}
