package io.chainpulse.anomaly;

/**
 * Learned baseline of one node (or the network) × metric: samples seen, mean and variance (cumulative during warm-up,
 * exponentially weighted after), and the latest window's value as a share of the mean — for a rate at network scope,
 * what tells a node's drop from a drop of the whole network. A few numbers, so the store is bounded by nodes × metrics.
 *
 * @param lastRatio latest value ÷ mean; null before the second sample (and in states stored by older versions)
 */
public record BaselineState(long count, double mean, double variance, Double lastRatio) {

    /** A state without a latest ratio. */
    public BaselineState(long count, double mean, double variance) {
        this(count, mean, variance, null);
    }
}
