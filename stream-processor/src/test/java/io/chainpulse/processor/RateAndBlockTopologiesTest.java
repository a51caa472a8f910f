package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_finalization;
import static io.chainpulse.schema.EventType.transaction_ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tx_ingress_tps, tps and block_time_ms on one hand-built stream, 10 s windows. */
class RateAndBlockTopologiesTest {

    private static Harness stream() {
        Harness h = new Harness();
        h.send(
                h.event("v1", transaction_ingress, 100).setTxId("t1"),
                h.event("v1", transaction_ingress, 200).setTxId("t2"),
                h.event("v1", transaction_ingress, 300).setTxId("t3"),
                h.event("v2", transaction_ingress, 400).setTxId("t4"),
                // block 0xa (12 tx): v1 first; block 0xb (8 tx): v2 first; block 0xc (5 tx): v1 in window 0, v2 in window 1
                h.event("v1", block_finalization, 1_000).setHeight(1L).setBlockHash("0xa").setTxCount(12),
                h.event("v2", block_finalization, 1_100).setHeight(1L).setBlockHash("0xa").setTxCount(12),
                h.event("v2", block_finalization, 2_000).setHeight(2L).setBlockHash("0xb").setTxCount(8),
                h.event("v1", block_finalization, 2_050).setHeight(2L).setBlockHash("0xb").setTxCount(8),
                h.event("v1", block_finalization, 9_900).setHeight(3L).setBlockHash("0xc").setTxCount(5),
                h.event("v2", block_finalization, 10_100).setHeight(3L).setBlockHash("0xc").setTxCount(5),
                h.event("v2", block_finalization, 10_100).setHeight(3L).setBlockHash("0xc").setTxCount(5)) // duplicate
                .flush();
        return h;
    }

    @Test
    void shouldCloseTheNetworkWindowAsSoonAsEveryPartitionHasClosedItsNodeWindowsNotAfterTheNetworkGrace() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", transaction_ingress, 100).setTxId("a"),
                    h.event("v2", transaction_ingress, 200).setTxId("b"),
                    h.event("v1", transaction_ingress, 16_000).setTxId("c"));  // node windows 0 close at 15 s

            Map<String, KpiWindow> kpis = h.kpis(TxIngressTpsTopology.METRIC);

            // the driver's one partition reported window 0 out, so the network window did not wait its 30 s grace
            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            assertThat(kpis.get("network||0").getCount()).isEqualTo(2);
        }
    }

    @Test
    void shouldCountIngressPerNodeAndSumItForTheNetwork() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(TxIngressTpsTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            assertThat(kpis.get("node|v1|0").getCount()).isEqualTo(3);
            assertThat(kpis.get("node|v1|0").getRatePerS()).isEqualTo(0.3);
            assertThat(kpis.get("node|v2|0").getRatePerS()).isEqualTo(0.1);
            assertThat(kpis.get("network||0").getCount()).isEqualTo(4);
            assertThat(kpis.get("network||0").getRatePerS()).isEqualTo(0.4);
            assertThat(kpis.get("network||0").getP95()).as("rates carry no distribution").isNull();
        }
    }

    @Test
    void shouldCountEachBlockOnceForTheNetworkAtItsEarliestFinalization() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(TpsTopology.METRIC);

            // nodes: every finalization they saw; v2's duplicate of 0xc is a second event, counted at the node
            assertThat(kpis.get("node|v1|0").getRatePerS()).isEqualTo(2.5);   // 12 + 8 + 5 in 10 s
            assertThat(kpis.get("node|v2|0").getRatePerS()).isEqualTo(2.0);   // 12 + 8
            assertThat(kpis.get("node|v2|10000").getRatePerS()).isEqualTo(1.0); // 5 + 5
            // network: 0xa, 0xb and 0xc once each, 0xc in window 0 where v1 finalized it first
            assertThat(kpis.get("network||0").getCount()).isEqualTo(25);
            assertThat(kpis.get("network||0").getRatePerS()).isEqualTo(2.5);
            assertThat(kpis).doesNotContainKey("network||10000");
        }
    }

    @Test
    void shouldMeasureBlockTimeBetweenConsecutiveHeightsAtEachNode() {
        try (Harness h = stream()) {
            Map<String, KpiWindow> kpis = h.kpis(BlockTimeTopology.METRIC);

            KpiWindow v1 = kpis.get("node|v1|0");     // h2 − h1 = 1,050; h3 − h2 = 7,850
            assertThat(v1.getCount()).isEqualTo(2);
            assertThat(v1.getMin()).isEqualTo(1_050.0);
            assertThat(v1.getMax()).isEqualTo(7_850.0);
            assertThat(v1.getMean()).isCloseTo(4_450.0, within(1e-9));
            assertThat(kpis.get("node|v2|0").getMean()).isCloseTo(900.0, within(1e-9));      // 2,000 − 1,100
            assertThat(kpis.get("node|v2|10000").getMean()).isCloseTo(8_100.0, within(1e-9)); // 10,100 − 2,000, once
            assertThat(kpis.get("network||0").getCount()).isEqualTo(3);
            assertThat(kpis.get("network||0").getMean()).isCloseTo((1_050.0 + 7_850.0 + 900.0) / 3, within(1e-9));
            assertThat(h.counters.snapshot()).containsEntry("duplicate|block_time_ms|v2", 1L);
        }
    }
}
