package io.chainpulse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chainpulse.bench.BenchResult.KpiCost;
import io.chainpulse.bench.BenchResult.Live;
import io.chainpulse.bench.BenchResult.Percentiles;
import io.chainpulse.bench.BenchResult.Throughput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

/**
 * Writes a {@link BenchResult}: {@code report.md}, the charts {@code throughput.png/.svg} and
 * {@code latency.png/.svg} in a results directory, and optionally the figures as JSON. The JSON field names are a
 * contract ({@code sdk_events_per_s}, {@code processor_to_floor_ratio}, {@code kpi_latency_p99_ms} …): scripts
 * compare runs by them.
 *
 * <pre>{@code
 * BenchReport.write(result, Path.of("results/2026-11-30T05-00-00Z"), Path.of("bench.json"));
 * }</pre>
 */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchReport() {}

    /** Writes report.md and the charts into {@code dir}, and the JSON to {@code jsonFile} when it is not null. */
    public static void write(BenchResult result, Path dir, Path jsonFile) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown(result), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("bench.json"), json(result), StandardCharsets.UTF_8);
        charts(result, dir);
        if (jsonFile != null) {
            Path parent = jsonFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(jsonFile, json(result), StandardCharsets.UTF_8);
        }
    }

    /** The figures by their contract names, in a fixed order; rates to 0.1, ratios to 0.001. */
    public static Map<String, Object> fields(BenchResult r) {
        Throughput t = r.throughput();
        Live l = r.live();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("sdk_events_per_s", round(t.sdkEventsPerS(), 1));
        f.put("producer_perf_events_per_s", round(t.producerPerfEventsPerS(), 1));
        f.put("processor_events_per_s", round(t.processorEventsPerS(), 1));
        f.put("consumer_perf_events_per_s", round(t.consumerPerfEventsPerS(), 1));
        f.put("streams_floor_events_per_s", round(t.streamsFloorEventsPerS(), 1));
        f.put("processor_to_floor_ratio", round(t.processorToFloorRatio(), 3));
        f.put("processor_to_consumer_ratio", round(t.processorToConsumerRatio(), 3));
        f.put("sdk_to_producer_perf_ratio", round(t.sdkToProducerPerfRatio(), 3));
        f.put("processor_start_up_s", round(t.processorStartUpS(), 1));
        f.put("processor_processing_events_per_s", roundOrNull(t.processorProcessingEventsPerS(), 1));
        f.put("streams_floor_start_up_s", round(t.streamsFloorStartUpS(), 1));
        f.put("streams_floor_processing_events_per_s", roundOrNull(t.streamsFloorProcessingEventsPerS(), 1));
        f.put("processor_to_floor_processing_ratio", roundOrNull(t.processorToFloorProcessingRatio(), 3));
        f.put("kpi_latency_p50_ms", l.kpiLatencyMs().p50());
        f.put("kpi_latency_p95_ms", l.kpiLatencyMs().p95());
        f.put("kpi_latency_p99_ms", l.kpiLatencyMs().p99());
        f.put("kpi_latency_max_ms", l.kpiLatencyMs().max());
        f.put("kpi_latency_target_ms", r.kpiLatencyTargetMs());
        f.put("kpi_window_close_latency_p50_ms", l.windowCloseLatencyMs().p50());
        f.put("kpi_window_close_latency_p95_ms", l.windowCloseLatencyMs().p95());
        f.put("kpi_window_close_latency_p99_ms", l.windowCloseLatencyMs().p99());
        f.put("kpi_network_window_close_latency_p99_ms", l.networkWindowCloseLatencyMs().p99());
        f.put("es_visible_latency_p50_ms", l.esVisibleLatencyMs().p50());
        f.put("es_visible_latency_p95_ms", l.esVisibleLatencyMs().p95());
        f.put("es_visible_latency_p99_ms", l.esVisibleLatencyMs().p99());
        f.put("processor_heap_max_mb", round(l.processorHeapMaxMb(), 1));
        f.put("processor_heap_after_gc_mb", round(l.processorHeapAfterGcMb(), 1));
        f.put("processor_rss_max_mb", round(l.processorRssMaxMb(), 1));
        f.put("processor_xmx_mb", r.setup().processorXmxMb());
        f.put("scenario", r.setup().scenario());
        f.put("events", r.setup().events());
        f.put("nodes", r.setup().nodes());
        f.put("record_size_bytes", r.setup().recordSizeBytes());
        f.put("partitions", r.setup().partitions());
        f.put("stream_threads", r.setup().streamThreads());
        f.put("window_size_ms", r.setup().windowSizeMs());
        f.put("grace_ms", r.setup().graceMs());
        f.put("live_rate_target_per_s", l.targetRatePerS());
        f.put("live_rate_achieved_per_s", round(l.achievedRatePerS(), 1));
        f.put("live_duration_s", round(l.durationS(), 1));
        f.put("live_events", l.events());
        f.put("live_processor_lag_at_end_events", l.processorLagAtEnd());
        f.put("live_drain_s", round(l.drainS(), 1));
        f.put("live_final_kpi_records", l.finalKpiRecords());
        f.put("es_documents", l.esDocuments());
        f.put("es_documents_missing", l.esDocumentsMissing());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", r.machine().cores());
        machine.put("cpu_model", r.machine().cpuModel());
        machine.put("memory_mb", r.machine().memoryMb());
        machine.put("java", r.machine().java());
        machine.put("os", r.machine().os());
        machine.put("load_average_1m", r.machine().loadAverage());
        f.put("machine", machine);
        f.put("command", r.command());
        f.put("started_at", r.startedAt());
        if (!r.kpiCosts().isEmpty()) {
            f.put("kpi_cost_baseline_events_per_s", round(r.kpiCostBaselineEventsPerS(), 1));
            f.put("kpi_cost_noise_pct", roundOrNull(r.kpiCostNoisePct(), 1));
            List<Map<String, Object>> costs = new java.util.ArrayList<>();
            for (KpiCost run : withAll(r)) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("configuration", run.configuration());
                c.put("baseline", run.baseline());
                c.put("kpis", run.kpis());
                c.put("events_per_s", round(run.eventsPerS(), 1));
                c.put("start_up_s", round(run.startUpS(), 1));
                c.put("processing_events_per_s", roundOrNull(run.processingEventsPerS(), 1));
                c.put("cost_pct", round(r.kpiCostPct(run), 1));
                costs.add(c);
            }
            f.put("kpi_costs", costs);
        }
        if (r.kpiCpuCosts() != null) {
            f.put("kpi_cpu_costs", cpuCosts(r.kpiCpuCosts()));
        }
        return f;
    }

    /**
     * {@code kpi_cpu_costs}: what was fed and each configuration's CPU ns/event, and over the eight in ns/event and
     * %, each with the half-width of its 95 % confidence interval ({@code …_ci}); the eight's "over" fields are null.
     */
    static Map<String, Object> cpuCosts(KpiCpuCosts.Result r) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("scenario", r.scenario());
        f.put("nodes", r.nodes());
        f.put("events", r.events());
        f.put("resource_samples", r.resourceSamples());
        f.put("rounds", r.rounds());
        f.put("warm_up_rounds", r.warmUpRounds());
        f.put("state_stores", r.stores());
        f.put("confidence", 0.95);
        List<Map<String, Object>> costs = new java.util.ArrayList<>();
        for (KpiCpuCosts.Cost cost : r.costs()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("configuration", cost.configuration());
            c.put("kpis", cost.kpis());
            c.put("cpu_ns_per_event", round(cost.cpuNsPerEvent(), 1));
            c.put("cpu_ns_per_event_ci", round(cost.cpuNsPerEventCi(), 1));
            c.put("over_eight_ns_per_event", roundOrNull(cost.overEightNs(), 1));
            c.put("over_eight_ns_per_event_ci", roundOrNull(cost.overEightNsCi(), 1));
            c.put("over_eight_pct", roundOrNull(cost.overEightPct(), 1));
            c.put("over_eight_pct_ci", roundOrNull(cost.overEightPctCi(), 1));
            costs.add(c);
        }
        f.put("configurations", costs);
        return f;
    }

    public static String json(BenchResult result) {
        try {
            return JSON.writeValueAsString(fields(result)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the bench figures as JSON: " + e.getMessage(), e);
        }
    }

    public static String markdown(BenchResult r) {
        Throughput t = r.throughput();
        Live l = r.live();
        BenchResult.Setup s = r.setup();
        StringBuilder md = new StringBuilder();
        md.append("# ChainPulse bench, ").append(r.startedAt()).append("\n\n");
        md.append("Command: `").append(r.command()).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %d cores, %s, %,d MiB, Java %s, %s; 1-minute load average "
                + "%s at start, %s at the end (the machine may be shared: throughput figures are low bounds when the "
                + "load exceeds the idle baseline).%n%n", r.machine().cores(), r.machine().cpuModel(),
                r.machine().memoryMb(), r.machine().java(), r.machine().os(), load(r, 0), load(r, 1)));
        md.append(String.format(Locale.ROOT, "Scenario `%s`, %d nodes: %,d events (%d-byte Avro records on average) "
                + "through a %d-partition topic; processor with %d stream threads, exactly_once_v2, windows of %,d ms, "
                + "grace %,d ms.%n%n", s.scenario(), s.nodes(), s.events(), s.recordSizeBytes(), s.partitions(),
                s.streamThreads(), s.windowSizeMs(), s.graceMs()));

        md.append("## Throughput (same events, same broker, same run)\n\n| measurement | events/s |\n|---|---:|\n");
        row(md, "ChainPulse SDK, record → acknowledged by the broker", rate(t.sdkEventsPerS()));
        row(md, "Kafka ProducerPerformance, same record count and size (lz4, linger 5 ms, acks=all)",
                rate(t.producerPerfEventsPerS()));
        row(md, "ChainPulse processor catch-up, all KPI topologies", rate(t.processorEventsPerS()));
        row(md, "bare Kafka Streams floor (groupByKey + 10 s count)", rate(t.streamsFloorEventsPerS()));
        row(md, "Kafka ConsumerPerformance", rate(t.consumerPerfEventsPerS()));
        md.append("\n| ratio | value |\n|---|---:|\n");
        row(md, "SDK / ProducerPerformance", ratio(t.sdkToProducerPerfRatio()));
        row(md, "processor / Streams floor", ratio(t.processorToFloorRatio()));
        row(md, "processor / ConsumerPerformance", ratio(t.processorToConsumerRatio()));
        md.append(String.format(Locale.ROOT, "%nCatch-up is an application coming back to a backlog: each was started "
                + "once on the empty topic, then timed from `start()` on the loaded one; its start-up (rebalance, "
                + "stores opened and checked) took %.1f s for the processor and %.1f s for the floor. Once running: "
                + "processor %s, floor %s events/s, ratio %s.%n",
                t.processorStartUpS(), t.streamsFloorStartUpS(), rate(t.processorProcessingEventsPerS()),
                rate(t.streamsFloorProcessingEventsPerS()), ratio(t.processorToFloorProcessingRatio())));
        md.append("\n![throughput](throughput.svg)\n\n");
        if (!r.kpiCosts().isEmpty()) {
            kpiCosts(md, r);
        }
        if (r.kpiCpuCosts() != null) {
            md.append("## What each KPI costs in CPU (in process, with confidence intervals)\n\n");
            md.append(KpiCpuCosts.markdown(r.kpiCpuCosts())).append('\n');
        }

        md.append(String.format(Locale.ROOT, "## Live: %,d events/s paced for %.0f s, %d nodes%n%n",
                l.targetRatePerS(), l.durationS(), s.nodes()));
        md.append(String.format(Locale.ROOT, "Achieved %,.0f events/s (%,d events). Processor in a child JVM "
                + "(`./chainpulse process`, -Xmx%dm); Elasticsearch sink running; %,d final KPI records read "
                + "(read_committed), %,d KPI documents searched for (%,d not found in time). Only windows that start "
                + "at least window + grace (%,d ms) after the paced load began count: the processor's start-up is "
                + "not what the figures are about.%n%n",
                l.achievedRatePerS(), l.events(), s.processorXmxMb(), l.finalKpiRecords(), l.esDocuments(),
                l.esDocumentsMissing(), s.windowSizeMs() + s.graceMs()));
        md.append(String.format(Locale.ROOT, "When the paced load ended the processor was %,d events behind "
                + "(%.1f s of load at the achieved rate); it had committed all of its input %.1f s later.%n%n",
                l.processorLagAtEnd(), l.processorLagAtEnd() / l.achievedRatePerS(), l.drainS()));
        md.append("| latency | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|\n");
        latencyRow(md, "event timestamp → final KPI record (over the samples of each window)", l.kpiLatencyMs());
        latencyRow(md, "window end → final KPI record", l.windowCloseLatencyMs());
        latencyRow(md, "window end → final network-scope KPI record", l.networkWindowCloseLatencyMs());
        latencyRow(md, "window end → KPI document searchable in Elasticsearch", l.esVisibleLatencyMs());
        md.append(String.format(Locale.ROOT, "%nTarget: event → final KPI p99 ≤ window + grace + 2 s = %,d ms: "
                + "**%s** (%,d ms).%n%n", r.kpiLatencyTargetMs(),
                l.kpiLatencyMs().p99() <= r.kpiLatencyTargetMs() ? "met" : "not met", l.kpiLatencyMs().p99()));
        md.append("![latency](latency.svg)\n\n");

        md.append("## Processor memory (live phase)\n\n| measurement | MiB |\n|---|---:|\n");
        row(md, "heap used, max of 1 s samples (garbage included)", mb(l.processorHeapMaxMb()));
        row(md, "heap used after a full GC at the end of the paced load (live set)", mb(l.processorHeapAfterGcMb()));
        row(md, "resident set size, peak (VmHWM)", mb(l.processorRssMaxMb()));
        md.append(String.format(Locale.ROOT, "%nTarget: heap ≤ %d MiB with %d nodes: **%s**.%n",
                BenchResult.HEAP_TARGET_MB, s.nodes(),
                l.processorHeapMaxMb() <= BenchResult.HEAP_TARGET_MB ? "met" : "not met"));
        return md.toString();
    }

    /**
     * The per-KPI costs: each configuration's catch-up and its cost in % of the eight's throughput, next to the whole
     * processor, the floor and ConsumerPerformance of the same run.
     */
    private static void kpiCosts(StringBuilder md, BenchResult r) {
        Throughput t = r.throughput();
        md.append("## What each KPI costs (processor catch-up, same events, same run)\n\n");
        md.append("| configuration | events/s, start-up included | start-up s | events/s once running "
                + "| cost, % of the eight's throughput |\n|---|---:|---:|---:|---:|\n");
        for (KpiCost run : withAll(r)) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %s |%n", run.configuration(),
                    rate(run.eventsPerS()), run.startUpS(), rate(run.processingEventsPerS()),
                    run.baseline() ? "(baseline)" : String.format(Locale.ROOT, "%.1f %%", r.kpiCostPct(run))));
        }
        md.append(String.format(Locale.ROOT, "| bare Kafka Streams floor | %s | %.1f | %s | |%n",
                rate(t.streamsFloorEventsPerS()), t.streamsFloorStartUpS(), rate(t.streamsFloorProcessingEventsPerS())));
        md.append(String.format(Locale.ROOT, "| Kafka ConsumerPerformance | %s | | | |%n",
                rate(t.consumerPerfEventsPerS())));
        md.append(String.format(Locale.ROOT, "%nThe eight: %s. Baseline: the mean of the eight's runs, %s events/s "
                + "(once running where measured); noise: those runs differ by %s %% of it, so a cost within that is "
                + "not told apart from none. A configuration's cost compares its rate once running (start-up left out) "
                + "with the mean of the eight's runs just before and after it; \"all KPIs\" is the catch-up above, "
                + "which ran before the others, compared with the mean of all of them.%n%n",
                String.join(", ", r.kpiCosts().get(0).kpis()), rate(r.kpiCostBaselineEventsPerS()),
                Double.isNaN(r.kpiCostNoisePct()) ? NOT_MEASURED
                        : String.format(Locale.ROOT, "%.1f", r.kpiCostNoisePct())));
    }

    /** The cost runs, then the main catch-up (every KPI) as one more. */
    private static List<KpiCost> withAll(BenchResult r) {
        Throughput t = r.throughput();
        List<KpiCost> runs = new java.util.ArrayList<>(r.kpiCosts());
        runs.add(new KpiCost("all KPIs", false, io.chainpulse.schema.catalog.Kpi.metrics(), t.processorEventsPerS(),
                t.processorStartUpS(), t.processorProcessingEventsPerS()));
        return runs;
    }

    private static void charts(BenchResult r, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Throughput t = r.throughput();
        CategoryChart throughput = new CategoryChartBuilder().width(900).height(500)
                .title(String.format(Locale.ROOT, "Throughput, same events and broker (%,d events)", r.setup().events()))
                .xAxisTitle("").yAxisTitle("events/s").theme(Styler.ChartTheme.Matlab).build();
        throughput.getStyler().setLabelsVisible(true);
        throughput.getStyler().setDecimalPattern("#,###");
        throughput.getStyler().setLegendVisible(false);
        throughput.addSeries("events/s",
                List.of("SDK", "ProducerPerformance", "processor", "Streams floor", "ConsumerPerformance"),
                List.of(Math.round(t.sdkEventsPerS()), Math.round(t.producerPerfEventsPerS()),
                        Math.round(t.processorEventsPerS()), Math.round(t.streamsFloorEventsPerS()),
                        Math.round(t.consumerPerfEventsPerS())));
        save(throughput, dir.resolve("throughput"));

        Live l = r.live();
        CategoryChart latency = new CategoryChartBuilder().width(900).height(500)
                .title(String.format(Locale.ROOT, "Live latency at %,d events/s, %d nodes (target p99 %,d ms)",
                        l.targetRatePerS(), r.setup().nodes(), r.kpiLatencyTargetMs()))
                .xAxisTitle("percentile").yAxisTitle("ms").theme(Styler.ChartTheme.Matlab).build();
        latency.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        latency.getStyler().setDecimalPattern("#,###");
        List<String> percentiles = List.of("p50", "p95", "p99");
        latency.addSeries("event → final KPI", percentiles, values(l.kpiLatencyMs()));
        latency.addSeries("window end → final KPI", percentiles, values(l.windowCloseLatencyMs()));
        latency.addSeries("window end → searchable in ES", percentiles, values(l.esVisibleLatencyMs()));
        save(latency, dir.resolve("latency"));
    }

    private static List<Long> values(Percentiles p) {
        return List.of(p.p50(), p.p95(), p.p99());
    }

    private static void save(CategoryChart chart, Path withoutExtension) throws IOException {
        BitmapEncoder.saveBitmap(chart, withoutExtension.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, withoutExtension.toString(),
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static void latencyRow(StringBuilder md, String name, Percentiles p) {
        md.append(String.format(Locale.ROOT, "| %s | %,d ms | %,d ms | %,d ms | %,d ms |%n", name, p.p50(), p.p95(),
                p.p99(), p.max()));
    }

    private static String rate(double v) {
        return Double.isNaN(v) ? NOT_MEASURED : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? NOT_MEASURED : String.format(Locale.ROOT, "%.2f", v);
    }

    /** A "once running" figure of a run that ended at its first commit (a small one): not measured. */
    private static final String NOT_MEASURED = "–";

    private static String mb(double v) {
        return String.format(Locale.ROOT, "%,.1f", v);
    }

    private static String load(BenchResult r, int i) {
        List<Double> load = r.machine().loadAverage();
        return i < load.size() ? String.format(Locale.ROOT, "%.2f", load.get(i)) : "?";
    }

    /** null (JSON null: not measured) for NaN, as a "once running" rate of a run that ended at its first commit. */
    private static BigDecimal roundOrNull(double v, int digits) {
        return Double.isNaN(v) ? null : round(v, digits);
    }

    private static BigDecimal round(double v, int digits) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("bench figure is not a finite number: " + v);
        }
        return BigDecimal.valueOf(v).setScale(digits, RoundingMode.HALF_UP);
    }
}
