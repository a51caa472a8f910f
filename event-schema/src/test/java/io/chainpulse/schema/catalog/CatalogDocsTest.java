package io.chainpulse.schema.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's KPI and topic tables are exactly what {@link CatalogDocs} generates from the catalog. */
class CatalogDocsTest {
    private static final String STALE = "README.md's %s table is stale (the catalog changed): run ./chainpulse catalog"
            + " --write, or paste the output of ./chainpulse catalog";

    @Test
    void readmeShouldHoldExactlyTheGeneratedKpiTable() throws Exception {
        assertThat(CatalogDocs.section(readme(), CatalogDocs.KPIS_BEGIN, CatalogDocs.KPIS_END))
                .as(STALE, "KPI").isEqualTo(CatalogDocs.kpiTable());
    }

    @Test
    void readmeShouldHoldExactlyTheGeneratedTopicTable() throws Exception {
        assertThat(CatalogDocs.section(readme(), CatalogDocs.TOPICS_BEGIN, CatalogDocs.TOPICS_END))
                .as(STALE, "topic").isEqualTo(CatalogDocs.topicTable());
    }

    @Test
    void shouldWriteOneRowPerKpiWithKindUnitScopesAndDefinition() {
        String table = CatalogDocs.kpiTable();
        assertThat(table.lines().filter(l -> l.startsWith("| `"))).hasSize(Kpi.values().length);
        Kpi consensus = Kpi.CONSENSUS_LATENCY_MS;
        assertThat(table).contains("\n| `" + consensus.metric() + "` | latency | ms | node, network | "
                + consensus.definition() + " |\n");
    }

    @Test
    void shouldWriteOneRowPerTopicWithTypesPoliciesAndRetention() {
        String table = CatalogDocs.topicTable();
        assertThat(table.lines().filter(l -> l.startsWith("| `"))).hasSize(Topics.ALL.size());
        assertThat(table)
                .contains("| `" + Topics.KPIS.name() + "` | metric\\|scope\\|node\\|window start | `KpiWindow` (Avro)"
                        + " | stream-processor | anomaly-detector, sink-es, sink-pushgateway, dashboard, `report` |"
                        + " delete | 30 days | final KPI windows |")
                .contains("| `" + Topics.ANOMALIES_CURRENT.name() + "` | incident id | `Anomaly` (Avro) |"
                        + " anomaly-detector | sink-pushgateway, notify | compacted | forever (compacted) |")
                .contains("| `" + Topics.DEAD_LETTERS.name() + "` | the source record's key bytes | bytes |");
    }

    @Test
    void shouldReplaceBetweenTheMarkersAndNameAMissingOne() {
        String text = "a\n" + CatalogDocs.KPIS_BEGIN + "\nold\n" + CatalogDocs.KPIS_END + "\nb";
        assertThat(CatalogDocs.replace(text, CatalogDocs.KPIS_BEGIN, CatalogDocs.KPIS_END, "NEW")).isEqualTo("a\nNEW\nb");
        assertThatThrownBy(() -> CatalogDocs.replace("a", CatalogDocs.KPIS_BEGIN, CatalogDocs.KPIS_END, "NEW"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("marker missing: " + CatalogDocs.KPIS_BEGIN);
        assertThatThrownBy(() -> CatalogDocs.replace(CatalogDocs.KPIS_BEGIN, CatalogDocs.KPIS_BEGIN,
                CatalogDocs.KPIS_END, "NEW")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("marker missing after " + CatalogDocs.KPIS_BEGIN + ": " + CatalogDocs.KPIS_END);
    }

    private static String readme() throws Exception {
        return Files.readString(Path.of(System.getProperty("chainpulse.home", "..")).resolve("README.md"));
    }
}
