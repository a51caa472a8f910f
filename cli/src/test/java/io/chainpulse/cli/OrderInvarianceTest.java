package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.schema.json.ResourceSampleJson;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every KPI gives the same result whatever the order of its events within the grace: the same simulated recording
 * (events and resource samples), each event and sample delayed by a random amount below the grace (seeded), is analysed in many orders, and every
 * {@code kpis.jsonl} is byte-identical to the one of the recording in time order. The recording holds two chains with
 * the same node ids, interleaved on one topic.
 */
class OrderInvarianceTest {
    private static final long START_MS = 1_753_784_500_000L; // a window boundary
    private static final long GRACE_MS = 5_000; // the processor's default grace
    private static final int ORDERS = 20;

    @TempDir
    Path dir;

    @Test
    void shouldWriteByteIdenticalKpisForTwentyOrdersOfTheSameRecordingWithinTheGrace() throws IOException {
        // 2 minutes, 5 validators, a slow validator and late blocks for spread, a failure burst for failure ratios
        // other than 0 and 100, a byzantine node (extra rounds, missed and conflicting votes) and a node that stops
        // voting: every KPI has samples, and varied ones
        Scenario scenario = new Scenario("orders", "simnet", 5, 15, Duration.ofSeconds(1), Duration.ofMinutes(2), 23,
                0, List.of())
                .withFault(new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(40), Duration.ofSeconds(90), 3))
                .withFault(new Fault(Fault.Kind.LATE_BLOCKS, "v5", Duration.ofSeconds(60), Duration.ofSeconds(120), 400))
                .withFault(new Fault(Fault.Kind.FAILURE_BURST, "v2", Duration.ofSeconds(30), Duration.ofSeconds(70), 0.3))
                .withFault(new Fault(Fault.Kind.BYZANTINE, "v4", Duration.ofSeconds(25), Duration.ofSeconds(75), 0.5))
                .withFault(new Fault(Fault.Kind.STOP_VOTING, "v1", Duration.ofSeconds(35), Duration.ofSeconds(65), 0));
        // a second chain on the same topic, with the same node ids: the default chain (events without chain_id), one
        // minute of 3 validators, its own byzantine node
        Scenario other = new Scenario("orders-default-chain", null, 3, 10, Duration.ofSeconds(1), Duration.ofMinutes(1),
                29, 0, List.of())
                .withFault(new Fault(Fault.Kind.BYZANTINE, "v2", Duration.ofSeconds(20), Duration.ofSeconds(45), 0.5));
        List<String> lines = byTime(Files.readAllLines(Recordings.write(scenario, START_MS, dir.resolve("simnet.jsonl"))),
                Files.readAllLines(Recordings.write(other, START_MS, dir.resolve("default.jsonl"))));
        Path recording = Files.write(dir.resolve("in-order.jsonl"), lines);
        List<String> sampleLines = new ArrayList<>();
        new NetworkSimulator(scenario, START_MS).run(e -> {}, sample -> sampleLines.add(SimulateCommand.sampleJson(sample)));
        new NetworkSimulator(other, START_MS).run(e -> {}, sample -> sampleLines.add(SimulateCommand.sampleJson(sample)));
        sampleLines.sort(Comparator.comparingLong(OrderInvarianceTest::timeMs));
        Path samples = Files.write(dir.resolve("in-order-resources.jsonl"), sampleLines);
        byte[] expected = analyse(recording, samples, "in-order");
        assertThat(new String(expected).lines().map(l -> l.contains("\"chain_id\":\"simnet\"") ? "simnet"
                : l.contains("\"chain_id\"") ? "other" : "default").distinct())
                .as("both chains' windows, and no other chain").containsExactlyInAnyOrder("simnet", "default");
        // the simulator reports no peer count, disk use or threads: every other KPI has windows
        Set<Kpi> unreported = Set.of(Kpi.PEERS_CONNECTED, Kpi.DISK_USED_PCT, Kpi.PROCESS_THREADS);
        assertThat(new String(expected).lines().map(l -> l.substring(0, l.indexOf(",\"scope\""))).distinct())
                .as("every KPI is in the recording's output")
                .containsExactlyInAnyOrderElementsOf(java.util.Arrays.stream(Kpi.values())
                        .filter(k -> !unreported.contains(k)).map(k -> "{\"metric\":\"" + k.metric() + "\"")
                        .toList());

        Set<String> differing = new TreeSet<>();
        for (int seed = 1; seed <= ORDERS; seed++) {
            Path shuffled = Files.write(dir.resolve("order-" + seed + ".jsonl"), delayedWithinGrace(lines, seed));
            Path shuffledSamples = Files.write(dir.resolve("order-" + seed + "-resources.jsonl"),
                    delayedWithinGrace(sampleLines, seed));
            byte[] actual = analyse(shuffled, shuffledSamples, "order-" + seed);
            if (!java.util.Arrays.equals(actual, expected)) {
                differing.add("order " + seed + ": first difference " + firstDifference(expected, actual));
            }
        }
        assertThat(differing).as("orders whose kpis.jsonl differs from the in-order one").isEmpty();
    }

    /** Two recordings merged into one in time order (a stable merge: equal times keep each file's order). */
    private static List<String> byTime(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(Comparator.comparingLong(OrderInvarianceTest::timeMs));
        return all;
    }

    private static long timeMs(String line) {
        return Math.floorDiv(line.contains("\"event_type\"") ? EventJson.parse(line).getTimestampNs()
                : ResourceSampleJson.parse(line).getTimestampNs(), 1_000_000L);
    }

    /** Each event delayed by a random 0 ≤ d < grace, then sorted by arrival: what a network does to a stream. */
    private static List<String> delayedWithinGrace(List<String> lines, long seed) {
        Random random = new Random(seed);
        record Arrival(String line, long atMs) {}
        List<Arrival> arrivals = new ArrayList<>();
        for (String line : lines) {
            arrivals.add(new Arrival(line, timeMs(line) + (long) (random.nextDouble() * GRACE_MS)));
        }
        arrivals.sort(Comparator.comparingLong(Arrival::atMs));
        int moved = 0;
        for (int i = 0; i < lines.size(); i++) {
            moved += arrivals.get(i).line().equals(lines.get(i)) ? 0 : 1;
        }
        assertThat(moved).as("events out of place in order %d", seed).isGreaterThan(lines.size() / 2);
        return arrivals.stream().map(Arrival::line).toList();
    }

    private byte[] analyse(Path events, Path samples, String name) throws IOException {
        AnalyzeJob.Result result = AnalyzeJob.run(events, samples, Map.of(), problem -> {
            throw new AssertionError(problem);
        });
        assertThat(result.counters().keySet()).as("%s: nothing late or set aside", name)
                .filteredOn(k -> k.startsWith("late|") || k.startsWith("future|")).isEmpty();
        Path out = dir.resolve(name + "-kpis.jsonl");
        AnalyzeJob.writeKpis(result.kpis(), out);
        return Files.readAllBytes(out);
    }

    private static String firstDifference(byte[] expected, byte[] actual) {
        List<String> a = new String(expected).lines().toList();
        List<String> b = new String(actual).lines().toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "line " + (i + 1) + ":\n  in order: " + a.get(i) + "\n  shuffled: " + b.get(i);
            }
        }
        return "line counts " + a.size() + " vs " + b.size();
    }
}
