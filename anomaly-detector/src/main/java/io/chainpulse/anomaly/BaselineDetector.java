package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Learned baseline per node (or network) and metric: flags a window whose value lies more than k standard deviations
 * on the bad side of an exponentially weighted mean (k per severity), and at least {@code minRelativeChange} of the
 * mean away so that near-constant series with a tiny variance do not fire on noise.
 *
 * <p>Robust to outliers: a flagged value never enters the baseline, and during warm-up values are clamped to
 * mean ± kMedium·σ once a few samples exist, so one wild window cannot widen the band for the next hour.
 *
 * <p>Applies to latency KPIs at both scopes (node: p95; network: p50, because "the typical node got slower" is the
 * network-wide signal and one slow node already moves the network p95) and to rate KPIs at network scope only — a
 * single node's throughput is compared with its peers by {@link PeerOutlierDetector}, and a network-wide drop
 * should raise one network incident, not one per node.
 *
 * <pre>{@code
 * BaselineDetector baseline = new BaselineDetector(BaselineDetector.Settings.defaults());
 * BaselineDetector.Outcome out = baseline.evaluate(store.get(key), window);
 * }</pre>
 */
public final class BaselineDetector {
    public static final String DETECTOR = "baseline";
    /** Samples before clamping starts during warm-up; fewer give no usable σ. */
    private static final int CLAMP_AFTER = 5;

    /** Tunables; see {@link AnomalyConfig} for their documentation. */
    public record Settings(double alpha, int warmupWindows, double kMedium, double kHigh, double kCritical,
                           double minRelativeChange, int fireAfter, int resolveAfter) {
        public static Settings defaults() {
            return new Settings(0.1, 20, 4, 6, 10, 0.25, 2, 3);
        }
    }

    /** The next state to store and the verdict (empty when the window is not judged: warm-up or no value). */
    public record Outcome(BaselineState state, Optional<Verdict> verdict) {}

    private final Settings settings;

    public BaselineDetector(Settings settings) {
        this.settings = settings;
    }

    /** true when this detector judges {@code window}'s metric at its scope. */
    public static boolean appliesTo(KpiWindow window) {
        return Metrics.ALL.contains(window.getMetric())
                && (!Metrics.isRate(window.getMetric()) || window.getScope() == KpiScope.network);
    }

    static Statistic statistic(KpiWindow window) {
        return Metrics.isRate(window.getMetric()) ? Statistic.RATE
                : window.getScope() == KpiScope.network ? Statistic.P50 : Statistic.P95;
    }

    public Outcome evaluate(BaselineState state, KpiWindow window) {
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
        boolean higherIsWorse = Metrics.higherIsWorse(metric);
        double deviation = higherIsWorse ? value - state.mean() : state.mean() - value;
        double z = sigma > 0 ? deviation / sigma : (deviation > 0 ? Double.POSITIVE_INFINITY : 0);
        Severity severity = z >= settings.kCritical() ? Severity.CRITICAL
                : z >= settings.kHigh() ? Severity.HIGH
                : z >= settings.kMedium() ? Severity.MEDIUM : null;
        boolean breached = severity != null && deviation >= settings.minRelativeChange() * Math.abs(state.mean());
        IncidentKey key = new IncidentKey(DETECTOR, "ewma_" + statistic.label(), metric, window.getScope(),
                window.getNodeId());
        if (!breached) {
            return new Outcome(update(state, value), Optional.of(Verdict.clean(key, window.getWindowStartMs(), value,
                    state.mean(), settings.fireAfter(), settings.resolveAfter())));
        }
        String description = String.format(Locale.ROOT, "%s %s %s, %s σ %s its baseline of %s",
                Metrics.label(metric, statistic), Metrics.format(metric, value), key.where(),
                Double.isInfinite(z) ? "∞" : Metrics.number(z), higherIsWorse ? "above" : "below",
                Metrics.format(metric, state.mean()));
        List<String> actions = higherIsWorse
                ? List.of("Compare with the node's peers: if only this node is slower, check its CPU, disk and "
                        + "network; if all are, check recent deployments and load")
                : List.of("Check block production and transaction intake; a drop on the whole network often "
                        + "means a stalled leader or an upstream outage");
        // The flagged value stays out of the baseline: an incident must not teach the detector that it is normal.
        return new Outcome(state, Optional.of(Verdict.breach(key, window.getWindowStartMs(), severity, value,
                state.mean(), description, actions, settings.fireAfter(), settings.resolveAfter())));
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
        return new BaselineState(n, mean, m2 / n);
    }

    private BaselineState update(BaselineState state, double value) {
        double alpha = settings.alpha();
        double diff = value - state.mean();
        double increment = alpha * diff;
        return new BaselineState(state.count() + 1, state.mean() + increment,
                (1 - alpha) * (state.variance() + diff * increment));
    }
}
