package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.KpiJson;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --kpis}: the processor's {@code kpis} selection for a file. */
class AnalyzeKpisCommandTest {
    private final CliRun cli = new CliRun();

    @TempDir
    Path dir;

    @Test
    void shouldWriteOnlyTheSelectedKpisWithTheSameWindowsAsAll() throws Exception {
        Path events = dir.resolve("events.jsonl");
        assertThat(cli.run("simulate", "--duration", "30s", "--output", events.toString())).as(cli.err()).isZero();
        assertThat(cli.run("analyze", "--input", events.toString(), "--output", dir.resolve("all").toString()))
                .as(cli.err()).isZero();

        assertThat(cli.run("analyze", "--input", events.toString(), "--kpis", "tps,block_gas_used",
                "--output", dir.resolve("two").toString())).as(cli.err()).isZero();

        List<String> two = Files.readAllLines(dir.resolve("two/kpis.jsonl"));
        List<String> metrics = two.stream().map(KpiJson::parse).map(KpiWindow::getMetric).distinct().sorted().toList();
        assertThat(metrics).containsExactly("block_gas_used", "tps");
        List<String> allOfThem = Files.readAllLines(dir.resolve("all/kpis.jsonl")).stream()
                .filter(line -> List.of("tps", "block_gas_used").contains(KpiJson.parse(line).getMetric())).toList();
        assertThat(two).isNotEmpty().isEqualTo(allOfThem);
    }

    @Test
    void shouldRefuseAnUnknownKpiNamingTheKnownOnes() {
        Path events = dir.resolve("events.jsonl");
        assertThat(cli.run("simulate", "--duration", "5s", "--output", events.toString())).isZero();

        assertThat(cli.run("analyze", "--input", events.toString(), "--kpis", "tps,tsp", "--output",
                dir.resolve("out").toString())).isEqualTo(ChainPulseCli.USAGE_ERROR);
        assertThat(cli.err()).isEqualTo("chainpulse analyze: --kpis: unknown KPI 'tsp' (known: all, "
                + String.join(", ", Kpi.metrics()) + ")\n");
    }
}
