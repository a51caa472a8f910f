package io.chainpulse.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the page shows, kept in memory: recent KPI windows per metric, scope and node, and the latest anomaly
 * transitions. Written by the consumer thread, read by the HTTP threads (every method is synchronized; a snapshot is
 * rendered to JSON under the lock, which is cheap at these bounds).
 *
 * <p><b>Bounds</b> (so a dashboard left open for weeks stays the same size):
 * <ul>
 *   <li>windows ending more than {@code history} (15 min by default) before the newest window end seen — event time,
 *       so a replay of an old file looks like the live run — are dropped, and a series left with none disappears;</li>
 *   <li>at most {@value #MAX_POINTS_PER_SERIES} windows per series (15 min of 1-second windows): the oldest go first;</li>
 *   <li>at most {@value #MAX_SERIES} series (metric × scope × node): the series whose newest window is the oldest
 *       goes first;</li>
 *   <li>the last {@value #MAX_ANOMALIES} anomaly transitions, in arrival order.</li>
 * </ul>
 * That is at most about 460,000 points of a few dozen bytes each, some 30 MB in the worst case; a 20-node network
 * with the processor's 10-second windows holds about 15,000.
 *
 * <pre>{@code
 * DashboardView view = new DashboardView(Duration.ofMinutes(15));
 * view.onKpi(window);          // upserts by window start: a later record of the same window replaces it
 * view.onAnomaly(anomaly);
 * String json = view.kpisJson();
 * }</pre>
 */
final class DashboardView {
    static final int MAX_POINTS_PER_SERIES = 900;
    static final int MAX_SERIES = 512;
    static final int MAX_ANOMALIES = 200;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Comparator<SeriesKey> ORDER = Comparator.comparing(SeriesKey::metric)
            .thenComparing(SeriesKey::scope)
            .thenComparing(k -> k.nodeId() == null ? "" : k.nodeId())
            .thenComparing(k -> k.chain() == null ? "" : k.chain());

    /**
     * One line of a chart: a KPI of one scope and (for node scope) one node, of one chain ({@code chain_id}; null for
     * the default chain): two chains' windows never share a line.
     */
    record SeriesKey(String metric, KpiScope scope, String nodeId, String chain) {}

    /**
     * What a chart needs of one window: the rate, or the percentiles and mean of a sketched KPI, and the latest
     * sample of a resource gauge's node window ({@code last}, null otherwise).
     */
    private record Point(long windowEndMs, Double ratePerS, Double p50, Double p95, Double p99, Double mean,
                         Double last) {}

    private final long historyMs;
    private final Map<SeriesKey, NavigableMap<Long, Point>> series = new TreeMap<>(ORDER);
    private final Deque<Anomaly> anomalies = new ArrayDeque<>();
    private long newestWindowEndMs = Long.MIN_VALUE;
    private long kpiRecords;
    private long anomalyRecords;

    DashboardView(Duration history) {
        if (history.isNegative() || history.isZero()) {
            throw new IllegalArgumentException("history must be > 0: " + history);
        }
        this.historyMs = history.toMillis();
    }

    synchronized void onKpi(KpiWindow window) {
        kpiRecords++;
        long end = window.getWindowEndMs();
        if (newestWindowEndMs != Long.MIN_VALUE && end <= newestWindowEndMs - historyMs) {
            return; // older than anything the page shows
        }
        newestWindowEndMs = Math.max(newestWindowEndMs, end);
        SeriesKey key = new SeriesKey(window.getMetric(), window.getScope(),
                window.getScope() == KpiScope.network ? null : window.getNodeId(),
                io.chainpulse.schema.Chains.idOf(window.getChainId()));
        NavigableMap<Long, Point> points = series.get(key);
        if (points == null) {
            if (series.size() >= MAX_SERIES) {
                evictStalestSeries();
            }
            points = new TreeMap<>();
            series.put(key, points);
        }
        points.put(window.getWindowStartMs(), new Point(end, window.getRatePerS(), window.getP50(), window.getP95(),
                window.getP99(), window.getMean(), window.getLast()));
        while (points.size() > MAX_POINTS_PER_SERIES) {
            points.pollFirstEntry();
        }
    }

    synchronized void onAnomaly(Anomaly anomaly) {
        anomalyRecords++;
        anomalies.addFirst(anomaly);
        while (anomalies.size() > MAX_ANOMALIES) {
            anomalies.removeLast();
        }
    }

    /**
     * {@code {"newest_window_end_ms": …, "history_ms": …, "series": [{"metric", "scope", "node_id", "points":
     * [{"window_end_ms", "rate_per_s"} or {"window_end_ms", "p50", "p95", "p99", "mean"[, "last"]}, …]}, …]}}, with
     * {@code last} only on the node windows of resource gauges (their latest sample): series ordered by
     * metric, scope (node before network), node and chain ({@code "chain_id"} after {@code node_id} on a series of a
     * chain other than the default only), points by window; {@code newest_window_end_ms} is null before
     * the first window.
     */
    synchronized String kpisJson() {
        prune();
        ObjectNode json = MAPPER.createObjectNode();
        if (newestWindowEndMs == Long.MIN_VALUE) {
            json.putNull("newest_window_end_ms");
        } else {
            json.put("newest_window_end_ms", newestWindowEndMs);
        }
        json.put("history_ms", historyMs);
        ArrayNode out = json.putArray("series");
        series.forEach((key, points) -> {
            ObjectNode s = out.addObject();
            s.put("metric", key.metric());
            s.put("scope", key.scope().name());
            s.put("node_id", key.nodeId());
            if (key.chain() != null) {
                s.put("chain_id", key.chain()); // only off the default chain: single-chain feeds as before
            }
            ArrayNode ps = s.putArray("points");
            for (Point p : points.values()) {
                ObjectNode o = ps.addObject();
                o.put("window_end_ms", p.windowEndMs());
                if (p.ratePerS() != null) {
                    o.put("rate_per_s", p.ratePerS());
                } else {
                    o.put("p50", p.p50());
                    o.put("p95", p.p95());
                    o.put("p99", p.p99());
                    o.put("mean", p.mean());
                }
                if (p.last() != null) {
                    o.put("last", p.last());
                }
            }
        });
        return write(json);
    }

    /**
     * {@code {"anomalies": [...]}}, newest first; each entry has exactly the fields, order and values of an
     * {@code anomalies.jsonl} line ({@code AnomalyJson} of the anomaly detector), and last {@code chain_id} on an
     * anomaly of a chain other than the default (the page names its node {@code v1 · beta}).
     */
    synchronized String anomaliesJson() {
        ObjectNode json = MAPPER.createObjectNode();
        ArrayNode out = json.putArray("anomalies");
        for (Anomaly a : anomalies) {
            ObjectNode o = out.addObject();
            o.put("anomaly_id", a.getAnomalyId());
            o.put("state", a.getState().name());
            o.put("severity", a.getSeverity().name());
            o.put("detector", a.getDetector());
            o.put("rule", a.getRule());
            o.put("metric", a.getMetric());
            o.put("scope", a.getScope().name());
            o.put("node_id", a.getNodeId());
            o.put("window_start_ms", a.getWindowStartMs());
            o.put("observed", a.getObserved());
            o.put("expected", a.getExpected());
            o.put("description", a.getDescription());
            ArrayNode actions = o.putArray("suggested_actions");
            a.getSuggestedActions().forEach(actions::add);
            if (a.getChainId() != null) {
                o.put("chain_id", a.getChainId()); // only off the default chain, as on a KPI series
            }
        }
        return write(json);
    }

    /** Records read so far (each KPI window, each anomaly transition), including those since pruned. */
    synchronized long kpiRecords() {
        return kpiRecords;
    }

    synchronized long anomalyRecords() {
        return anomalyRecords;
    }

    private void prune() {
        if (newestWindowEndMs == Long.MIN_VALUE) {
            return;
        }
        long horizon = newestWindowEndMs - historyMs;
        for (Iterator<NavigableMap<Long, Point>> it = series.values().iterator(); it.hasNext(); ) {
            NavigableMap<Long, Point> points = it.next();
            points.values().removeIf(p -> p.windowEndMs() <= horizon);
            if (points.isEmpty()) {
                it.remove();
            }
        }
    }

    private void evictStalestSeries() {
        SeriesKey stalest = null;
        long stalestEnd = Long.MAX_VALUE;
        for (Map.Entry<SeriesKey, NavigableMap<Long, Point>> e : series.entrySet()) {
            long end = e.getValue().lastEntry().getValue().windowEndMs();
            if (end < stalestEnd) {
                stalestEnd = end;
                stalest = e.getKey();
            }
        }
        series.remove(stalest);
    }

    private static String write(ObjectNode json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON of the dashboard view", e);
        }
    }
}
