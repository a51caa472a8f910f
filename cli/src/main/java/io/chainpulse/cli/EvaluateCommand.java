package io.chainpulse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chainpulse.cli.evaluate.Evaluation;
import io.chainpulse.cli.evaluate.FailUnder;
import io.chainpulse.cli.evaluate.FaultLadder;
import io.chainpulse.cli.evaluate.Sweep;
import io.chainpulse.simulator.Fault;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./chainpulse evaluate}: the detection floor, measured on simulated faults through the production topologies. */
@Command(name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Measure what the detectors catch: simulated networks with one fault each — every fault kind of the "
                    + "simulator × a ladder of magnitudes × seeds × network sizes — and long healthy networks, each "
                    + "through the production KPI and anomaly topologies (as analyze runs them, no broker).",
            "Per fault and magnitude: recall, the delay in windows after the onset (median, max), whether the first "
                    + "alert named the right node (or the network) and metric; on the healthy runs the false "
                    + "incidents per node-hour. A Markdown table goes to stdout (or --markdown FILE).",
            "Ladders (weakest first; the second step, twice the first, is the target): slow_validator ×1.25 ×1.5 ×2 ×3; "
                    + "late_blocks +100 +200 +500 +1500 ms; tps_collapse to 80 60 40 10 %%, plus to 50 %% for 3 "
                    + "windows (right: the network's transaction or gas throughput); silent_node 20 40 80 160 s; "
                    + "byzantine p=0.1 0.2 0.4 0.8; clock_skew +25 +50 +100 "
                    + "+250 ms; failure_burst p=0.1 0.2 0.4 0.8; stop_voting 20 40 80 160 s (right: the network's vote "
                    + "participation).",
            "Deterministic for the seeds; runs spread over --threads. Exit code 3 when --fail-under is not met."})
final class EvaluateCommand implements Callable<Integer> {
    /** Exit code when a --fail-under bar is not met (as report's --fail-on-regression). */
    static final int FELL_SHORT = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", split = ",", description = "Network sizes, e.g. 4,7 (default: 4,7; with --quick: 4).")
    List<Integer> nodes;

    @Option(names = "--seeds", description = "Seeds per fault, magnitude and size (default: 5; with --quick: 2).")
    Integer seeds;

    @Option(names = "--first-seed", defaultValue = "1", description = "The first seed (default: ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(names = "--tps", defaultValue = "20",
            description = "Transaction arrival rate of the simulated networks (default: ${DEFAULT-VALUE}).")
    double tps;

    @Option(names = "--fault-duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long each fault lasts; a silence lasts its magnitude (default: ${DEFAULT-VALUE}).")
    Duration faultDuration;

    @Option(names = "--healthy-hours", description = "Simulated hours of the healthy run, one per network size "
            + "(default: 6; with --quick: 1; 0: none).")
    Double healthyHours;

    @Option(names = "--faults", split = ",", description = "Only these fault kinds, e.g. slow_validator,clock_skew "
            + "(default: every kind).")
    List<String> faults;

    @Option(names = "--quick", description = "A small sweep for CI: the target step of each ladder and the "
            + "three-window TPS dip, 2 seeds, 4 nodes, a 1-hour healthy run (explicit options still win).")
    boolean quick;

    @Option(names = "--set", description = "An anomaly detector setting for every run, key=value (see "
            + "./chainpulse config), e.g. --set peer.min.relative.difference=0.4. Repeatable.")
    java.util.Map<String, String> set = new java.util.LinkedHashMap<>();

    @Option(names = "--threads", description = "Runs at a time (default: the number of processors).")
    Integer threads;

    @Option(names = "--markdown", description = "Write the Markdown table here instead of stdout.")
    Path markdown;

    @Option(names = "--json", description = "Write the results as JSON here.")
    Path json;

    @Option(names = "--chart", description = "Write a PNG here: recall against magnitude, one panel per fault kind.")
    Path chart;

    @Option(names = "--fail-under", description = "Exit with 3 when a bar is not met, e.g. "
            + "recall=1.0,false-per-10-node-hours=1. Keys: recall (a right alert during the fault), recall-2w "
            + "(within 2 windows), named-right (the first alert named the right node and metric) — each for every "
            + "target row — and false-per-10-node-hours (a ceiling, on the healthy runs).")
    String failUnder;

    @Override
    public Integer call() throws Exception {
        FailUnder bars = failUnder == null ? null : FailUnder.parse(failUnder);
        if (!set.isEmpty()) {
            // every bad key or value named before minutes of runs, as the detector would at its start
            List<String> unknown = set.keySet().stream()
                    .filter(k -> !io.chainpulse.anomaly.AnomalyConfig.configDef().names().contains(k)).toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("--set: unknown anomaly detector setting(s) " + unknown
                        + " (./chainpulse config lists them)");
            }
            java.util.Map<String, Object> check = new java.util.HashMap<>(set);
            check.put(io.chainpulse.anomaly.AnomalyConfig.BOOTSTRAP_SERVERS, "evaluate:9092");
            check.put(io.chainpulse.anomaly.AnomalyConfig.SCHEMA_REGISTRY_URL, "mock://evaluate");
            try {
                new io.chainpulse.anomaly.AnomalyConfig(check).detectors();
            } catch (org.apache.kafka.common.config.ConfigException e) {
                throw new IllegalArgumentException("--set: " + e.getMessage(), e);
            }
        }
        Sweep.Settings settings = new Sweep.Settings(
                nodes != null ? nodes : quick ? List.of(4) : List.of(4, 7),
                seeds != null ? seeds : quick ? 2 : 5, firstSeed, tps, faultDuration,
                healthyHours != null ? healthyHours : quick ? 1 : 6, quick, kinds(),
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), set);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        Sweep.Results results = Sweep.run(settings, line -> {
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        });
        Evaluation evaluation = Evaluation.of(results);
        String table = evaluation.markdown();
        if (markdown != null) {
            write(markdown, table);
        } else {
            out.print(table);
        }
        if (json != null) {
            write(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(evaluation.json()) + "\n");
        }
        if (chart != null) {
            io.chainpulse.cli.evaluate.RecallChart.write(evaluation, chart);
        }
        err.printf(Locale.ROOT, "evaluate: %d runs in %.0f s%s%s%s%n", results.trials().size() + results.healthy().size(),
                (System.nanoTime() - started) / 1e9, markdown == null ? "" : ", wrote " + markdown,
                json == null ? "" : ", wrote " + json, chart == null ? "" : ", wrote " + chart);
        out.flush();
        if (bars != null) {
            List<String> shortfalls = bars.check(evaluation);
            if (!shortfalls.isEmpty()) {
                err.println("evaluate: fell short of --fail-under " + failUnder + ":");
                shortfalls.forEach(s -> err.println("  " + s));
                err.flush();
                return FELL_SHORT;
            }
        }
        return 0;
    }

    private Set<Fault.Kind> kinds() {
        if (faults == null) {
            return EnumSet.allOf(Fault.Kind.class);
        }
        Set<Fault.Kind> kinds = EnumSet.noneOf(Fault.Kind.class);
        for (String id : faults) {
            kinds.add(FaultLadder.all().stream().filter(l -> l.id().equals(id.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--faults: unknown fault kind '" + id + "' (known: "
                            + String.join(", ", FaultLadder.all().stream().map(FaultLadder::id).toList()) + ")"))
                    .kind());
        }
        return kinds;
    }

    private static void write(Path file, String text) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
