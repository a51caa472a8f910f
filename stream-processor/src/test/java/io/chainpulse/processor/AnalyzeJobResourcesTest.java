package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.json.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --resources}: the resource samples of a file through the production resource KPIs. */
class AnalyzeJobResourcesTest {
    private static final long T0 = 1_753_784_500_000L;

    @TempDir
    Path dir;

    @Test
    void shouldAddTheResourceKpisOfTheSamplesFileAndNameItsBadLines() throws Exception {
        Path events = Files.write(dir.resolve("events.jsonl"), List.of(EventJson.write(ProtocolEvent.newBuilder()
                .setEventId("e1").setEventType(EventType.transaction_ingress).setTimestampNs(T0 * 1_000_000L)
                .setNodeId("v1").setTxId("tx1").setMetadata(new HashMap<>()).build())));
        Path resources = Files.write(dir.resolve("resources.jsonl"), List.of(
                sample("v1", 5_000, 10.0, 1_000, null),
                sample("v1", 10_000, 30.0, 4_000, 1_000_000_000L),                 // window 2
                "",
                "{\"node_id\":\"v1\",\"timestamp_ns\":\"soon\"}",
                sample("v1", 9_000, 20.0, 3_000, null)));
        List<String> problems = new ArrayList<>();

        AnalyzeJob.Result result = AnalyzeJob.run(events, resources, Map.of(), problems::add);

        assertThat(result.samples()).isEqualTo(3);
        assertThat(result.badSampleLines()).isEqualTo(1);
        assertThat(problems).containsExactly(resources + ":4: timestamp_ns must be an integer: \"soon\"");
        Map<String, KpiWindow> cpu = new HashMap<>();
        for (KpiWindow k : result.kpis()) {
            if (k.getMetric().equals(Kpi.CPU_PCT.metric())) {
                cpu.put(k.getScope() + "|" + (k.getWindowStartMs() - T0), k);
            }
        }
        assertThat(cpu).containsOnlyKeys("node|0", "network|0", "node|10000", "network|10000");
        assertThat(cpu.get("node|0").getCount()).isEqualTo(2);
        assertThat(cpu.get("node|0").getMean()).isCloseTo(15.0, within(1e-9));
        assertThat(cpu.get("node|0").getLast()).isEqualTo(20.0);
        assertThat(result.kpis()).filteredOn(k -> k.getMetric().equals(Kpi.NET_RX_BYTES_PER_S.metric())
                        && k.getScope() == KpiScope.node).extracting(KpiWindow::getRatePerS)
                .containsExactly(400.0, 400.0); // 1,000 + 3,000 bytes, then 4,000, over 10 s
        assertThat(result.kpis()).filteredOn(k -> k.getMetric().equals(Kpi.SYSTEM_MEMORY_USED_BYTES.metric()))
                .extracting(KpiWindow::getWindowStartMs).containsExactly(T0 + 10_000, T0 + 10_000);
        // the events' KPIs are what they are without the samples
        assertThat(result.kpis()).filteredOn(k -> !Kpi.of(k.getMetric()).resource())
                .isEqualTo(AnalyzeJob.run(events, Map.of(), p -> {}).kpis());
    }

    private static String sample(String node, long offsetMs, double cpu, long rx, Long memoryUsed) {
        return "{\"node_id\":\"" + node + "\",\"chain_id\":null,\"timestamp_ns\":" + (T0 + offsetMs) * 1_000_000L
                + ",\"cpu_percent\":" + cpu + ",\"process_cpu_percent\":1.0,\"heap_used_bytes\":1,\"rss_bytes\":2,"
                + "\"disk_read_bytes\":0,\"disk_write_bytes\":0,\"net_rx_bytes\":" + rx + ",\"net_tx_bytes\":0,"
                + "\"open_fds\":64,\"mempool_size\":0,\"peer_count\":null,\"system_memory_used_bytes\":" + memoryUsed
                + "}";
    }
}
