package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.catalog.CatalogDocs;
import io.chainpulse.sink.es.KibanaAssets;
import io.chainpulse.sink.prometheus.GrafanaDashboard;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogCommandTest {
    private final CliRun cli = new CliRun();

    @Test
    void shouldPrintTheKpiAndTopicTables() {
        assertThat(cli.run("catalog")).isZero();
        assertThat(cli.out()).isEqualTo(CatalogDocs.kpiTable() + "\n\n" + CatalogDocs.topicTable() + "\n");
    }

    @Test
    void shouldRewriteTheReadmeTablesAndTheMonitoringAssetsInPlace(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("README.md"), "# x\n" + CatalogDocs.KPIS_BEGIN + "\nstale\n" + CatalogDocs.KPIS_END
                + "\ntext\n" + CatalogDocs.TOPICS_BEGIN + CatalogDocs.TOPICS_END + "\nend\n");

        assertThat(cli.run("catalog", "--write", "--home", home.toString())).as(cli.err()).isZero();

        assertThat(Files.readString(home.resolve("README.md"))).isEqualTo("# x\n" + CatalogDocs.kpiTable() + "\ntext\n"
                + CatalogDocs.topicTable() + "\nend\n");
        assertThat(Files.readString(home.resolve(KibanaAssets.FILE))).isEqualTo(KibanaAssets.ndjson());
        assertThat(Files.readString(home.resolve(GrafanaDashboard.FILE))).isEqualTo(GrafanaDashboard.json());
        assertThat(cli.out()).contains("wrote: " + home.resolve(GrafanaDashboard.FILE));

        CliRun again = new CliRun();
        assertThat(again.run("catalog", "--write", "--home", home.toString())).isZero();
        assertThat(again.out()).contains("up to date: " + home.resolve("README.md"));
    }

    @Test
    void shouldRefuseADirectoryWithoutAReadmeAsAUsageError(@TempDir Path home) {
        assertThat(cli.run("catalog", "--write", "--home", home.toString())).isEqualTo(2);
        assertThat(cli.err()).isEqualTo("chainpulse catalog: --home " + home
                + " holds no README.md: is it the project's root?" + System.lineSeparator());
    }
}
