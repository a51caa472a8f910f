package io.chainpulse.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.util.List;

/**
 * What the page draws, served as {@code /api/catalog} so that {@code app.js} spells no KPI: every catalog KPI (its
 * metric, kind, unit, words, scopes, definition and the point field the page plots for it) and the fixed charts of
 * the page's first row, each naming its KPI, scope and statistics. A KPI added to the catalog appears in the page's
 * "any KPI" chart without a change here or in the page.
 *
 * <pre>{@code
 * String json = DashboardCatalog.json();   // {"kpis": [...], "charts": [...]}
 * }</pre>
 */
final class DashboardCatalog {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> PERCENTILES = List.of("p50", "p95", "p99");
    /** The point field of a rate window ({@link DashboardView#kpisJson()}). */
    static final String RATE_FIELD = "rate_per_s";

    /** How a chart with several statistics draws them. */
    enum Mode {
        /** one line per statistic and series (block time p50, p95, p99) */
        ALL,
        /** one statistic at a time, chosen by a toggle next to the title (consensus p50 | p95 | p99) */
        CHOOSE
    }

    /**
     * One chart of the page: the lines of {@code kpi} at {@code scope}, one per node (or the network), plotting
     * {@code statistics} (point fields); {@code selected} is the one shown first in {@link Mode#CHOOSE};
     * {@code latest} the statistic written next to the title ({@code <id>-latest}), or null.
     */
    record Chart(String id, String title, Kpi kpi, KpiScope scope, List<String> statistics, Mode mode,
                 String selected, String latest) {}

    /**
     * The page's headline charts, in page order. The ids are the page's element ids ({@code chart-<id>}), older than
     * the catalog: TPS's chart has always been called after its KPI.
     */
    static final List<Chart> CHARTS = List.of(
            new Chart(Kpi.TPS.metric(), "Network TPS", Kpi.TPS, KpiScope.network, List.of(RATE_FIELD), Mode.ALL,
                    null, RATE_FIELD),
            new Chart("consensus", "Consensus latency per node", Kpi.CONSENSUS_LATENCY_MS, KpiScope.node, PERCENTILES,
                    Mode.CHOOSE, "p95", null),
            new Chart("propagation", "Propagation delay p95 per node", Kpi.PROPAGATION_DELAY_MS, KpiScope.node,
                    List.of("p95"), Mode.ALL, null, null),
            new Chart("blocktime", "Block time (network)", Kpi.BLOCK_TIME_MS, KpiScope.network, PERCENTILES, Mode.ALL,
                    null, "p95"));

    private DashboardCatalog() {}

    /** The point field the page plots for {@code kpi} (the statistic its windows are judged by). */
    static String field(Kpi kpi) {
        return kpi.kind() == KpiKind.RATE ? RATE_FIELD : kpi.kind().statistic();
    }

    /**
     * {@code {"kpis": [{"metric", "kind", "unit", "human", "label", "headline", "scopes", "statistic", "field",
     * "definition", "resource", "higher_is_worse"}, …], "charts": [{"id", "title", "metric", "scope", "unit", "statistics", "mode", "selected",
     * "latest"}, …]}}, KPIs in catalog order.
     */
    static String json() {
        ObjectNode json = MAPPER.createObjectNode();
        ArrayNode kpis = json.putArray("kpis");
        for (Kpi kpi : Kpi.values()) {
            ObjectNode k = kpis.addObject();
            k.put("metric", kpi.metric());
            k.put("kind", kpi.kind().name());
            k.put("unit", kpi.unit());
            k.put("human", kpi.human());
            k.put("label", kpi.label());
            k.put("headline", kpi.headline());
            ArrayNode scopes = k.putArray("scopes");
            kpi.scopes().forEach(s -> scopes.add(s.name()));
            k.put("statistic", kpi.kind().statistic());
            k.put("field", field(kpi));
            k.put("definition", kpi.definition());
            k.put("resource", kpi.resource());
            k.put("higher_is_worse", kpi.higherIsWorse());
        }
        ArrayNode charts = json.putArray("charts");
        for (Chart chart : CHARTS) {
            ObjectNode c = charts.addObject();
            c.put("id", chart.id());
            c.put("title", chart.title());
            c.put("metric", chart.kpi().metric());
            c.put("scope", chart.scope().name());
            c.put("unit", chart.kpi().unit());
            ArrayNode statistics = c.putArray("statistics");
            chart.statistics().forEach(statistics::add);
            c.put("mode", chart.mode().name());
            c.put("selected", chart.selected());
            c.put("latest", chart.latest());
        }
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of the dashboard catalog", e);
        }
    }
}
