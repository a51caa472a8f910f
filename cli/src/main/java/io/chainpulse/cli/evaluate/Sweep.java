package io.chainpulse.cli.evaluate;

import io.chainpulse.anomaly.AnomalyReplay;
import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The runs behind {@code ./chainpulse evaluate}: simulated networks with one fault each (every kind × its ladder ×
 * seeds × network sizes) and long healthy networks, each through the production KPI topology ({@link AnalyzeJob}) and
 * the production anomaly topology ({@link AnomalyReplay}) — what {@code analyze} runs, no broker. Each run is
 * deterministic for its seed; runs are independent and spread over {@code threads}.
 *
 * <pre>{@code
 * Sweep.Results results = Sweep.run(Sweep.Settings.defaults(), System.err::println);
 * Evaluation evaluation = Evaluation.of(results);
 * }</pre>
 */
public final class Sweep {
    /** Simulated time zero: a window boundary, so windows and seconds line up in reports. */
    public static final long START_MS = 1_753_784_500_000L;
    /** The KPI window ({@code window.size.ms}'s default): delays are counted in these. */
    public static final long WINDOW_MS = 10_000;
    /** The earliest onset: the detectors have had minutes of healthy windows to learn from. */
    static final Duration ONSET = Duration.ofSeconds(150);
    /** Windows after a fault's end in which a detection still counts: a fault ending mid-window is judged once more. */
    static final int LATE_WINDOWS = 1;
    /** The extra case of the issue: network throughput at half for three windows. */
    static final double DIP_MAGNITUDE = 0.5;
    static final Duration DIP_DURATION = Duration.ofSeconds(30);

    private Sweep() {}

