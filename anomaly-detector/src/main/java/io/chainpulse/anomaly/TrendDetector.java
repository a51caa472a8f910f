package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Slow degradation at network scope, two rules:
 * <ul>
 *   <li>{@code below_history}: the average of the last {@code recentWindows} values is worse than {@code ratio} of the
 *   long history average (e.g. TPS below 80% of its 1-hour average);</li>
 *   <li>{@code slope}: the least-squares slope over the last {@code slopeWindows} values, extrapolated over those
 *   windows, worsens by at least {@code slopeDrop} of the history average.</li>
 * </ul>
 * The history is an EWMA spanning {@code historyWindows} and keeps learning during an incident: a trend is relative
 * to the recent past, so a new level that lasts longer than the history stops being a trend.
 *
 * <pre>{@code
 * TrendDetector.Outcome out = trend.evaluate(store.get(key), window);
 * }</pre>
 */
public final class TrendDetector {
    public static final String DETECTOR = "trend";

    /** Tunables; see {@link AnomalyConfig}. */
    public record Settings(List<String> metrics, int recentWindows, int historyWindows, double ratio,
                           int slopeWindows, double slopeDrop, int warmupWindows, int fireAfter, int resolveAfter) {
        public static Settings defaults() {
            return new Settings(Metrics.RATE, 3, 360, 0.8, 6, 0.5, 30, 1, 3);
        }
    }

    public record Outcome(TrendState state, List<Verdict> verdicts) {}

    private final Settings settings;

    public TrendDetector(Settings settings) {
        this.settings = settings;
    }

    public boolean appliesTo(KpiWindow window) {
        return window.getScope() == KpiScope.network && settings.metrics().contains(window.getMetric());
    }

    public Outcome evaluate(TrendState state, KpiWindow window) {
        String metric = window.getMetric();
        Statistic statistic = Metrics.learnedStatistic(metric);
        Optional<Double> sample = appliesTo(window) ? statistic.of(window) : Optional.empty();
        if (sample.isEmpty()) {
            return new Outcome(state, List.of());
        }
        double value = sample.get();
        int keep = Math.max(settings.recentWindows(), settings.slopeWindows());
        List<Double> recent = new ArrayList<>(state == null ? List.of() : state.recent());
        recent.add(value);
        while (recent.size() > keep) {
            recent.remove(0);
        }
        double history = state == null ? value : state.history();
        long count = state == null ? 1 : state.count() + 1;
        double alpha = 2.0 / (settings.historyWindows() + 1);
        // Judge against the history *before* this window, then let the history learn it.
        TrendState next = new TrendState(recent, history + alpha * (value - history), count);
        if (count <= settings.warmupWindows()) {
            return new Outcome(next, List.of());
        }
        boolean higherIsWorse = Metrics.higherIsWorse(metric);
        long windowStart = window.getWindowStartMs();
        List<Verdict> verdicts = new ArrayList<>();

        IncidentKey belowKey = new IncidentKey(DETECTOR, higherIsWorse ? "above_history" : "below_history", metric,
                window.getScope(), window.getNodeId());
        List<Double> lastFew = recent.subList(Math.max(0, recent.size() - settings.recentWindows()), recent.size());
        double recentAvg = lastFew.stream().mapToDouble(Double::doubleValue).average().orElse(value);
        double limit = higherIsWorse ? history / settings.ratio() : history * settings.ratio();
        boolean worse = higherIsWorse ? recentAvg > limit : recentAvg < limit;
        if (worse && lastFew.size() == settings.recentWindows()) {
            verdicts.add(Verdict.breach(belowKey, windowStart, Severity.MEDIUM, recentAvg, history,
                    String.format(Locale.ROOT, "%s averaged %s over the last %d windows %s, %.0f%% of its "
                                    + "long-term average of %s", Metrics.label(metric, statistic),
                            Metrics.format(metric, recentAvg), settings.recentWindows(), belowKey.where(),
                            history == 0 ? 0 : 100 * recentAvg / history, Metrics.format(metric, history)),
                    List.of("Look for a gradual cause: growing mempool, validators dropping out, degrading disks"),
                    settings.fireAfter(), settings.resolveAfter()));
        } else {
            verdicts.add(Verdict.clean(belowKey, windowStart, recentAvg, history, settings.fireAfter(),
                    settings.resolveAfter()));
        }

        IncidentKey slopeKey = new IncidentKey(DETECTOR, "slope", metric, window.getScope(), window.getNodeId());
        if (recent.size() >= settings.slopeWindows()) {
            List<Double> ys = recent.subList(recent.size() - settings.slopeWindows(), recent.size());
            double slope = slope(ys);
            double change = slope * (ys.size() - 1);
            double worsening = higherIsWorse ? change : -change;
            if (history != 0 && worsening >= settings.slopeDrop() * Math.abs(history)) {
                verdicts.add(Verdict.breach(slopeKey, windowStart, Severity.LOW, slope, history,
                        String.format(Locale.ROOT, "%s %s %s by %s per window over the last %d windows",
                                Metrics.label(metric, statistic), higherIsWorse ? "rising" : "falling",
                                slopeKey.where(), Metrics.format(metric, Math.abs(slope)), ys.size()),
                        List.of("Watch the next windows; check what changed when the decline started"),
                        settings.fireAfter(), settings.resolveAfter()));
            } else {
                verdicts.add(Verdict.clean(slopeKey, windowStart, slope, history, settings.fireAfter(),
                        settings.resolveAfter()));
            }
        }
        return new Outcome(next, verdicts);
    }

    /** Least-squares slope of ys over x = 0, 1, 2, ... */
    static double slope(List<Double> ys) {
        int n = ys.size();
        double meanX = (n - 1) / 2.0;
        double meanY = ys.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - meanX) * (ys.get(i) - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return den == 0 ? 0 : num / den;
    }
}
