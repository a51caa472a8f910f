package io.chainpulse.sink.prometheus;

import static io.chainpulse.sink.prometheus.Kpis.W;
import static io.chainpulse.sink.prometheus.Kpis.anomaly;
import static io.chainpulse.sink.prometheus.Kpis.latency;
import static io.chainpulse.sink.prometheus.Kpis.tps;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import org.junit.jupiter.api.Test;

class PrometheusStateTest {
    private final PrometheusState state = new PrometheusState(5 * W);

    @Test
    void shouldExposeTheLatestFinalWindowOfANodeInBaseUnitsWithBoundedLabels() {
        state.onKpi(latency("v3", 0, 100, 300));
        state.onKpi(latency("v3", W, 120, 400));          // newer window replaces the older
        state.onKpi(latency("v3", 0, 999, 999));          // a late duplicate of an older window does not
        state.onKpi(tps("v3", W, 42.5));

        assertThat(state.exposition("v3")).isEqualTo("""
                # HELP chainpulse_consensus_latency_max_seconds Maximum of consensus_latency_ms, latest final window.
                # TYPE chainpulse_consensus_latency_max_seconds gauge
                chainpulse_consensus_latency_max_seconds{node="v3",scope="node"} 0.6
                # HELP chainpulse_consensus_latency_mean_seconds Mean of consensus_latency_ms, latest final window.
                # TYPE chainpulse_consensus_latency_mean_seconds gauge
                chainpulse_consensus_latency_mean_seconds{node="v3",scope="node"} 0.12
                # HELP chainpulse_consensus_latency_seconds ChainPulse KPI consensus_latency_ms over the latest final window: quantiles from the sketch (1% relative error), count and sum of that window only.
                # TYPE chainpulse_consensus_latency_seconds summary
                chainpulse_consensus_latency_seconds{node="v3",scope="node",quantile="0.5"} 0.12
                chainpulse_consensus_latency_seconds{node="v3",scope="node",quantile="0.9"} 0.36
                chainpulse_consensus_latency_seconds{node="v3",scope="node",quantile="0.95"} 0.4
                chainpulse_consensus_latency_seconds{node="v3",scope="node",quantile="0.99"} 0.48
                chainpulse_consensus_latency_seconds_count{node="v3",scope="node"} 10
                chainpulse_consensus_latency_seconds_sum{node="v3",scope="node"} 1.2
                # HELP chainpulse_kpi_window_end_timestamp_seconds End of the latest final KPI window, seconds since the epoch (event time).
                # TYPE chainpulse_kpi_window_end_timestamp_seconds gauge
                chainpulse_kpi_window_end_timestamp_seconds{node="v3",scope="node"} 20.0
                # HELP chainpulse_tps ChainPulse KPI tps, events per second, latest final window.
                # TYPE chainpulse_tps gauge
                chainpulse_tps{node="v3",scope="node"} 42.5
                """);
    }

    @Test
    void shouldExposeTheLastSampleOfAResourceGaugeInItsBaseUnit() {
        state.onKpi(KpiWindow.newBuilder().setMetric(io.chainpulse.schema.catalog.Kpi.CPU_PCT.metric())
                .setScope(io.chainpulse.schema.KpiScope.node).setNodeId("v1").setWindowStartMs(0).setWindowEndMs(W)
                .setFinal$(true).setCount(3).setMin(10.0).setMean(30.0).setMax(60.0).setLast(60.0).build());

        assertThat(state.exposition("v1")).contains("""
                # HELP chainpulse_cpu_last_ratio Latest sample of cpu_pct, latest final window.
                # TYPE chainpulse_cpu_last_ratio gauge
                chainpulse_cpu_last_ratio{node="v1",scope="node"} 0.6
                """).contains("chainpulse_cpu_max_ratio{node=\"v1\",scope=\"node\"} 0.6\n");
    }

    @Test
    void shouldIgnoreLiveWindowsAndPushEveryKnownGroupAndAlwaysTheAnomalyGroup() {
        KpiWindow live = latency("v1", 0, 100, 300);
        live.setFinal$(false);
        state.onKpi(live);
        assertThat(state.all()).containsOnlyKeys("anomalies");

        state.onKpi(latency("v1", 0, 100, 300));
        state.onKpi(tps(null, 0, 800));
        assertThat(state.all()).containsOnlyKeys("v1", "network", "anomalies");
        assertThat(state.all()).containsOnlyKeys("v1", "network", "anomalies");
    }

    @Test
    void shouldDeleteTheGroupOfANodeSilentForLongerThanTheExpiryOnStreamTime() {
        state.onKpi(tps("v1", 0, 10));
        state.onKpi(tps("v2", 0, 10));
        for (long start = W; start <= 6 * W; start += W) {
            state.onKpi(tps("v1", start, 10)); // v2 falls silent after its first window
        }

        // stream time = 7W, v2's latest window ended at 1W: 6W > 5W expiry
        assertThat(state.takeExpired()).containsExactly("v2");
        assertThat(state.nodeGroups()).containsExactlyInAnyOrder("v1");
    }

