package io.chainpulse.sink.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Grafana dashboard of {@code docker/grafana/dashboards/chainpulse-overview.json}, generated from the KPI
 * catalog with the series names this sink pushes ({@link Kpi#prometheusName(String)}): the overview's hand-picked
 * panels (TPS, consensus latency p50/p95/p99, propagation delay p95, block time, active anomalies) and one panel per
 * other catalog KPI, by the statistic its windows are judged by, so a KPI added to the catalog gets its panel with
 * no edit here. {@code MonitoringAssetsTest} fails when the committed file differs from {@link #json()}.
 *
 * <pre>{@code
 * ./chainpulse catalog --write                     # rewrites this file, the Kibana objects and the README tables
 * java -cp … io.chainpulse.sink.prometheus.GrafanaDashboard docker/grafana/dashboards/chainpulse-overview.json
 * }</pre>
 */
public final class GrafanaDashboard {
    /** Where the file lives, relative to the project's root. */
    public static final Path FILE = Path.of("docker", "grafana", "dashboards", "chainpulse-overview.json");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int WIDTH = 12;
    private static final int HEIGHT = 8;
    /** The KPIs the hand-picked panels show; every other catalog KPI gets a generated panel. */
    private static final Set<Kpi> FIXED = Set.of(Kpi.TPS, Kpi.CONSENSUS_LATENCY_MS, Kpi.PROPAGATION_DELAY_MS,
            Kpi.BLOCK_TIME_MS);

    /** One query of a panel. */
    private record Target(String expr, String legend) {}

    private GrafanaDashboard() {}

    /** Writes {@link #json()} to {@code args[0]} (default: {@link #FILE} under {@code chainpulse.home} or here). */
    public static void main(String[] args) throws IOException {
        Path file = args.length > 0 ? Path.of(args[0])
                : Path.of(System.getProperty("chainpulse.home", ".")).resolve(FILE);
        Files.writeString(file, json(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
    }

    /** The KPIs with a generated panel, in catalog order. */
    static List<Kpi> generated() {
        List<Kpi> out = new ArrayList<>();
        for (Kpi kpi : Kpi.values()) {
            if (!FIXED.contains(kpi)) {
                out.add(kpi);
            }
        }
        return out;
    }

    /** The dashboard, two-space indented, with a final newline. */
    public static String json() {
        ObjectNode dashboard = MAPPER.createObjectNode();
        dashboard.put("uid", "chainpulse-overview");
        dashboard.put("title", "ChainPulse overview");
        dashboard.putArray("tags").add("chainpulse");
        dashboard.put("timezone", "browser");
        dashboard.put("schemaVersion", 39);
        dashboard.put("version", 1);
        dashboard.put("refresh", "10s");
        dashboard.putObject("time").put("from", "now-1h").put("to", "now");
        ArrayNode panels = dashboard.putArray("panels");

        String tps = Kpi.TPS.prometheusName();
        timeseries(panels, "TPS (network and per node)", "reqps", List.of(
                new Target(tps + "{scope=\"network\"}", "network"), new Target(tps + "{scope=\"node\"}", "{{node}}")));
        String consensus = Kpi.CONSENSUS_LATENCY_MS.prometheusName();
        timeseries(panels, "Consensus latency p50 / p95 / p99 per node", "s", List.of(
                new Target(consensus + "{scope=\"node\",quantile=\"0.5\"}", "{{node}} p50"),
                new Target(consensus + "{scope=\"node\",quantile=\"0.95\"}", "{{node}} p95"),
                new Target(consensus + "{scope=\"node\",quantile=\"0.99\"}", "{{node}} p99")));
        timeseries(panels, "Propagation delay p95 per node", "s", List.of(new Target(
                Kpi.PROPAGATION_DELAY_MS.prometheusName() + "{scope=\"node\",quantile=\"0.95\"}", "{{node}}")));
        timeseries(panels, "Block time (mean) per node", "s", List.of(
                new Target(Kpi.BLOCK_TIME_MS.prometheusName("_mean") + "{scope=\"node\"}", "{{node}}")));

        ObjectNode anomalies = panel(panels, "table", "Active anomalies by severity", 2 * WIDTH);
        ObjectNode target = anomalies.putArray("targets").addObject();
        target.put("refId", "A");
        target.put("expr", "sum by (severity, node, metric) (chainpulse_anomaly_active)");
        target.put("format", "table");
        target.put("instant", true);
        target.set("datasource", datasource());
        ObjectNode fieldConfig = anomalies.putObject("fieldConfig");
        fieldConfig.putObject("defaults");
        fieldConfig.putArray("overrides");

        for (Kpi kpi : generated()) {
            boolean perNode = kpi.scopes().contains(KpiScope.node);
            String scope = perNode ? KpiScope.node.name() : KpiScope.network.name();
            String statistic = kpi.kind().statistic();
            String expr = switch (kpi.kind()) {
                case RATE -> kpi.prometheusName() + "{scope=\"" + scope + "\"}";
                case RATIO -> kpi.prometheusName("_mean") + "{scope=\"" + scope + "\"}";
                case LATENCY, DISTRIBUTION -> kpi.prometheusName() + "{scope=\"" + scope + "\",quantile=\""
                        + quantile(statistic) + "\"}";
            };
            String title = capitalized(kpi.human()) + (perNode ? " per node" : ", network")
                    + (kpi.kind() == KpiKind.RATE ? "" : ", " + statistic);
            timeseries(panels, title, grafanaUnit(kpi), List.of(new Target(expr, perNode ? "{{node}}" : "network")));
        }
        return write(dashboard) + "\n";
    }

    /** {@code p95} → {@code 0.95}, the summary's quantile label. */
    private static String quantile(String percentile) {
        return Double.toString(Integer.parseInt(percentile.substring(1)) / 100.0);
    }

    /** Grafana's unit for the KPI's series (in Prometheus base units: seconds, ratios). */
    static String grafanaUnit(Kpi kpi) {
        double scale = kpi.prometheusScale();
        if (scale == 1e-3) {
            return "s";
        }
        if (scale == 0.01) {
            return "percentunit";
        }
        String unit = kpi.unit().toLowerCase(Locale.ROOT);
        if (unit.equals("tx/s")) {
            return "reqps";
        }
        if (unit.startsWith("byte") || unit.equals("b")) {
            return "bytes";
        }
        return "short";
    }

    private static void timeseries(ArrayNode panels, String title, String unit, List<Target> targets) {
        ObjectNode panel = panel(panels, "timeseries", title, WIDTH);
        ObjectNode fieldConfig = panel.putObject("fieldConfig");
        fieldConfig.putObject("defaults").put("unit", unit);
        fieldConfig.putArray("overrides");
        ArrayNode out = panel.putArray("targets");
        for (int i = 0; i < targets.size(); i++) {
            ObjectNode t = out.addObject();
            t.put("refId", String.valueOf((char) ('A' + i)));
            t.put("expr", targets.get(i).expr());
            t.put("legendFormat", targets.get(i).legend());
            t.set("datasource", datasource());
        }
    }

    /**
     * Appends a panel in rows of two half-width panels: the four fixed charts, the full-width anomaly table (the
     * fifth panel), then the generated ones.
     */
    private static ObjectNode panel(ArrayNode panels, String type, String title, int w) {
        int index = panels.size();
        int afterTable = index - 5;
        int x = index < 4 ? (index % 2) * WIDTH : index == 4 ? 0 : (afterTable % 2) * WIDTH;
        int y = index < 5 ? (index / 2) * HEIGHT : 3 * HEIGHT + (afterTable / 2) * HEIGHT;
        ObjectNode panel = panels.addObject();
        panel.put("id", panels.size());
        panel.put("type", type);
        panel.put("title", title);
        panel.set("datasource", datasource());
        panel.putObject("gridPos").put("x", x).put("y", y).put("w", w).put("h", HEIGHT);
        return panel;
    }

    private static ObjectNode datasource() {
        return MAPPER.createObjectNode().put("type", "prometheus").put("uid", "prometheus");
    }

    private static String capitalized(String words) {
        return words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    private static String write(ObjectNode json) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayEmptySeparator("")
                .withObjectEmptySeparator(""));
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        printer.indentArraysWith(indenter);
        printer.indentObjectsWith(indenter);
        try {
            return MAPPER.writer(printer).writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of the Grafana dashboard", e);
        }
    }
}
