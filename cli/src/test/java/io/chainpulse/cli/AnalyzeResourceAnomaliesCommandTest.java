package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.json.ResourceSampleJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resource faults through {@code simulate --resources-output} and {@code analyze --resources}: a saturated CPU
 * flagged on its node and named as the cause of that node's latency anomalies, a memory leak flagged with the time
 * until memory runs out before it does, nothing resource-related anywhere else. 10 TPS keep the run short.
 */
class AnalyzeResourceAnomaliesCommandTest {
    private static final double MIB = 1 << 20;
    /** The simulated leak: 1,200 MiB a minute. */
    private static final double LEAK_BYTES_PER_MS = 1200 * MIB / 60_000;
    private final CliRun cli = new CliRun();

    @TempDir
    Path dir;

    @Test
    void shouldNameTheSaturatedCpuInTheLatencyAlertsAndFlagTheLeakBeforeMemoryRunsOut() throws Exception {
        Path scenario = dir.resolve("scenario.yaml");
        Files.writeString(scenario, """
                name: resource-faults
                validators: 4
                tps: 10
                block_interval: 1s
                duration: 220s
                seed: 7
                faults:
                  - {kind: cpu_saturation, node: v3, start: 60s, end: 150s, magnitude: 3}
                  - {kind: memory_leak, node: v2, start: 0s, end: 220s, magnitude: 1200}
                """);
        Path events = dir.resolve("events.jsonl");
        Path samples = dir.resolve("resources.jsonl");
        assertThat(cli.run("simulate", "--scenario", scenario.toString(), "--output", events.toString(),
                "--resources-output", samples.toString())).as(cli.err()).isZero();
        assertThat(cli.run("analyze", "--input", events.toString(), "--resources", samples.toString(), "--output",
                dir.resolve("out").toString())).as(cli.err()).isZero();

        List<Anomaly> anomalies = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("out/anomalies.jsonl"))) {
            anomalies.add(AnomalyJson.parse(line));
        }
        List<Anomaly> firing = anomalies.stream().filter(a -> a.getState() == AnomalyState.FIRING).toList();

        // resources: the CPU rule on v3, the leak (RSS and the heap it grows in) on v2, nothing else anywhere
        assertThat(firing.stream().filter(a -> Kpi.of(a.getMetric()).resource())
                .map(a -> a.getDetector() + " " + a.getMetric() + " " + a.getNodeId()).distinct().sorted())
                .containsExactly("memory_leak heap_bytes v2", "memory_leak rss_bytes v2",
                        "static_rule cpu_used_pct v3");
        assertThat(firing).filteredOn(a -> a.getMetric().equals("cpu_used_pct")).singleElement()
                .satisfies(a -> assertThat(a.getSeverity()).isEqualTo(Severity.HIGH));
        // v3's latency anomalies name its CPU as the cause; another node's (the protocol detectors' own verdicts at
        // 10 TPS, or the saturated node slowing its peers) find their resources normal
        List<Anomaly> latency = firing.stream().filter(a -> !Kpi.of(a.getMetric()).resource()
                && a.getNodeId() != null && a.getNodeId().equals("v3")).toList();
        assertThat(latency).extracting(Anomaly::getMetric).contains("consensus_latency_ms");
        assertThat(firing).filteredOn(a -> !Kpi.of(a.getMetric()).resource() && a.getNodeId() != null
                        && !a.getNodeId().equals("v3") && !Kpi.of(a.getMetric()).kind().name().equals("RATIO"))
                .allSatisfy(a -> assertThat(a.getDescription()).as(a.getDescription())
                        .contains("; resources normal (CPU max ").endsWith(") → look at peers and the network"));
        assertThat(latency).allSatisfy(a -> assertThat(a.getDescription()).as(a.getDescription())
                .matches(".*; CPU max 9\\d\\.\\d % \\(network median \\d\\.\\d %\\); memory available .* → CPU-bound"));
        assertThat(latency).allSatisfy(a -> assertThat(a.getSuggestedActions().get(0)).startsWith("v3 is CPU-bound: "));

        // the leak: flagged before the machine's memory is gone, and that moment projected to within a minute
        double lastAvailable = 0;
        long lastAtMs = 0;
        for (String line : Files.readAllLines(samples)) {
            NodeResourceSample s = ResourceSampleJson.parse(line);
            // the leakiest sample: the one at 220 s is past the fault (its end is exclusive), memory back to normal
            if (s.getNodeId().equals("v2") && (lastAtMs == 0 || s.getSystemMemoryAvailableBytes() < lastAvailable)) {
                lastAvailable = s.getSystemMemoryAvailableBytes();
                lastAtMs = s.getTimestampNs() / 1_000_000;
            }
        }
        long exhaustedMs = lastAtMs + (long) (lastAvailable / LEAK_BYTES_PER_MS);
        Pattern projection = Pattern.compile(".*runs out in (\\d+) min \\(about (\\d\\d:\\d\\d:\\d\\d) UTC\\)");
        for (Anomaly leak : firing.stream().filter(a -> a.getDetector().equals("memory_leak")).toList()) {
            assertThat(leak.getWindowStartMs() + 10_000).isLessThan(exhaustedMs - 5 * 60_000);
            Matcher m = projection.matcher(leak.getDescription());
            assertThat(m.matches()).as(leak.getDescription()).isTrue();
            LocalTime expected = Instant.ofEpochMilli(exhaustedMs).atZone(ZoneOffset.UTC).toLocalTime();
            long seconds = Math.abs(LocalTime.parse(m.group(2)).toSecondOfDay() - expected.toSecondOfDay());
            assertThat(Math.min(seconds, 86_400 - seconds)).as("projected %s, out of memory at %s", m.group(2),
                    expected).isLessThanOrEqualTo(60);
            assertThat(leak.getSeverity()).isEqualTo(Severity.CRITICAL); // about 9 minutes left
        }
        assertThat(firing).filteredOn(a -> a.getDetector().equals("memory_leak")).hasSize(2);
    }
}
