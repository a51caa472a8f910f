package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.anomaly.AnomalyReplay;
import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated network with injected faults → the production KPI topology → the production anomaly topology, as
 * {@code ./chainpulse analyze} runs them. Each fault must be flagged on the right node and metric within two windows
 * of its start and resolve after it ends; nothing else may fire.
 */
class FaultDetectionEndToEndTest {
    private static final long START_MS = 1_753_784_500_000L; // a window boundary
    private static final long W = 10_000;
    private static List<Anomaly> anomalies;

    @BeforeAll
    static void analyse(@TempDir Path dir) throws IOException {
        Scenario scenario = new Scenario("e2e", "simnet", 6, 100, Duration.ofSeconds(1), Duration.ofSeconds(480), 7, 0,
                List.of(new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(120), Duration.ofSeconds(180), 3),
                        new Fault(Fault.Kind.LATE_BLOCKS, "v5", Duration.ofSeconds(200), Duration.ofSeconds(260), 400),
                        new Fault(Fault.Kind.SILENT_NODE, "v6", Duration.ofSeconds(280), Duration.ofSeconds(330), 0),
                        // after the trend detector's warm-up (30 windows)
                        new Fault(Fault.Kind.TPS_COLLAPSE, null, Duration.ofSeconds(380), Duration.ofSeconds(430), 0.2)));
        Path events = Recordings.write(scenario, START_MS, dir.resolve("events.jsonl"));
        AnalyzeJob.Result result = AnalyzeJob.run(events, Map.of(), problem -> {
            throw new AssertionError(problem);
        });
        anomalies = AnomalyReplay.run(result.completeWindows(), Map.of());
    }

    @Test
    void shouldFlagTheThreeTimesSlowerValidatorOnConsensusLatencyWithinTwoWindowsAndResolveIt() {
        assertFlaggedAndResolved("v3", "consensus_latency_ms", 120, 180);
    }

    @Test
    void shouldFlagTheNodeReceivingBlocksLateOnPropagationDelay() {
        assertFlaggedAndResolved("v5", "propagation_delay_ms", 200, 260);
    }

    @Test
    void shouldFlagTheSilentNodeAsCritical() {
        Anomaly silent = firing("v6", "kpis");
        assertThat(silent.getSeverity().name()).isEqualTo("CRITICAL");
        assertThat(silent.getWindowStartMs() - START_MS).isBetween(280_000L, 280_000L + 4 * W);
    }

    @Test
    void shouldFlagTheNetworkWideTpsCollapseWithinTwoWindows() {
        Anomaly collapse = anomalies.stream().filter(a -> a.getState() == AnomalyState.FIRING && a.getNodeId() == null
                && a.getMetric().equals("tps") && a.getWindowStartMs() >= START_MS + 370_000).findFirst()
                .orElseThrow(() -> new AssertionError("no network tps anomaly after 370 s; got " + anomalies.stream()
                        .map(a -> a.getState() + " " + a.getNodeId() + " " + a.getMetric() + " " + (a.getWindowStartMs() - START_MS))
                        .toList()));
        assertThat(collapse.getWindowStartMs() - START_MS).isBetween(370_000L, 380_000L + 2 * W);
    }

    @Test
    void shouldRaiseNothingOnHealthyNodesOrUnaffectedMetrics() {
        Set<String> allowed = Set.of(
                "v3|consensus_latency_ms", "v3|tx_validation_ms",   // the slow validator validates slowly ...
                "v3|proposal_to_vote_ms",                           // ... so its votes follow the proposal later
                "v5|propagation_delay_ms",                          // blocks reach v5 late ...
                "v5|block_time_ms",                                 // ... so its block time jumps when that starts and ends
                "v6|kpis",                                          // v6 silent ...
                "null|tx_ingress_tps",                              // ... and the transactions it took in are missing
                "null|tps");                                        // the collapse
        Set<String> fired = anomalies.stream().filter(a -> a.getState() == AnomalyState.FIRING)
                .map(a -> a.getNodeId() + "|" + a.getMetric()).collect(Collectors.toSet());
        assertThat(fired).isSubsetOf(allowed);
    }

    private static void assertFlaggedAndResolved(String node, String metric, long faultStartS, long faultEndS) {
        Anomaly fired = firing(node, metric);
        long faultStart = START_MS + faultStartS * 1000;
        assertThat(fired.getWindowStartMs()).as("fired within two windows of the fault's start")
                .isBetween(faultStart - W, faultStart + 2 * W);
        Anomaly resolved = anomalies.stream().filter(a -> a.getAnomalyId().equals(fired.getAnomalyId())
                && a.getState() == AnomalyState.RESOLVED).findFirst().orElseThrow(() -> new AssertionError(
                "no RESOLVED for " + fired.getAnomalyId() + " in " + anomalies));
        assertThat(resolved.getWindowStartMs()).isGreaterThanOrEqualTo(START_MS + faultEndS * 1000);
    }

    private static Anomaly firing(String node, String metric) {
        return anomalies.stream().filter(a -> a.getState() == AnomalyState.FIRING && node.equals(a.getNodeId())
                && a.getMetric().equals(metric)).findFirst().orElseThrow(() -> new AssertionError(
                "no FIRING anomaly for " + node + " " + metric + "; got " + anomalies.stream()
                        .map(a -> a.getState() + " " + a.getNodeId() + " " + a.getMetric()).toList()));
    }
}
