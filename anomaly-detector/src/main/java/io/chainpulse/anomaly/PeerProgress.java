package io.chainpulse.anomaly;

/**
 * Per metric: the latest window start seen, the last window compared (later records for it are ignored) and how many
 * nodes it had (a window whose network record arrived is compared once at least that many nodes are in).
 */
public record PeerProgress(long latestWindowMs, long lastEvaluatedMs, int lastNodes) {}
