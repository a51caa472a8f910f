package io.chainpulse.cli;

import io.chainpulse.bench.BenchReport;
import io.chainpulse.bench.BenchResult;
import io.chainpulse.bench.BenchRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./chainpulse bench}: the whole pipeline as fast as it goes, next to Kafka's own tools, in one run. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Start a real local stack in a temporary directory and measure, in the same run: SDK → broker events/s "
                    + "next to Kafka's ProducerPerformance, processor catch-up next to a bare Kafka Streams floor and "
                    + "ConsumerPerformance, then a paced live phase with the processor as './chainpulse process' "
                    + "(-Xmx512m) and the Elasticsearch sink: event → final KPI and window end → searchable "
                    + "latency percentiles, processor heap and RSS.",
            "Writes RESULTS/<time>/report.md with PNG and SVG charts; --json FILE also writes the figures as JSON. "
                    + "The default run takes about 5 minutes and all cores; --quick is a smoke run of about 1 minute."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", defaultValue = "high-load",
            description = "Built-in scenario or YAML file; its nodes become --nodes validators (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--events", description = "Events of the catch-up phases (default: 2000000; --quick: 20000).")
    Long events;

    @Option(names = "--nodes", defaultValue = "100", description = "Validators in every phase (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--quick", description = "Smoke-test sizes: 20,000 events, 2,000 events/s live for 15 s, "
            + "windows of 2 s with 1 s grace.")
    boolean quick;

    @Option(names = "--live-rate", description = "Paced events/s of the live phase (default: 50000; --quick: 2000).")
    Integer liveRate;

    @Option(names = "--live-duration", converter = DurationConverter.class,
            description = "Length of the live phase, e.g. 60s, 2m (default: 60s; --quick: 15s).")
    Duration liveDuration;

    @Option(names = "--kpi-costs", description = "Also time the processor's catch-up with the original eight KPIs, "
            + "and the eight + each newer KPI alone between runs of the eight (the noise), in %% of the eight's "
            + "throughput; and each KPI's CPU cost in process, with 95 %% intervals. About 15 min more.")
    boolean kpiCosts;

    @Option(names = "--results", defaultValue = "results",
            description = "Directory that gets one sub-directory per run (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String command = "./chainpulse " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        BenchRun.Options d = BenchRun.defaults(quick, List.of(ChainPulseCli.class.getName(), "process"), command);
        BenchRun.Options options = new BenchRun.Options(scenario, events == null ? d.events() : events, nodes,
                liveRate == null ? d.liveRate() : liveRate, liveDuration == null ? d.liveDuration() : liveDuration,
                d.windowSizeMs(), d.graceMs(), d.processorCommand(), command, kpiCosts);
        BenchResult result = BenchRun.run(options);
        Path dir = results.resolve(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-'));
        BenchReport.write(result, dir, json);
        out.println();
        out.println(BenchReport.markdown(result));
        out.println("bench: report " + dir.resolve("report.md") + (json == null ? "" : ", figures " + json));
        Map<String, Object> fields = BenchReport.fields(result);
        out.printf("bench: sdk %s, processor %s, floor %s events/s; kpi p99 %s ms; es p99 %s ms; heap max %s MiB%n",
                fields.get("sdk_events_per_s"), fields.get("processor_events_per_s"),
                fields.get("streams_floor_events_per_s"), fields.get("kpi_latency_p99_ms"),
                fields.get("es_visible_latency_p99_ms"), fields.get("processor_heap_max_mb"));
        out.flush();
        return 0;
    }
}
