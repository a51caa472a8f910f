package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The causes a firing latency or throughput anomaly names from its node's resources. */
class NodeResourcesTest {
    private static final double GIB = 1L << 30;
    private final Map<NodeResources.Reading, Map<String, NodeResources.Seen>> known = new HashMap<>();
    private final NodeResources.Memory memory = new NodeResources.Memory() {
        @Override
        public NodeResources.Seen get(NodeResources.Reading reading, String node) {
            return all(reading).get(node);
        }

        @Override
        public Map<String, NodeResources.Seen> all(NodeResources.Reading reading) {
            return known.getOrDefault(reading, Map.of());
        }
    };

    private void know(NodeResources.Reading reading, int window, Object... nodeValues) {
        Map<String, NodeResources.Seen> byNode = known.computeIfAbsent(reading, r -> new TreeMap<>());
        for (int i = 0; i < nodeValues.length; i += 2) {
            byNode.put((String) nodeValues[i], new NodeResources.Seen(Kpi.w(window), Kpi.w(window) + Kpi.WINDOW_MS,
                    ((Number) nodeValues[i + 1]).doubleValue()));
        }
    }

    private static Anomaly anomaly(AnomalyState state, String metric, String node) {
        return Anomaly.newBuilder().setAnomalyId("static_rule|consensus_latency_p95_high|x").setState(state)
                .setSeverity(Severity.HIGH).setSeverityLevel(4).setDetector("static_rule")
                .setRule("consensus_latency_p95_high").setMetric(metric)
                .setScope(node == null ? KpiScope.network : KpiScope.node).setNodeId(node).setWindowStartMs(Kpi.w(7))
                .setObserved(2600.0).setExpected(2000.0).setStartedMs(Kpi.w(6))
                .setDescription("p95 consensus latency 2600 ms on v3, above 2000 ms")
                .setSuggestedActions(List.of("Check the validator's CPU, disk latency and peer connections")).build();
    }

    /** Explained as published: with 10 s windows. */
    private Anomaly explain(Anomaly anomaly) {
        return NodeResources.explain(anomaly, memory, Kpi.WINDOW_MS);
    }

