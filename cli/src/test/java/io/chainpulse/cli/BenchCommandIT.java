package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./chainpulse bench --quick} end to end: its own real stack, the processor in a child JVM. */
class BenchCommandIT {
    private static final List<String> CONTRACT = List.of("sdk_events_per_s", "producer_perf_events_per_s",
            "processor_events_per_s", "consumer_perf_events_per_s", "streams_floor_events_per_s",
            "processor_to_floor_ratio", "processor_to_consumer_ratio", "kpi_latency_p99_ms",
            "es_visible_latency_p99_ms", "processor_heap_max_mb");

    @TempDir
    Path dir;

    @Test
    void shouldMeasureEveryContractFigureAndWriteTheReportWithCharts() throws Exception {
        Path json = dir.resolve("figures.json");
        StringWriter out = new StringWriter();
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out, true));

        int exit = cli.execute("bench", "--quick", "--results", dir.resolve("results").toString(),
                "--json", json.toString());

        assertThat(exit).as(out.toString()).isZero();
        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        for (String field : CONTRACT) {
            assertThat(figures.has(field)).as(field).isTrue();
            assertThat(figures.get(field).doubleValue()).as(field).isPositive();
        }
        assertThat(figures.get("events").longValue()).isEqualTo(20_000);
        assertThat(figures.get("nodes").intValue()).isEqualTo(100);
        assertThat(figures.get("live_final_kpi_records").longValue()).isPositive();
        assertThat(figures.get("es_documents_missing").longValue()).isZero();
        // a window is final only once the paced stream passed its end by the grace (1 s with --quick)
        assertThat(figures.get("kpi_window_close_latency_p50_ms").longValue()).isGreaterThanOrEqualTo(1_000);
        assertThat(figures.get("kpi_latency_p99_ms").longValue()).isGreaterThanOrEqualTo(1_000);
        assertThat(figures.get("processor_heap_max_mb").doubleValue()).isLessThanOrEqualTo(512);
        assertThat(figures.get("command").asText())
                .isEqualTo("./chainpulse bench --quick --results " + dir.resolve("results") + " --json " + json);

        List<Path> runs;
        try (Stream<Path> list = Files.list(dir.resolve("results"))) {
            runs = list.toList();
        }
        assertThat(runs).hasSize(1);
        for (String file : List.of("report.md", "bench.json", "throughput.png", "throughput.svg", "latency.png",
                "latency.svg")) {
            assertThat(runs.get(0).resolve(file)).isNotEmptyFile();
        }
        assertThat(Files.readString(runs.get(0).resolve("report.md")))
                .contains("| Kafka ConsumerPerformance | ")
                .contains("Target: event → final KPI p99 ≤ window + grace + 2 s = 5,000 ms");
    }
}
