package io.chainpulse.anomaly;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.Collection;
import java.util.TreeMap;

/**
 * When a node's latency samples of a window lie above its peers' as a whole — a shift of every sample, not a few late
 * ones: the one-sided Wilcoxon–Mann–Whitney rank-sum test of the node's {@code n} samples against the other nodes'
 * pooled {@code m}, read from the KPI windows' sketches (samples in one bin, within the sketch's 1 %, are ties and get
 * their mean rank). {@code U} counts the (node, peer) pairs where the node's sample is the larger (a tie counts half);
 * under "the node is one more peer" it has mean {@code nm/2} and variance {@code nm/12·(N + 1 − Σ(t³ − t)/(N(N − 1)))},
 * and {@code P(U ≥ u)} is its normal tail (with a continuity correction).
 *
 * <p>Why ranks, not only the count above the peers' median (the sign test): a slowdown moves every sample by a factor,
 * and the ranks use how far each one moved. A validator 1.5× slower (log-normal validations, σ 0.35–0.5) has ~9 of 10
 * consensus validations above its peers' median where 5 are expected — by the count, {@code P ≈ 0.02} at best, never
 * below 0.001 with 10 samples against 30 — and ~22 of 28 transaction validations (7 nodes): simulated, the count
 * test reaches {@code P < 0.001} in 27 % of such windows, the rank-sum test in 75 % (consensus: 0 % and 45 %); on
 * healthy samples both stay at the {@code alpha} they are run at.
 *
 * <pre>{@code
 * LocationGate.Test test = new LocationGate(0.001).test(nodeSketch, peerSketches);
 * boolean shifted = test.outcome() == TailGate.Outcome.EVIDENCE;
 * }</pre>
 *
 * @param alpha the one-sided P below which the node's samples lie above its peers'
 */
public record LocationGate(double alpha) {
    public static final double DEFAULT_ALPHA = 1e-5;
    /** Fewest samples of the node for a normal approximation of {@code U} to mean anything. */
    static final int MIN_SAMPLES = 5;

    public LocationGate {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1): " + alpha);
        }
    }

    /**
     * A test's result and what an alert quotes: the node's {@code above} of its {@code samples} and the peers'
     * {@code peersAbove} of their {@code peerSamples} lie above the peers' pooled {@code median}; {@code p} is the
     * rank-sum test's (1 when untested).
     */
    public record Test(TailGate.Outcome outcome, long samples, long above, long peerSamples, long peersAbove,
                       double median, double p) {
        static final Test UNTESTED = new Test(TailGate.Outcome.UNTESTED, 0, 0, 0, 0, Double.NaN, 1);

        /** How many of the node's samples would lie above the peers' median if it were one of them. */
        double expectedAbove() {
            return peerSamples == 0 ? 0 : samples * (double) peersAbove / peerSamples;
        }
    }

    /** Untested when the node has fewer than {@link #MIN_SAMPLES} samples or no peer has any. */
    public Test test(DDSketch node, Collection<DDSketch> peers) {
        DDSketch pooled = TailGate.pool(peers);
        long n = Math.round(node.getCount());
        if (pooled == null || pooled.isEmpty() || n < MIN_SAMPLES) {
            return Test.UNTESTED;
        }
        long m = Math.round(pooled.getCount());
        double p = upperTail(node, pooled);
        double median = pooled.getValueAtQuantile(0.5);
        return new Test(p < alpha ? TailGate.Outcome.EVIDENCE : TailGate.Outcome.CHANCE, n,
                TailGate.above(node, median), m, TailGate.above(pooled, median), median, p);
    }

    /** {@code P(U ≥ u)} of the node's samples against the pooled peers' (normal approximation, ties corrected). */
    static double upperTail(DDSketch node, DDSketch peers) {
        TreeMap<Integer, double[]> bins = new TreeMap<>(); // bin → {node's count, peers' count}
        collect(node, bins, 0);
        collect(peers, bins, 1);
        double n = node.getCount();
        double m = peers.getCount();
        double total = n + m;
        double u = 0;
        double peersBelow = 0;
        double ties = 0;
        for (double[] counts : bins.values()) {
            u += counts[0] * (peersBelow + counts[1] / 2);
            peersBelow += counts[1];
            double t = counts[0] + counts[1];
            ties += t * t * t - t;
        }
        double variance = n * m / 12 * (total + 1 - ties / (total * (total - 1)));
        if (!(variance > 0)) {
            return 1; // every sample in one bin: nothing to rank
        }
        double z = (u - n * m / 2 - 0.5) / Math.sqrt(variance);
        return normalUpperTail(z);
    }

    /** The sketch's counts by bin index into {@code bins[·][slot]}; zeros (and negatives) below every positive bin. */
    private static void collect(DDSketch sketch, TreeMap<Integer, double[]> bins, int slot) {
        double low = sketch.getCount() - sketch.getPositiveValueStore().getTotalCount(); // zeros, negatives
        if (low > 0) {
            bins.computeIfAbsent(Integer.MIN_VALUE, k -> new double[2])[slot] += low;
        }
        sketch.getPositiveValueStore().forEach((index, count) ->
                bins.computeIfAbsent(index, k -> new double[2])[slot] += count);
    }

    /**
     * {@code P(Z ≥ z)} for a standard normal Z: {@code erfc(z/√2)/2}, erfc by the Chebyshev fit of Numerical Recipes
     * (§6.2, fractional error below 1.2e-7 everywhere).
     */
    static double normalUpperTail(double z) {
        double x = z / Math.sqrt(2);
        double ax = Math.abs(x);
        double t = 1 / (1 + 0.5 * ax);
        double erfc = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return (x >= 0 ? erfc : 2 - erfc) / 2;
    }
}
