package io.chainpulse.processor;

import static io.chainpulse.processor.Harness.W;
import static io.chainpulse.schema.EventType.transaction_ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ResourceKpiTopologyTest {
    private static final Percentage SKETCH = Percentage.withPercentage(1);
    private static final long DAY = 86_400_000L;

    @Test
    void shouldComputeGaugesWithLastAndByteRatesPerNodeAndNetworkCountingLateFutureAndInvalidSamples() {
        try (Harness h = new Harness()) {
            h.send(h.event("v1", transaction_ingress, 0).setTxId("tx1"));          // the recording's progress: T0
            h.sendSamples(
                    h.sample("v1", 1_000).setCpuPercent(10).setRssBytes(100).setDiskReadBytes(1_000).setPeerCount(3),
                    h.sample("v1", 6_000).setCpuPercent(60).setRssBytes(300).setDiskReadBytes(7_000).setPeerCount(5),
                    h.sample("v1", 3_500).setCpuPercent(20).setRssBytes(200).setDiskReadBytes(2_000)); // no peer count
            h.sendSampleKeyed("not-v2", h.sample("v2", 2_000).setCpuPercent(40).setRssBytes(400).setDiskReadBytes(5_000));
            h.sendSamples(
                    h.sample("bad node!", 2_500).setCpuPercent(99),                // breaks the node-id rule
                    h.sample("v1", 16_000).setCpuPercent(50),                      // window 1: closes v1's window 0
                    h.sample("v1", 9_000).setCpuPercent(99),                       // window 0 closed: late
                    h.sample("v1", DAY).setCpuPercent(99))                         // a day ahead: future
                    .flush();

            Map<String, KpiWindow> cpu = h.kpis(Kpi.CPU_PCT.metric());
            assertThat(cpu).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0", "node|v1|10000", "network||10000");
            // v1: 10 at 1 s, 20 at 3.5 s, 60 at 6 s (sent before the 20): last is the latest in time
            KpiWindow v1 = cpu.get("node|v1|0");
            assertThat(v1.getWindowEndMs() - v1.getWindowStartMs()).isEqualTo(W);
            assertThat(v1.getCount()).isEqualTo(3);
            assertThat(v1.getMin()).isEqualTo(10.0);
            assertThat(v1.getMean()).isCloseTo(30.0, within(1e-9));
            assertThat(v1.getMax()).isEqualTo(60.0);
            assertThat(v1.getLast()).isEqualTo(60.0);
            // DDSketch's quantile is the sample at rank ⌊q·(n−1)⌋: p50 and p95 of three samples are both the middle one
            assertThat(v1.getP50()).isCloseTo(20.0, SKETCH);
            assertThat(v1.getP95()).isCloseTo(20.0, SKETCH);
            assertThat(v1.getRatePerS()).isNull();
            assertThat(v1.getSketch()).isNotNull();
            // v2's sample came keyed "not-v2": re-keyed by its node id, a window of its own
            KpiWindow v2 = cpu.get("node|v2|0");
            assertThat(v2.getCount()).isEqualTo(1);
            assertThat(v2.getMean()).isEqualTo(40.0);
            assertThat(v2.getLast()).isEqualTo(40.0);
            // network: the two node windows merged — 10, 20, 40, 60; no last
            KpiWindow network = cpu.get("network||0");
            assertThat(network.getNodeId()).isNull();
            assertThat(network.getCount()).isEqualTo(4);
            assertThat(network.getMin()).isEqualTo(10.0);
            assertThat(network.getMean()).isCloseTo(32.5, within(1e-9));
            assertThat(network.getMax()).isEqualTo(60.0);
            assertThat(network.getLast()).isNull();
            assertThat(cpu.get("node|v1|10000").getCount()).isEqualTo(1);
            assertThat(cpu.get("node|v1|10000").getLast()).isEqualTo(50.0);

            Map<String, KpiWindow> rss = h.kpis(Kpi.RSS_BYTES.metric());
            assertThat(rss.get("node|v1|0").getMean()).isCloseTo(200.0, within(1e-9));
            assertThat(rss.get("node|v1|0").getLast()).isEqualTo(300.0);
            assertThat(rss.get("network||0").getMax()).isEqualTo(400.0);

            // bytes since the previous sample, summed ÷ 10 s: v1 1,000 + 7,000 + 2,000, v2 5,000
            Map<String, KpiWindow> reads = h.kpis(Kpi.DISK_READ_BYTES_PER_S.metric());
            assertThat(reads).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0", "node|v1|10000", "network||10000");
            assertThat(reads.get("node|v1|0").getCount()).isEqualTo(10_000);
            assertThat(reads.get("node|v1|0").getRatePerS()).isEqualTo(1_000.0);
            assertThat(reads.get("node|v1|0").getLast()).isNull();
            assertThat(reads.get("node|v1|0").getMean()).isNull();
            assertThat(reads.get("node|v2|0").getRatePerS()).isEqualTo(500.0);
            assertThat(reads.get("network||0").getCount()).isEqualTo(15_000);
            assertThat(reads.get("network||0").getRatePerS()).isEqualTo(1_500.0);
            assertThat(reads.get("node|v1|10000").getRatePerS()).isEqualTo(0.0);

            // an optional reading counts only where a sample carries it
            Map<String, KpiWindow> peers = h.kpis(Kpi.PEERS_CONNECTED.metric());
            assertThat(peers).containsOnlyKeys("node|v1|0", "network||0");
            assertThat(peers.get("node|v1|0").getCount()).isEqualTo(2);
            assertThat(peers.get("node|v1|0").getMean()).isCloseTo(4.0, within(1e-9));
            assertThat(peers.get("node|v1|0").getLast()).isEqualTo(5.0);
            assertThat(h.kpis(Kpi.SYSTEM_MEMORY_USED_BYTES.metric())).isEmpty();

            assertThat(h.counters.snapshot()).containsEntry("late|resources|v1", 1L)
                    .containsEntry("future|resources|v1", 1L).containsEntry("invalid_node_id|resources|*", 1L);
            assertThat(h.counters.total("late")).isEqualTo(1);
            assertThat(h.late()).isEmpty();
        }
    }

    @Test
    void shouldNormaliseCpuToAllCoresAndOpenFdsToTheLimitOnlyWhereTheSampleCarriesThem() {
        try (Harness h = new Harness()) {
            h.send(h.event("v1", transaction_ingress, 0).setTxId("tx1"));
            h.sendSamples(
                    // a saturated 4-core machine: 392 of 400 → 98 %; 256 of 1,024 fds → 25 %
                    h.sample("v1", 1_000).setCpuPercent(392).setCpuCores(4).setOpenFds(256).setOpenFdsLimit(1_024L),
                    // 300 of 400 → 75 %; 512 of 1,024 → 50 %
                    h.sample("v1", 6_000).setCpuPercent(300).setCpuCores(4).setOpenFds(512).setOpenFdsLimit(1_024L),
                    // 2 cores: 90 of 200 → 45 %; no limit: not counted for fds
                    h.sample("v2", 2_000).setCpuPercent(90).setCpuCores(2).setOpenFds(70),
                    // no core count: not counted for cpu_used_pct (cpu_pct counts it); a limit of 0 is not a limit
                    h.sample("v3", 2_000).setCpuPercent(50).setOpenFds(70).setOpenFdsLimit(0L),
                    h.sample("v1", 16_000).setCpuPercent(10).setCpuCores(4)) // window 1: closes window 0
                    .flush();

            Map<String, KpiWindow> cpu = h.kpis(Kpi.CPU_USED_PCT.metric());
            assertThat(cpu).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0", "node|v1|10000", "network||10000");
            KpiWindow v1 = cpu.get("node|v1|0");
            assertThat(v1.getCount()).isEqualTo(2);
            assertThat(v1.getMin()).isCloseTo(75.0, within(1e-9));
            assertThat(v1.getMax()).isCloseTo(98.0, within(1e-9));
            assertThat(v1.getMean()).isCloseTo(86.5, within(1e-9));
            assertThat(v1.getLast()).isCloseTo(75.0, within(1e-9));
            assertThat(cpu.get("node|v2|0").getMean()).isCloseTo(45.0, within(1e-9));
            KpiWindow network = cpu.get("network||0"); // 98, 75, 45
            assertThat(network.getCount()).isEqualTo(3);
            assertThat(network.getMean()).isCloseTo(218.0 / 3, within(1e-9));
            assertThat(cpu.get("node|v1|10000").getLast()).isCloseTo(2.5, within(1e-9));
            assertThat(h.kpis(Kpi.CPU_PCT.metric()).get("node|v3|0").getMean()).isEqualTo(50.0);

            Map<String, KpiWindow> fds = h.kpis(Kpi.OPEN_FDS_USED_PCT.metric());
            // v2 has no limit, v3 a limit of 0, v1's window-1 sample none: only v1's window 0
            assertThat(fds).containsOnlyKeys("node|v1|0", "network||0");
            assertThat(fds.get("node|v1|0").getMean()).isCloseTo(37.5, within(1e-9));
            assertThat(fds.get("node|v1|0").getMax()).isCloseTo(50.0, within(1e-9));
            assertThat(fds.get("node|v1|0").getLast()).isCloseTo(50.0, within(1e-9));
            assertThat(fds.get("network||0").getCount()).isEqualTo(2);
        }
    }

    @Test
    void shouldWriteLastInKpisJsonlForResourceGaugesOnlyAndReadItBack() {
        try (Harness h = new Harness()) {
            h.sendSamples(h.sample("v1", 1_000).setCpuPercent(12.5)).flush();
            KpiWindow cpu = h.kpis(Kpi.CPU_PCT.metric()).get("node|v1|0");
            String line = KpiJson.write(cpu);
            assertThat(line).contains("\"p99\":12.5").contains("\"last\":12.5,\"excluded_skew\":0");
            assertThat(KpiJson.parse(line).getLast()).isEqualTo(12.5);
            assertThat(KpiJson.write(h.kpis(Kpi.CPU_PCT.metric()).get("network||0"))).doesNotContain("last");
        }
    }

    @Test
    void shouldStoreAResourceWindowAndReadItBackTheSame() {
        ResourceWindow w = ResourceWindow.empty().add(0, "v1", 10, 1_000, true).add(0, "v1", 60, 6_000, true)
                .add(11, "v1", 2_000, 6_000, false);
        WindowAggregation.Closed closed = new WindowAggregation.Closed("v1", 0, W, w);
        WindowAggregation.Closed back = (WindowAggregation.Closed) WindowAggregation.Emitted.SERDE.deserializer()
                .deserialize("t", WindowAggregation.Emitted.SERDE.serializer().serialize("t", closed));
        ResourceWindow read = (ResourceWindow) back.window();
        assertThat(read.stats(0).count).isEqualTo(2);
        assertThat(read.stats(0).sum()).isEqualTo(70.0);
        assertThat(read.last(0)).isEqualTo(60.0);
        assertThat(read.stats(11).sum()).isEqualTo(2_000.0);
        assertThat(read.stats(11).sketch).isNull();
        assertThat(read.stats(1)).isNull();
        assertThat(read.last(1)).isNull();
        assertThat(read.encode()).isEqualTo(w.encode());
    }
}
