package io.chainpulse.bench;

import io.chainpulse.bench.BenchResult.Live;
import io.chainpulse.bench.BenchResult.Machine;
import io.chainpulse.bench.BenchResult.Setup;
import io.chainpulse.bench.BenchResult.Throughput;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.simulator.ScenarioFile;
import io.chainpulse.sink.es.SinkEsConfig;
import io.chainpulse.sink.es.SinkEsService;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.SchemaRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code ./chainpulse bench}: one run that measures the whole pipeline on a real local stack (Kafka broker, schema
 * registry, Elasticsearch, all started from Maven Central jars in a temporary directory), every ChainPulse figure
 * next to what Kafka's own tools reach on the same broker in the same run:
 * <ol>
 *   <li>a scenario ({@code --scenario}, all its nodes renamed to {@code nodes} validators) is generated, sized to
 *       {@code events};</li>
 *   <li>Kafka ProducerPerformance: the same record count, records of the events' mean Avro size;</li>
 *   <li>the events through one ChainPulse SDK instance, first record → last acknowledgement;</li>
 *   <li>Kafka ConsumerPerformance over the SDK's topic;</li>
 *   <li>a bare Kafka Streams floor, then the ChainPulse processor (all KPIs, exactly-once), catching up on it;</li>
 *   <li>with {@code --kpi-costs}: the processor again, with the original eight KPIs before and after the eight + each
 *       newer KPI, after two warm-up runs ({@link KpiCosts}); and first, before the stack starts, each KPI's CPU
 *       time per event in process, with confidence intervals ({@link KpiCpuCosts});</li>
 *   <li>live: the scenario paced in real time at {@code liveRate} events/s for {@code liveDuration}, through the
 *       SDK, to the processor running as {@code ./chainpulse process} in a child JVM with -Xmx512m, and the
 *       Elasticsearch sink: event → final KPI, window end → searchable document, processor heap and RSS.</li>
 * </ol>
 *
 * <pre>{@code
 * BenchResult result = BenchRun.run(BenchRun.Options.defaults(List.of("io.chainpulse.cli.ChainPulseCli", "process")));
 * BenchReport.write(result, Path.of("results/now"), null);
 * }</pre>
 */
public final class BenchRun {
    static final int PARTITIONS = 4;
    static final int STREAM_THREADS = 2;
    static final int PROCESSOR_XMX_MB = 512;
    private static final String EVENTS_TOPIC = "bench.events";
    private static final String PERF_TOPIC = "bench.producer-perf";
    private static final String LIVE_EVENTS = "bench.live.events";
    private static final String LIVE_KPIS = "bench.live.kpis";
    private static final String LIVE_LATE = "bench.live.late-events";
    private static final String LIVE_ANOMALIES = "bench.live.anomalies";
    private static final String LIVE_DLQ = "bench.live.sink-es.dlq";
    private static final String KPI_INDEX = "bench-kpis";
    private static final String KAFKA_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.apache.kafka";

    private BenchRun() {}

