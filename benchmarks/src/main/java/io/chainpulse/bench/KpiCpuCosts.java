package io.chainpulse.bench;

import io.chainpulse.processor.FlushEvents;
import io.chainpulse.processor.KpiContext;
import io.chainpulse.processor.KpiTopology;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.processor.ProcessorCounters;
import io.chainpulse.processor.RecordingClock;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * What each KPI costs in CPU, measured in process without a broker: the production KPI topology
 * ({@link KpiTopology}, as {@code analyze} runs it, with in-memory stores: see {@link Options#defaults()}) in a
 * {@link TopologyTestDriver}, fed the same recorded events — the simulator's, generated once, deterministic — with
 * the original eight KPIs, the eight + each newer KPI (grouped as {@link KpiCosts#ADDED}: a new catalog KPI appears by
 * itself) and all KPIs. The time is the CPU time of the thread that pipes the events (the topology runs on it),
 * from the first event to the last window flushed; building the topology and opening its stores are left out.
 *
 * <p>Trials are interleaved: each round runs every configuration once, in an order rotated by one each round, after
 * {@code warmUpRounds} rounds that are not counted (JIT). A KPI's cost is paired within each round — (eight + X) −
 * eight of the same round, in ns/event, and (eight + X) / eight − 1 in % — so the machine's drift between rounds cancels;
 * the interval is the mean's 95 % confidence interval over the rounds (Student's t).
 *
 * <pre>{@code
 * KpiCpuCosts.Result r = KpiCpuCosts.measure(KpiCpuCosts.Options.defaults());
 * System.out.print(KpiCpuCosts.markdown(r));
 * }</pre>
 *
 * <p>Alone: {@code java -cp benchmarks.jar io.chainpulse.bench.KpiCpuCosts [scenario=baseline] [nodes=4]
 * [seconds=120] [rounds=8] [warmUps=2] [stores=in_memory]}.
 */
public final class KpiCpuCosts {
    /** Event time of the recording's start: fixed, so the events are the same in every run. */
    static final long START_MS = 1_767_225_600_000L;
    static final String EIGHT = "eight";
    static final String ALL = "all KPIs";

    private KpiCpuCosts() {}

    /**
     * @param scenario built-in scenario or YAML file, run with {@code nodes} validators for {@code duration}
     * @param stores the processor's {@code state.stores}: rocksdb (the service) or in_memory ({@code analyze})
     */
    public record Options(String scenario, int nodes, Duration duration, int rounds, int warmUpRounds, String stores) {
        public Options {
            List<String> problems = new ArrayList<>();
            if (nodes < 1) {
                problems.add("nodes must be >= 1: " + nodes);
            }
            if (duration.toSeconds() < 10) {
                problems.add("seconds must be >= 10: " + duration.toSeconds());
            }
            if (rounds < 2) {
                problems.add("rounds must be >= 2 (a confidence interval needs two): " + rounds);
            }
            if (warmUpRounds < 0) {
                problems.add("warmUps must be >= 0: " + warmUpRounds);
            }
            if (!stores.equals("rocksdb") && !stores.equals("in_memory")) {
                problems.add("stores must be rocksdb or in_memory: " + stores);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }

        /**
         * 2 minutes of the 4-node baseline network, 8 counted rounds after 2 warm-up rounds, in-memory stores: the
         * driver commits — flushing every store — after each record, which for RocksDB stores is a memtable flush per
         * record per store (~0.25 ms an event), not what the service pays.
         */
        public static Options defaults() {
            return new Options("baseline", 4, Duration.ofMinutes(2), 8, 2, "in_memory");
        }
    }

    /**
     * One configuration's figures, over the counted rounds. Intervals are half-widths of the 95 % confidence interval
     * (NaN: not applicable — the eight against itself).
     *
     * @param cpuNsPerEvent CPU ns of the piping thread per event, mean over the rounds
     * @param overEightNs (this − the eight of the same round), ns/event
     * @param overEightPct (this / the eight of the same round − 1) × 100
     */
    public record Cost(String configuration, List<String> kpis, double cpuNsPerEvent, double cpuNsPerEventCi,
                       double overEightNs, double overEightNsCi, double overEightPct, double overEightPctCi) {
        public Cost {
            kpis = List.copyOf(kpis);
        }
    }

    /** A measurement: what was fed, how often, and a {@link Cost} per configuration (the eight first, all last). */
    public record Result(String scenario, int nodes, long events, long resourceSamples, int rounds, int warmUpRounds,
                         String stores, List<Cost> costs) {
        public Result {
            costs = List.copyOf(costs);
        }
    }

    /** A configuration: its label and KPIs. */
    record Configuration(String name, List<Kpi> kpis) {}

    /** The eight, the eight + each of {@link KpiCosts#ADDED}, all KPIs: labels as {@code --kpi-costs}' catch-ups. */
    static List<Configuration> configurations() {
        List<Configuration> all = new ArrayList<>();
        all.add(new Configuration(EIGHT, KpiCosts.EIGHT));
        for (List<Kpi> added : KpiCosts.ADDED) {
            all.add(new Configuration("eight + " + KpiCosts.label(added),
                    Stream.concat(KpiCosts.EIGHT.stream(), added.stream()).toList()));
        }
        all.add(new Configuration(ALL, List.of(Kpi.values())));
        return all;
    }

    /** The recorded events and resource samples every trial is fed. */
    record Recording(List<ProtocolEvent> events, List<NodeResourceSample> samples, long lastMs) {}

    static Recording record(Options o) throws IOException {
        Scenario base = BenchRun.scenario(o.scenario(), o.nodes()).withDuration(o.duration());
        List<ProtocolEvent> events = new ArrayList<>();
        List<NodeResourceSample> samples = new ArrayList<>();
        new NetworkSimulator(base, START_MS).run(events::add, samples::add);
        long last = Long.MIN_VALUE;
        for (ProtocolEvent e : events) {
            last = Math.max(last, Math.floorDiv(e.getTimestampNs(), 1_000_000L));
        }
        for (NodeResourceSample s : samples) {
            last = Math.max(last, Math.floorDiv(s.getTimestampNs(), 1_000_000L));
        }
        return new Recording(List.copyOf(events), List.copyOf(samples), last);
    }

    /** Runs every round and returns the costs. Progress goes to standard output. */
    public static Result measure(Options o) throws Exception {
        Recording recording = record(o);
        List<Configuration> configurations = configurations();
        int n = configurations.size();
        double[][] nsPerEvent = new double[n][o.rounds()];
        System.out.printf("kpi cpu costs: %,d events and %,d resource samples (%s, %d nodes, %d s), %d configurations, "
                        + "%d warm-up + %d counted rounds, %s stores%n", recording.events().size(),
                recording.samples().size(), o.scenario(), o.nodes(), o.duration().toSeconds(), n, o.warmUpRounds(),
                o.rounds(), o.stores());
        for (int round = 0; round < o.warmUpRounds() + o.rounds(); round++) {
            boolean counted = round >= o.warmUpRounds();
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < n; k++) {
                int c = (k + round) % n; // rotated: no configuration always runs first or after the same one
                Configuration configuration = configurations.get(c);
                double ns = trial(configuration, recording, o.stores()) / (double) recording.events().size();
                if (counted) {
                    nsPerEvent[c][round - o.warmUpRounds()] = ns;
                }
                if (configuration.name().equals(EIGHT) || configuration.name().equals(ALL)) {
                    line.append(String.format(Locale.ROOT, " %s %,.0f ns/event;", configuration.name(), ns));
                }
            }
            System.out.printf("kpi cpu costs: round %d%s:%s%n", round + 1, counted ? "" : " (warm-up)", line);
        }
        List<Cost> costs = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            costs.add(cost(configurations.get(c), nsPerEvent[c], nsPerEvent[0]));
        }
        return new Result(o.scenario(), o.nodes(), recording.events().size(), recording.samples().size(), o.rounds(),
                o.warmUpRounds(), o.stores(), costs);
    }

    /** A configuration's costs from its per-round ns/event and the eight's of the same rounds. */
    static Cost cost(Configuration configuration, double[] ns, double[] eight) {
        Stats.Interval own = Stats.mean(ns);
        List<String> metrics = configuration.kpis().stream().map(Kpi::metric).toList();
        if (configuration.kpis().equals(KpiCosts.EIGHT)) {
            return new Cost(configuration.name(), metrics, own.mean(), own.halfWidth(), Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN);
        }
        double[] diff = new double[ns.length];
        double[] pct = new double[ns.length];
        for (int r = 0; r < ns.length; r++) {
            diff[r] = ns[r] - eight[r];
            pct[r] = (ns[r] / eight[r] - 1) * 100;
        }
        Stats.Interval d = Stats.mean(diff);
        Stats.Interval p = Stats.mean(pct);
        return new Cost(configuration.name(), metrics, own.mean(), own.halfWidth(), d.mean(), d.halfWidth(), p.mean(),
                p.halfWidth());
    }

    /**
     * One trial: a new driver with {@code configuration}'s topology, the recording piped through it as
     * {@code analyze} does (events {@value RecordingClock#LOOKAHEAD} ahead on the recording clock, resource samples
     * after them when a resource KPI is selected, then the flush that closes every window); returns the piping
     * thread's CPU ns.
     */
    static long trial(Configuration configuration, Recording recording, String stores) throws Exception {
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://kpi-cpu-costs-" + UUID.randomUUID());
        values.put(ProcessorConfig.STATE_STORES, stores);
        values.put(ProcessorConfig.KPIS, String.join(",", configuration.kpis().stream().map(Kpi::metric).toList()));
        ProcessorConfig config = new ProcessorConfig(values);
        RecordingClock clock = new RecordingClock();
        KpiContext ctx = KpiContext.of(config, new ProcessorCounters(), 1).withReferenceClock(clock);
        Path state = Files.createTempDirectory("chainpulse-kpi-cpu-");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "chainpulse-kpi-cpu-costs");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "kpi-cpu-costs.invalid:9092");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean resources = KpiTopology.readsResources(config);
        Set<String> produced = new TreeSet<>();
        long cpu;
        try (TopologyTestDriver driver = new TopologyTestDriver(KpiTopology.build(ctx), props)) {
            TestInputTopic<String, ProtocolEvent> in = driver.createInputTopic(ctx.events().name(),
                    Serdes.String().serializer(), ctx.events().valueSerde().serializer());
            TestInputTopic<String, NodeResourceSample> samples = resources
                    ? driver.createInputTopic(ctx.resources().name(), Serdes.String().serializer(),
                            ctx.resources().valueSerde().serializer()) : null;
            TestOutputTopic<String, KpiWindow> out = driver.createOutputTopic(ctx.kpis().name(),
                    Serdes.String().deserializer(), ctx.kpis().valueSerde().deserializer());
            List<ProtocolEvent> events = recording.events();
            int ahead = Math.min(RecordingClock.LOOKAHEAD, events.size());
            long started = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < ahead; i++) {
                clock.observe(events.get(i));
            }
            for (int i = 0; i < events.size(); i++) {
                if (i + ahead < events.size()) {
                    clock.observe(events.get(i + ahead));
                }
                ProtocolEvent event = events.get(i);
                in.pipeInput(event.getNodeId(), event);
            }
            if (resources) {
                for (NodeResourceSample sample : recording.samples()) {
                    samples.pipeInput(sample.getNodeId(), sample);
                }
            }
            clock.unbounded();
            FlushEvents flush = new FlushEvents(recording.lastMs(), config, ctx);
            for (int round = 0; round < FlushEvents.ROUNDS; round++) {
                for (ProtocolEvent e : flush.round(round)) {
                    in.pipeInput(e.getNodeId(), e);
                }
                if (resources) {
                    NodeResourceSample sample = flush.sample(round);
                    samples.pipeInput(sample.getNodeId(), sample);
                }
            }
            cpu = threads.getCurrentThreadCpuTime() - started;
            for (KpiWindow k : out.readValuesToList()) {
                produced.add(k.getMetric());
            }
        } finally {
            TempDirs.delete(state);
        }
        // what was timed computed what it was meant to: the selected KPIs, no other
        Set<String> selected = new TreeSet<>(configuration.kpis().stream().map(Kpi::metric).toList());
        if (!selected.containsAll(produced) || produced.size() < Math.min(selected.size(), KpiCosts.EIGHT.size())) {
            throw new IllegalStateException(configuration.name() + ": the topology produced " + produced
                    + " for the selection " + selected);
        }
        return cpu;
    }

    /** The costs as a markdown table with a line on how they were measured. */
    static String markdown(Result r) {
        StringBuilder md = new StringBuilder();
        md.append("| configuration | CPU ns/event | over the eight, ns/event | over the eight, % |\n"
                + "|---|---:|---:|---:|\n");
        for (Cost c : r.costs()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", c.configuration(),
                    interval(c.cpuNsPerEvent(), c.cpuNsPerEventCi(), 0), interval(c.overEightNs(), c.overEightNsCi(), 0),
                    interval(c.overEightPct(), c.overEightPctCi(), 1)));
        }
        md.append(String.format(Locale.ROOT, "%nIn process, no broker: the production KPI topology (%s "
                + "stores) in a TopologyTestDriver, fed the same %,d events and %,d resource samples (scenario `%s`, "
                + "%d nodes); CPU time of the thread running it, per event, from the first event to the last window "
                + "flushed. %d rounds, each configuration once per round in a rotated order, after %d warm-up rounds; "
                + "± is the 95 %% confidence interval of the mean over the rounds, the costs paired with the eight of "
                + "the same round. The driver runs the topology as one task and commits after every record, flushing "
                + "every selected store: the absolute figures are above the service's, and a store-heavy KPI's cost "
                + "is an upper bound; compare them with one another.%n", r.stores(), r.events(), r.resourceSamples(), r.scenario(), r.nodes(),
                r.rounds(), r.warmUpRounds()));
        return md.toString();
    }

    private static String interval(double mean, double halfWidth, int digits) {
        if (Double.isNaN(mean)) {
            return "(baseline)";
        }
        String format = "%,." + digits + "f ± %,." + digits + "f";
        return String.format(Locale.ROOT, format, mean, halfWidth);
    }

    /** {@code [scenario=baseline] [nodes=4] [seconds=120] [rounds=8] [warmUps=2] [stores=in_memory]} */
    public static void main(String[] args) throws Exception {
        Options d = Options.defaults();
        Options o = new Options(args.length > 0 ? args[0] : d.scenario(),
                args.length > 1 ? Integer.parseInt(args[1]) : d.nodes(),
                args.length > 2 ? Duration.ofSeconds(Long.parseLong(args[2])) : d.duration(),
                args.length > 3 ? Integer.parseInt(args[3]) : d.rounds(),
                args.length > 4 ? Integer.parseInt(args[4]) : d.warmUpRounds(),
                args.length > 5 ? args[5] : d.stores());
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Result r = measure(o);
        System.out.printf("%n%s%n1-minute load average %.2f at the start, %.2f at the end.%n", markdown(r), load,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
