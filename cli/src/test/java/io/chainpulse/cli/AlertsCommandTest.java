package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertsCommandTest {

    @Test
    void shouldPutSeverityFirstThenStateTimeNodeMetricDetectorDescriptionAndId() {
        Anomaly a = Anomaly.newBuilder().setAnomalyId("peer_outlier|network_median_mad|consensus_latency_ms|node|v3|0")
                .setState(AnomalyState.FIRING).setSeverity(Severity.HIGH).setSeverityLevel(4)
                .setDetector("peer_outlier").setRule("network_median_mad").setMetric("consensus_latency_ms")
                .setScope(KpiScope.node).setNodeId("v3").setWindowStartMs(1_700_000_010_000L)
                .setDescription("p95 consensus latency 964 ms on v3, 8.1× the network median of 119 ms")
                .setSuggestedActions(List.of()).setStartedMs(0).build();

        assertThat(AlertsCommand.line(a)).isEqualTo("HIGH     FIRING   2023-11-14T22:13:30Z v3 consensus_latency_ms "
                + "peer_outlier: p95 consensus latency 964 ms on v3, 8.1× the network median of 119 ms  "
                + "[peer_outlier|network_median_mad|consensus_latency_ms|node|v3|0]");
    }
}
