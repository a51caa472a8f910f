package io.chainpulse.sink.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The Prometheus alert rules and the Grafana dashboard in docker/ use only series this sink pushes. */
class MonitoringAssetsTest {
    private static final Path DOCKER = Path.of(System.getProperty("chainpulse.home", "..")).resolve("docker");
    /** Every catalog KPI whose windows carry a sketch (summaries), and every rate KPI (gauges). */
    private static final List<String> LATENCY = Arrays.stream(Kpi.values()).filter(k -> k.kind().sketched())
            .map(Kpi::metric).toList();
    private static final List<String> RATES = Kpi.metrics(KpiKind.RATE);
    private static final Pattern SERIES = Pattern.compile("\\b(chainpulse_[a-z0-9_]+)");

    @ParameterizedTest
    @ValueSource(strings = {"prometheus/alerts.yml", "grafana/dashboards/chainpulse-overview.json"})
    void shouldReferenceOnlySeriesTheSinkPushes(String asset) throws IOException {
        Set<String> pushed = pushedSeries();
        Matcher m = SERIES.matcher(Files.readString(DOCKER.resolve(asset), StandardCharsets.UTF_8));
        Set<String> used = new TreeSet<>();
        while (m.find()) {
            used.add(m.group(1));
        }

        assertThat(used).isNotEmpty();
        assertThat(pushed).containsAll(used);
    }

    @Test
    void shouldHoldExactlyWhatTheGeneratorWrites() throws IOException {
        assertThat(Files.readString(DOCKER.resolve("..").resolve(GrafanaDashboard.FILE), StandardCharsets.UTF_8))
                .as("%s is stale (the KPI catalog or GrafanaDashboard changed): regenerate it with ./chainpulse"
                        + " catalog --write", GrafanaDashboard.FILE)
                .isEqualTo(GrafanaDashboard.json());
    }

    @Test
    void shouldGiveEveryCatalogKpiAPanelOnItsSeries() throws IOException {
        String dashboard = Files.readString(DOCKER.resolve("grafana/dashboards/chainpulse-overview.json"));
        for (Kpi kpi : Kpi.values()) {
            String series = kpi.kind() == KpiKind.RATIO ? kpi.prometheusName("_mean") : kpi.prometheusName();
            boolean meanOnly = kpi == Kpi.BLOCK_TIME_MS; // the hand-picked block-time panel shows the mean
            assertThat(dashboard).as(kpi.metric()).contains(meanOnly ? kpi.prometheusName("_mean") : series);
        }
        assertThat(dashboard).contains("\"expr\": \"" + Kpi.BLOCK_EXECUTION_MS.prometheusName()
                + "{scope=\\\"node\\\",quantile=\\\"0.95\\\"}\"");
    }

    @Test
    void shouldPassPromtoolForTheConfigAndTheRules() throws Exception {
        assertThat(promtool("check", "config", DOCKER.resolve("prometheus/prometheus.yml").toString())).isZero();
        assertThat(promtool("check", "rules", DOCKER.resolve("prometheus/alerts.yml").toString())).isZero();
    }

    private static int promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            System.err.println(out);
        }
        return exit;
    }

    /** Every family name the sink writes when it has seen every KPI at both scopes and an anomaly. */
    private static Set<String> pushedSeries() {
        PrometheusState state = new PrometheusState(60_000);
        for (KpiScope scope : KpiScope.values()) {
            String node = scope == KpiScope.node ? "v1" : null;
            for (String metric : LATENCY) {
                state.onKpi(KpiWindow.newBuilder().setMetric(metric).setScope(scope).setNodeId(node).setWindowStartMs(0)
                        .setWindowEndMs(10_000).setFinal$(true).setCount(3).setMin(1.0).setMean(2.0).setMax(3.0)
                        .setP50(2.0).setP90(3.0).setP95(3.0).setP99(3.0).build());
            }
            for (String metric : RATES) {
                state.onKpi(KpiWindow.newBuilder().setMetric(metric).setScope(scope).setNodeId(node).setWindowStartMs(0)
                        .setWindowEndMs(10_000).setFinal$(true).setCount(30).setRatePerS(3.0).build());
            }
        }
        state.onAnomaly(Kpis.anomaly("a", AnomalyState.FIRING, "v1", Severity.HIGH));
        Set<String> names = new TreeSet<>();
        for (String group : List.of("v1", PrometheusState.NETWORK_GROUP, PrometheusState.ANOMALY_GROUP)) {
            Matcher m = SERIES.matcher(state.exposition(group));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
