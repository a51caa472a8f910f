package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DocumentsTest {

    @Test
    void shouldIdANodeKpiByMetricScopeNodeAndWindowStartLikeItsRecordKey() {
        KpiWindow window = Records.latency("v1", Records.WINDOW_START, true, 280.0).build();

        assertThat(Documents.kpiId(window)).isEqualTo("consensus_latency_ms|node|v1|1753783200000");
    }

    @Test
    void shouldLeaveTheNodeEmptyInTheIdOfANetworkKpi() {
        assertThat(Documents.kpiId(Records.tps(Records.WINDOW_START, 500))).isEqualTo("tps|network||1753783200000");
    }

    @Test
    void shouldGiveTheLiveAndTheFinalResultOfAWindowTheSameIdAndIndex() {
        IndexDoc live = Documents.kpi(Records.latency("v1", Records.WINDOW_START, false, 100.0).build(), "k");
        IndexDoc last = Documents.kpi(Records.latency("v1", Records.WINDOW_START, true, 280.0).build(), "k");

        assertThat(last.id()).isEqualTo(live.id());
        assertThat(last.index()).isEqualTo(live.index());
        assertThat(last.source()).containsEntry("final", true).containsEntry("p99", 280.0);
    }

    @Test
    void shouldIdAnAnomalyByIdAndStateSoBothTransitionsAreKept() {
        assertThat(Documents.anomalyId(Records.anomaly(AnomalyState.FIRING, Severity.HIGH)))
                .isEqualTo("static_rule|p99_high|consensus_latency_ms|node|v1|1753783200000|FIRING");
        assertThat(Documents.anomalyId(Records.anomaly(AnomalyState.RESOLVED, Severity.HIGH)))
                .isEqualTo("static_rule|p99_high|consensus_latency_ms|node|v1|1753783200000|RESOLVED");
    }

    @ParameterizedTest
    @CsvSource({
        "1753783200000, chainpulse-kpis-2025.07.29",   // 10:00 UTC
        "1753833599999, chainpulse-kpis-2025.07.29",   // 23:59:59.999 UTC, still the same day
        "1753833600000, chainpulse-kpis-2025.07.30",   // midnight UTC starts the next index
        "0, chainpulse-kpis-1970.01.01"})
    void shouldPickTheDailyIndexOfTheUtcDayOfTheWindowStart(long epochMillis, String index) {
        assertThat(Documents.dailyIndex("chainpulse-kpis", epochMillis)).isEqualTo(index);
    }

    @Test
    void shouldAddTheChainToTheIdOfAKpiOfAChainOtherThanTheDefaultOnly() {
        KpiWindow.Builder node = Records.latency("v1", Records.WINDOW_START, true, 280.0);

        assertThat(Documents.kpiId(node.setChainId("beta").build()))
                .isEqualTo("consensus_latency_ms|node|v1|1753783200000|beta");
        assertThat(Documents.kpiId(KpiWindow.newBuilder(Records.tps(Records.WINDOW_START, 500)).setChainId("beta")
                .build())).isEqualTo("tps|network||1753783200000|beta");
        // the default chain, named or not, keeps the id documents were indexed under before chains
        assertThat(Documents.kpiId(node.setChainId("default").build()))
                .isEqualTo("consensus_latency_ms|node|v1|1753783200000");
        assertThat(Documents.kpiId(node.setChainId(null).build())).isEqualTo("consensus_latency_ms|node|v1|1753783200000");
    }

    @Test
    void shouldWriteTheChainOfAnAnomalyOffTheDefaultChain() {
        io.chainpulse.schema.Anomaly beta = io.chainpulse.schema.Anomaly.newBuilder(
                Records.anomaly(AnomalyState.FIRING, Severity.HIGH)).setChainId("beta").build();

        assertThat(Documents.anomaly(beta, "a").source()).containsEntry("chain_id", "beta");
        assertThat(Documents.anomaly(Records.anomaly(AnomalyState.FIRING, Severity.HIGH), "a").source())
                .doesNotContainKey("chain_id");
    }

    @Test
    void shouldWriteEveryKpiFieldWithTheSketchAsBase64() {
        IndexDoc doc = Documents.kpi(Records.latency("v1", Records.WINDOW_START, true, 280.0).setChainId("chain-1")
                .build(), "chainpulse-kpis");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("metric", "consensus_latency_ms");
        expected.put("scope", "node");
        expected.put("node_id", "v1");
        expected.put("chain_id", "chain-1");
        expected.put("window_start", 1_753_783_200_000L);
        expected.put("window_end", 1_753_783_210_000L);
        expected.put("final", true);
        expected.put("count", 40L);
        expected.put("min", 12.0);
        expected.put("mean", 80.5);
        expected.put("max", 300.0);
        expected.put("p50", 75.0);
        expected.put("p90", 150.0);
        expected.put("p95", 200.0);
        expected.put("p99", 280.0);
        expected.put("excluded_skew", 1L);
        expected.put("sketch", "AQID");
        assertThat(doc.index()).isEqualTo("chainpulse-kpis-2025.07.29");
        assertThat(doc.id()).isEqualTo("consensus_latency_ms|node|v1|1753783200000|chain-1");
        assertThat(doc.source()).containsExactlyEntriesOf(expected);
    }

    @Test
    void shouldOmitAbsentFieldsOfANetworkRateKpi() {
        IndexDoc doc = Documents.kpi(Records.tps(Records.WINDOW_START, 500), "chainpulse-kpis");

        assertThat(doc.source()).containsOnlyKeys("metric", "scope", "window_start", "window_end", "final", "count",
                "rate_per_s", "excluded_skew");
        assertThat(doc.source()).containsEntry("scope", "network").containsEntry("rate_per_s", 50.0);
    }

    @Test
    void shouldWriteEveryAnomalyField() {
        IndexDoc doc = Documents.anomaly(Records.anomaly(AnomalyState.FIRING, Severity.HIGH), "chainpulse-anomalies");

        assertThat(doc.index()).isEqualTo("chainpulse-anomalies-2025.07.29");
        assertThat(doc.source()).containsEntry("state", "FIRING").containsEntry("severity", "HIGH")
                .containsEntry("severity_level", 4).containsEntry("detector", "static_rule")
                .containsEntry("rule", "p99_high").containsEntry("node_id", "v1")
                .containsEntry("window_start", Records.WINDOW_START).containsEntry("observed", 950.0)
                .containsEntry("expected", 500.0).containsEntry("started", Records.WINDOW_START)
                .containsEntry("suggested_actions", List.of("check v1's network", "check v1's CPU"));
    }

    @Test
    void shouldOnlyWriteFieldsTheIndexTemplatesMap() {
        IndexDoc kpi = Documents.kpi(Records.latency("v1", Records.WINDOW_START, true, 280.0).setRatePerS(1.0).setLast(42.0)
                .setChainId("chain-1").build(), "k");
        IndexDoc anomaly = Documents.anomaly(io.chainpulse.schema.Anomaly.newBuilder(
                Records.anomaly(AnomalyState.FIRING, Severity.HIGH)).setChainId("chain-1").build(), "a");

        assertThat(IndexTemplates.mappings(IndexTemplates.KPI_MAPPINGS).get("properties").fieldNames())
                .toIterable().containsExactlyInAnyOrderElementsOf(kpi.source().keySet());
        assertThat(IndexTemplates.mappings(IndexTemplates.ANOMALY_MAPPINGS).get("properties").fieldNames())
                .toIterable().containsExactlyInAnyOrderElementsOf(anomaly.source().keySet());
    }
}
