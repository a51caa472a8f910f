package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the learned detectors know about each KPI, from the catalog ({@link Kpi}): which statistic summarises a window
 * and which direction is bad. Rate KPIs are judged on {@code rate_per_s} and a drop is bad; latency KPIs on
 * {@code p95} and a rise is bad (a node much faster than its peers is not an operator's problem).
 */
final class Metrics {
    /**
     * The protocol rate KPIs (the trend detector's default). Resource KPIs and counts of faults
     * ({@link Kpi#rulesOnly()}) are judged only by the rules that name them, not by the learned detectors' defaults:
     * their noise and meaning differ from the protocol KPIs' the defaults were tuned on.
     */
    static final List<String> RATE = Arrays.stream(Kpi.values()).filter(k -> k.kind() == KpiKind.RATE && !k.rulesOnly())
            .map(Kpi::metric).toList();
    static final List<String> ALL = Kpi.metrics();

    /**
     * true when the learned detectors' defaults judge {@code metric}: a catalog KPI that is not {@link Kpi#rulesOnly()}
     * (resource KPIs, {@link Kpi#CONFLICTING_VOTES}: only the rules that name them judge them).
     */
    static boolean learned(String metric) {
        return Kpi.byMetric(metric).map(k -> !k.rulesOnly()).orElse(false);
    }

    private Metrics() {}

    static boolean isRate(String metric) {
        return Kpi.byMetric(metric).map(k -> k.kind() == KpiKind.RATE).orElse(false);
    }

    /**
     * The rise a detector needs before {@code metric} counts as worse: for a ratio, more than
     * {@link KpiKind#RATIO_NOISE_POINTS} above what the baseline or peer detector expects (a window holds tens of
     * samples per node, so one failure more already moves the ratio by 2–4 points, and against a median of 0 % any
     * failure is "infinitely" worse; the shipped static rules flag above 5 % too); for anything else, any rise.
     */
    static boolean risesEnough(String metric, double deviation) {
        return !isRatio(metric) || deviation > KpiKind.RATIO_NOISE_POINTS;
    }

    /**
     * Fewest samples behind a ratio other than a failure ratio (participation, leader share: votes cast, blocks led)
     * before the baseline judges it. Failure ratios ({@code tx_failure_pct}, {@code consensus_failure_pct}) are judged
     * by the {@link FailureGate} instead: whether their failures are significant at the healthy share.
     */
    static final int MIN_FAILED_SAMPLES = 2;

    /**
     * The failed samples behind {@code window}'s ratio (its mean × count); for a window that is not a ratio's, or
     * carries no mean, {@link #MIN_FAILED_SAMPLES} (nothing to hold back).
     */
    static long failedSamples(KpiWindow window) {
        if (!isRatio(window.getMetric()) || window.getMean() == null || window.getMean().isNaN()) {
            return MIN_FAILED_SAMPLES;
        }
        return Math.round(window.getCount() * window.getMean() / 100);
    }

    /** false for a ratio resting on fewer than {@link #MIN_FAILED_SAMPLES} counted samples. */
    static boolean enoughFailures(KpiWindow window) {
        return failedSamples(window) >= MIN_FAILED_SAMPLES;
    }

    /** true for a percentage of failed samples (a window's mean is the ratio). */
    static boolean isRatio(String metric) {
        return Kpi.byMetric(metric).map(k -> k.kind() == KpiKind.RATIO).orElse(false);
    }

    /** The statistic baseline, peer and trend detectors compare: the catalog kind's (rate, p95 or mean). */
    static Statistic learnedStatistic(String metric) {
        return Kpi.byMetric(metric).flatMap(k -> Statistic.parse(k.kind().statistic())).orElse(Statistic.P95);
    }

    /** true when a higher value is worse (latency); false when a lower value is worse (throughput). */
    static boolean higherIsWorse(String metric) {
        return Kpi.byMetric(metric).map(Kpi::higherIsWorse).orElse(true);
    }

    /**
     * true when a node's windows of {@code metric} show the node is alive (made from its own events); false for a KPI
     * other nodes report about it ({@code leader_share_pct}), which the liveness detector ignores.
     */
    static boolean fromOwnEvents(String metric) {
        return Kpi.byMetric(metric).map(Kpi::fromOwnEvents).orElse(true);
    }

    static String human(String metric) {
        return Kpi.byMetric(metric).map(Kpi::human).orElse(metric);
    }

    /** {@code /s} after a rate, {@code  ms} after a latency, the catalog's unit after anything else. */
    static String unit(String metric) {
        return Kpi.byMetric(metric).map(k -> switch (k.kind()) {
            case RATE -> "/s";
            case LATENCY -> " ms";
            default -> k.unit().isEmpty() ? "" : " " + k.unit();
        }).orElse("");
    }

    /** The KPIs whose nodes are compared with each other by default (peer.metrics). */
    static List<String> peerComparable() {
        return Arrays.stream(Kpi.values()).filter(Kpi::peerComparable).map(Kpi::metric).toList();
    }

    /**
     * A node's validation times ({@link Kpi#validationTime()}): the location test judges each with the others of the
     * same window, so they meet in one task of the metric repartition ({@link #partitionKey}).
     */
    static final List<String> VALIDATION_TIMES = Kpi.validationTimes().stream().map(Kpi::metric).toList();

    /** The validation times' names in catalog order, joined: {@code consensus_latency_ms+tx_validation_ms}. */
    private static final String VALIDATION_TIMES_KEY = String.join("+", VALIDATION_TIMES);

    /**
     * The key of {@code metric}'s windows on the metric repartition: the metric, or for a validation time the names
     * of all of them ({@link #VALIDATION_TIMES_KEY}), so that a node's validation times are judged in one task.
     */
    static String partitionKey(String metric) {
        return VALIDATION_TIMES.contains(metric) ? VALIDATION_TIMES_KEY : metric;
    }

    /** {@code 964 ms}, {@code 12.5/s}: whole numbers from 100 up, one decimal below. */
    static String format(String metric, double value) {
        return number(value) + unit(metric);
    }

    static String number(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    /** "consensus latency p95" style label used at the start of descriptions: "p95 consensus latency". */
    static String label(String metric, Statistic statistic) {
        String stat = switch (statistic) {
            case RATE, COUNT -> "";
            default -> statistic.label() + " ";
        };
        return stat + human(metric);
    }
}
