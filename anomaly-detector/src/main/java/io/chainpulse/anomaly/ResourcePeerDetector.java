package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Kpi;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Peer comparison of a node's machine: a node whose CPU, data disk or open files, as a share of its own machine's
 * (cores, file system, open-files limit — so machines of different sizes compare), stands far above the other nodes'
 * of its chain in the same window. A window's value is its mean ({@code cpu_used_pct}, {@code disk_used_pct},
 * {@code open_fds_used_pct}); a node is out when it lies at least {@code minPoints} percentage points above the median
 * of the other nodes and more than {@code madFactor} of their median absolute deviations above it (so a fleet whose
 * machines are loaded all over the range flags no one), and it fires after {@code fireAfter} such windows in a row.
 * The absolute floor is what makes sense for resources: 6 % against 2 % is three times the peers' and still idle,
 * while 95 % against 20 % is a machine doing something the others are not. The protocol KPIs' comparison
 * ({@link PeerOutlierDetector}: relative to the median, sample tests) is untouched; both are detector
 * {@code peer_outlier}, this one with rule {@value #RULE}.
 *
 * <pre>{@code
 * List<Verdict> verdicts = resourcePeers.evaluate("cpu_used_pct", windowStart,
 *         Map.of("v1", 20.0, "v2", 21.0, "v3", 95.0, "v4", 19.0));
 * }</pre>
 */
public final class ResourcePeerDetector {
    public static final String DETECTOR = PeerOutlierDetector.DETECTOR;
    public static final String RULE = "resource_peer_median";
    /** The resources compared: shares of each node's own machine. */
    static final List<String> METRICS = List.of(Kpi.CPU_USED_PCT.metric(), Kpi.DISK_USED_PCT.metric(),
            Kpi.OPEN_FDS_USED_PCT.metric());
    /** A node at this share of its machine or above is near its limit: HIGH; below, MEDIUM. */
    static final double HIGH_PCT = 90;

    /**
     * @param minPoints    percentage points above the other nodes' median a node must lie
     * @param madFactor    median absolute deviations of the other nodes above their median a node must lie
     * @param minNodes     nodes (the one judged included) a window needs to be compared at all
     * @param fireAfter    windows in a row out before the incident fires
     * @param resolveAfter windows in a row back before it resolves
     */
    public record Settings(double minPoints, double madFactor, int minNodes, int fireAfter, int resolveAfter) {
        public Settings {
            if (!(minPoints > 0) || !(madFactor >= 0) || minNodes < 3 || fireAfter < 1 || resolveAfter < 1) {
                throw new IllegalArgumentException("resource peer settings: minPoints > 0, madFactor >= 0, minNodes"
                        + " >= 3, fireAfter and resolveAfter >= 1: " + minPoints + ", " + madFactor + ", " + minNodes
                        + ", " + fireAfter + ", " + resolveAfter);
            }
        }

        public static Settings defaults() {
            return new Settings(30, 5, 3, 4, 3);
        }
    }

    private final Settings settings;

    public ResourcePeerDetector(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** true for a resource share this detector compares. */
    public boolean appliesTo(String metric) {
        return METRICS.contains(metric);
    }

    /** The value a node window is compared by: its mean; empty for a network window or one without a mean. */
    static Optional<Double> value(KpiWindow kpi) {
        return kpi.getScope() == KpiScope.node ? Statistic.MEAN.of(kpi) : Optional.empty();
    }

    /** One verdict per node of the window; none when fewer than {@code minNodes} nodes reported. */
    public List<Verdict> evaluate(String metric, long windowStartMs, Map<String, Double> valueByNode) {
        if (!appliesTo(metric) || valueByNode.size() < settings.minNodes()) {
            return List.of();
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<String, Double> e : new TreeMap<>(valueByNode).entrySet()) {
            String node = e.getKey();
            double value = e.getValue();
            double[] others = valueByNode.entrySet().stream().filter(o -> !o.getKey().equals(node))
                    .mapToDouble(Map.Entry::getValue).toArray();
            double median = PeerOutlierDetector.median(others);
            double mad = PeerOutlierDetector.mad(others, median);
            double above = value - median;
            IncidentKey key = new IncidentKey(DETECTOR, RULE, metric, KpiScope.node, node);
            if (!(above >= settings.minPoints() && above > settings.madFactor() * mad)) {
                verdicts.add(Verdict.clean(key, windowStartMs, value, median, settings.fireAfter(),
                        settings.resolveAfter()));
                continue;
            }
            String description = String.format(Locale.ROOT, "%s %.1f %% on %s, %.1f points above its peers' median"
                    + " of %.1f %% (%d other nodes)", Metrics.human(metric), value, node, above, median, others.length);
            verdicts.add(Verdict.breach(key, windowStartMs, value >= HIGH_PCT ? Severity.HIGH : Severity.MEDIUM,
                    value, median, description, actions(metric, node), settings.fireAfter(),
                    settings.resolveAfter()));
        }
        return verdicts;
    }

    private static List<String> actions(String metric, String node) {
        String compare = "Compare " + node + "'s software version, configuration and role with its peers'";
        if (metric.equals(Kpi.CPU_USED_PCT.metric())) {
            return List.of("Only " + node + "'s machine is this busy: find what uses its CPU (top -H; the node's own"
                    + " threads or another process on the machine)", compare);
        }
        if (metric.equals(Kpi.DISK_USED_PCT.metric())) {
            return List.of("Only " + node + "'s data disk is this full: check its pruning, snapshots and logs (du -sh"
                    + " on the data directory)", compare);
        }
        return List.of("Only " + node + " holds this many open files: look for leaked connections or files (ls"
                + " /proc/PID/fd | wc -l, lsof -p PID)", compare);
    }
}