    @Test
    void shouldCountActiveAnomaliesByNodeMetricAndSeverityAndDropResolvedOnes() {
        state.onAnomaly(anomaly("a1", AnomalyState.FIRING, "v3", Severity.HIGH));
        state.onAnomaly(anomaly("a2", AnomalyState.FIRING, "v3", Severity.HIGH));
        state.onAnomaly(anomaly("a3", AnomalyState.FIRING, "v4", Severity.CRITICAL));
        state.onAnomaly(anomaly("a3", AnomalyState.RESOLVED, "v4", Severity.CRITICAL));
        state.onAnomaly(anomaly("a4", AnomalyState.FIRING, "v5", Severity.LOW));
        state.onTombstone("a4"); // resolved, as the compacted current-anomalies topic says it

        assertThat(state.exposition(PrometheusState.ANOMALY_GROUP)).isEqualTo("""
                # HELP chainpulse_anomaly_active Active ChainPulse anomaly incidents by node, metric and severity.
                # TYPE chainpulse_anomaly_active gauge
                chainpulse_anomaly_active{metric="consensus_latency_ms",node="v3",severity="HIGH"} 2.0
                """);
    }

    @Test
    void shouldKeepTheSameNodeIdOfTwoChainsInTwoGroupsTheOtherChainsLabelledByTheGroupingKey() {
        state.onKpi(tps("v1", 0, 10));
        state.onKpi(tps(null, 0, 20));
        KpiWindow betaNode = tps("v1", 0, 3);
        betaNode.setChainId("beta");
        KpiWindow betaNetwork = tps(null, 0, 6);
        betaNetwork.setChainId("beta");
        state.onKpi(betaNode);
        state.onKpi(betaNetwork);
        KpiWindow named = tps("v2", 0, 7);
        named.setChainId("default"); // the default chain by name: its groups as without a chain
        state.onKpi(named);

        assertThat(state.all()).containsOnlyKeys("v1", "v2", "network", "beta/v1", "beta/network", "anomalies");
        assertThat(state.exposition("v1")).contains("chainpulse_tps{node=\"v1\",scope=\"node\"} 10.0\n");
        // the series are spelled as the default chain's: the chain label comes from the group's grouping key
        assertThat(state.exposition("beta/v1")).contains("chainpulse_tps{node=\"v1\",scope=\"node\"} 3.0\n");
        assertThat(state.exposition("beta/network")).contains("chainpulse_tps{scope=\"network\"} 6.0\n");
        assertThat(PushgatewayClient.path("chainpulse", "beta/v1"))
                .isEqualTo("/metrics/job@base64/Y2hhaW5wdWxzZQ==/chain@base64/YmV0YQ==/group@base64/djE=");
        assertThat(PushgatewayClient.path("chainpulse", "v1"))
                .isEqualTo("/metrics/job@base64/Y2hhaW5wdWxzZQ==/group@base64/djE=");
    }

    @Test
    void shouldExpireASilentNodeOfOneChainOnlyAndNeverAChainsNetwork() {
        KpiWindow betaFirst = tps("v1", 0, 3);
        betaFirst.setChainId("beta");
        KpiWindow betaNetwork = tps(null, 0, 3);
        betaNetwork.setChainId("beta");
        state.onKpi(betaFirst);
        state.onKpi(betaNetwork);
        for (long start = 0; start <= 6 * W; start += W) {
            state.onKpi(tps("v1", start, 10)); // v1 of the default chain goes on; beta falls silent after window 0
        }

        assertThat(state.takeExpired()).containsExactly("beta/v1");
        assertThat(state.nodeGroups()).containsExactlyInAnyOrder("v1", "beta/network");
    }

    @Test
    void shouldLabelTheActiveAnomaliesOfAChainOtherThanTheDefaultWithTheirChain() {
        state.onAnomaly(anomaly("a1", AnomalyState.FIRING, "v3", Severity.HIGH));
        io.chainpulse.schema.Anomaly beta = anomaly("a2", AnomalyState.FIRING, "v3", Severity.HIGH);
        beta.setChainId("beta");
        state.onAnomaly(beta);

        assertThat(state.exposition(PrometheusState.ANOMALY_GROUP)).isEqualTo("""
                # HELP chainpulse_anomaly_active Active ChainPulse anomaly incidents by node, metric and severity.
                # TYPE chainpulse_anomaly_active gauge
                chainpulse_anomaly_active{chain="beta",metric="consensus_latency_ms",node="v3",severity="HIGH"} 1.0
                chainpulse_anomaly_active{metric="consensus_latency_ms",node="v3",severity="HIGH"} 1.0
                """);
    }
}
