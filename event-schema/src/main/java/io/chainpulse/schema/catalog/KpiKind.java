package io.chainpulse.schema.catalog;

/**
 * How a KPI's window is summarised, and so which statistic the anomaly detector's learned detectors judge it by.
 * <ul>
 *   <li>{@link #LATENCY}: a distribution of durations in milliseconds (count, min, mean, max, p50–p99 from a
 *   mergeable sketch); judged on p95.</li>
 *   <li>{@link #DISTRIBUTION}: a distribution of another quantity (gas, bytes, rounds); judged on p95.</li>
 *   <li>{@link #RATIO}: a percentage per sample (a failed complete is 100, a successful one 0; a height's
 *   participation); the window's mean is the ratio; judged on the mean.</li>
 *   <li>{@link #RATE}: a sum per window second ({@code rate_per_s}); judged on the rate.</li>
 * </ul>
 */
public enum KpiKind {
    LATENCY("p95", true),
    DISTRIBUTION("p95", true),
    RATIO("mean", true),
    RATE("rate", false);

    /**
     * How many percentage points a {@link #RATIO} must move before anything judges it worse (the learned detectors,
     * the report's regressions): a few failures more in a window is noise, whatever it is relative to a small base.
     */
    public static final double RATIO_NOISE_POINTS = 5.0;

    private final String statistic;
    private final boolean sketched;

    KpiKind(String statistic, boolean sketched) {
        this.statistic = statistic;
        this.sketched = sketched;
    }

    /** The statistic a window is judged by, as the rules file spells it: {@code p95}, {@code mean}, {@code rate}. */
    public String statistic() {
        return statistic;
    }

    /** true when the window carries percentiles and a DDSketch; false for a rate (count and rate only). */
    public boolean sketched() {
        return sketched;
    }
}
