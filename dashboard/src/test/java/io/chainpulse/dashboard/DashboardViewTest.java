package io.chainpulse.dashboard;

import static io.chainpulse.dashboard.Records.W;
import static io.chainpulse.dashboard.Records.anomaly;
import static io.chainpulse.dashboard.Records.gauge;
import static io.chainpulse.dashboard.Records.latency;
import static io.chainpulse.dashboard.Records.rate;
import static io.chainpulse.dashboard.Records.tps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DashboardViewTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final DashboardView view = new DashboardView(Duration.ofMillis(3 * W));

    @Test
    void shouldServeNoSeriesAndNoNewestWindowBeforeTheFirstRecord() {
        assertThat(view.kpisJson()).isEqualTo("{\"newest_window_end_ms\":null,\"history_ms\":30000,\"series\":[]}");
        assertThat(view.anomaliesJson()).isEqualTo("{\"anomalies\":[]}");
    }

    @Test
    void shouldServeOneSeriesPerMetricScopeAndNodeOrderedWithRatesOrPercentiles() {
        view.onKpi(latency("consensus_latency_ms", "v2", W, 120, 180, 250.5));
        view.onKpi(tps(null, 0, 812.5));
        view.onKpi(latency("consensus_latency_ms", "v1", 0, 100, 150, 200));
        view.onKpi(latency("consensus_latency_ms", "v1", W, 101, 151, 201));
        view.onKpi(latency("consensus_latency_ms", null, 0, 110, 160, 240));

        assertThat(view.kpisJson()).isEqualTo("{\"newest_window_end_ms\":20000,\"history_ms\":30000,\"series\":["
                + "{\"metric\":\"consensus_latency_ms\",\"scope\":\"node\",\"node_id\":\"v1\",\"points\":["
                + "{\"window_end_ms\":10000,\"p50\":100.0,\"p95\":150.0,\"p99\":200.0,\"mean\":100.0},"
                + "{\"window_end_ms\":20000,\"p50\":101.0,\"p95\":151.0,\"p99\":201.0,\"mean\":101.0}]},"
                + "{\"metric\":\"consensus_latency_ms\",\"scope\":\"node\",\"node_id\":\"v2\",\"points\":["
                + "{\"window_end_ms\":20000,\"p50\":120.0,\"p95\":180.0,\"p99\":250.5,\"mean\":120.0}]},"
                + "{\"metric\":\"consensus_latency_ms\",\"scope\":\"network\",\"node_id\":null,\"points\":["
                + "{\"window_end_ms\":10000,\"p50\":110.0,\"p95\":160.0,\"p99\":240.0,\"mean\":110.0}]},"
                + "{\"metric\":\"tps\",\"scope\":\"network\",\"node_id\":null,\"points\":["
                + "{\"window_end_ms\":10000,\"rate_per_s\":812.5}]}]}");
    }

    @Test
    void shouldServeTheLatestSampleOfAResourceGaugesNodeWindowsAndNothingMoreForOtherWindows() {
        view.onKpi(gauge("cpu_pct", "v1", 0, 92.5, 97.0));                 // p95 92.5, latest sample 97
        view.onKpi(rate("net_rx_bytes_per_s", "v1", 0, 12_800));          // a byte rate: no last

        assertThat(view.kpisJson()).isEqualTo("{\"newest_window_end_ms\":10000,\"history_ms\":30000,\"series\":["
                + "{\"metric\":\"cpu_pct\",\"scope\":\"node\",\"node_id\":\"v1\",\"points\":["
                + "{\"window_end_ms\":10000,\"p50\":97.0,\"p95\":92.5,\"p99\":92.5,\"mean\":94.75,\"last\":97.0}]},"
                + "{\"metric\":\"net_rx_bytes_per_s\",\"scope\":\"node\",\"node_id\":\"v1\",\"points\":["
                + "{\"window_end_ms\":10000,\"rate_per_s\":12800.0}]}]}");
    }

    @Test
    void shouldKeepTwoChainsWindowsOfTheSameNodeAndTheNetworkInSeriesOfTheirOwn() {
        view.onKpi(tps(null, 0, 812.5));
        KpiWindow beta = tps(null, 0, 40);
        beta.setChainId("beta");
        view.onKpi(beta);

        assertThat(view.kpisJson()).isEqualTo("{\"newest_window_end_ms\":10000,\"history_ms\":30000,\"series\":["
                + "{\"metric\":\"tps\",\"scope\":\"network\",\"node_id\":null,\"points\":["
                + "{\"window_end_ms\":10000,\"rate_per_s\":812.5}]},"
                + "{\"metric\":\"tps\",\"scope\":\"network\",\"node_id\":null,\"chain_id\":\"beta\",\"points\":["
                + "{\"window_end_ms\":10000,\"rate_per_s\":40.0}]}]}");
    }

    @Test
    void shouldReplaceAWindowThatArrivesAgain() {
        view.onKpi(tps(null, 0, 10));
        view.onKpi(tps(null, 0, 12.5));

        assertThat(points(view, 0).size()).isEqualTo(1);
        assertThat(points(view, 0).get(0).get("rate_per_s").asDouble()).isEqualTo(12.5);
    }

    @Test
    void shouldDropWindowsEndingMoreThanTheHistoryBeforeTheNewestWindow() throws Exception {
        view.onKpi(tps("v1", 0, 1));          // ends 10 000
        view.onKpi(tps("v1", W, 2));          // ends 20 000
        view.onKpi(tps("v2", 0, 3));          // ends 10 000: v2 then goes silent
        view.onKpi(tps("v1", 3 * W, 4));      // ends 40 000: horizon 10 000, windows ending there go

        JsonNode json = MAPPER.readTree(view.kpisJson());
        assertThat(json.get("series").size()).as("v2's only window is gone, and so is its series").isEqualTo(1);
        assertThat(json.get("series").get(0).get("node_id").asText()).isEqualTo("v1");
        assertThat(points(view, 0).findValuesAsText("window_end_ms")).containsExactly("20000", "40000");

        view.onKpi(tps("v2", 0, 3)); // a late record older than the horizon is not shown again
        assertThat(MAPPER.readTree(view.kpisJson()).get("series").size()).isEqualTo(1);
        assertThat(view.kpiRecords()).isEqualTo(5);
    }

    @Test
    void shouldKeepAtMostMaxPointsPerSeriesDroppingTheOldest() {
        DashboardView longHistory = new DashboardView(Duration.ofDays(1));
        for (int i = 0; i < DashboardView.MAX_POINTS_PER_SERIES + 5; i++) {
            longHistory.onKpi(tps(null, i * 1000L, i));
        }

        var points = points(longHistory, 0);
        assertThat(points.size()).isEqualTo(900);
        assertThat(points.get(0).get("rate_per_s").asDouble()).isEqualTo(5.0);
        assertThat(points.get(899).get("rate_per_s").asDouble()).isEqualTo(904.0);
    }

    @Test
    void shouldKeepAtMostMaxSeriesEvictingTheOneWhoseNewestWindowIsOldest() throws Exception {
        DashboardView longHistory = new DashboardView(Duration.ofDays(1));
        longHistory.onKpi(tps("stale", 0, 1));
        for (int i = 1; i < DashboardView.MAX_SERIES; i++) {
            longHistory.onKpi(tps(String.format("n%03d", i), W, i));
        }
        longHistory.onKpi(tps("newcomer", 2 * W, 7));

        JsonNode series = MAPPER.readTree(longHistory.kpisJson()).get("series");
        assertThat(series.size()).isEqualTo(512);
        assertThat(series.findValuesAsText("node_id")).contains("newcomer", "n001", "n511").doesNotContain("stale");
    }

    @Test
    void shouldServeTheLast200AnomalyTransitionsNewestFirst() throws Exception {
        for (int i = 0; i < 205; i++) {
            view.onAnomaly(anomaly("a" + i, AnomalyState.FIRING, "v" + i, Severity.HIGH, i * W));
        }

        JsonNode anomalies = MAPPER.readTree(view.anomaliesJson()).get("anomalies");
        assertThat(anomalies.size()).isEqualTo(200);
        assertThat(anomalies.get(0).get("anomaly_id").asText()).isEqualTo("a204");
        assertThat(anomalies.get(199).get("anomaly_id").asText()).isEqualTo("a5");
        assertThat(view.anomalyRecords()).isEqualTo(205);
    }

    @Test
    void shouldWriteEachAnomalyExactlyAsAnAnomaliesJsonlLine() throws Exception {
        var resolved = anomaly("peer_outlier|consensus_p95_peer|consensus_latency_ms|node|v3|0", AnomalyState.RESOLVED,
                "v3", Severity.CRITICAL, 30_000);
        var network = anomaly("trend|tps|network", AnomalyState.FIRING, null, Severity.MEDIUM, 0);
        network.setScope(KpiScope.network);
        network.setObserved(null);
        view.onAnomaly(network);
        view.onAnomaly(resolved);

        JsonNode anomalies = MAPPER.readTree(view.anomaliesJson()).get("anomalies");
        assertThat(anomalies.get(0)).isEqualTo(MAPPER.readTree(AnomalyJson.write(resolved)));
        assertThat(anomalies.get(1)).isEqualTo(MAPPER.readTree(AnomalyJson.write(network)));
        assertThat(anomalies.get(0).toString()).isEqualTo("{\"anomaly_id\":\"peer_outlier|consensus_p95_peer|"
                + "consensus_latency_ms|node|v3|0\",\"state\":\"RESOLVED\",\"severity\":\"CRITICAL\",\"detector\":"
                + "\"peer_outlier\",\"rule\":\"consensus_p95_peer\",\"metric\":\"consensus_latency_ms\",\"scope\":"
                + "\"node\",\"node_id\":\"v3\",\"window_start_ms\":30000,\"observed\":964.0,\"expected\":119.0,"
                + "\"description\":\"p95 consensus latency 964 ms on v3, 8.1x the network median 119 ms\","
                + "\"suggested_actions\":[\"check v3's CPU and disk\",\"compare its peers\"]}");
    }

    @Test
    void shouldRejectANonPositiveHistory() {
        assertThatThrownBy(() -> new DashboardView(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("history must be > 0: PT0S");
    }

    private static JsonNode points(DashboardView view, int series) {
        try {
            return MAPPER.readTree(view.kpisJson()).get("series").get(series).get("points");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldAddTheChainLastToAnAnomalyOfAnotherChainOnly() throws Exception {
        var onBeta = anomaly("peer_outlier|consensus_p95_peer|consensus_latency_ms|node|v1|beta|0", AnomalyState.FIRING,
                "v1", Severity.HIGH, 0);
        onBeta.setChainId("beta");
        var onDefault = anomaly("peer_outlier|consensus_p95_peer|consensus_latency_ms|node|v1|0", AnomalyState.FIRING,
                "v1", Severity.HIGH, 0);
        view.onAnomaly(onDefault);
        view.onAnomaly(onBeta);

        JsonNode anomalies = MAPPER.readTree(view.anomaliesJson()).get("anomalies");
        java.util.List<String> fields = new java.util.ArrayList<>();
        anomalies.get(0).fieldNames().forEachRemaining(fields::add);
        assertThat(fields.subList(fields.size() - 2, fields.size())).containsExactly("suggested_actions", "chain_id");
        assertThat(anomalies.get(0).get("chain_id").asText()).isEqualTo("beta");
        assertThat(anomalies.get(1)).isEqualTo(MAPPER.readTree(AnomalyJson.write(onDefault)));
    }
}
