package io.chainpulse.anomaly;

/** Student's t distribution with whole degrees of freedom: the tails a significance test needs, no library. */
final class StudentT {
    private StudentT() {}

    /**
     * P(T ≥ t) for T with {@code df} degrees of freedom: the one-sided p-value of a t-statistic. Exact for whole
     * {@code df} (the finite series in θ = atan(t / √df) of Abramowitz and Stegun 26.7.3–4), to double precision.
     */
    static double upperTail(double t, int df) {
        if (df < 1) {
            throw new IllegalArgumentException("df must be >= 1: " + df);
        }
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (t == Double.POSITIVE_INFINITY) {
            return 0;
        }
        if (t < 0) {
            return 1 - upperTail(-t, df);
        }
        double theta = Math.atan(t / Math.sqrt(df));
        double sin = Math.sin(theta);
        double cos2 = Math.cos(theta) * Math.cos(theta);
        double within; // P(|T| < t)
        if (df % 2 == 1) {
            double sum = 0;
            double term = Math.cos(theta);
            for (int k = 1; k <= (df - 1) / 2; k++) { // cos θ (1 + 2/3 cos²θ + 2·4/(3·5) cos⁴θ + …)
                sum += term;
                term *= cos2 * (2.0 * k) / (2.0 * k + 1);
            }
            within = 2 / Math.PI * (theta + sin * sum);
        } else {
            double sum = 0;
            double term = 1;
            for (int k = 1; k <= df / 2; k++) { // 1 + 1/2 cos²θ + 1·3/(2·4) cos⁴θ + …
                sum += term;
                term *= cos2 * (2.0 * k - 1) / (2.0 * k);
            }
            within = sin * sum;
        }
        return Math.max(0, (1 - within) / 2);
    }
}
