package io.chainpulse.anomaly;

/** The configured detectors the topology runs; build it with {@link AnomalyConfig#detectors()}. */
public record Detectors(StaticRuleDetector rules, BaselineDetector baseline, PeerOutlierDetector peers,
                        TrendDetector trend, LivenessDetector liveness, MemoryLeakDetector memoryLeak,
                        ResourcePeerDetector resourcePeers) {

    /** With the resource peer comparison's defaults. */
    public Detectors(StaticRuleDetector rules, BaselineDetector baseline, PeerOutlierDetector peers,
                     TrendDetector trend, LivenessDetector liveness, MemoryLeakDetector memoryLeak) {
        this(rules, baseline, peers, trend, liveness, memoryLeak,
                new ResourcePeerDetector(ResourcePeerDetector.Settings.defaults()));
    }

    /** With the memory-leak detector's and the resource peer comparison's defaults. */
    public Detectors(StaticRuleDetector rules, BaselineDetector baseline, PeerOutlierDetector peers,
                     TrendDetector trend, LivenessDetector liveness) {
        this(rules, baseline, peers, trend, liveness, new MemoryLeakDetector(MemoryLeakDetector.Settings.defaults()));
    }
}
