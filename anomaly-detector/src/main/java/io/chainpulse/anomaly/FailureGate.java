package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiWindow;

/**
 * When a failure ratio is evidence: a window with {@code k} failed of {@code n} samples counts as too high only when
 * so many failures are unlikely at the reference share — the binomial tail {@code P(X ≥ k | n, p_ref) < alpha},
 * {@code p_ref} the healthy share the caller knows (the node's learned share for the baseline, its peers' pooled share
 * in the same window for the peer comparison, the network's learned share for the static rules), never below
 * {@code floorPct}. One or two failures in a small window are the healthy share at work, six in a large one may be
 * too; a fixed count of failures cannot tell.
 *
 * <p>At 20 TPS and the healthy 1 %, a node's window holds 28–50 transactions: two failures (7 %, above the shipped
 * 5 % rules) come in ~3 % of windows, {@code P(X ≥ 2 | 28, 1 %) = 0.032}; with {@code alpha = 0.01} a 28-sample window
 * needs three ({@code 0.0027}), a 50-sample one four ({@code 0.0016}). Applies to the failure ratios only (ratio KPIs
 * where higher is worse); every other window passes.
 *
 * <pre>{@code
 * FailureGate gate = new FailureGate(0.01, 1.0);
 * boolean evidence = gate.significant(window, networkSharePct);   // 3 of 28 at 1 %: true
 * }</pre>
 */
public record FailureGate(double alpha, double floorPct) {
    public static final double DEFAULT_ALPHA = 0.01;
    public static final double DEFAULT_FLOOR_PCT = 1.0;

    public FailureGate {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1): " + alpha);
        }
        if (!(floorPct >= 0 && floorPct < 100)) {
            throw new IllegalArgumentException("floorPct must be in [0, 100): " + floorPct);
        }
    }

    public static FailureGate defaults() {
        return new FailureGate(DEFAULT_ALPHA, DEFAULT_FLOOR_PCT);
    }

    /** true for a failure ratio: a ratio KPI whose higher values are worse ({@code tx_failure_pct}…). */
    static boolean gates(String metric) {
        return Metrics.isRatio(metric) && Metrics.higherIsWorse(metric);
    }

    /**
     * @param referencePct the healthy share in percent (null: unknown, the floor applies)
     * @return false only for a failure-ratio window whose failed samples are not significant at {@code referencePct}
     */
    public boolean significant(KpiWindow window, Double referencePct) {
        if (!gates(window.getMetric()) || window.getMean() == null || window.getMean().isNaN()) {
            return true;
        }
        return significant(window.getCount(), failed(window), referencePct);
    }

    /** {@code P(X ≥ failed | samples, max(referencePct, floorPct) / 100) < alpha}. */
    public boolean significant(long samples, long failed, Double referencePct) {
        double pct = referencePct == null || referencePct.isNaN() ? floorPct : Math.max(floorPct, referencePct);
        return failed > 0 && tail(samples, failed, pct / 100) < alpha;
    }

    /** The failed samples behind a ratio window: its mean (a percentage) × its count, rounded. */
    static long failed(KpiWindow window) {
        return Math.round(window.getCount() * window.getMean() / 100);
    }

    /**
     * The binomial upper tail {@code P(X ≥ k)} for {@code X ~ B(n, p)}: the terms from {@code k} up, the first from
     * logarithms (no overflow for thousands of samples), each next one by the ratio {@code (n−i)/(i+1) · p/(1−p)}.
     */
    static double tail(long n, long k, double p) {
        if (k <= 0) {
            return 1;
        }
        if (k > n || p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return 1;
        }
        double logTerm = k * Math.log(p) + (n - k) * Math.log1p(-p);
        for (long i = 1; i <= k; i++) {
            logTerm += Math.log((double) (n - k + i) / i); // log C(n, k) as a product
        }
        double term = Math.exp(logTerm);
        double sum = 0;
        double odds = p / (1 - p);
        for (long i = k; i <= n && term > 0; i++) {
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
            term *= (double) (n - i) / (i + 1) * odds;
        }
        return Math.min(1, sum);
    }
}
