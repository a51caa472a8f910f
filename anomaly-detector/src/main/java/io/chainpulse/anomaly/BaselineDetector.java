package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Learned baseline per node (or network) and metric, an exponentially weighted mean and variance.
 *
 * <p><b>Latency KPIs</b>, both scopes (node: p95; network: p50, because "the typical node got slower" is the
 * network-wide signal and one slow node already moves the network p95): a window more than k standard deviations
 * above the mean (k per severity) and at least {@code minRelativeChange} of the mean above it, so that near-constant
 * series with a tiny variance do not fire on noise. A latency falling is not an operator's problem.
 *
 * <p>At node scope a latency's p95 rests on a window's few samples — of ten, it is the second largest — so two slow
 * samples make it look like a shift, against a σ learned from a couple of dozen windows: on healthy simulated networks
 * this alone raised 13 false incidents in 132 node-hours. Where the window carries its samples (its sketch), a p95
 * breach therefore counts only when at least {@code minShareAbove} of them lie above the baseline's mean: a node
 * whose latency moved has most of its samples above its typical p95 (blocks 200 ms late: all of them; a validator 1.5×
 * slower: about half of its consensus validations), a healthy node's one or two slow samples are not its window.
 *
 * <p><b>Ratio KPIs</b> (failure percentages) are judged like latencies, on the window's mean (their samples are 0
 * or 100, so only the mean is the ratio), at both scopes, and only when more than
 * {@link io.chainpulse.schema.catalog.KpiKind#RATIO_NOISE_POINTS} percentage points above the baseline: a few failures more in a window is noise.
 * A failure ratio is flagged only when its failed samples are significant at the series' learned share
 * ({@link FailureGate}: {@code P(X ≥ failed | samples, learned share) < alpha}, the share floored).
 *
 * <p><b>Rate KPIs</b> (TPS, transaction ingress), both scopes: a window below {@code 1 − rateDrop} of the mean
 * that is also at least kMedium standard deviations below it (a quiet node's rate is noisy: a drop must be real),
 * severity by depth — MEDIUM, HIGH at or below {@code rateHighRatio} of the mean, CRITICAL at or below
 * {@code rateCriticalRatio}. A node's rate is flagged only when it fell further than the network's did in its latest
 * window ({@code rateDrop} further, relatively): a network-wide drop raises one network incident, not one per node.
 *
 * <p>Robust to outliers: a flagged value never enters the baseline, and during warm-up values are clamped to
 * mean ± kMedium·σ once a few samples exist, so one wild window cannot widen the band for the next hour. Incidents
 * fire after {@code fireAfter} consecutive flagged windows and resolve after {@code resolveAfter} clean ones.
 *
 * <pre>{@code
 * BaselineDetector baseline = new BaselineDetector(BaselineDetector.Settings.defaults());
 * BaselineDetector.Outcome out = baseline.evaluate(store.get(key), window, store.get(networkKey));
 * }</pre>
 */
public final class BaselineDetector {
    public static final String DETECTOR = "baseline";
    /** Samples before clamping starts during warm-up; fewer give no usable σ. */
    private static final int CLAMP_AFTER = 5;

    /**
     * Tunables; see {@link AnomalyConfig} for their documentation.
     *
     * @param rates how far a rate must fall, and the depths of HIGH and CRITICAL
     */
    public record Settings(double alpha, int warmupWindows, double kMedium, double kHigh, double kCritical,
                           double minRelativeChange, int fireAfter, int resolveAfter, RateDrop rates,
                           double minShareAbove) {
        /** The share of a node's window samples above its p95 baseline a breach needs, by default. */
        public static final double DEFAULT_MIN_SHARE_ABOVE = 0.5;

        public Settings {
            if (!(minShareAbove >= 0 && minShareAbove <= 1)) {
                throw new IllegalArgumentException("minShareAbove must be in [0, 1]: " + minShareAbove);
            }
        }

        /** Settings with the default {@link #minShareAbove}. */
        public Settings(double alpha, int warmupWindows, double kMedium, double kHigh, double kCritical,
                        double minRelativeChange, int fireAfter, int resolveAfter, RateDrop rates) {
            this(alpha, warmupWindows, kMedium, kHigh, kCritical, minRelativeChange, fireAfter, resolveAfter, rates,
                    DEFAULT_MIN_SHARE_ABOVE);
        }

        /** Settings with the default {@link RateDrop}. */
        public Settings(double alpha, int warmupWindows, double kMedium, double kHigh, double kCritical,
                        double minRelativeChange, int fireAfter, int resolveAfter) {
            this(alpha, warmupWindows, kMedium, kHigh, kCritical, minRelativeChange, fireAfter, resolveAfter,
                    RateDrop.defaults());
        }

        public static Settings defaults() {
            return new Settings(0.1, 12, 4, 6, 10, 0.25, 2, 3, RateDrop.defaults(), DEFAULT_MIN_SHARE_ABOVE);
        }
    }

    /**
     * When a rate counts as fallen: below {@code 1 − drop} of its baseline; HIGH at or below {@code highRatio} of it,
     * CRITICAL at or below {@code criticalRatio}.
     */
    public record RateDrop(double drop, double highRatio, double criticalRatio) {
        public RateDrop {
            if (!(drop > 0 && drop < 1)) {
                throw new IllegalArgumentException("drop must be in (0, 1): " + drop);
            }
            if (!(criticalRatio >= 0 && criticalRatio <= highRatio && highRatio <= 1 - drop)) {
                throw new IllegalArgumentException("0 <= criticalRatio <= highRatio <= 1 - drop must hold: "
                        + criticalRatio + ", " + highRatio + ", " + (1 - drop));
            }
        }

        public static RateDrop defaults() {
            return new RateDrop(0.25, 0.5, 0.25);
        }
    }

    /** The next state to store and the verdict (empty when the window is not judged: warm-up or no value). */
    public record Outcome(BaselineState state, Optional<Verdict> verdict) {}

    private final Settings settings;
    private final FailureGate gate;

    public BaselineDetector(Settings settings) {
        this(settings, FailureGate.defaults());
    }

    /** @param gate when a failure ratio above its learned share is evidence rather than noise */
    public BaselineDetector(Settings settings, FailureGate gate) {
        this.settings = settings;
        this.gate = gate;
    }

    /** true when this detector judges {@code window}'s metric at its scope: a catalog KPI, rules-only KPIs aside. */
    public static boolean appliesTo(KpiWindow window) {
        return Metrics.learned(window.getMetric());
    }

    static Statistic statistic(KpiWindow window) {
        if (Metrics.learnedStatistic(window.getMetric()) == Statistic.MEAN) {
            return Statistic.MEAN; // a ratio: the window's mean is the percentage
        }
        return Metrics.isRate(window.getMetric()) ? Statistic.RATE
                : window.getScope() == KpiScope.network ? Statistic.P50 : Statistic.P95;
    }

    /** {@link #evaluate(BaselineState, KpiWindow, BaselineState)} without the network's state. */
    public Outcome evaluate(BaselineState state, KpiWindow window) {
        return evaluate(state, window, null);
    }

    /**
     * @param state   this series' state, null for its first window
     * @param network the state of the same metric at network scope (null when unknown): a node's rate is judged
     *                against the network's latest drop
     */
    public Outcome evaluate(BaselineState state, KpiWindow window, BaselineState network) {
        Statistic statistic = statistic(window);
        Optional<Double> sample = appliesTo(window) ? statistic.of(window) : Optional.empty();
        if (sample.isEmpty()) {
            return new Outcome(state, Optional.empty());
        }
        double value = sample.get();
        if (state == null) {
            return new Outcome(new BaselineState(1, value, 0), Optional.empty());
        }
        double sigma = Math.sqrt(state.variance());
        if (state.count() < settings.warmupWindows()) {
            return new Outcome(warmUp(state, value, sigma), Optional.empty());
        }
        String metric = window.getMetric();
        boolean rate = Metrics.isRate(metric);
        // a drop is the breach for a rate and for a distribution whose lower values are worse (participation)
        boolean lowerIsWorse = rate || !Metrics.higherIsWorse(metric);
        double deviation = lowerIsWorse ? state.mean() - value : value - state.mean();
        double z = sigma > 0 ? deviation / sigma : (deviation > 0 ? Double.POSITIVE_INFINITY : 0);
        double ratio = ratio(value, state.mean());
        Severity severity = rate ? rateSeverity(z, ratio, window, network)
                : Metrics.risesEnough(metric, deviation) && evidence(window, state) && moved(window, statistic, state)
                ? latencySeverity(z, deviation, state) : null;
        IncidentKey key = new IncidentKey(DETECTOR, "ewma_" + statistic.label(), metric, window.getScope(),
                window.getNodeId());
        if (severity == null) {
            return new Outcome(update(state, value, ratio), Optional.of(Verdict.clean(key, window.getWindowStartMs(),
                    value, state.mean(), settings.fireAfter(), settings.resolveAfter())));
        }
        String sigmas = Double.isInfinite(z) ? "∞" : Metrics.number(z);
        String description = rate
                ? String.format(Locale.ROOT, "%s %s %s, %.0f%% of its baseline of %s (%s σ below)",
                        Metrics.label(metric, statistic), Metrics.format(metric, value), key.where(), 100 * ratio,
                        Metrics.format(metric, state.mean()), sigmas)
                : String.format(Locale.ROOT, "%s %s %s, %s σ %s its baseline of %s",
                        Metrics.label(metric, statistic), Metrics.format(metric, value), key.where(), sigmas,
                        lowerIsWorse ? "below" : "above", Metrics.format(metric, state.mean()));
        List<String> actions = Metrics.isRatio(metric) && !lowerIsWorse
                ? List.of("Compare with the node's peers: if only this node fails more, check its logs for what it "
                        + "rejects, its configuration and software version; if all do, check recent upgrades and the "
                        + "failing transactions or blocks")
                : !rate
                ? List.of("Compare with the node's peers: if only this node is slower, check its CPU, disk and "
                        + "network; if all are, check recent deployments and load")
                : window.getScope() == KpiScope.network
                ? List.of("Check block production and transaction intake; a drop on the whole network often "
                        + "means a stalled leader or an upstream outage")
                : List.of("Only " + window.getNodeId() + " lost throughput: check its RPC endpoint, peer "
                        + "connections and whether it is syncing");
        // The flagged value stays out of the baseline: an incident must not teach the detector that it is normal.
        // Its ratio is kept, so the nodes of a network that dropped are judged against that drop.
        BaselineState kept = new BaselineState(state.count(), state.mean(), state.variance(), ratio);
        return new Outcome(kept, Optional.of(Verdict.breach(key, window.getWindowStartMs(), severity, value,
                state.mean(), description, actions, settings.fireAfter(), settings.resolveAfter())));
    }

    /**
     * A failure ratio's failed samples are significant at the learned share; another ratio (participation, leader
     * share) rests on at least {@link Metrics#MIN_FAILED_SAMPLES} counted samples; anything else is evidence.
     */
    private boolean evidence(KpiWindow window, BaselineState state) {
        return FailureGate.gates(window.getMetric()) ? gate.significant(window, state.mean())
                : Metrics.enoughFailures(window);
    }

    /**
     * A node's p95 with its samples known: at least {@link Settings#minShareAbove} of them above the baseline's mean;
     * anything else (another statistic or scope, a window without a sketch) passes.
     */
    private boolean moved(KpiWindow window, Statistic statistic, BaselineState state) {
        if (statistic != Statistic.P95 || window.getScope() != KpiScope.node || window.getSketch() == null) {
            return true;
        }
        com.datadoghq.sketch.ddsketch.DDSketch samples = TailGate.decode(window.getSketch());
        double count = samples.getCount();
        return count == 0 || TailGate.above(samples, state.mean()) >= settings.minShareAbove() * count;
    }

    private Severity latencySeverity(double z, double deviation, BaselineState state) {
        Severity severity = z >= settings.kCritical() ? Severity.CRITICAL
                : z >= settings.kHigh() ? Severity.HIGH
                : z >= settings.kMedium() ? Severity.MEDIUM : null;
        return severity != null && deviation >= settings.minRelativeChange() * Math.abs(state.mean()) ? severity : null;
    }

    private Severity rateSeverity(double z, double ratio, KpiWindow window, BaselineState network) {
        RateDrop rates = settings.rates();
        if (z < settings.kMedium() || ratio > 1 - rates.drop()) {
            return null;
        }
        if (window.getScope() == KpiScope.node && network != null && network.lastRatio() != null
                && ratio > network.lastRatio() * (1 - rates.drop())) {
            return null; // the whole network fell about as far: the network's incident, not this node's
        }
        return ratio <= rates.criticalRatio() ? Severity.CRITICAL
                : ratio <= rates.highRatio() ? Severity.HIGH : Severity.MEDIUM;
    }

    private static double ratio(double value, double mean) {
        return mean > 0 ? value / mean : 1;
    }

    private BaselineState warmUp(BaselineState state, double value, double sigma) {
        double x = value;
        if (state.count() >= CLAMP_AFTER && sigma > 0) {
            double band = settings.kMedium() * sigma;
            x = Math.max(state.mean() - band, Math.min(state.mean() + band, value));
        }
        // Welford's cumulative mean and (population) variance: exact for the warm-up sample.
        long n = state.count() + 1;
        double delta = x - state.mean();
        double mean = state.mean() + delta / n;
        double m2 = state.variance() * state.count() + delta * (x - mean);
        return new BaselineState(n, mean, m2 / n, ratio(value, state.mean()));
    }

    private BaselineState update(BaselineState state, double value, double ratio) {
        double alpha = settings.alpha();
        double diff = value - state.mean();
        double increment = alpha * diff;
        return new BaselineState(state.count() + 1, state.mean() + increment,
                (1 - alpha) * (state.variance() + diff * increment), ratio);
    }
}
