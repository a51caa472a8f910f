package io.chainpulse.cli;

import io.chainpulse.anomaly.AnomalyConfig;
import io.chainpulse.anomaly.AnomalyJson;
import io.chainpulse.anomaly.AnomalyReplay;
import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.schema.Anomaly;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./chainpulse analyze --input events.jsonl --output DIR}: the production topologies over a recorded file. */
@Command(name = "analyze",
        mixinStandardHelpOptions = true,
        description = {
            "Run the production KPI and anomaly topologies over a JSON Lines file of events (the replay format) and "
                    + "write DIR/kpis.jsonl (one line per final window) and DIR/anomalies.jsonl (one line per anomaly "
                    + "transition, judged on the windows the recording covers completely). No broker needed.",
            "A bad line is reported as FILE:LINE: reason and skipped; the rest of the file is analysed."})
final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, description = "The .jsonl file of events.")
    Path input;

    @Option(names = "--resources", paramLabel = "FILE.jsonl", description = "Node resource samples (JSON Lines, as "
            + "simulate --resources-output writes them): their resource KPIs (CPU, memory, disk, network, …) join "
            + "kpis.jsonl.")
    Path resources;

    @Option(names = "--output", required = true, description = "Directory for kpis.jsonl and anomalies.jsonl.")
    Path output;

    @Option(names = "--window", defaultValue = "10s", converter = DurationConverter.class,
            description = "Tumbling window size (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--grace", defaultValue = "5s", converter = DurationConverter.class,
            description = "Grace period for out-of-order events (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--kpis", paramLabel = "METRIC[,METRIC…]", defaultValue = ProcessorConfig.ALL_KPIS,
            description = "The KPIs to compute, by catalog metric name (the processor's kpis key; default: "
                    + "${DEFAULT-VALUE}).")
    String kpis;

    @Option(names = "--rules", description = "Anomaly rules YAML file (default: the shipped rules).")
    Path rules;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input " + input + ": no such file");
        }
        if (resources != null && !Files.isRegularFile(resources)) {
            throw new IllegalArgumentException("--resources " + resources + ": no such file");
        }
        try {
            new ProcessorConfig(Map.of(ProcessorConfig.KPIS, kpis));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--" + e.getMessage(), e); // "--kpis: unknown KPI 'x' (known: …)"
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        AnalyzeJob.Result result = AnalyzeJob.run(input, resources, Map.of(
                ProcessorConfig.WINDOW_SIZE_MS, window.toMillis(), ProcessorConfig.GRACE_MS, grace.toMillis(),
                ProcessorConfig.KPIS, kpis),
                problem -> {
                    err.println(problem);
                    err.flush();
                });
        Files.createDirectories(output);
        AnalyzeJob.writeKpis(result.kpis(), output.resolve("kpis.jsonl"));
        Map<String, Object> anomalySettings = new HashMap<>();
        if (rules != null) {
            anomalySettings.put(AnomalyConfig.RULES_FILE, rules.toString());
        }
        // anomalies are judged on complete windows only: a recording's cut-short first and last windows are not a drop
        List<Anomaly> anomalies = AnomalyReplay.run(result.completeWindows(), anomalySettings);
        try (BufferedWriter writer = Files.newBufferedWriter(output.resolve("anomalies.jsonl"), StandardCharsets.UTF_8)) {
            for (Anomaly anomaly : anomalies) {
                writer.write(AnomalyJson.write(anomaly));
                writer.newLine();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf("%s: %d events (%d bad lines skipped) → %d KPI windows, %d anomaly transitions in %.1f s (%.0f events/s)%n",
                input, result.events(), result.badLines(), result.kpis().size(), anomalies.size(), seconds,
                result.events() / seconds);
        if (resources != null) {
            out.printf("  %s: %d resource samples (%d bad lines skipped)%n", resources, result.samples(),
                    result.badSampleLines());
        }
        result.counters().forEach((key, count) -> out.printf("  set aside: %s = %d%n", key, count));
        out.printf("  wrote %s and %s%n", output.resolve("kpis.jsonl"), output.resolve("anomalies.jsonl"));
        return 0;
    }
}
