package io.chainpulse.processor;

import static io.chainpulse.schema.EventStatus.UNKNOWN;
import static io.chainpulse.schema.EventStatus.failure;
import static io.chainpulse.schema.EventStatus.success;
import static io.chainpulse.schema.EventType.consensus_validation_complete;
import static io.chainpulse.schema.EventType.transaction_validation_complete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiWindow;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tx_failure_pct and consensus_failure_pct: each complete with an outcome is a sample of 100 (failed) or 0. */
class FailureRatioTopologiesTest {

    @Test
    void shouldGiveTheShareOfFailedTransactionValidationsPerNodeAndNetwork() {
        try (Harness h = new Harness()) {
            h.send(
                    tx(h, "v1", 100, failure), tx(h, "v1", 200, success), tx(h, "v1", 300, success),
                    tx(h, "v1", 400, failure), tx(h, "v1", 500, success), tx(h, "v1", 600, success),
                    tx(h, "v1", 700, success), tx(h, "v1", 800, success),               // v1: 2 of 8 failed
                    tx(h, "v1", 900, null), tx(h, "v1", 950, UNKNOWN),                   // no outcome: not counted
                    h.event("v1", consensus_validation_complete, 960).setHeight(1L).setStatus(failure), // other KPI
                    tx(h, "v2", 1_000, failure), tx(h, "v2", 2_000, success),            // v2: 1 of 2 failed
                    tx(h, "v3", 3_000, null), tx(h, "v3", 3_100, UNKNOWN),               // v3: no sample at all
                    tx(h, "v2", 10_100, success))                                        // v2, next window: 0 of 1
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(TxFailureTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v2|10000", "network||0",
                    "network||10000");
            KpiWindow v1 = kpis.get("node|v1|0");
            assertThat(v1.getCount()).isEqualTo(8);
            assertThat(v1.getMean()).isCloseTo(25.0, within(1e-9));
            assertThat(v1.getMin()).isEqualTo(0.0);
            assertThat(v1.getMax()).isEqualTo(100.0);
            KpiWindow v2 = kpis.get("node|v2|0");
            assertThat(v2.getCount()).isEqualTo(2);
            assertThat(v2.getMean()).isCloseTo(50.0, within(1e-9));
            KpiWindow v2Next = kpis.get("node|v2|10000");
            assertThat(v2Next.getCount()).isEqualTo(1);
            assertThat(v2Next.getMean()).isEqualTo(0.0);
            // network: 3 of 10 failed
            KpiWindow network = kpis.get("network||0");
            assertThat(network.getNodeId()).isNull();
            assertThat(network.getCount()).isEqualTo(10);
            assertThat(network.getMean()).isCloseTo(30.0, within(1e-9));
            assertThat(network.getExcludedSkew()).isZero();
            assertThat(kpis.get("network||10000").getMean()).isEqualTo(0.0);
        }
    }

    @Test
    void shouldPoolANodesTransactionAndConsensusValidationsInOneShareWithoutANetworkWindow() {
        try (Harness h = new Harness()) {
            h.send(
                    tx(h, "v1", 100, failure), tx(h, "v1", 200, success), tx(h, "v1", 300, success),
                    tx(h, "v1", 400, success), tx(h, "v1", 500, success),                         // v1: 1 of 5 tx
                    consensus(h, "v1", 600, 1, failure), consensus(h, "v1", 1_600, 2, success),
                    consensus(h, "v1", 2_600, 3, success),                                        // and 1 of 3 blocks
                    tx(h, "v1", 2_700, null), consensus(h, "v1", 2_800, 4, UNKNOWN),              // not counted
                    tx(h, "v2", 1_000, success), consensus(h, "v2", 1_100, 1, success),           // v2: 0 of 2
                    consensus(h, "v2", 10_100, 5, failure))                                       // v2, next: 1 of 1
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(ValidationFailureTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "node|v2|10000");
            KpiWindow v1 = kpis.get("node|v1|0");                                              // 2 of 8 pooled
            assertThat(v1.getNodeId()).isEqualTo("v1");
            assertThat(v1.getCount()).isEqualTo(8);
            assertThat(v1.getMean()).isCloseTo(25.0, within(1e-9));
            assertThat(kpis.get("node|v2|0").getCount()).isEqualTo(2);
            assertThat(kpis.get("node|v2|0").getMean()).isEqualTo(0.0);
            assertThat(kpis.get("node|v2|10000").getCount()).isEqualTo(1);
            assertThat(kpis.get("node|v2|10000").getMean()).isCloseTo(100.0, within(1e-9));
        }
    }

    @Test
    void shouldGiveTheShareOfFailedConsensusValidationsPerNodeAndNetwork() {
        try (Harness h = new Harness()) {
            h.send(
                    consensus(h, "v1", 100, 1, success), consensus(h, "v1", 1_100, 2, failure),
                    consensus(h, "v1", 2_100, 3, success), consensus(h, "v1", 3_100, 4, success), // v1: 1 of 4
                    consensus(h, "v1", 4_100, 5, null),                                           // not counted
                    tx(h, "v1", 4_200, failure),                                                  // other KPI
                    consensus(h, "v2", 150, 1, failure), consensus(h, "v2", 1_150, 2, failure),
                    consensus(h, "v2", 2_150, 3, failure))                                        // v2: 3 of 3
                    .flush();

            Map<String, KpiWindow> kpis = h.kpis(ConsensusFailureTopology.METRIC);

            assertThat(kpis).containsOnlyKeys("node|v1|0", "node|v2|0", "network||0");
            assertThat(kpis.get("node|v1|0").getCount()).isEqualTo(4);
            assertThat(kpis.get("node|v1|0").getMean()).isCloseTo(25.0, within(1e-9));
            assertThat(kpis.get("node|v2|0").getCount()).isEqualTo(3);
            assertThat(kpis.get("node|v2|0").getMean()).isCloseTo(100.0, within(1e-9));
            // network: 4 of 7 failed
            assertThat(kpis.get("network||0").getCount()).isEqualTo(7);
            assertThat(kpis.get("network||0").getMean()).isCloseTo(400.0 / 7, within(1e-9));
        }
    }

    private static io.chainpulse.schema.ProtocolEvent.Builder tx(Harness h, String node, long ms, EventStatus status) {
        return complete(h, node, transaction_validation_complete, ms, status).setTxId(node + "-tx-" + ms);
    }

    private static io.chainpulse.schema.ProtocolEvent.Builder consensus(Harness h, String node, long ms, long height,
                                                                       EventStatus status) {
        return complete(h, node, consensus_validation_complete, ms, status).setHeight(height).setRound(0);
    }

    private static io.chainpulse.schema.ProtocolEvent.Builder complete(Harness h, String node, EventType type, long ms,
                                                                      EventStatus status) {
        return h.event(node, type, ms).setStatus(status);
    }
}
