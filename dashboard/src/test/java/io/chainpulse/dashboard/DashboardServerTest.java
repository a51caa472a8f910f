package io.chainpulse.dashboard;

import static io.chainpulse.dashboard.Records.tps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DashboardServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final DashboardView view = new DashboardView(Duration.ofMinutes(15));
    private final DashboardServer server = new DashboardServer(null, 0, view);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldListenOnLoopbackUnlessToldAnAddress() {
        assertThat(server.uri().toString()).startsWith("http://127.0.0.1:");
        DashboardServer other = new DashboardServer("127.0.0.2", 0, view);
        try {
            assertThat(other.uri().toString()).startsWith("http://127.0.0.2:");
        } finally {
            other.close();
        }
    }

    @Test
    void shouldServeThePageReferencingOnlyItsOwnAssets() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script src=\"/uplot.js\"></script>", "<script src=\"/app.js\"></script>",
                "id=\"chart-tps\"", "id=\"chart-consensus\"", "id=\"chart-propagation\"", "id=\"chart-blocktime\"",
                "id=\"feed\"").doesNotContain("http://", "https://");
    }

    @Test
    void shouldServeUplotFromItsWebJar() throws Exception {
        byte[] expected;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            expected = in.readAllBytes();
        }
        HttpResponse<byte[]> js = HTTP.send(request("/uplot.js").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(js.body()).isEqualTo(expected);
        assertThat(get("/uplot.css").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldServeTheViewAsUncachedJson() throws Exception {
        view.onKpi(tps(null, 0, 812.5));
        HttpResponse<String> kpis = get("/api/kpis");
        assertThat(kpis.statusCode()).isEqualTo(200);
        assertThat(kpis.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(kpis.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(kpis.body()).isEqualTo(view.kpisJson());
        assertThat(get("/api/anomalies").body()).isEqualTo("{\"anomalies\":[]}");
    }

    @Test
    void shouldAnswer404ForUnknownPathsAnd405ForOtherMethods() throws Exception {
        assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get("/io/chainpulse/dashboard/web/app.js").statusCode()).isEqualTo(404);
        assertThat(get("/META-INF/resources/webjars/uplot/1.6.30/package.json").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(request("/api/kpis").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void shouldServeEveryCatalogKpiAndTheChartsAsUncachedJson() throws Exception {
        HttpResponse<String> response = get("/api/catalog");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode catalog = new ObjectMapper().readTree(response.body());

        List<String> metrics = new ArrayList<>();
        catalog.get("kpis").forEach(k -> metrics.add(k.get("metric").asText()));
        assertThat(metrics).as("every KPI, in catalog order").isEqualTo(Kpi.metrics());
        for (JsonNode k : catalog.get("kpis")) {
            Kpi kpi = Kpi.of(k.get("metric").asText());
            assertThat(k.get("kind").asText()).isEqualTo(kpi.kind().name());
            assertThat(k.get("unit").asText()).isEqualTo(kpi.unit());
            assertThat(k.get("human").asText()).isEqualTo(kpi.human());
            assertThat(k.get("label").asText()).isEqualTo(kpi.label());
            assertThat(k.get("headline").asBoolean()).isEqualTo(kpi.headline());
            assertThat(k.get("definition").asText()).isEqualTo(kpi.definition());
            assertThat(k.get("resource").asBoolean()).as(kpi.metric()).isEqualTo(kpi.resource());
            assertThat(k.get("higher_is_worse").asBoolean()).as(kpi.metric()).isEqualTo(kpi.higherIsWorse());
            List<String> scopes = new ArrayList<>();
            k.get("scopes").forEach(s -> scopes.add(s.asText()));
            assertThat(scopes).containsExactlyInAnyOrderElementsOf(kpi.scopes().stream().map(Enum::name).toList());
            assertThat(k.get("field").asText()).as(kpi.metric())
                    .isEqualTo(kpi.kind() == KpiKind.RATE ? "rate_per_s" : kpi.kind().statistic());
        }

        // the System view's KPIs: the catalog's resource KPIs, in catalog order
        List<String> resources = new ArrayList<>();
        catalog.get("kpis").forEach(k -> {
            if (k.get("resource").asBoolean()) {
                resources.add(k.get("metric").asText());
            }
        });
        assertThat(resources).isEqualTo(Kpi.resources().stream().map(Kpi::metric).toList()).isNotEmpty();

        // the page's four charts, in page order, each naming its KPI, scope and what it plots
        List<String> charts = new ArrayList<>();
        catalog.get("charts").forEach(c -> charts.add(c.get("id").asText() + " " + c.get("metric").asText() + " "
                + c.get("scope").asText() + " " + c.get("statistics") + " " + c.get("mode").asText() + " "
                + c.get("unit").asText() + " " + c.get("latest").asText()));
        assertThat(charts).containsExactly(
                Kpi.TPS.metric() + " " + Kpi.TPS.metric() + " network [\"rate_per_s\"] ALL tx/s rate_per_s",
                "consensus " + Kpi.CONSENSUS_LATENCY_MS.metric() + " node [\"p50\",\"p95\",\"p99\"] CHOOSE ms null",
                "propagation " + Kpi.PROPAGATION_DELAY_MS.metric() + " node [\"p95\"] ALL ms null",
                "blocktime " + Kpi.BLOCK_TIME_MS.metric() + " network [\"p50\",\"p95\",\"p99\"] ALL ms p95");
        assertThat(catalog.at("/charts/1/selected").asText()).isEqualTo("p95");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.uri() + path.substring(1)));
    }
}
