package io.chainpulse.anomaly;

/**
 * Learned baseline of one node × metric: samples seen, mean and variance (cumulative during warm-up, exponentially
 * weighted after). Three numbers, so the store is bounded by nodes × metrics.
 */
public record BaselineState(long count, double mean, double variance) {}
