package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertmanagerAlertsTest {
    private static final AlertmanagerAlerts ALERTS = new AlertmanagerAlerts("default",
            URI.create("http://127.0.0.1:8088/"));
    private static final String ID = "peer_outlier|network_median_mad|consensus_latency_ms|node|v3|1753784500000";

    /** FIRING HIGH at 2025-07-29T10:21:40Z (1753784500000), the incident's first window. */
    private static Anomaly firing(Severity severity, long windowStartMs) {
        Anomaly a = WebhookNotifierTest.anomaly(AnomalyState.FIRING, severity);
        a.setAnomalyId(ID);
        a.setWindowStartMs(windowStartMs);
        return a;
    }

    private static Anomaly resolved(Severity severity, long windowStartMs) {
        Anomaly a = WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, severity);
        a.setAnomalyId(ID);
        a.setWindowStartMs(windowStartMs);
        a.setDescription("resolved after 3 clean windows (was: p95 consensus latency 964 ms on v3)");
        a.setSuggestedActions(List.of());
        return a;
    }

    @Test
    void shouldWriteAFiringTransitionAsOneAlertWithoutEndsAt() {
        assertThat(ALERTS.transition(firing(Severity.HIGH, 1_753_784_500_000L), null)).isEqualTo("["
                + "{\"labels\":{\"alertname\":\"ChainPulsePeerOutlierNetworkMedianMad\",\"chain\":\"default\","
                + "\"node\":\"v3\",\"metric\":\"consensus_latency_ms\",\"severity\":\"high\",\"detector\":\"peer_outlier\"},"
                + "\"annotations\":{\"summary\":\"ChainPulse: HIGH anomaly on v3 (consensus_latency_ms)\","
                + "\"description\":\"p95 consensus latency 964 ms on v3, 8.1× the network median\","
                + "\"suggested_actions\":\"check v3's CPU and disk; compare its peers\","
                + "\"anomaly_id\":\"" + ID + "\"},"
                + "\"startsAt\":\"2025-07-29T10:21:40Z\",\"generatorURL\":\"http://127.0.0.1:8088/\"}]");
    }

    @Test
    void shouldLabelAnAlertOfAChainOtherThanTheDefaultWithItsChainAndTheDefaultChainsWithTheConfiguredName() {
        Anomaly beta = firing(Severity.HIGH, 1_753_784_500_000L);
        beta.setChainId("beta");

        assertThat(ALERTS.transition(beta, null)).contains("\"chain\":\"beta\",\"node\":\"v3\"");
        assertThat(new AlertmanagerAlerts("mainnet", URI.create("http://127.0.0.1:8088/"))
                .transition(firing(Severity.HIGH, 1_753_784_500_000L), null)).contains("\"chain\":\"mainnet\",");
    }

    @Test
    void shouldEndTheAlertAtTheResolvedWindowKeepingTheIncidentsStartAndLabels() {
        Anomaly resolved = resolved(Severity.HIGH, 1_753_784_530_000L); // three 10 s windows later
        assertThat(ALERTS.transition(resolved, firing(Severity.HIGH, 1_753_784_500_000L))).isEqualTo("["
                + "{\"labels\":{\"alertname\":\"ChainPulsePeerOutlierNetworkMedianMad\",\"chain\":\"default\","
                + "\"node\":\"v3\",\"metric\":\"consensus_latency_ms\",\"severity\":\"high\",\"detector\":\"peer_outlier\"},"
                + "\"annotations\":{\"summary\":\"ChainPulse: HIGH anomaly on v3 (consensus_latency_ms)\","
                + "\"description\":\"resolved after 3 clean windows (was: p95 consensus latency 964 ms on v3)\","
                + "\"anomaly_id\":\"" + ID + "\"},"
                + "\"startsAt\":\"2025-07-29T10:21:40Z\",\"endsAt\":\"2025-07-29T10:22:10Z\","
                + "\"generatorURL\":\"http://127.0.0.1:8088/\"}]");
    }

    @Test
    void shouldEndThePreviousSeverityInTheSamePostWhenTheIncidentEscalates() {
        String body = ALERTS.transition(firing(Severity.CRITICAL, 1_753_784_510_000L),
                firing(Severity.HIGH, 1_753_784_500_000L));

        // the HIGH alert ends where the CRITICAL one starts: one incident, never two severities firing at once
        assertThat(body).startsWith("[{\"labels\":{\"alertname\":\"ChainPulsePeerOutlierNetworkMedianMad\","
                + "\"chain\":\"default\",\"node\":\"v3\",\"metric\":\"consensus_latency_ms\",\"severity\":\"high\"");
        assertThat(body).contains("\"severity\":\"high\",\"detector\":\"peer_outlier\"},\"annotations\":{\"summary\":"
                + "\"ChainPulse: HIGH anomaly on v3 (consensus_latency_ms)\"");
        assertThat(body).contains("\"startsAt\":\"2025-07-29T10:21:40Z\",\"endsAt\":\"2025-07-29T10:21:50Z\","
                + "\"generatorURL\":\"http://127.0.0.1:8088/\"},{\"labels\":{");
        assertThat(body).endsWith("\"severity\":\"critical\",\"detector\":\"peer_outlier\"},\"annotations\":{"
                + "\"summary\":\"ChainPulse: CRITICAL anomaly on v3 (consensus_latency_ms)\","
                + "\"description\":\"p95 consensus latency 964 ms on v3, 8.1× the network median\","
                + "\"suggested_actions\":\"check v3's CPU and disk; compare its peers\",\"anomaly_id\":\"" + ID + "\"},"
                + "\"startsAt\":\"2025-07-29T10:21:50Z\",\"generatorURL\":\"http://127.0.0.1:8088/\"}]");
    }

    @Test
    void shouldReassertTheNewerFiringWhenAnOlderOneIsReplayed() {
        Anomaly critical = firing(Severity.CRITICAL, 1_753_784_510_000L);
        assertThat(ALERTS.transition(firing(Severity.HIGH, 1_753_784_500_000L), critical))
                .isEqualTo(ALERTS.firing(List.of(critical)));
    }

    @Test
    void shouldPostTheSameSeverityAgainAsOneAlert() {
        Anomaly high = firing(Severity.HIGH, 1_753_784_500_000L);
        assertThat(ALERTS.transition(high, high)).isEqualTo(ALERTS.transition(high, null));
    }

    @Test
    void shouldLabelANetworkWideAnomalyNodeNetworkAndNameAStaticRuleAlone() {
        Anomaly network = Anomaly.newBuilder().setAnomalyId("static_rule|tps_below_floor|tx_ingress_tps|network||0")
                .setState(AnomalyState.FIRING).setSeverity(Severity.CRITICAL).setSeverityLevel(5)
                .setDetector("static_rule").setRule("tps_below_floor").setMetric("tx_ingress_tps")
                .setScope(KpiScope.network).setNodeId(null).setWindowStartMs(0L).setDescription("tps 3 < 10")
                .setStartedMs(0L).build();
        AlertmanagerAlerts alerts = new AlertmanagerAlerts("mainnet", URI.create("https://chainpulse.example/"));

        assertThat(alerts.firing(List.of(network))).isEqualTo("["
                + "{\"labels\":{\"alertname\":\"ChainPulseTpsBelowFloor\",\"chain\":\"mainnet\",\"node\":\"network\","
                + "\"metric\":\"tx_ingress_tps\",\"severity\":\"critical\",\"detector\":\"static_rule\"},"
                + "\"annotations\":{\"summary\":\"ChainPulse: CRITICAL anomaly on the network (tx_ingress_tps)\","
                + "\"description\":\"tps 3 < 10\",\"anomaly_id\":\"static_rule|tps_below_floor|tx_ingress_tps|network||0\"},"
                + "\"startsAt\":\"1970-01-01T00:00:00Z\",\"generatorURL\":\"https://chainpulse.example/\"}]");
    }

    @ParameterizedTest
    @CsvSource({
        "static_rule, consensus_latency_p95_high, ChainPulseConsensusLatencyP95High",
        "trend,       slope,                      ChainPulseTrendSlope",
        "baseline,    ewma_p95,                   ChainPulseBaselineEwmaP95",
        "liveness,    silent,                     ChainPulseLivenessSilent",
    })
    void shouldDeriveTheAlertnameFromTheRuleAndForGenericRulesTheDetector(String detector, String rule,
                                                                        String alertname) {
        Anomaly a = firing(Severity.LOW, 0L);
        a.setDetector(detector);
        a.setRule(rule);
        assertThat(AlertmanagerAlerts.alertname(a)).isEqualTo(alertname);
    }

    @Test
    void shouldPostToTheApiV2AlertsOfTheBaseUrl() {
        assertThat(WebhookNotifier.alertsEndpoint(URI.create("http://alertmanager:9093/")))
                .isEqualTo(URI.create("http://alertmanager:9093/api/v2/alerts"));
        assertThat(WebhookNotifier.alertsEndpoint(URI.create("https://am.example/prefix")))
                .isEqualTo(URI.create("https://am.example/prefix/api/v2/alerts"));
    }

    @Test
    void shouldRefuseABlankChain() {
        assertThatThrownBy(() -> new AlertmanagerAlerts(" ", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("chain must be non-empty: ' '");
    }
}
