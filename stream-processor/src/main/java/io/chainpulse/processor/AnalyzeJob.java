package io.chainpulse.processor;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.json.EventJsonLines;
import io.chainpulse.schema.json.ResourceSampleJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;

/**
 * The production KPI topology run over a JSON Lines file of events, without a broker: how operators analyse a
 * recorded incident, and how we check the KPIs on data we did not generate. Events are fed in file order (as a replay
 * into one partition would deliver them); at the end, {@link FlushEvents} move stream time past every window so each
 * window's final result comes out. There is no wall clock to tell a future event by: the file is read
 * {@value RecordingClock#LOOKAHEAD} events ahead of the topology, and an event more than {@code max.future.skew.ms}
 * ahead of the recording's progress ({@link RecordingClock}) is set aside as {@code future}.
 *
 * <pre>{@code
 * AnalyzeJob.Result result = AnalyzeJob.run(Path.of("incident.jsonl"), Map.of("window.size.ms", 10_000), System.err::println);
 * AnalyzeJob.writeKpis(result.kpis(), Path.of("out/kpis.jsonl"));
 * }</pre>
 */
public final class AnalyzeJob {
    private AnalyzeJob() {}

    /**
     * @param kpis final windows in (window start, metric, scope, node) order
     * @param counters late, unpaired and duplicate events, keyed {@code reason|metric|node}
     * @param firstEventMs event time of the earliest event, {@code lastEventMs} of the latest (future events aside)
     * @param samples resource samples read ({@code 0} without a resources file), {@code badSampleLines} skipped
     */
    public record Result(long lines, long events, long badLines, List<KpiWindow> kpis, Map<String, Long> counters,
                         long firstEventMs, long lastEventMs, long samples, long badSampleLines) {

        /**
         * Windows entirely inside the recording: the first and last windows of a file are usually cut short and
         * would look like a drop in throughput.
         */
        public List<KpiWindow> completeWindows() {
            return kpis.stream().filter(k -> k.getWindowStartMs() >= firstEventMs && k.getWindowEndMs() <= lastEventMs + 1)
                    .toList();
        }
    }

    /** @param settings {@link ProcessorConfig} keys, e.g. {@code window.size.ms} */
    public static Result run(Path input, Map<String, ?> settings, Consumer<String> problems) throws IOException {
        return run(input, null, settings, problems);
    }

