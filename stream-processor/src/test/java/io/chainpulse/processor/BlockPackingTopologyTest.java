package io.chainpulse.processor;

import static io.chainpulse.schema.EventType.block_execution_start;
import static io.chainpulse.schema.EventType.block_packing_start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class BlockPackingTopologyTest {
    private static final Percentage SKETCH = Percentage.withPercentage(1);

    @Test
    void shouldMeasurePackingUntilExecutionStartsAtTheSameNodeAndHeight() {
        try (Harness h = new Harness()) {
            h.send(
                    h.event("v1", block_packing_start, 100).setHeight(1L).setTxCount(10),
                    h.event("v1", block_execution_start, 104).setHeight(1L),              // 4 ms
                    h.event("v1", block_packing_start, 1_100).setHeight(2L),
                    h.event("v1", block_execution_start, 1_112).setHeight(2L),            // 12 ms
                    h.event("v1", block_execution_start, 2_108).setHeight(3L),            // execution first ...
                    h.event("v1", block_packing_start, 2_100).setHeight(3L),              // ... 8 ms
                    h.event("v1", block_packing_start, 3_100).setHeight(4L),              // never executed
                    h.event("v2", block_packing_start, 4_100).setHeight(5L),
                    h.event("v1", block_execution_start, 4_130).setHeight(5L),            // other node: no pair
                    h.event("v2", block_execution_start, 4_120).setHeight(5L),            // v2: 20 ms
                    h.event("v2", block_packing_start, 12_000).setHeight(6L),
                    h.event("v2", block_execution_start, 12_030).setHeight(6L))           // v2, next window: 30 ms
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(BlockPackingTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v2|10000", "network||0",
                    "network||10000");
            // v1: 4, 8, 12
            KpiWindow v1 = kpis.get("node|v1|0");
            assertThat(v1.getCount()).isEqualTo(3);
            assertThat(v1.getMin()).isEqualTo(4.0);
            assertThat(v1.getMax()).isEqualTo(12.0);
            assertThat(v1.getMean()).isCloseTo(8.0, within(1e-9));
            assertThat(v1.getP50()).isCloseTo(8.0, SKETCH);
            KpiWindow v2 = kpis.get("node|v2|0");
            assertThat(v2.getCount()).isEqualTo(1);
            assertThat(v2.getMean()).isCloseTo(20.0, within(1e-9));
            assertThat(kpis.get("node|v2|10000").getMean()).isCloseTo(30.0, within(1e-9));
            // network: 4, 8, 12, 20
            KpiWindow network = kpis.get("network||0");
            assertThat(network.getCount()).isEqualTo(4);
            assertThat(network.getMin()).isEqualTo(4.0);
            assertThat(network.getMax()).isEqualTo(20.0);
            assertThat(network.getMean()).isCloseTo(11.0, within(1e-9));
            assertThat(network.getP50()).isCloseTo(8.0, SKETCH);
            assertThat(network.getP95()).isCloseTo(12.0, SKETCH);
            assertThat(kpis.get("network||10000").getCount()).isEqualTo(1);

            assertThat(h.counters.snapshot()).containsEntry("unpaired_start|block_packing_ms|v1", 1L)
                    .containsEntry("unpaired_complete|block_packing_ms|v1", 1L)
                    .doesNotContainKeys("unpaired_start|block_packing_ms|v2", "unpaired_complete|block_packing_ms|v2");
        }
    }
}
