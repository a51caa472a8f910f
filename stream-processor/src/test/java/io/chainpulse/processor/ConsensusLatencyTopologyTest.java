package io.chainpulse.processor;

import static io.chainpulse.processor.Harness.W;
import static io.chainpulse.schema.EventType.consensus_validation_complete;
import static io.chainpulse.schema.EventType.consensus_validation_start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ConsensusLatencyTopologyTest {
    private static final Percentage SKETCH = Percentage.withPercentage(1);

    @Test
    void shouldComputeNodeAndNetworkLatencyWithOutOfOrderSkewedUnpairedAndDuplicateEvents() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", consensus_validation_start, 100).setHeight(1L).setRound(0),
                    h.event("v1", consensus_validation_complete, 150).setHeight(1L).setRound(0),        // 50 ms
                    h.event("v2", consensus_validation_start, 200).setHeight(1L).setRound(0),
                    h.event("v2", consensus_validation_complete, 500).setHeight(1L).setRound(0),        // v2: 300 ms
                    h.event("v1", consensus_validation_start, 1_100).setHeight(2L).setRound(0),
                    h.event("v1", consensus_validation_complete, 1_220).setHeight(2L).setRound(0),      // 120 ms
                    h.event("v2", consensus_validation_start, 1_200).setHeight(2L).setRound(0),
                    h.event("v2", consensus_validation_complete, 1_600).setHeight(2L).setRound(0),      // v2: 400 ms
                    h.event("v1", consensus_validation_start, 2_100).setHeight(3L).setRound(0),
                    h.event("v1", consensus_validation_complete, 2_200).setHeight(3L).setRound(0)
                            .setDurationNs(80_000_000L),                                                 // 80 ms: duration_ns wins over 100
                    h.event("v1", consensus_validation_complete, 3_300).setHeight(4L).setRound(0),      // complete first ...
                    h.event("v1", consensus_validation_start, 3_100).setHeight(4L).setRound(0),         // ... 200 ms
                    h.event("v1", consensus_validation_start, 4_100).setHeight(5L).setRound(0),
                    h.event("v1", consensus_validation_complete, 4_080).setHeight(5L).setRound(0),      // -20 ms: skew, excluded
                    h.event("v1", consensus_validation_start, 5_000).setHeight(6L).setRound(0),         // never completes
                    h.event("v1", consensus_validation_start, 5_100).setHeight(7L).setRound(0),
                    h.event("v1", consensus_validation_start, 5_100).setHeight(7L).setRound(0),         // duplicate start
                    h.event("v1", consensus_validation_complete, 5_160).setHeight(7L).setRound(0))      // 60 ms
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(ConsensusLatencyTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            // v1: 50, 60, 80, 120, 200 — DDSketch's quantile is the sample at rank q·(n−1), rounded up
            KpiWindow v1 = kpis.get("node|v1|0");
            assertThat(v1.getWindowEndMs() - v1.getWindowStartMs()).isEqualTo(W);
            assertThat(v1.getCount()).isEqualTo(5);
            assertThat(v1.getMin()).isEqualTo(50.0);
            assertThat(v1.getMax()).isEqualTo(200.0);
            assertThat(v1.getMean()).isCloseTo(102.0, within(1e-9));
            assertThat(v1.getExcludedSkew()).isEqualTo(1);
            assertThat(v1.getP50()).isCloseTo(80.0, SKETCH);
            assertThat(v1.getP95()).isCloseTo(120.0, SKETCH);
            assertThat(v1.getFinal$()).isTrue();
            KpiWindow v2 = kpis.get("node|v2|0");
            assertThat(v2.getCount()).isEqualTo(2);
            assertThat(v2.getMean()).isCloseTo(350.0, within(1e-9));
            assertThat(v2.getP95()).isCloseTo(300.0, SKETCH);
            // network: merged from the two node sketches — 50, 60, 80, 120, 200, 300, 400
            KpiWindow network = kpis.get("network||0");
            assertThat(network.getNodeId()).isNull();
            assertThat(network.getCount()).isEqualTo(7);
            assertThat(network.getMin()).isEqualTo(50.0);
            assertThat(network.getMax()).isEqualTo(400.0);
            assertThat(network.getMean()).isCloseTo(1210.0 / 7, within(1e-9));
            assertThat(network.getExcludedSkew()).isEqualTo(1);
            assertThat(network.getP50()).isCloseTo(120.0, SKETCH);
            assertThat(network.getP95()).isCloseTo(300.0, SKETCH);
            assertThat(network.getP99()).isCloseTo(300.0, SKETCH);
            assertThat(Sketches.decode(network.getSketch()).getCount()).isEqualTo(7.0);

            assertThat(h.counters.snapshot()).containsEntry("unpaired_start|consensus_latency_ms|v1", 1L)
                    .containsEntry("duplicate|consensus_latency_ms|v1", 1L);
        }
    }
}
