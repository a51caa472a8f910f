package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    void shouldEndAnExpiredResolutionWithItsReasonAndReadItBack() {
        Anomaly a = Anomaly.newBuilder().setAnomalyId("liveness|node_silent|kpis|node|v2|80").setState(AnomalyState.RESOLVED)
                .setSeverity(Severity.CRITICAL).setSeverityLevel(5).setDetector("liveness").setRule("node_silent")
                .setMetric("kpis").setScope(KpiScope.node).setNodeId("v2").setWindowStartMs(110).setObserved(6.0)
                .setExpected(6.0).setDescription("expired").setStartedMs(80).setReason("expired").build();

        String line = AnomalyJson.write(a);

        assertThat(line).isEqualTo("{\"anomaly_id\": \"liveness|node_silent|kpis|node|v2|80\", \"state\": "
                + "\"RESOLVED\", \"severity\": \"CRITICAL\", \"detector\": \"liveness\", \"rule\": \"node_silent\", "
                + "\"metric\": \"kpis\", \"scope\": \"node\", \"node_id\": \"v2\", \"window_start_ms\": 110, "
                + "\"observed\": 6.0, \"expected\": 6.0, \"description\": \"expired\", \"suggested_actions\": [], "
                + "\"reason\": \"expired\"}");
        assertThat(AnomalyJson.parse(line).getReason()).isEqualTo("expired");
    }

    @Test
    void shouldEndAnIncidentOtherDetectorsAgreeWithByNamingThemAndReadThemBack() {
        Anomaly a = Anomaly.newBuilder().setAnomalyId("baseline|ewma_mean|tx_failure_pct|node|v2|10")
                .setState(AnomalyState.FIRING).setSeverity(Severity.CRITICAL).setSeverityLevel(5)
                .setDetector("baseline").setRule("ewma_mean").setMetric("tx_failure_pct").setScope(KpiScope.node)
                .setNodeId("v2").setWindowStartMs(20).setObserved(20.0).setExpected(1.0).setDescription("d")
                .setStartedMs(20).setCorroboratedBy(List.of("static_rule/tx_failure_pct_node_high")).build();

        String line = AnomalyJson.write(a);

        assertThat(line).endsWith("\"description\": \"d\", \"suggested_actions\": [], "
                + "\"corroborated_by\": [\"static_rule/tx_failure_pct_node_high\"]}");
        assertThat(AnomalyJson.parse(line)).isEqualTo(a);
        assertThatThrownBy(() -> AnomalyJson.parse(line.replace("[\"static_rule/tx_failure_pct_node_high\"]", "7")))
                .hasMessage("corroborated_by must be an array of strings: 7");
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

    @Test
    void shouldReadBackWhatItWroteWithTheLevelFromTheSeverityAndStartedAtTheLinesWindow() {
        Anomaly a = Anomaly.newBuilder().setAnomalyId("baseline|z|tps|network||10").setState(AnomalyState.FIRING)
                .setSeverity(Severity.CRITICAL).setSeverityLevel(5).setDetector("baseline").setRule("z")
                .setMetric("tps").setScope(KpiScope.network).setWindowStartMs(30).setObserved(1.5)
                .setDescription("tps fell").setSuggestedActions(List.of("check the mempool")).setStartedMs(30).build();

        assertThat(AnomalyJson.parse(AnomalyJson.write(a))).isEqualTo(a);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[]                                                      | expected a JSON object, got ARRAY",
        "{\"anomaly_id\": \"x\", \"state\": \"FIRING\"}           | missing required field severity",
        "{\"severity\": \"SEVERE\"}                                | `severity must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL: \"SEVERE\"`",
        "{\"severity\": \"LOW\", \"scope\": \"node\", \"node_id\": null} | node_id is required for scope node",
        "{\"severity\": \"LOW\", \"scope\": \"network\", \"window_start_ms\": 1.5} | window_start_ms must be an integer: 1.5",
        "{\"severity\": \"LOW\", \"scope\": \"network\", \"window_start_ms\": 1, \"suggested_actions\": \"a\"} | suggested_actions must be an array of strings: \"a\"",
    })
    void shouldNameTheFieldThatCannotBeRead(String line, String message) {
        assertThatThrownBy(() -> AnomalyJson.parse(line)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
