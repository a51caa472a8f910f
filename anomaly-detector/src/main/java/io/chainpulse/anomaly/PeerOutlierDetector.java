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
 * transaction would otherwise be an outlier), and its failed samples must be significant at the pooled share of the
 * other nodes in the same window ({@link FailureGate}): a node with three failures of 28 where its peers failed 1 %
 * is an outlier, one with two is the healthy share at work.
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

    /** A node's window of a failure ratio: its samples and how many of them failed. */
    public record Counted(long samples, long failed) {}

    private final Settings settings;
    private final FailureGate gate;

    public PeerOutlierDetector(Settings settings) {
        this(settings, FailureGate.defaults());
    }

    /** @param gate when a node's failure ratio above its peers' is evidence rather than noise */
    public PeerOutlierDetector(Settings settings, FailureGate gate) {
        this.settings = settings;
        this.gate = gate;
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
     * @param countedByNode for a failure ratio, each node's samples and failed samples: a node is flagged only when
     *                      its failures are significant at the others' pooled share (a node missing here is judged on
     *                      its value alone)
     */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode,
                                  Map<String, Counted> countedByNode) {
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
                    && significant(metric, e.getKey(), countedByNode);
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

    /** A failure ratio's failures are significant at the other nodes' pooled share; anything else passes. */
    private boolean significant(String metric, String node, Map<String, Counted> countedByNode) {
        Counted own = countedByNode.get(node);
        if (!FailureGate.gates(metric) || own == null) {
            return true;
        }
        long samples = 0;
        long failed = 0;
        for (Map.Entry<String, Counted> other : countedByNode.entrySet()) {
            if (!other.getKey().equals(node)) {
                samples += other.getValue().samples();
                failed += other.getValue().failed();
            }
        }
        Double peersPct = samples == 0 ? null : 100.0 * failed / samples;
        return gate.significant(own.samples(), own.failed(), peersPct);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
