package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_creation_start;
import static io.chainpulse.schema.EventType.block_finalization;
import static io.chainpulse.schema.EventType.block_propagation_complete;
import static io.chainpulse.schema.EventType.block_propagation_start;
import static io.chainpulse.schema.EventType.transaction_ingress;
import static io.chainpulse.schema.EventType.transaction_validation_complete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class PairedTopologiesTest {

    @Test
    void shouldMeasurePropagationAtEachReceivingNodeFromTheOriginsStart() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v4", block_propagation_complete, 1_020).setBlockHash("0xa"),   // before the start arrives: 20 ms
                    h.event("v1", block_propagation_start, 1_000).setBlockHash("0xa"),
                    h.event("v2", block_propagation_complete, 1_030).setBlockHash("0xa"),   // 30 ms
                    h.event("v3", block_propagation_complete, 1_080).setBlockHash("0xa"),   // 80 ms
                    h.event("v5", block_propagation_complete, 990).setBlockHash("0xa"))     // −10 ms: v5's clock is behind
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(PropagationDelayTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v2|0", "node|v3|0", "node|v4|0", "node|v5|0", "network||0");
            assertThat(kpis.get("node|v2|0").getMean()).isEqualTo(30.0);
            assertThat(kpis.get("node|v3|0").getMean()).isEqualTo(80.0);
            assertThat(kpis.get("node|v4|0").getMean()).isEqualTo(20.0);
            KpiWindow skewed = kpis.get("node|v5|0");
            assertThat(skewed.getCount()).isZero();
            assertThat(skewed.getExcludedSkew()).isEqualTo(1);
            assertThat(skewed.getMean()).isNull();
            KpiWindow network = kpis.get("network||0");
            assertThat(network.getCount()).isEqualTo(3);
            assertThat(network.getMin()).isEqualTo(20.0);
            assertThat(network.getMax()).isEqualTo(80.0);
            assertThat(network.getMean()).isCloseTo(130.0 / 3, within(1e-9));
            assertThat(network.getExcludedSkew()).isEqualTo(1);
        }
    }

    @Test
    void shouldMeasureTransactionValidationFromIngressAtTheSameNodeOnly() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", transaction_ingress, 100).setTxId("0xt1"),
                    h.event("v1", transaction_validation_complete, 103).setTxId("0xt1"),   // 3 ms
                    h.event("v1", transaction_ingress, 200).setTxId("0xt2"),
                    h.event("v1", transaction_validation_complete, 210).setTxId("0xt2"),   // 10 ms
                    h.event("v2", transaction_ingress, 300).setTxId("0xt3"),
                    h.event("v2", transaction_validation_complete, 305).setTxId("0xt3"),   // 5 ms
                    h.event("v2", transaction_validation_complete, 400).setTxId("0xt1"))   // ingress was at v1: unpaired
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(TxValidationTopology.METRIC);

            assertThat(kpis.get("node|v1|0").getCount()).isEqualTo(2);
            assertThat(kpis.get("node|v1|0").getMean()).isCloseTo(6.5, within(1e-9));
            assertThat(kpis.get("node|v2|0").getCount()).isEqualTo(1);
            assertThat(kpis.get("network||0").getCount()).isEqualTo(3);
            assertThat(kpis.get("network||0").getMean()).isCloseTo(6.0, within(1e-9));
            assertThat(h.counters.snapshot()).containsEntry("unpaired_complete|tx_validation_ms|v2", 1L);
        }
    }

    @Test
    void shouldCountALatencyWhoseWindowClosedBeforeItsStartArrivedAsLateInsteadOfDroppingIt() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", transaction_validation_complete, 1_000).setTxId("slow"),  // waits for its ingress
                    h.event("v1", transaction_ingress, 2_000).setTxId("a"),
                    h.event("v1", transaction_validation_complete, 2_004).setTxId("a"),     // 4 ms, window 0
                    h.event("v1", transaction_ingress, 16_000).setTxId("b"),                // window 0 closes at 15 s
                    h.event("v1", transaction_validation_complete, 16_006).setTxId("b"),    // 6 ms, window 1
                    h.event("v1", transaction_ingress, 16_500).setTxId("slow"))             // pairs at the complete's 1 s
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(TxValidationTopology.METRIC);

            assertThat(kpis.get("node|v1|0").getCount()).isEqualTo(1);
            assertThat(kpis.get("node|v1|0").getMean()).isEqualTo(4.0);
            assertThat(kpis.get("node|v1|10000").getCount()).isEqualTo(1);
            assertThat(kpis.get("node|v1|10000").getMean()).isEqualTo(6.0);
            assertThat(h.counters.snapshot()).containsEntry("late|tx_validation_ms|v1", 1L);
            assertThat(h.late()).isEmpty(); // every event itself was on time
        }
    }

    @Test
    void shouldRouteALateEventToTheLateTopicWithItsReasonAndKeepItOutOfTheWindow() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", transaction_ingress, 100).setTxId("a"),
                    h.event("v1", transaction_ingress, 20_000).setTxId("b"),  // stream time 20 s: window 0 closed at 15 s
                    h.event("v1", transaction_ingress, 2_000).setTxId("late"));
            List<TestRecord<String, ProtocolEvent>> late = h.late();
            h.flush();

            assertThat(late).hasSize(1);
            assertThat(late.get(0).value().getTxId()).isEqualTo("late");
            assertThat(new String(late.get(0).headers().lastHeader(LateEvents.REASON_HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo("late: event time 2025-07-29T10:21:42Z is 18000 ms behind stream time "
                            + "2025-07-29T10:22:00Z; its window closed at 2025-07-29T10:21:55Z (grace 5000 ms)");
            assertThat(h.counters.snapshot()).containsEntry("late|events|v1", 1L);
            assertThat(h.kpis(TxIngressTpsTopology.METRIC).get("node|v1|0").getCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldPairABlockFinalizationThatArrivesBeforeItsCreationStartAndNotCountOtherNodesFinalizationsAsUnpaired() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", block_finalization, 1_400).setHeight(1L).setBlockHash("0xa"),   // before its start ...
                    h.event("v2", block_finalization, 1_420).setHeight(1L).setBlockHash("0xa"),   // v2 did not create it
                    h.event("v1", block_creation_start, 1_000).setHeight(1L),                    // ... 400 ms
                    h.event("v2", block_creation_start, 2_000).setHeight(2L),
                    h.event("v2", block_finalization, 2_250).setHeight(2L).setBlockHash("0xb"),   // in order: 250 ms
                    h.event("v1", block_finalization, 2_270).setHeight(2L).setBlockHash("0xb"))   // v1 did not create it
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(BlockCreationTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            assertThat(kpis.get("node|v1|0").getCount()).isEqualTo(1);
            assertThat(kpis.get("node|v1|0").getMean()).isEqualTo(400.0);
            assertThat(kpis.get("node|v2|0").getMean()).isEqualTo(250.0);
            assertThat(kpis.get("network||0").getCount()).isEqualTo(2);
            assertThat(h.counters.snapshot().keySet()).filteredOn(k -> k.contains("block_creation_ms|v")).isEmpty();
        }
    }
}
