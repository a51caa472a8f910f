package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.KpiJson;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate --resources-output} with the resource faults, then {@code analyze --resources}. */
class AnalyzeResourcesCommandTest {
    private static final long MIB = 1L << 20;
    private final CliRun cli = new CliRun();

    @TempDir
    Path dir;

    @Test
    void shouldShowASaturatedCpuAndAGrowingRssInTheResourceKpisOfAnalyze() throws Exception {
        Path events = dir.resolve("events.jsonl");
        Path samples = dir.resolve("resources.jsonl");
        assertThat(cli.run("simulate", "--duration", "60s", "--output", events.toString(), "--resources-output",
                samples.toString(), "--fault", "cpu_saturation:v3:0s-90s:2", "--fault", "memory_leak:v2:0s-90s:1200"))
                .as(cli.err()).isZero();

        assertThat(cli.run("analyze", "--input", events.toString(), "--resources", samples.toString(), "--output",
                dir.resolve("out").toString())).as(cli.err()).isZero();

        assertThat(cli.out()).contains("  " + samples + ": 48 resource samples (0 bad lines skipped)\n");
        List<KpiWindow> kpis = Files.readAllLines(dir.resolve("out/kpis.jsonl")).stream().map(KpiJson::parse).toList();
        List<KpiWindow> v3Cpu = node(kpis, Kpi.CPU_PCT, "v3");
        assertThat(v3Cpu).hasSizeGreaterThanOrEqualTo(6).allSatisfy(k -> {
            assertThat(k.getMin()).isBetween(380.0, 400.0); // 95–100 % of 4 cores
            assertThat(k.getLast()).isBetween(380.0, 400.0);
        });
        assertThat(node(kpis, Kpi.CPU_PCT, "v1")).allSatisfy(k -> assertThat(k.getMax()).isLessThan(40.0));
        // 1,200 MiB a minute: 200 MiB more every 10 s window; the heap's noise (σ ≈ 32 MiB a sample) can hide one
        // 5 s step, never two windows' 400 MiB. Only whole windows (both 5 s samples): the run starts at the wall
        // clock, so its first and last windows may hold one sample, and the last one's may be 5 s after the other's.
        List<Double> leaking = node(kpis, Kpi.RSS_BYTES, "v2").stream().filter(k -> k.getCount() == 2)
                .map(KpiWindow::getLast).toList();
        assertThat(leaking).hasSizeGreaterThanOrEqualTo(5); // 12 samples: 6 whole windows, or 5 and two halves
        for (int i = 2; i < leaking.size(); i++) {
            assertThat(leaking.get(i) - leaking.get(i - 2)).as("window %d", i).isGreaterThan(250.0 * MIB);
        }
        List<KpiWindow> v1Rss = node(kpis, Kpi.RSS_BYTES, "v1");
        assertThat(leaking.get(leaking.size() - 1) - v1Rss.get(v1Rss.size() - 1).getLast())
                .isGreaterThan(800.0 * MIB);
    }

    @Test
    void shouldRefuseAResourcesFileThatDoesNotExist() {
        Path events = dir.resolve("events.jsonl");
        assertThat(cli.run("simulate", "--duration", "5s", "--output", events.toString())).isZero();

        assertThat(cli.run("analyze", "--input", events.toString(), "--resources", dir.resolve("none.jsonl").toString(),
                "--output", dir.resolve("out").toString())).isEqualTo(ChainPulseCli.USAGE_ERROR);
        assertThat(cli.err()).contains("--resources " + dir.resolve("none.jsonl") + ": no such file");
    }

    private static List<KpiWindow> node(List<KpiWindow> kpis, Kpi kpi, String node) {
        return kpis.stream().filter(k -> k.getMetric().equals(kpi.metric()) && k.getScope() == KpiScope.node
                && k.getNodeId().equals(node)).toList();
    }
}
