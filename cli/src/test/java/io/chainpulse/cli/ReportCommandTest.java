package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A simulated network whose validator v3 turns three times slower halfway through → {@code ./chainpulse analyze} →
 * {@code ./chainpulse report --input}. The events are written by the simulator {@code simulate} runs, from a fixed
 * window-aligned start (simulate starts at the wall clock) so every run sees the same windows.
 */
class ReportCommandTest {
    private static final long START_MS = 1_753_784_500_000L; // a window boundary
    private static Path analyzed;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void simulateAndAnalyse(@TempDir Path dir) throws IOException {
        // the baseline network (4 validators, 1 s blocks) at 20 TPS so it analyses quickly, for 300 s
        Scenario scenario = new Scenario("report", "simnet", 4, 20, Duration.ofSeconds(1), Duration.ofSeconds(300), 1,
                0, List.of(new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(150), Duration.ofSeconds(300), 3)));
        Path events = Recordings.write(scenario, START_MS, dir.resolve("events.jsonl"));
        analyzed = dir.resolve("out");
        assertThat(ChainPulseCli.commandLine().execute("analyze", "--input", events.toString(), "--output",
                analyzed.toString())).isZero();
    }

    private int run(String... args) {
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private List<String> regressions() {
        return out.toString().lines().filter(l -> l.startsWith("- REGRESSION ")).toList();
    }

    @Test
    void shouldReportTheSlowValidatorsRegressionsAndNoOtherNodes() {
        assertThat(run("report", "--input", analyzed.toString())).isZero();

        assertThat(out.toString()).contains("- Period: 2025-07-29T10:24:20Z → 2025-07-29T10:26:40Z (2m 20s)\n"
                + "- Previous period: 2025-07-29T10:22:00Z → 2025-07-29T10:24:20Z (2m 20s)\n- Nodes: v1, v2, v3, v4\n");
        // v3 validates transactions and votes three times slower (so its votes come later after each proposal); the
        // network's p95 includes v3's samples
        assertThat(regressions()).extracting(l -> l.substring(0, l.indexOf(':'))).containsExactly(
                "- REGRESSION consensus_latency_ms p95 network",
                "- REGRESSION consensus_latency_ms p95 v3",
                "- REGRESSION proposal_to_vote_ms p95 network",
                "- REGRESSION proposal_to_vote_ms p95 v3",
                "- REGRESSION tx_validation_ms p95 network",
                "- REGRESSION tx_validation_ms p95 v3");
        // one incident per node and metric: the baseline fired first, the peer comparison agrees and joins it
        assertThat(out.toString()).contains("| CRITICAL | v3 | consensus_latency_ms | baseline |")
                .doesNotContain("| v3 | consensus_latency_ms | peer_outlier |");
    }

    @Test
    void shouldExitWithThreeOnARegressionWhenAskedAndWriteTheFile() throws IOException {
        Path file = analyzed.resolveSibling("report.md");

        assertThat(run("report", "--input", analyzed.toString(), "--output", file.toString(),
                "--fail-on-regression")).isEqualTo(3);

        assertThat(out.toString()).startsWith("wrote " + file + ": 6 regressions\n  REGRESSION consensus_latency_ms "
                + "p95 network: ");
        assertThat(Files.readString(file)).startsWith("# ChainPulse performance report\n").contains("## Anomalies");
    }

    @Test
    void shouldExitWithZeroUnderFailOnRegressionWhenThePeriodIsHealthy() {
        // 10:23:00-10:24:10 against 10:21:50-10:23:00, before v3 turns slow at 10:24:10: ~70 samples per node. At
        // the default 20 % a healthy v1's vote_to_commit_ms p95 moves +25 % over those ~70 samples (a wait for the
        // quorum's slowest votes: the noisiest KPI), so the healthy bar here is 30 %
        assertThat(run("report", "--input", analyzed.toString(), "--from", "2025-07-29T10:23:00Z", "--to",
                "2025-07-29T10:24:10Z", "--min-samples", "60", "--regression-threshold", "30%", "--fail-on-regression"))
                .as(out.toString()).isZero();

        assertThat(regressions()).isEmpty();
        assertThat(out.toString()).contains("## Regressions\n\nNone: ").contains("| consensus_latency_ms | samples | 280 | 280 |");
    }

    @Test
    void shouldAddAResourcesSectionPerNodeFromAnalyzeResourcesShowingTheSaturatedCpu(@TempDir Path dir) {
        Path events = dir.resolve("events.jsonl");
        Path samples = dir.resolve("resources.jsonl");
        Path out3 = dir.resolve("out");
        assertThat(run("simulate", "--duration", "40s", "--output", events.toString(), "--resources-output",
                samples.toString(), "--fault", "cpu_saturation:v3:0s-90s:2")).as(err.toString()).isZero();
        assertThat(run("analyze", "--input", events.toString(), "--resources", samples.toString(), "--output",
                out3.toString())).as(err.toString()).isZero();
        out.getBuffer().setLength(0);

        assertThat(run("report", "--input", out3.toString())).as(err.toString()).isZero();

        String md = out.toString();
        String resources = md.substring(md.indexOf("\n## Resources\n"), md.indexOf("\n## Worst windows\n"));
        assertThat(resources.lines().filter(l -> l.startsWith("### "))).containsExactly("### v1", "### v2", "### v3",
                "### v4");
        // one row per resource KPI the samples carry (the simulator's have no disk use, threads or peers), in catalog
        // order, the same rows for every node
        List<String> rows = resources.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| resource"))
                .map(l -> l.substring(2, l.indexOf(' ', 2))).toList();
        List<String> metrics = rows.stream().distinct().toList();
        assertThat(metrics).isEqualTo(Kpi.resources().stream().map(Kpi::metric).filter(metrics::contains).toList())
                .contains(Kpi.CPU_PCT.metric(), Kpi.RSS_BYTES.metric(), Kpi.NET_RX_BYTES_PER_S.metric());
        assertThat(rows).hasSize(4 * metrics.size());
        // v3's CPU: 95–100 % of its 4 cores in every sample (the fault), v1's below 40 %
        assertThat(cpu(resources, "v3")).allSatisfy(v -> assertThat(v).isBetween(380.0, 400.0));
        assertThat(cpu(resources, "v1")).allSatisfy(v -> assertThat(v).isLessThan(40.0));
    }

    /** last, mean, max, p95 of {@code node}'s cpu_pct row. */
    private static List<Double> cpu(String resources, String node) {
        String section = resources.substring(resources.indexOf("### " + node + "\n"));
        String row = section.lines().filter(l -> l.startsWith("| cpu_pct | ")).findFirst().orElseThrow();
        return Arrays.stream(row.split("\\|")).map(String::strip).filter(c -> c.endsWith(" %"))
                .map(c -> Double.parseDouble(c.substring(0, c.length() - 2))).toList();
    }

    @Test
    void shouldNameABadTimeFlagAndItsValue() {
        assertThat(run("report", "--input", analyzed.toString(), "--from", "yesterday")).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("chainpulse report: --from 'yesterday': expected an ISO-8601 instant such "
                + "as 2026-11-30T04:00:00Z, or a time before now such as -1h, -30m, -90s, -2d or now\n");
    }

    @Test
    void shouldRejectAPeriodThatEndsBeforeItStarts() {
        assertThat(run("report", "--input", analyzed.toString(), "--from", "2025-07-29T10:24:10Z", "--to",
                "2025-07-29T10:22:50Z")).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("chainpulse report: --from 2025-07-29T10:24:10Z must be before --to "
                + "2025-07-29T10:22:50Z (2025-07-29T10:24:10Z → 2025-07-29T10:22:50Z)\n");
    }

    @Test
    void shouldNameAMissingInputDirectory() {
        assertThat(run("report", "--input", "no-such-dir")).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("chainpulse report: --input no-such-dir: no such directory\n");
    }

    @Test
    void shouldExitWithOneNamingFileAndLineOfABadInputLine(@TempDir Path damaged) throws IOException {
        Files.writeString(damaged.resolve("kpis.jsonl"), "{\"metric\": \"tps\"}\n");
        Files.writeString(damaged.resolve("anomalies.jsonl"), "");

        assertThat(run("report", "--input", damaged.toString())).isEqualTo(1);

        assertThat(err.toString()).isEqualTo("chainpulse report: " + damaged.resolve("kpis.jsonl")
                + ":1: missing required field scope\n");
    }

    @Test
    void shouldRejectANonPositiveThreshold() {
        assertThat(run("report", "--input", analyzed.toString(), "--regression-threshold", "0%")).isEqualTo(2);

        assertThat(err.toString()).contains("'0%' must be a percentage above 0, e.g. 20%");
    }
}
