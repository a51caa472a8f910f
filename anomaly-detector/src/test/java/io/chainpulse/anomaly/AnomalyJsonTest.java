package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnomalyJsonTest {

    @Test
    void shouldWriteTheAnomaliesJsonlLineFormat() {
        Anomaly a = Anomaly.newBuilder().setAnomalyId("peer_outlier|network_median_mad|consensus_latency_ms|node|v3|10")
                .setState(AnomalyState.FIRING).setSeverity(Severity.HIGH).setSeverityLevel(4)
                .setDetector("peer_outlier").setRule("network_median_mad").setMetric("consensus_latency_ms")
                .setScope(KpiScope.node).setNodeId("v3").setWindowStartMs(20).setObserved(964.0).setExpected(119.0)
                .setDescription("p95 consensus latency 964 ms on v3, 8.1× the network median of 119 ms")
                .setSuggestedActions(List.of("check \"v3\"", "compare")).setStartedMs(20).build();

        assertThat(AnomalyJson.write(a)).isEqualTo("{\"anomaly_id\": \"peer_outlier|network_median_mad|"
                + "consensus_latency_ms|node|v3|10\", \"state\": \"FIRING\", \"severity\": \"HIGH\", \"detector\": "
                + "\"peer_outlier\", \"rule\": \"network_median_mad\", \"metric\": \"consensus_latency_ms\", \"scope\": "
                + "\"node\", \"node_id\": \"v3\", \"window_start_ms\": 20, \"observed\": 964.0, \"expected\": 119.0, "
                + "\"description\": \"p95 consensus latency 964 ms on v3, 8.1× the network median of 119 ms\", "
                + "\"suggested_actions\": [\"check \\\"v3\\\"\", \"compare\"]}");
    }

    @Test
    void shouldWriteNullsForNetworkScopeAndMissingValues() {
        Anomaly a = Anomaly.newBuilder().setAnomalyId("x").setState(AnomalyState.RESOLVED).setSeverity(Severity.LOW)
                .setSeverityLevel(2).setDetector("trend").setRule("slope").setMetric("tps")
                .setScope(KpiScope.network).setWindowStartMs(0).setDescription("d").setStartedMs(0).build();

        assertThat(AnomalyJson.write(a)).isEqualTo("{\"anomaly_id\": \"x\", \"state\": \"RESOLVED\", \"severity\": "
                + "\"LOW\", \"detector\": \"trend\", \"rule\": \"slope\", \"metric\": \"tps\", \"scope\": \"network\", "
                + "\"node_id\": null, \"window_start_ms\": 0, \"observed\": null, \"expected\": null, "
                + "\"description\": \"d\", \"suggested_actions\": []}");
    }
}