    /**
     * The same, with the resource samples of {@code resources} (JSON Lines, {@link ResourceSampleJson}; null: none)
     * through the resource KPIs ({@link ResourceKpiTopology}). They are piped after the events — the two have separate
     * stream times, so their order against each other changes nothing — and judged future against the recording's
     * progress of the events. With {@code kpis} selecting no resource KPI the samples are not read.
     */
    public static Result run(Path input, Path resources, Map<String, ?> settings, Consumer<String> problems)
            throws IOException {
        Map<String, Object> values = new HashMap<>(settings);
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://analyze-" + UUID.randomUUID());
        values.put(ProcessorConfig.STATE_STORES, "in_memory");
        ProcessorConfig config = new ProcessorConfig(values);
        // with no resource KPI selected the topology has no resources input: the samples are not read
        Path samplesFile = KpiTopology.readsResources(config) ? resources : null;
        ProcessorCounters counters = new ProcessorCounters();
        RecordingClock clock = new RecordingClock();
        KpiContext ctx = KpiContext.of(config, counters, 1) // the driver's topics have one partition
                .withReferenceClock(clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "chainpulse-analyze");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "analyze.invalid:9092");
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("chainpulse-analyze").toString());

        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        List<KpiWindow> kpis = new ArrayList<>();
        EventJsonLines.Counts counts;
        EventJsonLines.Counts sampleCounts = new EventJsonLines.Counts(0, 0, 0);
        try (TopologyTestDriver driver = new TopologyTestDriver(KpiTopology.build(ctx), props)) {
            TestInputTopic<String, ProtocolEvent> in = driver.createInputTopic(ctx.events().name(),
                    Serdes.String().serializer(), ctx.events().valueSerde().serializer());
            TestOutputTopic<String, KpiWindow> out = driver.createOutputTopic(ctx.kpis().name(),
                    Serdes.String().deserializer(), ctx.kpis().valueSerde().deserializer());
            long[] piped = {0};
            ArrayDeque<ProtocolEvent> ahead = new ArrayDeque<>();
            long skew = config.maxFutureSkew().toMillis();
            Consumer<ProtocolEvent> pipe = event -> {
                long ms = Math.floorDiv(event.getTimestampNs(), 1_000_000L);
                if (ms - skew <= clock.getAsLong()) { // a future event is not part of the recording's time range
                    range[0] = Math.min(range[0], ms);
                    range[1] = Math.max(range[1], ms);
                }
                in.pipeInput(event.getNodeId(), event);
                if ((++piped[0] & 0xFFF) == 0) {
                    collect(out, kpis, Long.MAX_VALUE);
                }
            };
            counts = EventJsonLines.read(input, (event, line) -> {
                clock.observe(event);
                ahead.add(event);
                if (ahead.size() > RecordingClock.LOOKAHEAD) {
                    pipe.accept(ahead.poll());
                }
            }, problems);
            while (!ahead.isEmpty()) {
                pipe.accept(ahead.poll());
            }
            long[] lastSampleMs = {Long.MIN_VALUE};
            TestInputTopic<String, NodeResourceSample> samples = samplesFile == null ? null
                    : driver.createInputTopic(ctx.resources().name(), Serdes.String().serializer(),
                            ctx.resources().valueSerde().serializer());
            if (samplesFile != null) {
                sampleCounts = ResourceSampleJson.read(samplesFile, sample -> {
                    long ms = Math.floorDiv(sample.getTimestampNs(), 1_000_000L);
                    if (ms - skew <= clock.getAsLong()) {
                        lastSampleMs[0] = Math.max(lastSampleMs[0], ms);
                    }
                    samples.pipeInput(sample.getNodeId(), sample);
                }, problems);
            }
            if (counts.events() > 0 || sampleCounts.events() > 0) {
                clock.unbounded();
                // one flush for both, round by round: the driver runs them in one task, whose stream time the later
                // of the two would set, making the other's earlier flush late
                FlushEvents flush = new FlushEvents(Math.max(range[1], lastSampleMs[0]), config, ctx);
                for (int round = 0; round < FlushEvents.ROUNDS; round++) {
                    if (counts.events() > 0) {
                        for (ProtocolEvent e : flush.round(round)) {
                            in.pipeInput(e.getNodeId(), e);
                        }
                    }
                    if (sampleCounts.events() > 0) {
                        NodeResourceSample sample = flush.sample(round);
                        samples.pipeInput(sample.getNodeId(), sample);
                    }
                }
                collect(out, kpis, flush.firstWindowStartMs());
            }
        }
        kpis.sort(Comparator.comparingLong(KpiWindow::getWindowStartMs).thenComparing(KpiWindow::getMetric)
                .thenComparing(KpiWindow::getScope).thenComparing(k -> k.getNodeId() == null ? "" : k.getNodeId())
                .thenComparing(k -> k.getChainId() == null ? "" : k.getChainId()));
        return new Result(counts.lines(), counts.events(), counts.badLines(), kpis, counters.snapshot(), range[0], range[1],
                sampleCounts.events(), sampleCounts.badLines());
    }

    private static void collect(TestOutputTopic<String, KpiWindow> out, List<KpiWindow> kpis, long beforeWindowStart) {
        for (KpiWindow k : out.readValuesToList()) {
            if (k.getWindowStartMs() < beforeWindowStart && !FlushEvents.isFlushNode(k.getNodeId())) {
                kpis.add(k);
            }
        }
    }

    /**
     * One line per final window ({@link KpiJson}): {@code metric, scope, node_id (null for the network), chain_id
     * (only for a chain other than the default),
     * window_start_ms, window_end_ms, count}, then {@code rate_per_s} for rate KPIs or {@code min, mean, max, p50,
     * p90, p95, p99} for latency KPIs (null when every sample was excluded), {@code excluded_skew}, and last, for
     * latency KPIs with samples, {@code sketch} (base64 DDSketch) so percentiles over many windows can be merged.
     */
    public static void writeKpis(List<KpiWindow> kpis, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (KpiWindow k : kpis) {
                writer.write(KpiJson.write(k));
                writer.newLine();
            }
        }
    }
}
