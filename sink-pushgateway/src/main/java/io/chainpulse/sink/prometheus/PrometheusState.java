package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the Pushgateway should hold, one <em>group</em> per node ({@code group="<node id>"}), one for network-scope
 * KPIs ({@code group="network"}) and one for active anomalies ({@code group="anomalies"}).
 *
 * <p>Chains ({@link Chains}): the groups above are the default chain's, as in a single-chain pipeline; another
 * chain's node and network groups carry the grouping label {@code chain="<chain_id>"} as well (so every series of
 * theirs has it), kept here as {@code chain/group} ({@link PushgatewayClient#path}). Active anomalies of every chain
 * share the anomalies group; one of a chain other than the default has a {@code chain} label.
 *
 * <p>Series, all gauges with bounded labels:
 * <ul>
 *   <li>latency KPIs, in seconds (Prometheus base unit; {@code consensus_latency_ms} becomes
 *       {@code chainpulse_consensus_latency_seconds}): a summary {@code {scope,node,quantile}} (0.5, 0.9, 0.95, 0.99)
 *       with {@code _count} and {@code _sum} of the latest final window, and gauges {@code …_max_seconds},
 *       {@code …_mean_seconds};</li>
 *   <li>rate KPIs: {@code chainpulse_<metric>{scope,node}} = events per second;</li>
 *   <li>{@code chainpulse_kpi_window_end_timestamp_seconds{scope,node}}: end of the latest final window;</li>
 *   <li>{@code chainpulse_anomaly_active{node,metric,severity}} (and {@code chain} off the default chain): active
 *       incidents with these labels.</li>
 * </ul>
 * Network-scope series carry no {@code node} label.
 *
 * <p>Expiry, on stream time: a node whose latest window ends more than {@code expiryMs} before the newest window end
 * seen is forgotten and its group deleted, so the series of a silent or removed node do not stay forever. Anomaly
 * series live in their own group and leave only when the anomaly resolves — a {@code node_silent} anomaly stays
 * visible after the node's KPI group is gone.
 *
 * <p>Thread-safe: the consumer thread updates it, the pusher thread reads it.
 */
final class PrometheusState {
    static final String NETWORK_GROUP = "network";
    static final String ANOMALY_GROUP = "anomalies";
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();
    private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};

    private final long expiryMs;
    /** group → metric → latest final window. */
    private final Map<String, Map<String, KpiWindow>> kpis = new TreeMap<>();
    private final Map<String, Anomaly> activeAnomalies = new TreeMap<>();
    private final Set<String> expired = new HashSet<>();
    private long streamTimeMs = Long.MIN_VALUE;

    PrometheusState(long expiryMs) {
        this.expiryMs = expiryMs;
    }

    synchronized void onKpi(KpiWindow window) {
        if (!window.getFinal$()) {
            return;
        }
        String group = Chains.scoped(window.getChainId(),
                window.getScope() == KpiScope.network ? NETWORK_GROUP : window.getNodeId());
        Map<String, KpiWindow> byMetric = kpis.computeIfAbsent(group, g -> new TreeMap<>());
        KpiWindow current = byMetric.get(window.getMetric());
        if (current == null || current.getWindowStartMs() <= window.getWindowStartMs()) {
            byMetric.put(window.getMetric(), window);
            expired.remove(group);
        }
        if (window.getWindowEndMs() > streamTimeMs) {
            streamTimeMs = window.getWindowEndMs();
            expireSilentNodes();
        }
    }

    synchronized void onAnomaly(Anomaly anomaly) {
        if (anomaly.getState() == AnomalyState.RESOLVED) {
            activeAnomalies.remove(anomaly.getAnomalyId());
        } else {
            activeAnomalies.put(anomaly.getAnomalyId(), anomaly);
        }
    }

    /** A tombstone of the compacted current-anomalies topic: incident {@code anomalyId} resolved. */
    synchronized void onTombstone(String anomalyId) {
        activeAnomalies.remove(anomalyId);
    }

    private void expireSilentNodes() {
        kpis.entrySet().removeIf(entry -> {
            if (Chains.keyOf(entry.getKey()).equals(NETWORK_GROUP)) {
                return false;
            }
            long latestEnd = entry.getValue().values().stream().mapToLong(KpiWindow::getWindowEndMs).max().orElse(0);
            if (streamTimeMs - latestEnd > expiryMs) {
                expired.add(entry.getKey());
                return true;
            }
            return false;
        });
    }

    /**
     * Every group this state knows, with the text to push: the KPI groups and always the anomaly group (empty when
     * nothing is active). Pushing them all each round re-creates whatever a restarted Pushgateway lost.
     */
    synchronized Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String group : kpis.keySet()) {
            out.put(group, exposition(group));
        }
        out.put(ANOMALY_GROUP, exposition(ANOMALY_GROUP));
        return out;
    }

    /** Groups of nodes that went silent, to delete; the caller re-adds them with {@link #retryDelete}. */
    synchronized Set<String> takeExpired() {
        Set<String> out = new HashSet<>(expired);
        expired.clear();
        return out;
    }

    synchronized void retryDelete(String group) {
        if (!kpis.containsKey(group)) {
            expired.add(group);
        }
    }

    synchronized Set<String> nodeGroups() {
        return new HashSet<>(kpis.keySet());
    }

    /** The Prometheus text exposition of one group. */
    synchronized String exposition(String group) {
        List<MetricSnapshot> snapshots = group.equals(ANOMALY_GROUP) ? anomalySnapshots() : kpiSnapshots(group);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            WRITER.write(out, new MetricSnapshots(snapshots), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<MetricSnapshot> kpiSnapshots(String group) {
        List<MetricSnapshot> out = new ArrayList<>();
        GaugeSnapshot.Builder windowEnd = GaugeSnapshot.builder().name("chainpulse_kpi_window_end_timestamp_seconds")
                .help("End of the latest final KPI window, seconds since the epoch (event time).");
        double latestEnd = 0;
        KpiWindow any = null;
        for (KpiWindow w : kpis.getOrDefault(group, Map.of()).values()) {
            Labels labels = labels(w);
            if (w.getRatePerS() != null) {
                out.add(gauge(Kpi.prometheusName(w.getMetric(), ""), "ChainPulse KPI " + w.getMetric()
                        + ", events per second, latest final window.", labels, w.getRatePerS()));
            } else {
                // Prometheus wants base units (the catalog's rule): consensus_latency_ms → chainpulse_consensus_latency_seconds
                double scale = Kpi.prometheusScale(w.getMetric());
                List<Quantile> quantiles = new ArrayList<>();
                Double[] values = {w.getP50(), w.getP90(), w.getP95(), w.getP99()};
                for (int i = 0; i < QUANTILES.length; i++) {
                    if (values[i] != null) {
                        quantiles.add(new Quantile(QUANTILES[i], values[i] * scale));
                    }
                }
                SummaryDataPointSnapshot.Builder point = SummaryDataPointSnapshot.builder().labels(labels)
                        .quantiles(Quantiles.of(quantiles)).count(w.getCount());
                if (w.getMean() != null) {
                    point.sum(w.getMean() * w.getCount() * scale);
                }
                out.add(SummarySnapshot.builder().name(Kpi.prometheusName(w.getMetric(), ""))
                        .help("ChainPulse KPI " + w.getMetric()
                        + " over the latest final window: quantiles from the sketch (1% relative error), count and sum "
                        + "of that window only.").dataPoint(point.build()).build());
                if (w.getMax() != null) {
                    out.add(gauge(Kpi.prometheusName(w.getMetric(), "_max"), "Maximum of " + w.getMetric() + ", latest final window.",
                            labels, w.getMax() * scale));
                }
                if (w.getMean() != null) {
                    out.add(gauge(Kpi.prometheusName(w.getMetric(), "_mean"), "Mean of " + w.getMetric() + ", latest final window.",
                            labels, w.getMean() * scale));
                }
                if (w.getLast() != null) {
                    out.add(gauge(Kpi.prometheusName(w.getMetric(), "_last"), "Latest sample of " + w.getMetric()
                            + ", latest final window.", labels, w.getLast() * scale));
                }
            }
            if (w.getWindowEndMs() / 1000.0 > latestEnd) {
                latestEnd = w.getWindowEndMs() / 1000.0;
                any = w;
            }
        }
        if (any != null) {
            out.add(windowEnd.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(any)).value(latestEnd).build()).build());
        }
        return out;
    }

    private List<MetricSnapshot> anomalySnapshots() {
        Map<Labels, Integer> counts = new TreeMap<>();
        for (Anomaly a : activeAnomalies.values()) {
            Labels labels = a.getNodeId() == null
                    ? Labels.of("metric", a.getMetric(), "severity", a.getSeverity().name())
                    : Labels.of("metric", a.getMetric(), "node", a.getNodeId(), "severity", a.getSeverity().name());
            String chain = Chains.idOf(a.getChainId());
            if (chain != null) {
                labels = labels.add("chain", chain);
            }
            counts.merge(labels, 1, Integer::sum);
        }
        GaugeSnapshot.Builder active = GaugeSnapshot.builder().name("chainpulse_anomaly_active")
                .help("Active ChainPulse anomaly incidents by node, metric and severity.");
        counts.forEach((labels, n) -> active.dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(n).build()));
        return List.of(active.build());
    }

    private static Labels labels(KpiWindow w) {
        return w.getScope() == KpiScope.network
                ? Labels.of("scope", "network")
                : Labels.of("node", w.getNodeId(), "scope", "node");
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build()).build();
    }
}
