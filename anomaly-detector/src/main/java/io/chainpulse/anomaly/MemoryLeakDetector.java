package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Kpi;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A node's memory that keeps growing: over its last {@code windows} windows of {@code rss_bytes} (and of
 * {@code heap_bytes}, where the node reports a heap), the least-squares line of the window means rises by at least
 * {@code minGrowthPct} of where it started, fits the points well (R² at least {@code minR2}), and rises significantly
 * against the scatter around it (the slope's t-statistic, one-sided, at {@code alpha} with windows − 2 degrees of
 * freedom), so a noisy series or a garbage-collected heap's saw-tooth does not count, only steady growth. A fixed R²
 * alone is a weaker test the shorter the horizon: at 6 windows, 1 in 125 windows of pure noise fits a rising line with
 * R² ≥ 0.8, and the simulator's healthy nodes were flagged; the significance test asks the same of every horizon. The description projects when memory runs
 * out at that rate, from the node's machine memory available (its latest {@code system_memory_available_bytes}: what
 * was available then, less the growth since); the
 * sooner, the more severe (CRITICAL within {@value #CRITICAL_MINUTES} minutes, HIGH within {@value #HIGH_MINUTES}).
 *
 * <pre>{@code
 * MemoryLeakDetector.Outcome out = leaks.evaluate(series.get("rss_bytes|v2"), rssWindowOfV2,
 *         new MemoryLeakDetector.Available(availableBytesOfV2, whenMs));
 * series.put("rss_bytes|v2", out.state());
 * out.verdict().ifPresent(verdicts::add);
 * }</pre>
 * Pure; the caller stores the state (at most {@code windows} points per node and metric).
 */
public final class MemoryLeakDetector {
    public static final String DETECTOR = "memory_leak";
    public static final String RULE = "memory_growth";
    /** The memory series judged: the process's resident memory and its heap. */
    static final List<String> METRICS = List.of(Kpi.RSS_BYTES.metric(), Kpi.HEAP_BYTES.metric());
    static final long CRITICAL_MINUTES = 15;
    static final long HIGH_MINUTES = 120;
    /** Clean windows before a memory incident resolves: the growth has to stop for a while, not for one window. */
    static final int RESOLVE_WINDOWS = 3;
    private static final double MIB = 1 << 20;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The significance the slope must reach by default: a false leak in 100,000 judged windows of pure noise. */
    public static final double DEFAULT_ALPHA = 1e-5;
    /**
     * The shortest horizon: below it the t-test has too few degrees of freedom for {@link #DEFAULT_ALPHA} to let any
     * real series through (at 4 windows a slope needs t ≥ 224, a near-perfect line).
     */
    public static final int MIN_WINDOWS = 5;

    /**
     * @param windows      windows the line is fitted over (the horizon: 18 × 10 s = 3 minutes)
     * @param minR2        fit the growth must show (1 = a straight line)
     * @param minGrowthPct rise of the fitted line over the horizon, as a percentage of its start
     * @param alpha        one-sided significance the slope must reach against the scatter around the line
     */
    public record Settings(int windows, double minR2, double minGrowthPct, double alpha) {
        public Settings {
            if (windows < MIN_WINDOWS) {
                throw new IllegalArgumentException("windows must be >= " + MIN_WINDOWS + " (a line through fewer"
                        + " window means cannot be told from noise): " + windows);
            }
            if (!(minR2 >= 0 && minR2 <= 1)) {
                throw new IllegalArgumentException("minR2 must be between 0 and 1: " + minR2);
            }
            if (!(minGrowthPct >= 0)) {
                throw new IllegalArgumentException("minGrowthPct must be >= 0: " + minGrowthPct);
            }
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be above 0 and at most 1: " + alpha);
            }
        }

        /** With the default significance ({@link #DEFAULT_ALPHA}). */
        public Settings(int windows, double minR2, double minGrowthPct) {
            this(windows, minR2, minGrowthPct, DEFAULT_ALPHA);
        }

        public static Settings defaults() {
            return new Settings(18, 0.8, 10, DEFAULT_ALPHA);
        }
    }

    /** The stored series of one node × metric: window starts and means, oldest first. */
    public record State(List<Long> windowStartsMs, List<Double> values) {
        public State {
            windowStartsMs = List.copyOf(windowStartsMs);
            values = List.copyOf(values);
        }
    }

    /**
     * The node's machine memory available ({@code system_memory_available_bytes}) at a time: the middle of the window
     * it is the mean of.
     */
    public record Available(double bytes, long atMs) {
        static Available of(double bytes, long windowStartMs, long windowEndMs) {
            return new Available(bytes, windowStartMs + (windowEndMs - windowStartMs) / 2);
        }
    }

    /** The state to store and the verdict, if the window was judged. */
    public record Outcome(State state, java.util.Optional<Verdict> verdict) {}

    private final Settings settings;

    public MemoryLeakDetector(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** true for a node window of {@code rss_bytes} or {@code heap_bytes}. */
    public boolean appliesTo(KpiWindow kpi) {
        return kpi.getScope() == KpiScope.node && kpi.getNodeId() != null && METRICS.contains(kpi.getMetric());
    }

    /**
     * @param state          the series so far, or null
     * @param kpi            a node window of a memory metric ({@link #appliesTo})
     * @param available      the node's latest machine memory available, or null when not known
     */
    public Outcome evaluate(State state, KpiWindow kpi, Available available) {
        Double value = kpi.getMean();
        long start = kpi.getWindowStartMs();
        if (value == null || value.isNaN()
                || (state != null && !state.windowStartsMs().isEmpty()
                && start <= state.windowStartsMs().get(state.windowStartsMs().size() - 1))) {
            return new Outcome(state, java.util.Optional.empty()); // a straggler: the series has moved on
        }
        List<Long> starts = new ArrayList<>(state == null ? List.of() : state.windowStartsMs());
        List<Double> values = new ArrayList<>(state == null ? List.of() : state.values());
        starts.add(start);
        values.add(value);
        while (starts.size() > settings.windows()) {
            starts.remove(0);
            values.remove(0);
        }
        State next = new State(starts, values);
        if (starts.size() < settings.windows()) {
            return new Outcome(next, java.util.Optional.empty());
        }
        return new Outcome(next, java.util.Optional.of(judge(kpi, starts, values, available)));
    }

    private Verdict judge(KpiWindow kpi, List<Long> starts, List<Double> values, Available available) {
        Fit fit = Fit.of(starts, values);
        IncidentKey key = new IncidentKey(DETECTOR, RULE, kpi.getMetric(), KpiScope.node, kpi.getNodeId());
        long windowStart = kpi.getWindowStartMs();
        long spanMs = starts.get(starts.size() - 1) - starts.get(0);
        double bytesPerMinute = fit.slopePerMs() * 60_000;
        double first = fit.at(starts.get(0));
        double growth = fit.slopePerMs() * spanMs;
        boolean breached = fit.slopePerMs() > 0 && fit.r2() >= settings.minR2() && first > 0
                && growth >= settings.minGrowthPct() / 100 * first && fit.slopeP() <= settings.alpha();
        if (!breached) {
            return Verdict.clean(key, windowStart, bytesPerMinute, 0.0, 1, RESOLVE_WINDOWS);
        }
        // a leak that began inside the horizon: its rise since then, not the line through the flat points before
        Onset onset = Onset.of(starts, values, fit);
        if (onset != null) {
            spanMs = starts.get(starts.size() - 1) - starts.get(onset.from());
            bytesPerMinute = onset.slopePerMs() * 60_000;
            growth = onset.slopePerMs() * spanMs;
        }
        double slopePerMs = onset == null ? fit.slopePerMs() : onset.slopePerMs();
        String node = kpi.getNodeId();
        String what = Metrics.human(kpi.getMetric());
        StringBuilder description = new StringBuilder(String.format(Locale.ROOT,
                "%s of %s grew %s in %s (+%s/min, fit R² %.2f over %d windows)", what, node, bytes(growth),
                duration(spanMs), bytes(bytesPerMinute), onset == null ? fit.r2() : onset.r2(), starts.size()));
        Severity severity = Severity.MEDIUM;
        if (available != null && available.bytes() > 0) {
            // memory runs out when the growth since the reading has eaten what was available then
            long exhaustedMs = available.atMs() + (long) (available.bytes() / slopePerMs);
            long endMs = kpi.getWindowEndMs();
            double minutes = Math.max(0, exhaustedMs - endMs) / 60_000.0;
            description.append(String.format(Locale.ROOT, "; at this rate the machine's %s of available memory runs"
                            + " out in %s (about %s)", bytes(available.bytes()), duration((long) (minutes * 60_000)),
                    CLOCK.format(Instant.ofEpochMilli(exhaustedMs))));
            severity = minutes <= CRITICAL_MINUTES ? Severity.CRITICAL
                    : minutes <= HIGH_MINUTES ? Severity.HIGH : Severity.MEDIUM;
        } else {
            description.append("; the machine's available memory is not known, so no time until it runs out");
        }
        List<String> actions = List.of(
                "Capture what holds the memory now, while it grows (a heap dump or allocation profile of " + node
                        + "'s process: jmap -dump / jcmd GC.heap_info, pprof, heaptrack)",
                "Plan a restart of " + node + " before its memory runs out (the kernel's OOM killer would stop it "
                        + "without warning), and check what changed: a recent upgrade, configuration, load or peers");
        return Verdict.breach(key, windowStart, severity, bytesPerMinute, 0.0, description.toString(), actions, 1,
                RESOLVE_WINDOWS);
    }

    /** {@code 1.2 GiB}, {@code 200 MiB}. */
    static String bytes(double bytes) {
        double mib = bytes / MIB;
        return mib >= 1024 ? String.format(Locale.ROOT, "%.1f GiB", mib / 1024)
                : String.format(Locale.ROOT, "%.0f MiB", mib);
    }

    /** {@code 45 s}, {@code 3 min}, {@code 2 h 05 min}. */
    static String duration(long ms) {
        long seconds = Math.round(ms / 1000.0);
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = Math.round(seconds / 60.0);
        return minutes < 120 ? minutes + " min" : String.format(Locale.ROOT, "%d h %02d min", minutes / 60, minutes % 60);
    }

    /**
     * Where a leak began inside the horizon: the series flat up to window {@code from}, then rising in a line (a hinge:
     * {@code y = a + b × max(0, t − t_from)}, least squares, {@code from} where it fits best). At the onset of a leak
     * the single line through the flat points and the rising ones runs low — half the slope, twice the time left —
     * so the projection takes the hinge's slope instead, but only when the hinge explains the points significantly
     * better than the line: its one extra segment's F-test ({@code F(1, n − 3)}, the square of Student's t) at
     * {@link #ONSET_ALPHA}, and a steeper rise than the line's. A leak that grows steadily over the whole horizon keeps
     * the line (from window 0, the hinge is the line). Whether a leak is flagged at all is the line's decision alone.
     *
     * @param from        the first window of the rise (its start is where the hinge bends)
     * @param slopePerMs  the rise's slope
     * @param r2          the hinge's fit
     */
    record Onset(int from, double slopePerMs, double r2) {
        /** The chance, for a steady leak, that a hinge fits so much better than the line by chance. */
        static final double ONSET_ALPHA = 1e-3;

        /** The hinge that fits best, or null when it is not significantly better than {@code line}. */
        static Onset of(List<Long> starts, List<Double> values, Fit line) {
            int n = starts.size();
            double meanY = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double syy = 0;
            for (double y : values) {
                syy += (y - meanY) * (y - meanY);
            }
            double lineResidual = Math.max(0, syy * (1 - line.r2()));
            Onset best = null;
            double bestResidual = lineResidual;
            for (int from = 1; from <= n - 3; from++) { // at least three points on the rise
                long bend = starts.get(from);
                double meanX = 0;
                for (long t : starts) {
                    meanX += Math.max(0, t - bend);
                }
                meanX /= n;
                double sxx = 0;
                double sxy = 0;
                for (int i = 0; i < n; i++) {
                    double dx = Math.max(0, starts.get(i) - bend) - meanX;
                    sxx += dx * dx;
                    sxy += dx * (values.get(i) - meanY);
                }
                double slope = sxy / sxx;
                double residual = Math.max(0, syy - slope * sxy);
                if (residual < bestResidual) {
                    bestResidual = residual;
                    best = new Onset(from, slope, syy == 0 ? 0 : 1 - residual / syy);
                }
            }
            if (best == null || n < 4 || !(best.slopePerMs() > line.slopePerMs())) {
                return null;
            }
            double p = bestResidual == 0 ? 0
                    : 2 * StudentT.upperTail(Math.sqrt((lineResidual - bestResidual) / (bestResidual / (n - 3))), n - 3);
            return p < ONSET_ALPHA ? best : null;
        }
    }

    /**
     * Least-squares line through (window start, value), its R², and the one-sided p-value of its slope: how likely a
     * slope this steep is from points scattered as these are around a flat line (Student's t, n − 2 degrees of
     * freedom; 0 for a perfect line).
     */
    record Fit(double slopePerMs, double intercept, double r2, long originMs, double slopeP) {
        static Fit of(List<Long> starts, List<Double> values) {
            int n = starts.size();
            long origin = starts.get(0);
            double meanX = 0;
            double meanY = 0;
            for (int i = 0; i < n; i++) {
                meanX += starts.get(i) - origin;
                meanY += values.get(i);
            }
            meanX /= n;
            meanY /= n;
            double sxx = 0;
            double sxy = 0;
            double syy = 0;
            for (int i = 0; i < n; i++) {
                double dx = starts.get(i) - origin - meanX;
                double dy = values.get(i) - meanY;
                sxx += dx * dx;
                sxy += dx * dy;
                syy += dy * dy;
            }
            if (sxx == 0 || syy == 0) {
                return new Fit(0, meanY, 0, origin, 1); // one window repeated, or a flat series: no growth to fit
            }
            double slope = sxy / sxx;
            double r2 = sxy * sxy / (sxx * syy);
            double residual = Math.max(0, syy - slope * sxy); // the squares left around the line
            double p = n < 3 ? 1 : residual == 0 ? (slope > 0 ? 0 : 1)
                    : StudentT.upperTail(slope / Math.sqrt(residual / (n - 2) / sxx), n - 2);
            return new Fit(slope, meanY - slope * meanX, r2, origin, p);
        }

        double at(long ms) {
            return intercept + slopePerMs * (ms - originMs);
        }
    }
}
