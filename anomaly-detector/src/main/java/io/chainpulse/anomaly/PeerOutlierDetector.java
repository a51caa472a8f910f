package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peer comparison within one window: a node whose statistic is more than {@code madFactor} median absolute
 * deviations from the median of all nodes on the bad side, and at least {@code minRelativeDifference} of the median
 * away (so a tight cluster with a tiny MAD does not fire on a 3% difference). This is what tells "v3 is slow" from
 * "the whole network is slow": when every node slows down, the median moves with them. A failure ratio must also be
 * more than {@link io.chainpulse.schema.catalog.KpiKind#RATIO_NOISE_POINTS} percentage points above the median (against a median of 0 %, one failed
 * transaction would otherwise be an outlier), and rest on at least {@link Metrics#MIN_FAILED_SAMPLES} failed samples.
 *
 * <pre>{@code
 * List<Verdict> verdicts = peers.evaluate("consensus_latency_ms", windowStart, Map.of("v1", 120.0, "v2", 118.0, "v3", 964.0));
 * }</pre>
 */
public final class PeerOutlierDetector {
    public static final String DETECTOR = "peer_outlier";
    public static final String RULE = "network_median_mad";

    /** Tunables; see {@link AnomalyConfig}. {@code highRatio}: ratio to the median from which severity is HIGH. */
    public record Settings(double madFactor, double minRelativeDifference, int minNodes, double highRatio,
                           List<String> metrics, int fireAfter, int resolveAfter) {
        public static Settings defaults() {
            return new Settings(5, 0.5, 3, 2, Metrics.peerComparable(), 2, 2);
        }
    }

    private final Settings settings;

    public PeerOutlierDetector(Settings settings) {
        this.settings = settings;
    }

    public boolean appliesTo(String metric) {
        return settings.metrics().contains(metric);
    }

    /** {@link #evaluate(String, long, Map, Map)} without the nodes' failed samples. */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode) {
        return evaluate(metric, windowStartMs, valueByNode, Map.of());
    }

    /**
     * One verdict per node of the window (none when fewer than minNodes reported).
     *
     * @param failedByNode for a failure ratio, the failed samples behind each node's value: a node with fewer than
     *                     {@link Metrics#MIN_FAILED_SAMPLES} is not flagged (a node missing here is judged on its value)
     */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode,
                                  Map<String, Long> failedByNode) {
        if (!appliesTo(metric) || valueByNode.size() < settings.minNodes()) {
            return List.of();
        }
        double[] values = valueByNode.values().stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(values);
        double mad = median(Arrays.stream(values).map(v -> Math.abs(v - median)).toArray());
        boolean higherIsWorse = Metrics.higherIsWorse(metric);
        Statistic statistic = Metrics.learnedStatistic(metric);
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<String, Double> e : new TreeMap<>(valueByNode).entrySet()) {
            double value = e.getValue();
            IncidentKey key = new IncidentKey(DETECTOR, RULE, metric, KpiScope.node, e.getKey());
            double deviation = higherIsWorse ? value - median : median - value;
            boolean breached = deviation > settings.madFactor() * mad
                    && deviation >= settings.minRelativeDifference() * Math.abs(median)
                    && Metrics.risesEnough(metric, deviation)
                    && failedByNode.getOrDefault(e.getKey(), (long) Metrics.MIN_FAILED_SAMPLES)
                    >= Metrics.MIN_FAILED_SAMPLES;
            if (!breached) {
                verdicts.add(Verdict.clean(key, windowStartMs, value, median, settings.fireAfter(),
                        settings.resolveAfter()));
                continue;
            }
            double ratio = median == 0 ? Double.POSITIVE_INFINITY : value / median;
            boolean far = higherIsWorse ? ratio >= settings.highRatio() : ratio <= 1 / settings.highRatio();
            String description = String.format(Locale.ROOT, "%s %s on %s, %s× the network median of %s",
                    Metrics.label(metric, statistic), Metrics.format(metric, value), e.getKey(),
                    Double.isInfinite(ratio) ? "∞" : String.format(Locale.ROOT, "%.1f", ratio),
                    Metrics.format(metric, median));
            List<String> actions = Metrics.isRatio(metric)
                    ? List.of("Only " + e.getKey() + " fails this often: check its logs for what it rejects",
                            "Compare its software version and configuration with its peers")
                    : higherIsWorse
                    ? List.of("Only " + e.getKey() + " is affected: check its CPU, disk, memory and peer connections",
                            "Compare its software version and configuration with its peers")
                    : List.of(e.getKey() + " lags its peers: check whether it is syncing, partitioned or overloaded");
            verdicts.add(Verdict.breach(key, windowStartMs, far ? Severity.HIGH : Severity.MEDIUM, value, median,
                    description, actions, settings.fireAfter(), settings.resolveAfter()));
        }
        return verdicts;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
