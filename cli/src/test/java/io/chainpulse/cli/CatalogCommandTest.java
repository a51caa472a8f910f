package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.catalog.CatalogDocs;
import io.chainpulse.sink.es.KibanaAssets;
import io.chainpulse.sink.prometheus.GrafanaDashboard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CatalogCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shouldPrintTheKpiAndTopicTables() {
        assertThat(run("catalog")).isZero();
        assertThat(out.toString()).isEqualTo(CatalogDocs.kpiTable() + "\n\n" + CatalogDocs.topicTable() + "\n");
    }

    @Test
    void shouldRewriteTheReadmeTablesAndTheMonitoringAssetsInPlace(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("README.md"), "# x\n" + CatalogDocs.KPIS_BEGIN + "\nstale\n" + CatalogDocs.KPIS_END
                + "\ntext\n" + CatalogDocs.TOPICS_BEGIN + CatalogDocs.TOPICS_END + "\nend\n");

        assertThat(run("catalog", "--write", "--home", home.toString())).as(err.toString()).isZero();

        assertThat(Files.readString(home.resolve("README.md"))).isEqualTo("# x\n" + CatalogDocs.kpiTable() + "\ntext\n"
                + CatalogDocs.topicTable() + "\nend\n");
        assertThat(Files.readString(home.resolve(KibanaAssets.FILE))).isEqualTo(KibanaAssets.ndjson());
        assertThat(Files.readString(home.resolve(GrafanaDashboard.FILE))).isEqualTo(GrafanaDashboard.json());
        assertThat(out.toString()).contains("wrote: " + home.resolve(GrafanaDashboard.FILE));

        out.getBuffer().setLength(0);
        assertThat(run("catalog", "--write", "--home", home.toString())).isZero();
        assertThat(out.toString()).contains("up to date: " + home.resolve("README.md"));
    }

    @Test
    void shouldRefuseADirectoryWithoutAReadmeAsAUsageError(@TempDir Path home) {
        assertThat(run("catalog", "--write", "--home", home.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse catalog: --home " + home
                + " holds no README.md: is it the project's root?" + System.lineSeparator());
    }
}
