package io.chainpulse.processor;

import static io.chainpulse.processor.Harness.T0;
import static io.chainpulse.processor.Harness.W;
import static io.chainpulse.schema.EventType.consensus_validation_complete;
import static io.chainpulse.schema.EventType.consensus_validation_start;
import static io.chainpulse.schema.EventType.transaction_ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** What the event gate does with keys, clocks and node ids the producer got wrong; the rest stays exact. */
class EventGateTest {
    private static final long YEAR_MS = 365L * 24 * 3600 * 1000;

    /** 3 windows × 10 rounds × {@code nodes}: an ingress, and a consensus pair 50 ms long, per node and round. */
    private static List<ProtocolEvent.Builder> traffic(Harness h, int nodes, long fromMs) {
        List<ProtocolEvent.Builder> out = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < 10; i++) {
                for (int n = 1; n <= nodes; n++) {
                    long t = fromMs + w * W + i * 500L + n;
                    long height = w * 10L + i;
                    out.add(h.event("v" + n, transaction_ingress, t).setTxId("t" + height + "-" + n));
                    out.add(h.event("v" + n, consensus_validation_start, t + 100).setHeight(height).setRound(0));
                    out.add(h.event("v" + n, consensus_validation_complete, t + 150).setHeight(height).setRound(0));
                }
            }
        }
        return out;
    }

    private static Map<String, KpiWindow> kpis(Harness h) {
        Map<String, KpiWindow> out = new TreeMap<>();
        for (String metric : List.of(TxIngressTpsTopology.METRIC, ConsensusLatencyTopology.METRIC)) {
            h.kpis(metric).forEach((k, v) -> out.put(metric + " " + k, v));
        }
        return out;
    }

    /** Every node: 10 ingress and 10 consensus samples of 50 ms in each of the 3 windows from {@code fromMs}. */
    private static void assertExact(Map<String, KpiWindow> kpis, int nodes, long fromOffsetMs) {
        for (int w = 0; w < 3; w++) {
            long start = fromOffsetMs + w * W;
            for (int n = 1; n <= nodes; n++) {
                assertThat(kpis.get("tx_ingress_tps node|v" + n + "|" + start).getCount()).isEqualTo(10);
                KpiWindow consensus = kpis.get("consensus_latency_ms node|v" + n + "|" + start);
                assertThat(consensus.getCount()).isEqualTo(10);
                assertThat(consensus.getMean()).isCloseTo(50.0, within(1e-9));
            }
            assertThat(kpis.get("tx_ingress_tps network||" + start).getCount()).isEqualTo(10L * nodes);
            assertThat(kpis.get("consensus_latency_ms network||" + start).getCount()).isEqualTo(10L * nodes);
        }
        assertThat(kpis).hasSize(2 * 3 * (nodes + 1));
    }

    private static String header(TestRecord<String, ProtocolEvent> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldKeyAndPartitionByTheEventsNodeIdWhateverKeyTheProducerSet() {
        Map<String, KpiWindow> keyedByNode;
        try (Harness h = new Harness()) {
            h.send(traffic(h, 4, 0).toArray(ProtocolEvent.Builder[]::new)).flush();
            keyedByNode = kpis(h);
        }
        try (Harness h = new Harness()) {
            int i = 0;
            for (ProtocolEvent.Builder e : traffic(h, 4, 0)) {
                switch (i++ % 4) {
                    case 0 -> h.sendKeyed(e.getNodeId(), e);                       // as the SDK does
                    case 1 -> h.sendKeyed((String) null, e);                       // no key, as most clients default to
                    case 2 -> h.sendKeyed("producer-" + e.getEventId(), e);         // another string
                    default -> h.sendKeyed(new byte[] {(byte) 0xC3, 0x28, 0x00}, e); // bytes, not UTF-8
                }
            }
            h.flush();

            Map<String, KpiWindow> kpis = kpis(h);
            assertExact(kpis, 4, 0);
            assertThat(kpis).isEqualTo(keyedByNode);
            assertThat(h.counters.snapshot()).doesNotContainKeys("unpaired_start|consensus_latency_ms|v1",
                    "unpaired_complete|consensus_latency_ms|v1");
            assertThat(h.late()).isEmpty();
        }
    }

    @Test
    void shouldSetAnEventAYearAheadAsideAsFutureAndKeepEveryWindowOfEightNodesExact() {
        Map<String, KpiWindow> without;
        try (Harness h = new Harness()) {
            h.send(traffic(h, 8, 0).toArray(ProtocolEvent.Builder[]::new)).flush();
            without = kpis(h);
        }
        try (Harness h = new Harness()) {
            List<ProtocolEvent.Builder> events = traffic(h, 8, 0);
            // in the middle of window 1, v3's clock jumps a year ahead for one event
            events.add(events.size() / 2, h.event("v3", transaction_ingress, 15_000 + YEAR_MS).setTxId("from-the-future"));
            h.send(events.toArray(ProtocolEvent.Builder[]::new));
            List<TestRecord<String, ProtocolEvent>> late = h.late();
            h.flush();

            Map<String, KpiWindow> kpis = kpis(h);
            assertExact(kpis, 8, 0);
            assertThat(kpis).isEqualTo(without);
            assertThat(late).hasSize(1);
            assertThat(late.get(0).value().getTxId()).isEqualTo("from-the-future");
            assertThat(header(late.get(0), LateEvents.REASON_HEADER)).isEqualTo("future: event time "
                    + "2026-07-29T10:21:55Z is more than 60000 ms (max.future.skew.ms) ahead of the reference clock; "
                    + "stream time not advanced");
            assertThat(h.counters.snapshot()).containsEntry("future|events|v3", 1L)
                    .doesNotContainKey("late|events|v3");
        }
    }

    @Test
    void shouldAdvanceStreamTimeWhenEveryNodeJumpsAnHourAheadTogether() {
        long hour = 3_600_000L;
        try (Harness h = new Harness()) {
            h.send(traffic(h, 8, 0).toArray(ProtocolEvent.Builder[]::new));  // then an outage, then all recover
            h.send(traffic(h, 8, hour).toArray(ProtocolEvent.Builder[]::new));
            List<TestRecord<String, ProtocolEvent>> late = h.late();
            h.flush();

            Map<String, KpiWindow> kpis = kpis(h);
            Map<String, KpiWindow> before = new TreeMap<>();
            Map<String, KpiWindow> after = new TreeMap<>();
            kpis.forEach((k, v) -> (v.getWindowStartMs() < T0 + hour ? before : after).put(k, v));
            assertExact(before, 8, 0);
            assertExact(after, 8, hour);
            assertThat(late).isEmpty();
            assertThat(h.counters.total("future")).isZero();
        }
    }

    @Test
    void shouldSendEventsWithInvalidNodeIdsAndRecordsWithoutValueToTheDeadLettersWithTheirSource() {
        try (Harness h = new Harness()) {
            h.send(traffic(h, 2, 0).toArray(ProtocolEvent.Builder[]::new));   // offsets 0 .. 179
            h.send(h.event("network", transaction_ingress, 30_000).setTxId("a"),   // offset 180
                    h.event("../etc", transaction_ingress, 30_001).setTxId("b"),   // 181
                    h.event("", transaction_ingress, 30_002).setTxId("c"),         // 182
                    h.event("v1", transaction_ingress, 30_003).setTxId("d"));      // 183: valid, counted
            h.sendTombstone("v1");                                                 // 184
            List<TestRecord<String, ProtocolEvent>> dead = h.deadLetters();
            h.flush();

            assertThat(dead).hasSize(4);
            assertThat(dead.stream().map(r -> header(r, DeadLetters.REASON_HEADER))).containsExactly(
                    "node id 'network' is reserved (reserved names: anomalies, network)",
                    "node id '../etc' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -",
                    "node id is missing or empty",
                    "the record has no value (a tombstone): not a ProtocolEvent");
            assertThat(dead.stream().map(r -> header(r, DeadLetters.SOURCE_OFFSET_HEADER)))
                    .containsExactly("180", "181", "182", "184");
            assertThat(dead).allSatisfy(r -> {
                assertThat(header(r, DeadLetters.SOURCE_TOPIC_HEADER)).isEqualTo("chainpulse.events");
                assertThat(header(r, DeadLetters.SOURCE_PARTITION_HEADER)).isEqualTo("0");
                assertThat(header(r, DeadLetters.SERVICE_HEADER)).isEqualTo("processor");
            });
            assertThat(dead.get(1).value().getTxId()).isEqualTo("b"); // the event itself, for a re-publish
            assertThat(h.counters.snapshot()).containsEntry("invalid_node_id|events|*", 3L);

            Map<String, KpiWindow> ingress = h.kpis(TxIngressTpsTopology.METRIC);
            assertThat(ingress.get("node|v1|30000").getCount()).isEqualTo(1);
            assertThat(ingress.get("network||30000").getCount()).isEqualTo(1);
            assertThat(ingress.get("network||20000").getCount()).isEqualTo(20);
            assertThat(ingress).containsOnlyKeys("node|v1|0", "node|v1|10000", "node|v1|20000", "node|v1|30000",
                    "node|v2|0", "node|v2|10000", "node|v2|20000", "network||0", "network||10000", "network||20000",
                    "network||30000");
        }
    }

    @Test
    void shouldSetEventsOfNodesBeyondMaxNodesAsideAndAdmitANewNodeOnceOldOnesWentSilent() {
        try (Harness h = new Harness(Map.of(ProcessorConfig.MAX_NODES, 3))) {
            List<ProtocolEvent.Builder> window0 = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                for (int n = 1; n <= 5; n++) {
                    window0.add(h.event("v" + n, transaction_ingress, i * 500L + n).setTxId(i + "-" + n));
                }
            }
            h.send(window0.toArray(ProtocolEvent.Builder[]::new));
            List<TestRecord<String, ProtocolEvent>> setAside = h.late();
            // 200 s later v1..v3 are silent past pairing timeout + 2 network graces (120 s): three of the four nodes
            // now sending get their room
            h.send(h.event("v4", transaction_ingress, 200_000).setTxId("x4"),
                    h.event("v5", transaction_ingress, 200_001).setTxId("x5"),
                    h.event("v6", transaction_ingress, 200_002).setTxId("x6"),
                    h.event("v7", transaction_ingress, 200_003).setTxId("x7"));
            List<TestRecord<String, ProtocolEvent>> setAsideLater = h.late();
            h.flush();

            assertThat(setAside).hasSize(20);
            assertThat(setAside.stream().map(r -> r.value().getNodeId()).distinct()).containsExactly("v4", "v5");
            assertThat(header(setAside.get(0), LateEvents.REASON_HEADER)).isEqualTo(
                    "max.nodes: chain 'default' already has 3 nodes; node 'v4' is not counted until one is forgotten");
            assertThat(setAsideLater.stream().map(r -> r.value().getNodeId())).containsExactly("v7");
            assertThat(h.counters.snapshot()).containsEntry("max_nodes|events|default", 21L);
            Map<String, KpiWindow> ingress = h.kpis(TxIngressTpsTopology.METRIC);
            assertThat(ingress).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v3|0", "network||0",
                    "node|v4|200000", "node|v5|200000", "node|v6|200000", "network||200000");
            assertThat(ingress.get("network||0").getCount()).isEqualTo(30);
            assertThat(ingress.get("network||200000").getCount()).isEqualTo(3);
        }
    }
}