    /**
     * @param sizes        network sizes (validators)
     * @param seeds        seeds per case and size: {@code firstSeed}, {@code firstSeed + 1}, …
     * @param tps          mean transaction arrival rate of every simulated network
     * @param faultDuration how long each fault lasts (a silence lasts its magnitude)
     * @param healthyHours length of the healthy run, one per size
     * @param targetsOnly  only each ladder's target step (and the three-window dip), as {@code --quick} does
     * @param kinds        the fault kinds to sweep
     * @param threads      runs at a time
     * @param detectorSettings {@code AnomalyConfig} keys for the anomaly topology (empty: the shipped defaults)
     */
    public record Settings(List<Integer> sizes, int seeds, long firstSeed, double tps, Duration faultDuration,
                           double healthyHours, boolean targetsOnly, Set<Fault.Kind> kinds, int threads,
                           Map<String, String> detectorSettings) {
        public Settings {
            sizes = List.copyOf(sizes);
            kinds = Set.copyOf(kinds);
            detectorSettings = Map.copyOf(detectorSettings);
            if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 4)) {
                throw new IllegalArgumentException("network sizes must be >= 4 validators (a peer comparison needs "
                        + "three healthy nodes): " + sizes);
            }
            if (seeds < 1) {
                throw new IllegalArgumentException("seeds must be >= 1: " + seeds);
            }
            if (tps <= 0) {
                throw new IllegalArgumentException("tps must be > 0: " + tps);
            }
            if (faultDuration.toMillis() < 3 * WINDOW_MS) {
                throw new IllegalArgumentException("fault duration must be >= 3 windows (30s): " + faultDuration);
            }
            if (healthyHours < 0) {
                throw new IllegalArgumentException("healthy hours must be >= 0: " + healthyHours);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1: " + threads);
            }
        }
    }

    /** One magnitude of one ladder; {@code target} marks the ladder's target step and the three-window dip. */
    public record Case(FaultLadder ladder, double magnitude, Duration duration, boolean target) {
        public String label() {
            String label = ladder.label(magnitude);
            return ladder.timed() ? label
                    : label + (duration.equals(DIP_DURATION) ? " for 3 windows" : "");
        }
    }

    /** One simulated network with one fault. */
    public record Trial(Case c, int nodes, long seed) {
        /** The faulty node: a different one per seed. */
        public String node() {
            return "v" + (1 + Math.floorMod(seed, nodes));
        }

        /** {@link #ONSET} plus a few seconds per seed, so faults start anywhere in a window. */
        public Duration onset() {
            return ONSET.plusSeconds(Math.floorMod(seed * 7, WINDOW_MS / 1000));
        }

        public Fault fault() {
            return c.ladder().fault(node(), onset(), c.duration(), c.magnitude());
        }

        Scenario scenario(double tps) {
            Fault fault = fault();
            Duration length = fault.end().plus(Duration.ofMillis((LATE_WINDOWS + 2) * WINDOW_MS));
            return new Scenario("evaluate", "simnet", nodes, tps, Duration.ofSeconds(1), length, seed, 0,
                    List.of(fault));
        }
    }

    /**
     * @param delayWindows windows from the onset's window to the window a right alert fired in; null when missed
     * @param firstRight   the first alert after the onset named the right node (or the network) and metric
     * @param otherAlerts  alerts during the fault that were not right (another node, scope or metric)
     */
    public record TrialResult(Trial trial, Integer delayWindows, boolean firstRight, int otherAlerts) {}

    /** A healthy network: every incident it raised is a false one. */
    public record HealthyResult(int nodes, long seed, double hours, List<Anomaly> incidents) {
        public double nodeHours() {
            return nodes * hours;
        }
    }

    public record Results(Settings settings, List<TrialResult> trials, List<HealthyResult> healthy) {}

    /** The cases of {@code settings}: each kind's ladder (or its target step), then the three-window dip. */
    public static List<Case> cases(Settings settings) {
        List<Case> cases = new ArrayList<>();
        for (FaultLadder ladder : FaultLadder.all()) {
            if (!settings.kinds().contains(ladder.kind())) {
                continue;
            }
            for (double magnitude : ladder.magnitudes()) {
                boolean target = magnitude == ladder.target();
                if (target || !settings.targetsOnly()) {
                    cases.add(new Case(ladder, magnitude, settings.faultDuration(), target));
                }
            }
            if (ladder.kind() == Fault.Kind.TPS_COLLAPSE) {
                cases.add(new Case(ladder, DIP_MAGNITUDE, DIP_DURATION, true));
            }
        }
        return cases;
    }

    public static Results run(Settings settings, Consumer<String> progress) throws IOException {
        List<Trial> trials = new ArrayList<>();
        for (Case c : cases(settings)) {
            for (int nodes : settings.sizes()) {
                for (long seed = settings.firstSeed(); seed < settings.firstSeed() + settings.seeds(); seed++) {
                    trials.add(new Trial(c, nodes, seed));
                }
            }
        }
        Path dir = Files.createTempDirectory("chainpulse-evaluate");
        ExecutorService pool = Executors.newFixedThreadPool(settings.threads());
        try {
            int total = trials.size() + (settings.healthyHours() > 0 ? settings.sizes().size() : 0);
            AtomicInteger done = new AtomicInteger();
            // the long healthy runs first, so they overlap with the many short ones
            List<Future<HealthyResult>> healthy = new ArrayList<>();
            if (settings.healthyHours() > 0) {
                for (int nodes : settings.sizes()) {
                    long seed = settings.firstSeed();
                    healthy.add(pool.submit(() -> {
                        HealthyResult result = healthy(settings, nodes, seed, dir);
                        progress.accept(String.format(java.util.Locale.ROOT, "[%d/%d] healthy, %d nodes, %.1f h: "
                                        + "%d incidents", done.incrementAndGet(), total, nodes, result.hours(),
                                result.incidents().size()));
                        return result;
                    }));
                }
            }
            List<Future<TrialResult>> results = new ArrayList<>();
            for (Trial trial : trials) {
                results.add(pool.submit(() -> {
                    TrialResult result = trial(settings, trial, dir);
                    progress.accept(String.format(java.util.Locale.ROOT, "[%d/%d] %s %s, %d nodes, seed %d: %s",
                            done.incrementAndGet(), total, trial.c().ladder().id(), trial.c().label(), trial.nodes(),
                            trial.seed(), result.delayWindows() == null ? "missed"
                                    : "caught after " + result.delayWindows() + " windows"));
                    return result;
                }));
            }
            return new Results(settings, collect(results), collect(healthy));
        } finally {
            pool.shutdownNow();
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static <T> List<T> collect(List<Future<T>> futures) throws IOException {
        List<T> out = new ArrayList<>();
        for (Future<T> future : futures) {
            try {
                out.add(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("evaluate was interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IllegalStateException("an evaluation run failed: " + e.getCause(), e.getCause());
            }
        }
        return out;
    }

    static TrialResult trial(Settings settings, Trial trial, Path dir) throws IOException {
        List<Anomaly> alerts = firings(analyse(trial.scenario(settings.tps()), settings, dir).anomalies());
        long onsetWindow = Math.floorDiv(trial.onset().toMillis(), WINDOW_MS) * WINDOW_MS;
        long until = trial.fault().end().toMillis() + LATE_WINDOWS * WINDOW_MS;
        FaultLadder ladder = trial.c().ladder();
        Integer delay = null;
        Boolean firstRight = null;
        int others = 0;
        for (Anomaly alert : alerts) {
            long window = alert.getWindowStartMs() - START_MS;
            if (window < onsetWindow || window >= until) {
                continue;
            }
            boolean right = (ladder.node() ? trial.node().equals(alert.getNodeId()) : alert.getNodeId() == null)
                    && ladder.metrics().contains(alert.getMetric());
            if (firstRight == null) {
                firstRight = right;
            }
            if (right && delay == null) {
                delay = (int) ((window - onsetWindow) / WINDOW_MS);
            } else if (!right) {
                others++;
            }
        }
        return new TrialResult(trial, delay, Boolean.TRUE.equals(firstRight), others);
    }

    static HealthyResult healthy(Settings settings, int nodes, long seed, Path dir) throws IOException {
        Duration length = Duration.ofMillis(Math.round(settings.healthyHours() * 3_600_000));
        Scenario scenario = new Scenario("evaluate-healthy", "simnet", nodes, settings.tps(), Duration.ofSeconds(1),
                length, seed, 0, List.of());
        Analysed analysed = analyse(scenario, settings, dir);
        List<KpiWindow> windows = analysed.windows();
        double hours = windows.isEmpty() ? 0 : (windows.stream().mapToLong(KpiWindow::getWindowEndMs).max().orElse(0)
                - windows.stream().mapToLong(KpiWindow::getWindowStartMs).min().orElse(0)) / 3_600_000.0;
        return new HealthyResult(nodes, seed, hours, firings(analysed.anomalies()));
    }

    private record Analysed(List<KpiWindow> windows, List<Anomaly> anomalies) {}

    /** The recording of {@code scenario} through both production topologies, as {@code analyze} runs them. */
    private static Analysed analyse(Scenario scenario, Settings settings, Path dir) throws IOException {
        Path events = Files.createTempFile(dir, "run-", ".jsonl");
        try {
            try (BufferedWriter writer = Files.newBufferedWriter(events)) {
                new NetworkSimulator(scenario, START_MS).run(e -> {
                    try {
                        writer.write(EventJson.write(e));
                        writer.newLine();
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
            }
            AnalyzeJob.Result result = AnalyzeJob.run(events, Map.of(), problem -> {
                throw new IllegalStateException("simulated events did not parse: " + problem);
            });
            List<KpiWindow> windows = result.completeWindows();
            return new Analysed(windows, AnomalyReplay.run(windows, settings.detectorSettings()));
        } finally {
            Files.deleteIfExists(events);
        }
    }

    /** Each incident once, at the window it fired in (a later FIRING of the same id is a change of severity). */
    static List<Anomaly> firings(List<Anomaly> transitions) {
        Set<String> seen = new HashSet<>();
        List<Anomaly> out = new ArrayList<>();
        for (Anomaly a : transitions) {
            if (a.getState() == AnomalyState.FIRING && seen.add(a.getAnomalyId())) {
                out.add(a);
            }
        }
        out.sort(Comparator.comparingLong(Anomaly::getWindowStartMs));
        return out;
    }
}