    /**
     * @param scenario a built-in scenario name or a YAML scenario file
     * @param events events of the catch-up phases
     * @param nodes validators, in every phase
     * @param liveRate paced events/s of the live phase
     * @param windowSizeMs the processor's window size (the live phase needs windows that close within it)
     * @param processorCommand main class and subcommand that run the processor service in a child JVM on this JVM's
     *     class path, e.g. {@code [io.chainpulse.cli.ChainPulseCli, process]}
     * @param command the command line, for the report
     * @param kpiCosts also time the processor with the original eight KPIs before and after the eight + each newer
     *     KPI ({@link KpiCosts}): two warm-ups, then one catch-up per newer KPI group of the catalog and one of the eight
     *     between each (31 catch-ups with 22 newer KPIs in 14 groups), about 15 s each at the default 2,000,000 events;
     *     and each KPI's CPU cost in process ({@link KpiCpuCosts})
     */
    public record Options(String scenario, long events, int nodes, int liveRate, Duration liveDuration,
                          long windowSizeMs, long graceMs, List<String> processorCommand, String command,
                          boolean kpiCosts) {
        /** A run without the per-KPI costs. */
        public Options(String scenario, long events, int nodes, int liveRate, Duration liveDuration,
                       long windowSizeMs, long graceMs, List<String> processorCommand, String command) {
            this(scenario, events, nodes, liveRate, liveDuration, windowSizeMs, graceMs, processorCommand, command,
                    false);
        }

        /** The same options, measuring the per-KPI costs ({@link KpiCosts}) or not. */
        public Options withKpiCosts(boolean measure) {
            return new Options(scenario, events, nodes, liveRate, liveDuration, windowSizeMs, graceMs,
                    processorCommand, command, measure);
        }

        public Options {
            List<String> problems = new ArrayList<>();
            if (events < 1_000) {
                problems.add("--events must be >= 1000: " + events);
            }
            if (nodes < 1) {
                problems.add("--nodes must be >= 1: " + nodes);
            }
            if (liveRate < 100) {
                problems.add("--live-rate must be >= 100 events/s: " + liveRate);
            }
            if (liveDuration.toMillis() < 3 * (windowSizeMs + graceMs)) {
                problems.add("--live-duration must be at least 3 × (window + grace) = "
                        + 3 * (windowSizeMs + graceMs) / 1000 + " s, so that windows close during it: "
                        + liveDuration.toSeconds() + " s");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            processorCommand = List.copyOf(processorCommand);
        }
    }

    /** Runs every phase and returns the figures. Progress goes to standard output. */
    public static BenchResult run(Options o) throws Exception {
        // Kafka's clients warn about every transaction retry of a loaded machine: keep the progress readable
        if (System.getProperty(KAFKA_LOG_LEVEL) == null) {
            System.setProperty(KAFKA_LOG_LEVEL, "error");
        }
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        double loadAtStart = loadAverage();
        Scenario base = scenario(o.scenario(), o.nodes());
        RateModel model = RateModel.calibrate(base);
        // in process, before the stack starts: CPU time per KPI, less sensitive to the machine's load than a catch-up
        KpiCpuCosts.Result cpuCosts = o.kpiCosts() ? KpiCpuCosts.measure(cpuCostOptions(o)) : null;
        Path dir = Files.createTempDirectory("chainpulse-bench-");
        System.out.printf("bench: scenario %s, %d nodes, %,d events, live %,d events/s for %d s; work dir %s%n",
                base.name(), o.nodes(), o.events(), o.liveRate(), o.liveDuration().toSeconds(), dir);
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start();
             SchemaRegistry registry = SchemaRegistry.inDirectory(dir.resolve("registry")).start();
             Elasticsearch es = Elasticsearch.inDirectory(dir.resolve("elasticsearch")).start();
             Admin admin = broker.admin()) {
            broker.createTopics(PARTITIONS, EVENTS_TOPIC, PERF_TOPIC, LIVE_EVENTS, LIVE_KPIS, LIVE_LATE,
                    LIVE_ANOMALIES, LIVE_DLQ);
            String bootstrap = broker.bootstrapServers();
            // catch-up is an application coming back to a backlog: each is started once on the empty topic first
            StreamsCatchUp.Starter floorApp = StreamsCatchUp.floor("bench-floor", bootstrap, EVENTS_TOPIC,
                    STREAM_THREADS, dir.resolve("floor-state"));
            StreamsCatchUp.Starter processorApp = StreamsCatchUp.processor("bench-catch-up", bootstrap, registry.url(),
                    EVENTS_TOPIC, "bench.catch-up.kpis", STREAM_THREADS, dir.resolve("catch-up-state"));
            StreamsCatchUp.provisionFloor("bench-floor", floorApp, dir.resolve("floor-state"));
            StreamsCatchUp.provision("bench-catch-up", processorApp);
            KpiCosts kpiCosts = o.kpiCosts() ? KpiCosts.provision(bootstrap, registry.url(), EVENTS_TOPIC,
                    "bench.catch-up.kpis", STREAM_THREADS, dir) : null;

            // the history: the same rate as the live phase, an hour ago, so that its windows are complete
            Scenario history = model.sized(base, o.liveRate(), Duration.ofMillis(
                    Math.max(2_000, (long) Math.ceil(o.events() * 1000.0 / o.liveRate()) + 2_000)));
            List<ProtocolEvent> events = generate(history, System.currentTimeMillis() - 3_600_000L, o.events());
            int recordSize = meanAvroSize(events, registry.url());
            System.out.printf("bench: generated %,d events, %d bytes each on average%n", events.size(), recordSize);

            double producerPerf = KafkaCeiling.producerRecordsPerSecond(bootstrap, PERF_TOPIC, events.size(), recordSize);
            System.out.printf("bench: ProducerPerformance %,.0f records/s%n", producerPerf);
            double sdk = sdkEventsPerSecond(events, bootstrap, registry.url(), dir);
            System.out.printf("bench: SDK %,.0f events/s%n", sdk);
            long loaded = events.size();
            events = null; // the live phase needs the memory more
            double consumerPerf = KafkaCeiling.consumerRecordsPerSecond(bootstrap, EVENTS_TOPIC, loaded);
            System.out.printf("bench: ConsumerPerformance %,.0f records/s%n", consumerPerf);
            StreamsCatchUp.CatchUp floor = StreamsCatchUp.run("bench-floor", admin, EVENTS_TOPIC, loaded, floorApp);
            StreamsCatchUp.CatchUp processor = StreamsCatchUp.run("bench-catch-up", admin, EVENTS_TOPIC, loaded,
                    processorApp);
            Throughput throughput = new Throughput(sdk, producerPerf, processor.eventsPerSecond(), consumerPerf,
                    floor.eventsPerSecond(), processor.startUpSeconds(), processor.processingEventsPerSecond(),
                    floor.startUpSeconds(), floor.processingEventsPerSecond());
            List<BenchResult.KpiCost> costs = kpiCosts == null ? List.of() : kpiCosts.run(admin, EVENTS_TOPIC, loaded);

            Live live = live(o, base, model, broker, registry, es, admin, dir);
            Setup setup = new Setup(base.name(), loaded, o.nodes(), recordSize, PARTITIONS, STREAM_THREADS,
                    o.windowSizeMs(), o.graceMs(), PROCESSOR_XMX_MB);
            return new BenchResult(setup, throughput, live, machine(loadAtStart, loadAverage()), o.command(),
                    startedAt, costs, cpuCosts);
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static Live live(Options o, Scenario base, RateModel model, KafkaBroker broker, SchemaRegistry registry,
                             Elasticsearch es, Admin admin, Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(ProcessorConfig.APPLICATION_ID, "bench-live");
        settings.put(ProcessorConfig.INPUT_TOPIC, LIVE_EVENTS);
        settings.put(ProcessorConfig.KPI_TOPIC, LIVE_KPIS);
        settings.put(ProcessorConfig.LATE_TOPIC, LIVE_LATE);
        settings.put(ProcessorConfig.STREAM_THREADS, STREAM_THREADS);
        settings.put(ProcessorConfig.STATE_DIR, dir.resolve("live-state").toString());
        settings.put(ProcessorConfig.WINDOW_SIZE_MS, o.windowSizeMs());
        settings.put(ProcessorConfig.GRACE_MS, o.graceMs());

        Map<String, Object> sinkConfig = new LinkedHashMap<>();
        sinkConfig.put("schema.registry.url", registry.url());
        sinkConfig.put(SinkEsConfig.BOOTSTRAP_SERVERS, bootstrap);
        sinkConfig.put(SinkEsConfig.GROUP_ID, "bench-sink-es");
        sinkConfig.put(SinkEsConfig.TOPIC_KPIS, LIVE_KPIS);
        sinkConfig.put(SinkEsConfig.TOPIC_ANOMALIES, LIVE_ANOMALIES);
        sinkConfig.put(SinkEsConfig.TOPIC_DLQ, LIVE_DLQ);
        sinkConfig.put(SinkEsConfig.ES_URLS, es.url());
        sinkConfig.put(SinkEsConfig.INDEX_KPIS, KPI_INDEX);
        sinkConfig.put(SinkEsConfig.INDEX_REPLICAS, 0);

        Scenario paced = model.sized(base, o.liveRate(), o.liveDuration());
        SinkEsService sink = SinkEsService.create(sinkConfig);
        Thread sinkThread = new Thread(sink::run, "bench-sink-es");
        sinkThread.start();
        try (ProcessorChild processor = ProcessorChild.start(o.processorCommand(), PROCESSOR_XMX_MB, bootstrap,
                registry.url(), settings, dir.resolve("live-processor"));
             ChainPulseSdk sdk = sdk(bootstrap, registry.url(), LIVE_EVENTS, dir.resolve("live-spool"))) {
            awaitOnline(sdk);
            long start = System.currentTimeMillis() + 1_000;
            // warm-up: the processor's first windows carry its start-up (task assignment, transactions), not its pace
            long measureFrom = start + o.windowSizeMs() + o.graceMs();
            try (LiveProbes probes = new LiveProbes(bootstrap, registry.url(), LIVE_KPIS, es.url(), KPI_INDEX,
                    measureFrom)) {
                probes.start();
                System.out.printf("bench: live, %,d events/s paced for %d s (processor pid in %s)%n", o.liveRate(),
                        o.liveDuration().toSeconds(), dir.resolve("live-processor"));
                long[] count = {0};
                long[] last = {start};
                new NetworkSimulator(paced, start).run(event -> {
                    long due = event.getTimestampNs() / 1_000_000L;
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) {
                        sleep(wait);
                    }
                    sdk.recordWaiting(event);
                    count[0]++;
                    last[0] = due;
                });
                if (!sdk.flush(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("live phase: the SDK did not deliver within 2 min: " + sdk.stats());
                }
                double seconds = (last[0] - start) / 1000.0;
                long loadEnded = System.nanoTime();
                long lag = StreamsCatchUp.lag(admin, "bench-live", LIVE_EVENTS);
                double heapAfterGc = processor.heapAfterFullGcMb();
                System.out.printf("bench: live load done, %,d events, the processor %,d behind; waiting for it%n",
                        count[0], lag);
                StreamsCatchUp.awaitCommittedToEnd(admin, "bench-live", LIVE_EVENTS, Duration.ofMinutes(10));
                double drain = (System.nanoTime() - loadEnded) / 1e9;
                Thread.sleep(2_000 + o.graceMs()); // the last suppressed windows, the read_committed consumer
                long missing = probes.awaitSearchable(Duration.ofSeconds(30));
                probes.check();
                if (!processor.isAlive()) {
                    throw new IllegalStateException("the processor died during the live phase:\n" + processor.tail());
                }
                double rss = processor.rssPeakMb();
                return new Live(o.liveRate(), count[0] / seconds, seconds, count[0], lag, drain,
                        probes.finalRecords(),
                        probes.eventToKpi(), probes.windowToKpi(), probes.windowToNetworkKpi(), probes.docsProbed(),
                        missing,
                        probes.windowToSearchable(), processor.heapMaxMb(), heapAfterGc, rss);
            }
        } finally {
            sink.close();
            sinkThread.join(30_000);
        }
    }

    /**
     * An SDK starts offline (spooling) until it has registered its schema and seen the topic: wait for that, so that
     * the figures are the steady state's, not the spool's.
     */
    private static void awaitOnline(ChainPulseSdk sdk) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!sdk.stats().online()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the SDK did not reach Kafka within 60 s: " + sdk.stats());
            }
            Thread.sleep(20);
        }
    }

    /** One SDK instance records every event as it is (node id, timestamp, id kept); first record → all acknowledged. */
    private static double sdkEventsPerSecond(List<ProtocolEvent> events, String bootstrap, String registryUrl, Path dir)
            throws InterruptedException {
        try (ChainPulseSdk sdk = sdk(bootstrap, registryUrl, EVENTS_TOPIC, dir.resolve("spool"))) {
            awaitOnline(sdk);
            long started = System.nanoTime();
            for (ProtocolEvent event : events) {
                sdk.recordWaiting(event);
            }
            if (!sdk.flush(Duration.ofMinutes(10))) {
                throw new IllegalStateException("the SDK did not deliver within 10 min: " + sdk.stats());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            ChainPulseSdk.Stats stats = sdk.stats();
            if (stats.dropped() > 0) {
                throw new IllegalStateException("the SDK dropped events: " + stats);
            }
            return events.size() / seconds;
        }
    }

    private static ChainPulseSdk sdk(String bootstrap, String registryUrl, String topic, Path spool) {
        return ChainPulseSdk.builder().nodeId("bench").bootstrapServers(bootstrap).schemaRegistryUrl(registryUrl)
                .topic(topic).bufferEvents(1 << 18).spoolDirectory(spool).errorListener((m, c) -> {}).build();
    }

    /** A built-in scenario or a YAML scenario file, with {@code nodes} validators. */
    static Scenario scenario(String name, int nodes) throws IOException {
        if (!Scenario.builtInNames().contains(name) && !Files.isRegularFile(Path.of(name))) {
            throw new IllegalArgumentException("--scenario '" + name + "' is neither a built-in scenario ("
                    + String.join(", ", Scenario.builtInNames()) + ") nor a YAML file");
        }
        Scenario s = Scenario.builtInNames().contains(name) ? Scenario.builtIn(name) : ScenarioFile.load(Path.of(name));
        return new Scenario(s.name(), s.chainId(), nodes, s.tps(), s.blockInterval(), s.duration(), s.seed(),
                s.byzantineFraction(), s.faults());
    }

    private static List<ProtocolEvent> generate(Scenario scenario, long startMs, long limit) {
        List<ProtocolEvent> events = new ArrayList<>((int) Math.min(limit, Integer.MAX_VALUE - 8));
        new NetworkSimulator(scenario, startMs).run(e -> {
            if (events.size() < limit) {
                events.add(e);
            }
        });
        return events;
    }

    private static int meanAvroSize(List<ProtocolEvent> events, String registryUrl) {
        try (AvroSerializer<ProtocolEvent> serializer =
                     new AvroSerializer<>(SchemaRegistryClients.forUrl(registryUrl), true)) {
            int step = Math.max(1, events.size() / 10_000); // a sample spread over the whole run
            long bytes = 0;
            int n = 0;
            for (int i = 0; i < events.size(); i += step, n++) {
                bytes += serializer.serialize(EVENTS_TOPIC, events.get(i)).length;
            }
            return (int) Math.round((double) bytes / n);
        }
    }

    /**
     * Events/s of a scenario as a linear function of its transaction rate: {@code perSecond = fixed + perTx × tps}
     * (node and block events, then ~4 events per transaction), measured by simulating 10 s at two rates.
     */
    record RateModel(double fixedPerS, double perTx) {
        static RateModel calibrate(Scenario base) {
            Duration probe = Duration.ofSeconds(10);
            double idle = count(withTps(base, 0, probe)) / 10.0;
            double busy = count(withTps(base, 1000, probe)) / 10.0;
            return new RateModel(idle, (busy - idle) / 1000.0);
        }

        /** The base scenario with the transaction rate that makes {@code eventsPerS}, for {@code duration}. */
        Scenario sized(Scenario base, double eventsPerS, Duration duration) {
            double tps = Math.max(0, (eventsPerS - fixedPerS) / perTx);
            return withTps(base, tps, duration);
        }

        private static Scenario withTps(Scenario s, double tps, Duration duration) {
            return new Scenario(s.name(), s.chainId(), s.validators(), tps, s.blockInterval(), duration, s.seed(),
                    s.byzantineFraction(), s.faults());
        }

        private static long count(Scenario s) {
            long[] n = {0};
            new NetworkSimulator(s, 0).run(e -> n[0]++);
            return n[0];
        }
    }

    static Machine machine(double loadAtStart, double loadAtEnd) {
        String cpu = "unknown CPU";
        long memoryMb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memoryMb = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: keep what the JVM knows
        }
        String java = System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version");
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return new Machine(Runtime.getRuntime().availableProcessors(), cpu, memoryMb, java, os,
                List.of(loadAtStart, loadAtEnd));
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The in-process CPU measurement of {@code --kpi-costs}: {@link KpiCpuCosts.Options#defaults()}, or a smoke run
     * of it (30 s of events, 2 rounds after 1 warm-up) when the catch-ups are a smoke run too (under 100,000 events,
     * as {@code --quick}).
     */
    static KpiCpuCosts.Options cpuCostOptions(Options o) {
        KpiCpuCosts.Options d = KpiCpuCosts.Options.defaults();
        return o.events() >= 100_000 ? d
                : new KpiCpuCosts.Options(d.scenario(), d.nodes(), Duration.ofSeconds(30), 2, 1, d.stores());
    }

    /** The default run's sizes, or the quick smoke run's. */
    public static Options defaults(boolean quick, List<String> processorCommand, String command) {
        return quick
                ? new Options("high-load", 20_000, 100, 2_000, Duration.ofSeconds(15), 2_000, 1_000, processorCommand,
                        command)
                : new Options("high-load", 2_000_000, 100, 50_000, Duration.ofSeconds(60), 10_000, 5_000,
                        processorCommand, command);
    }
}
