package io.chainpulse.sink.es;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Kibana saved objects of {@code docker/kibana/chainpulse.ndjson}, generated from the KPI catalog: the two data
 * views (the sink's aliases), the overview's hand-picked charts (TPS of the network and per node, consensus latency
 * p50/p95/p99, propagation delay, block time, anomalies by severity, the anomaly table) and one chart per other
 * catalog KPI, by the statistic its windows are judged by, so a KPI added to the catalog gets its chart and panel
 * with no edit here. {@code KibanaAssetsTest} fails when the committed file differs from {@link #ndjson()}.
 *
 * <pre>{@code
 * ./chainpulse catalog --write                     # rewrites this file, the Grafana dashboard and the README tables
 * java -cp … io.chainpulse.sink.es.KibanaAssets docker/kibana/chainpulse.ndjson
 * }</pre>
 */
public final class KibanaAssets {
    /** Where the file lives, relative to the project's root. */
    public static final Path FILE = Path.of("docker", "kibana", "chainpulse.ndjson");
    static final String KPIS_VIEW = "chainpulse-kpis";
    static final String ANOMALIES_VIEW = "chainpulse-anomalies";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CORE_VERSION = "8.8.0";
    private static final String LENS_VERSION = "8.9.0";
    private static final int FULL_WIDTH = 48;

    /** A line of a hand-picked chart: its column label, Lens operation and source field. */
    private record Measure(String label, String operation, String field) {}

    /** A Lens chart of KPI windows: one KPI at one scope (null: both), split per node or not. */
    private record KpiChart(String id, String title, String description, Kpi kpi, KpiScope scope, boolean perNode,
                            int height, List<Measure> measures) {}

    /** The overview's hand-picked KPI charts, in panel order (two per row). */
    private static final List<KpiChart> FIXED = List.of(
            new KpiChart("chainpulse-tps-network", "TPS, network",
                    "Transactions per second finalized by the network (each block counted once).", Kpi.TPS,
                    KpiScope.network, false, 12, List.of(new Measure("TPS", "average", "rate_per_s"))),
            new KpiChart("chainpulse-tps-per-node", "TPS per node", "Transactions per second finalized at each node.",
                    Kpi.TPS, KpiScope.node, true, 12, List.of(new Measure("TPS", "average", "rate_per_s"))),
            new KpiChart("chainpulse-consensus-latency", "Consensus latency p50 / p95 / p99 per node (ms)",
                    "Consensus validation start to complete, per node; percentiles from DDSketch (1% relative error).",
                    Kpi.CONSENSUS_LATENCY_MS, KpiScope.node, true, 14, List.of(new Measure("p50", "average", "p50"),
                    new Measure("p95", "average", "p95"), new Measure("p99", "max", "p99"))),
            new KpiChart("chainpulse-propagation-delay", "Block propagation delay per node, p95 (ms)",
                    "Origin propagation start to arrival at the receiving node.", Kpi.PROPAGATION_DELAY_MS,
                    KpiScope.node, true, 14, List.of(new Measure("p95 delay", "average", "p95"))),
            new KpiChart("chainpulse-block-time", "Block time (ms)",
                    "Time between finalizations of consecutive heights: mean and p95 over nodes.", Kpi.BLOCK_TIME_MS,
                    null, false, 12, List.of(new Measure("mean", "average", "mean"),
                    new Measure("p95", "average", "p95"))));

    private KibanaAssets() {}

    /** Writes {@link #ndjson()} to {@code args[0]} (default: {@link #FILE} under {@code chainpulse.home} or here). */
    public static void main(String[] args) throws IOException {
        Path file = args.length > 0 ? Path.of(args[0])
                : Path.of(System.getProperty("chainpulse.home", ".")).resolve(FILE);
        Files.writeString(file, ndjson(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
    }

    /** The KPI charts beyond the hand-picked ones: one per catalog KPI that has none, in catalog order. */
    static List<KpiChart> generated() {
        Set<Kpi> charted = new LinkedHashSet<>();
        FIXED.forEach(c -> charted.add(c.kpi()));
        List<KpiChart> out = new ArrayList<>();
        for (Kpi kpi : Kpi.values()) {
            if (charted.contains(kpi)) {
                continue;
            }
            boolean perNode = kpi.scopes().contains(KpiScope.node);
            String statistic = kpi.kind().statistic();
            String field = kpi.kind() == KpiKind.RATE ? "rate_per_s" : kpi.kind().statistic();
            // "Block execution time per node, p95 (ms)"; a rate's name says what it is: "… per node (tx/s)"
            out.add(new KpiChart(id(kpi), capitalized(kpi.human()) + (perNode ? " per node" : ", network")
                    + (kpi.kind() == KpiKind.RATE ? "" : ", " + statistic) + " (" + kpi.unit() + ")", kpi.definition().replace("`", "") + ".", kpi,
                    perNode ? KpiScope.node : KpiScope.network, perNode, 12,
                    List.of(new Measure(statistic, "average", field))));
        }
        return out;
    }

    /** The saved-object id of a generated KPI chart: {@code chainpulse-kpi-block-execution-ms}. */
    static String id(Kpi kpi) {
        return "chainpulse-kpi-" + kpi.metric().replace('_', '-');
    }

    /** The whole file: one saved object per line, data views first, the dashboard last. */
    public static String ndjson() {
        List<ObjectNode> objects = new ArrayList<>();
        objects.add(dataView(KPIS_VIEW, "ChainPulse KPIs"));
        objects.add(dataView(ANOMALIES_VIEW, "ChainPulse anomalies"));
        List<ObjectNode> panels = new ArrayList<>();
        List<String[]> references = new ArrayList<>(); // {type, id}
        int y = 0;
        int x = 0;
        int rowHeight = 0;
        List<KpiChart> generated = generated();
        for (KpiChart chart : FIXED) {
            objects.add(kpiLens(chart));
            panels.add(panel(references.size() + 1, "lens", x, y, FULL_WIDTH / 2, chart.height()));
            references.add(new String[] {"lens", chart.id()});
            rowHeight = Math.max(rowHeight, chart.height());
            x += FULL_WIDTH / 2;
            if (x == FULL_WIDTH) {
                x = 0;
                y += rowHeight;
                rowHeight = 0;
            }
        }
        objects.add(anomaliesBySeverity());
        panels.add(panel(references.size() + 1, "lens", x, y, FULL_WIDTH / 2, 12));
        references.add(new String[] {"lens", "chainpulse-anomalies-by-severity"});
        y += Math.max(rowHeight, 12);
        objects.add(anomalyTable());
        panels.add(panel(references.size() + 1, "search", 0, y, FULL_WIDTH, 16));
        references.add(new String[] {"search", "chainpulse-anomaly-table"});
        y += 16;
        for (int i = 0; i < generated.size(); i++) {
            KpiChart chart = generated.get(i);
            objects.add(kpiLens(chart));
            panels.add(panel(references.size() + 1, "lens", (i % 2) * FULL_WIDTH / 2, y + (i / 2) * 12,
                    FULL_WIDTH / 2, 12));
            references.add(new String[] {"lens", chart.id()});
        }
        objects.add(dashboard(panels, references));

        StringBuilder out = new StringBuilder();
        for (ObjectNode object : objects) {
            out.append(write(object)).append('\n');
        }
        return out.toString();
    }

    private static ObjectNode savedObject(String id, String type, String typeVersion) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", id);
        o.put("type", type);
        o.put("coreMigrationVersion", CORE_VERSION);
        o.put("typeMigrationVersion", typeVersion);
        return o;
    }

    private static ObjectNode dataView(String alias, String name) {
        ObjectNode view = savedObject(alias, "index-pattern", "8.0.0");
        ObjectNode attributes = view.putObject("attributes");
        attributes.put("title", alias);
        attributes.put("name", name);
        attributes.put("timeFieldName", "window_start");
        attributes.put("allowHidden", false);
        view.putArray("references");
        return view;
    }

    private static ObjectNode kpiLens(KpiChart chart) {
        String query = "metric : \"" + chart.kpi().metric() + "\""
                + (chart.scope() == null ? "" : " and scope : \"" + chart.scope().name() + "\"");
        List<String> ids = new ArrayList<>();
        ObjectNode columns = MAPPER.createObjectNode();
        if (chart.perNode()) {
            columns.set("split", terms("Node", "node_id"));
            ids.add("split");
        }
        columns.set("x", dateHistogram());
        ids.add("x");
        List<String> accessors = new ArrayList<>();
        for (int i = 0; i < chart.measures().size(); i++) {
            Measure m = chart.measures().get(i);
            columns.set("m" + i, metric(m.label(), m.operation(), m.field()));
            ids.add("m" + i);
            accessors.add("m" + i);
        }
        return lens(chart.id(), chart.title(), chart.description(), KPIS_VIEW, columns, ids, accessors,
                chart.perNode() ? "split" : null, "line", query);
    }

    private static ObjectNode anomaliesBySeverity() {
        ObjectNode columns = MAPPER.createObjectNode();
        columns.set("split", terms("Severity", "severity"));
        columns.set("x", dateHistogram());
        columns.set("m0", metric("Anomalies", "count", "___records___"));
        return lens("chainpulse-anomalies-by-severity", "Firing anomalies by severity",
                "Anomaly transitions to FIRING per severity.", ANOMALIES_VIEW, columns, List.of("split", "x", "m0"),
                List.of("m0"), "split", "bar_stacked", "state : \"FIRING\"");
    }

    private static ObjectNode lens(String id, String title, String description, String view, ObjectNode columns,
                                   List<String> columnOrder, List<String> accessors, String split, String seriesType,
                                   String query) {
        ObjectNode lens = savedObject(id, "lens", LENS_VERSION);
        ObjectNode attributes = lens.putObject("attributes");
        attributes.put("title", title);
        attributes.put("description", description);
        attributes.put("visualizationType", "lnsXY");
        ObjectNode state = attributes.putObject("state");
        ObjectNode layer = state.putObject("datasourceStates").putObject("formBased").putObject("layers")
                .putObject("layer1");
        layer.set("columns", columns);
        columnOrder.forEach(layer.putArray("columnOrder")::add);
        layer.putObject("incompleteColumns");
        ObjectNode visualization = state.putObject("visualization");
        visualization.putObject("legend").put("isVisible", true).put("position", "right");
        visualization.put("valueLabels", "hide");
        visualization.put("preferredSeriesType", seriesType);
        ObjectNode chartLayer = visualization.putArray("layers").addObject();
        chartLayer.put("layerId", "layer1");
        chartLayer.put("seriesType", seriesType);
        chartLayer.put("xAccessor", "x");
        accessors.forEach(chartLayer.putArray("accessors")::add);
        chartLayer.put("layerType", "data");
        if (split != null) {
            chartLayer.put("splitAccessor", split);
        }
        state.putObject("query").put("query", query).put("language", "kuery");
        state.putArray("filters");
        state.putArray("internalReferences");
        state.putObject("adHocDataViews");
        lens.putArray("references").addObject().put("type", "index-pattern").put("id", view)
                .put("name", "indexpattern-datasource-layer-layer1");
        return lens;
    }

    private static ObjectNode terms(String label, String field) {
        ObjectNode column = MAPPER.createObjectNode();
        column.put("label", label);
        column.put("dataType", "string");
        column.put("operationType", "terms");
        column.put("sourceField", field);
        column.put("isBucketed", true);
        column.put("scale", "ordinal");
        ObjectNode params = column.putObject("params");
        params.put("size", 10);
        params.putObject("orderBy").put("type", "column").put("columnId", "m0");
        params.put("orderDirection", "desc");
        params.put("otherBucket", false);
        params.put("missingBucket", false);
        return column;
    }

    private static ObjectNode dateHistogram() {
        ObjectNode column = MAPPER.createObjectNode();
        column.put("label", "Window start");
        column.put("dataType", "date");
        column.put("operationType", "date_histogram");
        column.put("sourceField", "window_start");
        column.put("isBucketed", true);
        column.put("scale", "interval");
        column.putObject("params").put("interval", "auto").put("includeEmptyRows", false);
        return column;
    }

    private static ObjectNode metric(String label, String operation, String field) {
        ObjectNode column = MAPPER.createObjectNode();
        column.put("label", label);
        column.put("customLabel", true);
        column.put("dataType", "number");
        column.put("operationType", operation);
        column.put("sourceField", field);
        column.put("isBucketed", false);
        column.put("scale", "ratio");
        return column;
    }

    private static ObjectNode anomalyTable() {
        ObjectNode search = savedObject("chainpulse-anomaly-table", "search", "8.0.0");
        ObjectNode attributes = search.putObject("attributes");
        attributes.put("title", "Anomalies, most severe first");
        attributes.put("description", "Every FIRING and RESOLVED transition.");
        ArrayNode columns = attributes.putArray("columns");
        Arrays.asList("severity", "state", "node_id", "metric", "detector", "rule", "observed", "expected",
                "description").forEach(columns::add);
        ArrayNode sort = attributes.putArray("sort");
        sort.addArray().add("severity_level").add("desc");
        sort.addArray().add("window_start").add("desc");
        attributes.putObject("grid");
        attributes.put("hideChart", true);
        ObjectNode source = MAPPER.createObjectNode();
        source.putObject("query").put("query", "").put("language", "kuery");
        source.putArray("filter");
        source.put("indexRefName", "kibanaSavedObjectMeta.searchSourceJSON.index");
        attributes.putObject("kibanaSavedObjectMeta").put("searchSourceJSON", write(source));
        search.putArray("references").addObject().put("name", "kibanaSavedObjectMeta.searchSourceJSON.index")
                .put("type", "index-pattern").put("id", ANOMALIES_VIEW);
        return search;
    }

    private static ObjectNode panel(int index, String type, int x, int y, int w, int h) {
        ObjectNode panel = MAPPER.createObjectNode();
        panel.put("version", CORE_VERSION);
        panel.put("type", type);
        panel.putObject("gridData").put("x", x).put("y", y).put("w", w).put("h", h).put("i", Integer.toString(index));
        panel.put("panelIndex", Integer.toString(index));
        panel.putObject("embeddableConfig").putObject("enhancements");
        panel.put("panelRefName", "panel_" + index);
        return panel;
    }

    private static ObjectNode dashboard(List<ObjectNode> panels, List<String[]> references) {
        ObjectNode dashboard = savedObject("chainpulse-overview", "dashboard", LENS_VERSION);
        ObjectNode attributes = dashboard.putObject("attributes");
        attributes.put("title", "ChainPulse overview");
        attributes.put("description", "Throughput, latency, propagation, block time and anomalies of the network and"
                + " each node, then every other KPI of the catalog.");
        ArrayNode panelsJson = MAPPER.createArrayNode();
        panels.forEach(panelsJson::add);
        attributes.put("panelsJSON", write(panelsJson));
        ObjectNode options = MAPPER.createObjectNode();
        options.put("useMargins", true).put("syncColors", false).put("syncCursor", true).put("syncTooltips", false)
                .put("hidePanelTitles", false);
        attributes.put("optionsJSON", write(options));
        attributes.put("timeRestore", true);
        attributes.put("timeFrom", "now-1h");
        attributes.put("timeTo", "now");
        attributes.putObject("refreshInterval").put("pause", false).put("value", 10000);
        ObjectNode source = MAPPER.createObjectNode();
        source.putObject("query").put("query", "").put("language", "kuery");
        source.putArray("filter");
        attributes.putObject("kibanaSavedObjectMeta").put("searchSourceJSON", write(source));
        ArrayNode refs = dashboard.putArray("references");
        for (int i = 0; i < references.size(); i++) {
            refs.addObject().put("name", "panel_" + (i + 1)).put("type", references.get(i)[0])
                    .put("id", references.get(i)[1]);
        }
        return dashboard;
    }

    private static String capitalized(String words) {
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    private static String write(Object json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of a Kibana saved object", e);
        }
    }
}
