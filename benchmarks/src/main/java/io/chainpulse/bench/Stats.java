package io.chainpulse.bench;

/** A mean and its 95 % confidence interval (Student's t) over a few repeated measurements. */
final class Stats {
    /** Two-sided 95 % quantiles of Student's t for 1 … 30 degrees of freedom. */
    private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
            2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
            2.052, 2.048, 2.045, 2.042};

    private Stats() {}

    /** {@code mean ± halfWidth}. */
    record Interval(double mean, double halfWidth) {}

    /** The mean of {@code xs} and the half-width of its 95 % confidence interval; at least two values. */
    static Interval mean(double[] xs) {
        if (xs.length < 2) {
            throw new IllegalArgumentException("a confidence interval needs at least two values: " + xs.length);
        }
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        double mean = sum / xs.length;
        double squares = 0;
        for (double x : xs) {
            squares += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(squares / (xs.length - 1));
        return new Interval(mean, t95(xs.length - 1) * sd / Math.sqrt(xs.length));
    }

    /**
     * The two-sided 95 % quantile of Student's t with {@code df} degrees of freedom; beyond 30, that of the next
     * smaller tabled df (40, 60, 120), which is slightly larger: conservative.
     */
    static double t95(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1: " + df);
        }
        if (df <= T95.length) {
            return T95[df - 1];
        }
        return df <= 40 ? 2.042 : df <= 60 ? 2.021 : df <= 120 ? 2.000 : 1.980;
    }
}
