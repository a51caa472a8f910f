package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import io.chainpulse.schema.catalog.Kpi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker/kibana/chainpulse.ndjson against the index templates the sink installs. */
class KibanaAssetsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code field :} in a KQL query. */
    private static final Pattern KQL_FIELD = Pattern.compile("([a-z_][a-z0-9_.]*)\\s*:");
    private static final Set<String> NUMERIC = Set.of("double", "long", "integer");
    /** Lens' pseudo-field for "count of records". */
    private static final String RECORDS = "___records___";

    private static final Map<String, JsonNode> objects = new LinkedHashMap<>();
    /** Data view id to the mapped field types of the alias it names. */
    private static final Map<String, Map<String, String>> fieldsOfDataView = new HashMap<>();

    @BeforeAll
    static void read() throws Exception {
        Path file = Path.of(System.getProperty("chainpulse.home"), "docker/kibana/chainpulse.ndjson");
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                JsonNode object = JSON.readTree(line);
                assertThat(objects.put(object.get("type").asText() + "/" + object.get("id").asText(), object))
                        .as("duplicate saved object %s", object.get("id")).isNull();
            }
        }
        SinkEsConfig defaults = new SinkEsConfig(Map.of());
        Map<String, String> mappingOfAlias = Map.of(
                defaults.getString(SinkEsConfig.INDEX_KPIS), IndexTemplates.KPI_MAPPINGS,
                defaults.getString(SinkEsConfig.INDEX_ANOMALIES), IndexTemplates.ANOMALY_MAPPINGS);
        for (JsonNode view : ofType("index-pattern")) {
            String title = view.at("/attributes/title").asText();
            assertThat(mappingOfAlias).as("data view %s must name one of the sink's aliases", title)
                    .containsKey(title);
            Map<String, String> fields = new HashMap<>();
            IndexTemplates.mappings(mappingOfAlias.get(title)).get("properties").fields()
                    .forEachRemaining(f -> fields.put(f.getKey(), f.getValue().get("type").asText()));
            fieldsOfDataView.put(view.get("id").asText(), fields);
        }
    }

    @Test
    void shouldBeExactlyWhatTheGeneratorWrites() throws Exception {
        Path file = Path.of(System.getProperty("chainpulse.home")).resolve(KibanaAssets.FILE);
        assertThat(Files.readString(file))
                .as("%s is stale (the KPI catalog or KibanaAssets changed): regenerate it with ./chainpulse catalog"
                        + " --write", KibanaAssets.FILE)
                .isEqualTo(KibanaAssets.ndjson());
    }

    @Test
    void shouldHoldTheDataViewsTheChartsTheSearchAndTheDashboard() {
        List<String> expected = new ArrayList<>(List.of(
                "index-pattern/chainpulse-kpis", "index-pattern/chainpulse-anomalies",
                "lens/chainpulse-tps-network", "lens/chainpulse-tps-per-node", "lens/chainpulse-consensus-latency",
                "lens/chainpulse-propagation-delay", "lens/chainpulse-block-time",
                "lens/chainpulse-anomalies-by-severity", "search/chainpulse-anomaly-table",
                "dashboard/chainpulse-overview"));
        Set<Kpi> fixed = Set.of(Kpi.TPS, Kpi.CONSENSUS_LATENCY_MS, Kpi.PROPAGATION_DELAY_MS, Kpi.BLOCK_TIME_MS);
        Arrays.stream(Kpi.values()).filter(k -> !fixed.contains(k)).forEach(k -> expected.add("lens/" + KibanaAssets.id(k)));
        assertThat(objects.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldChartEveryCatalogKpiByTheStatisticItIsJudgedBy() {
        for (Kpi kpi : Kpi.values()) {
            String query = "metric : \"" + kpi.metric() + "\"";
            List<JsonNode> charts = ofType("lens").stream()
                    .filter(l -> l.at("/attributes/state/query/query").asText().startsWith(query)).toList();
            assertThat(charts).as("charts of %s", kpi.metric()).isNotEmpty();
        }
        JsonNode generated = objects.get("lens/" + KibanaAssets.id(Kpi.BLOCK_EXECUTION_MS));
        assertThat(generated.at("/attributes/title").asText()).isEqualTo("Block execution time per node, p95 (ms)");
        assertThat(generated.at("/attributes/state/query/query").asText())
                .isEqualTo("metric : \"" + Kpi.BLOCK_EXECUTION_MS.metric() + "\" and scope : \"node\"");
        assertThat(generated.at("/attributes/state/datasourceStates/formBased/layers/layer1/columns/m0/sourceField")
                .asText()).isEqualTo("p95");
        JsonNode rate = objects.get("lens/" + KibanaAssets.id(Kpi.TX_INGRESS_TPS));
        assertThat(rate.at("/attributes/state/datasourceStates/formBased/layers/layer1/columns/m0/sourceField")
                .asText()).isEqualTo("rate_per_s");
    }

    @Test
    void shouldResolveEveryReferenceToAnObjectInTheFile() {
        for (JsonNode object : objects.values()) {
            for (JsonNode reference : object.get("references")) {
                assertThat(objects).as("%s references %s", object.get("id"), reference)
                        .containsKey(reference.get("type").asText() + "/" + reference.get("id").asText());
            }
        }
    }

    @Test
    void shouldGiveEveryDashboardPanelANamedReference() throws Exception {
        JsonNode dashboard = objects.get("dashboard/chainpulse-overview");
        List<String> names = new ArrayList<>();
        dashboard.get("references").forEach(r -> names.add(r.get("name").asText()));

        JsonNode panels = JSON.readTree(dashboard.at("/attributes/panelsJSON").asText());
        assertThat(panels).hasSize(objects.size() - 3); // every lens and the search: all but two views and itself
        for (JsonNode panel : panels) {
            assertThat(names).contains(panel.get("panelRefName").asText());
        }
    }

    @Test
    void shouldLayThePanelsOutWithoutOverlapInsideTheGrid() throws Exception {
        JsonNode panels = JSON.readTree(objects.get("dashboard/chainpulse-overview").at("/attributes/panelsJSON").asText());
        List<int[]> boxes = new ArrayList<>();
        panels.forEach(p -> boxes.add(new int[] {p.at("/gridData/x").asInt(), p.at("/gridData/y").asInt(),
                p.at("/gridData/w").asInt(), p.at("/gridData/h").asInt()}));
        for (int i = 0; i < boxes.size(); i++) {
            int[] a = boxes.get(i);
            assertThat(a[0] + a[2]).as("panel %d inside the 48 columns", i + 1).isLessThanOrEqualTo(48);
            for (int j = i + 1; j < boxes.size(); j++) {
                int[] b = boxes.get(j);
                boolean apart = a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1];
                assertThat(apart).as("panels %d and %d overlap", i + 1, j + 1).isTrue();
            }
        }
    }

    @Test
    void shouldUseTheDateFieldOfTheTemplatesAsTimeFieldOfEveryDataView() {
        for (JsonNode view : ofType("index-pattern")) {
            String timeField = view.at("/attributes/timeFieldName").asText();
            assertThat(fieldsOfDataView.get(view.get("id").asText())).containsEntry(timeField, "date");
        }
    }

    @Test
    void shouldOnlyChartFieldsTheTemplatesMapWithAFittingType() {
        for (JsonNode lens : ofType("lens")) {
            String viewId = lens.get("references").get(0).get("id").asText();
            Map<String, String> fields = fieldsOfDataView.get(viewId);
            JsonNode layers = lens.at("/attributes/state/datasourceStates/formBased/layers");
            layers.fields().forEachRemaining(layer -> layer.getValue().get("columns").fields().forEachRemaining(c -> {
                JsonNode column = c.getValue();
                String field = column.get("sourceField").asText();
                String op = column.get("operationType").asText();
                String where = lens.get("id").asText() + " column " + c.getKey();
                if (op.equals("count")) {
                    assertThat(field).as(where).isEqualTo(RECORDS);
                } else if (op.equals("date_histogram")) {
                    assertThat(fields).as(where).containsEntry(field, "date");
                } else if (op.equals("terms")) {
                    assertThat(fields).as(where).containsEntry(field, "keyword");
                } else {
                    assertThat(fields).as(where).containsKey(field);
                    assertThat(NUMERIC).as(where + " " + field).contains(fields.get(field));
                }
            }));
            for (String field : kqlFields(lens.at("/attributes/state/query/query").asText())) {
                assertThat(fields).as(lens.get("id") + " query").containsKey(field);
            }
        }
    }

    @Test
    void shouldPointEveryChartAccessorAtAColumnOfItsLayer() {
        for (JsonNode lens : ofType("lens")) {
            for (JsonNode layer : lens.at("/attributes/state/visualization/layers")) {
                JsonNode columns = lens.at("/attributes/state/datasourceStates/formBased/layers/"
                        + layer.get("layerId").asText() + "/columns");
                List<String> used = new ArrayList<>();
                used.add(layer.get("xAccessor").asText());
                layer.get("accessors").forEach(a -> used.add(a.asText()));
                if (layer.has("splitAccessor")) {
                    used.add(layer.get("splitAccessor").asText());
                }
                for (String accessor : used) {
                    assertThat(columns.has(accessor)).as(lens.get("id") + " accessor " + accessor).isTrue();
                }
            }
        }
    }

    @Test
    void shouldListAndSortTheAnomalyTableByMappedFields() {
        JsonNode search = objects.get("search/chainpulse-anomaly-table");
        Map<String, String> fields = fieldsOfDataView.get("chainpulse-anomalies");
        search.at("/attributes/columns").forEach(c -> assertThat(fields).containsKey(c.asText()));
        search.at("/attributes/sort").forEach(s -> assertThat(fields).containsKey(s.get(0).asText()));
        assertThat(search.at("/attributes/sort/0/0").asText()).isEqualTo("severity_level");
    }

    @Test
    void shouldFindTheFieldsOfAKqlQueryButNotWordsInsideQuotes() {
        assertThat(kqlFields("metric : \"tps\" and scope:\"a : b\" or node_id : v1"))
                .containsExactly("metric", "scope", "node_id");
    }

    private static List<JsonNode> ofType(String type) {
        return objects.values().stream().filter(o -> o.get("type").asText().equals(type)).toList();
    }

    static List<String> kqlFields(String kql) {
        List<String> fields = new ArrayList<>();
        Matcher m = KQL_FIELD.matcher(kql.replaceAll("\"[^\"]*\"", "\"\""));
        while (m.find()) {
            fields.add(m.group(1));
        }
        return fields;
    }
}