    @Test
    void shouldNameCpuAsTheCauseWhenTheNodeIsCpuBoundAgainstTheNetworkMedian() {
        know(NodeResources.Reading.CPU, 7, "v1", 2.4, "v2", 2.6, "v3", 97.3, "v4", 2.2);
        know(NodeResources.Reading.MEMORY_AVAILABLE, 7, "v1", 14.2 * GIB, "v2", 14.2 * GIB, "v3", 14.1 * GIB,
                "v4", 14.3 * GIB);
        know(NodeResources.Reading.MEMORY_USED, 7, "v1", 1.8 * GIB, "v2", 1.8 * GIB, "v3", 1.9 * GIB, "v4", 1.7 * GIB);

        Anomaly explained = explain(anomaly(AnomalyState.FIRING, "consensus_latency_ms", "v3"));

        // medians of four: (2.4 + 2.6) / 2, (14.2 + 14.2) / 2
        assertThat(explained.getDescription()).isEqualTo("p95 consensus latency 2600 ms on v3, above 2000 ms; CPU max"
                + " 97.3 % (network median 2.5 %); memory available 14.1 GiB (network median 14.2 GiB) → CPU-bound");
        assertThat(explained.getSuggestedActions()).containsExactly("v3 is CPU-bound: find what takes the machine's"
                        + " CPU (top -H; the node's process CPU next to the machine's) and add cores or move other work"
                        + " off the machine",
                "Check the validator's CPU, disk latency and peer connections");
        assertThat(explained.getAnomalyId()).isEqualTo("static_rule|consensus_latency_p95_high|x");
        assertThat(explained.getSeverity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void shouldSayResourcesAreNormalAndPointAtPeersAndTheNetwork() {
        know(NodeResources.Reading.CPU, 7, "v1", 2.4, "v2", 2.6, "v3", 2.9);
        know(NodeResources.Reading.PEERS, 7, "v1", 3, "v2", 3, "v3", 3);

        Anomaly explained = explain(anomaly(AnomalyState.FIRING, "propagation_delay_ms", "v3"));

        assertThat(explained.getDescription()).isEqualTo("p95 consensus latency 2600 ms on v3, above 2000 ms;"
                + " resources normal (CPU max 2.9 % (network median 2.6 %)) → look at peers and the network");
        assertThat(explained.getSuggestedActions()).first().isEqualTo("Resources of v3 are normal: look at its peers"
                + " and the network (its propagation delay and peer count, the leaders it waits for)");
    }

    @Test
    void shouldNameEveryPressedResourceAndLeaveOutAMedianOfOneNode() {
        know(NodeResources.Reading.CPU, 7, "v3", 95.0);
        know(NodeResources.Reading.MEMORY_AVAILABLE, 7, "v3", 0.5 * GIB);
        know(NodeResources.Reading.MEMORY_USED, 7, "v3", 15.5 * GIB);
        know(NodeResources.Reading.DISK, 7, "v3", 97.0);
        know(NodeResources.Reading.FDS, 7, "v3", 85.0);
        know(NodeResources.Reading.PEERS, 7, "v1", 6, "v2", 6, "v3", 1);

        Anomaly explained = explain(anomaly(AnomalyState.FIRING, "tx_ingress_tps", "v3"));

        assertThat(explained.getDescription()).endsWith("; CPU max 95.0 %; memory available 512 MiB; disk 97.0 %;"
                + " open fds 85.0 %; peers 1.0 (network median 6.0) → CPU-bound, short of memory, data disk nearly"
                + " full, near its open-files limit, few peers");
        assertThat(explained.getSuggestedActions()).hasSize(6);
    }

    @Test
    void shouldLeaveAnomaliesAloneThatAreNotAFiringNodeLatencyOrThroughputOrWhoseNodeHasNoResources() {
        know(NodeResources.Reading.CPU, 7, "v3", 97.3);
        Anomaly resolved = anomaly(AnomalyState.RESOLVED, "consensus_latency_ms", "v3");
        Anomaly network = anomaly(AnomalyState.FIRING, "consensus_latency_ms", null);
        Anomaly resource = anomaly(AnomalyState.FIRING, "rss_bytes", "v3");
        Anomaly ratio = anomaly(AnomalyState.FIRING, "tx_failure_pct", "v3");
        Anomaly unknownNode = anomaly(AnomalyState.FIRING, "consensus_latency_ms", "v9");

        for (Anomaly a : List.of(resolved, network, resource, ratio, unknownNode)) {
            assertThat(explain(a)).isSameAs(a);
        }
    }

    @Test
    void shouldNeverJudgeAWindowOlderThanTheAnomalysAndSaySoWhenNoneOfItsResourcesArrived() {
        // v3's resources end at window 6, the window before the saturation; the anomaly is of window 7
        know(NodeResources.Reading.CPU, 6, "v1", 2.4, "v2", 2.6, "v3", 3.1);
        know(NodeResources.Reading.MEMORY_AVAILABLE, 6, "v3", 14.1 * GIB);

        Anomaly explained = explain(anomaly(AnomalyState.FIRING, "consensus_latency_ms", "v3"));

        // window 7: T0 + 70 s = 22:14:30 UTC (T0 = 22:13:20 UTC)
        assertThat(explained.getDescription()).isEqualTo("p95 consensus latency 2600 ms on v3, above 2000 ms;"
                + " resources of v3 for 22:14:30–22:14:40 UTC not reported");
        assertThat(explained.getSuggestedActions()).containsExactly("Resources of v3 were not reported for this"
                        + " window: check its resource collector (the SDK's collectResources or chainpulse collect),"
                        + " and its CPU, memory and peers on the machine",
                "Check the validator's CPU, disk latency and peer connections");
        assertThat(NodeResources.waits(anomaly(AnomalyState.FIRING, "consensus_latency_ms", "v3"), memory)).isTrue();
        assertThat(NodeResources.arrived("v3", Kpi.w(7), memory)).isFalse();
    }

    @Test
    void shouldCiteOnlyTheReadingsOfTheAnomalysWindowAndNameTheOnesNotReported() {
        know(NodeResources.Reading.CPU, 8, "v1", 2.4, "v2", 2.6, "v3", 2.9); // a later window counts too
        know(NodeResources.Reading.MEMORY_AVAILABLE, 6, "v3", 0.1 * GIB);   // older: not judged, not short
        know(NodeResources.Reading.MEMORY_USED, 6, "v3", 15.9 * GIB);

        Anomaly explained = explain(anomaly(AnomalyState.FIRING, "consensus_latency_ms", "v3"));

        assertThat(explained.getDescription()).isEqualTo("p95 consensus latency 2600 ms on v3, above 2000 ms;"
                + " resources normal (CPU max 2.9 % (network median 2.6 %); memory available not reported; memory used"
                + " not reported) → look at peers and the network");
        assertThat(NodeResources.arrived("v3", Kpi.w(7), memory)).isFalse();
        assertThat(NodeResources.arrived("v3", Kpi.w(6), memory)).isTrue();
        assertThat(NodeResources.arrived("v9", Kpi.w(7), memory)).isTrue(); // reports nothing: nothing to wait for
        assertThat(NodeResources.waits(anomaly(AnomalyState.FIRING, "consensus_latency_ms", "v9"), memory)).isFalse();
        assertThat(NodeResources.waits(anomaly(AnomalyState.RESOLVED, "consensus_latency_ms", "v3"), memory))
                .isFalse();
    }
}
