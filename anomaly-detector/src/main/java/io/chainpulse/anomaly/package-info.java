/**
 * ChainPulse anomaly detection: a Kafka Streams application reading final {@code KpiWindow} records and publishing
 * {@code Anomaly} incident transitions.
 *
 * <p>Detectors are pure classes judging one window (or one window across all nodes) into {@link
 * io.chainpulse.anomaly.Verdict}s: {@link io.chainpulse.anomaly.StaticRuleDetector} (YAML rules),
 * {@link io.chainpulse.anomaly.BaselineDetector} (EWMA ± kσ), {@link io.chainpulse.anomaly.PeerOutlierDetector}
 * (network median ± MAD), {@link io.chainpulse.anomaly.TrendDetector} (recent vs history, slope) and
 * {@link io.chainpulse.anomaly.LivenessDetector} (silent nodes on stream time). {@link
 * io.chainpulse.anomaly.IncidentTracker} turns verdicts into FIRING / RESOLVED transitions with stable ids.
 */
package io.chainpulse.anomaly;
