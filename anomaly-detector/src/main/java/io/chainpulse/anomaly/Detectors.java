package io.chainpulse.anomaly;

/** The configured detectors the topology runs; build it with {@link AnomalyConfig#detectors()}. */
public record Detectors(StaticRuleDetector rules, BaselineDetector baseline, PeerOutlierDetector peers,
                        TrendDetector trend, LivenessDetector liveness) {}
