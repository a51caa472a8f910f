package io.chainpulse.sink.es;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiWindow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns KPI windows and anomalies into Elasticsearch documents. Pure functions, no I/O.
 *
 * <p>Ids are deterministic so that indexing is an upsert: a KPI window's live results and its final result, and any
 * replay of either topic, land on the same document ({@code metric|scope|node_id|window_start_ms}, the record key;
 * node empty for the network; {@code |chain_id} after it on a chain other than the default). An anomaly keeps one document per state ({@code anomaly_id|state}), so an incident's
 * FIRING and RESOLVED transitions are both kept. The daily index comes from the window start (UTC), never from the
 * wall clock, so the same record always lands in the same index.
 *
 * <pre>{@code
 * IndexDoc doc = Documents.kpi(window, "chainpulse-kpis");   // index chainpulse-kpis-2025.07.29
 * }</pre>
 */
public final class Documents {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);
    private static final char SEPARATOR = '|';

    private Documents() {}

    public static IndexDoc kpi(KpiWindow window, String alias) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("metric", window.getMetric());
        source.put("scope", window.getScope().name());
        putIfPresent(source, "node_id", window.getNodeId());
        putIfPresent(source, "chain_id", window.getChainId());
        source.put("window_start", window.getWindowStartMs());
        source.put("window_end", window.getWindowEndMs());
        source.put("final", window.getFinal$());
        source.put("count", window.getCount());
        putIfPresent(source, "rate_per_s", window.getRatePerS());
        putIfPresent(source, "min", window.getMin());
        putIfPresent(source, "mean", window.getMean());
        putIfPresent(source, "max", window.getMax());
        putIfPresent(source, "p50", window.getP50());
        putIfPresent(source, "p90", window.getP90());
        putIfPresent(source, "p95", window.getP95());
        putIfPresent(source, "p99", window.getP99());
        putIfPresent(source, "last", window.getLast());
        source.put("excluded_skew", window.getExcludedSkew());
        if (window.getSketch() != null) {
            source.put("sketch", base64(window.getSketch()));
        }
        return new IndexDoc(dailyIndex(alias, window.getWindowStartMs()), kpiId(window), source);
    }

    public static IndexDoc anomaly(Anomaly anomaly, String alias) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("anomaly_id", anomaly.getAnomalyId());
        source.put("state", anomaly.getState().name());
        source.put("severity", anomaly.getSeverity().name());
        source.put("severity_level", anomaly.getSeverityLevel());
        source.put("detector", anomaly.getDetector());
        source.put("rule", anomaly.getRule());
        source.put("metric", anomaly.getMetric());
        source.put("scope", anomaly.getScope().name());
        putIfPresent(source, "node_id", anomaly.getNodeId());
        putIfPresent(source, "chain_id", anomaly.getChainId());
        source.put("window_start", anomaly.getWindowStartMs());
        putIfPresent(source, "observed", anomaly.getObserved());
        putIfPresent(source, "expected", anomaly.getExpected());
        source.put("description", anomaly.getDescription());
        source.put("suggested_actions", List.copyOf(anomaly.getSuggestedActions()));
        source.put("started", anomaly.getStartedMs());
        return new IndexDoc(dailyIndex(alias, anomaly.getWindowStartMs()), anomalyId(anomaly), source);
    }

    /**
     * {@code metric|scope|node_id|window_start_ms}, node empty for network scope, then {@code |chain_id} for a chain
     * other than the default ({@link Chains}): the KPI record key. A default-chain window's id is what it was before
     * chains, so documents indexed then are still upserted.
     */
    public static String kpiId(KpiWindow window) {
        String id = window.getMetric() + SEPARATOR + window.getScope().name() + SEPARATOR
                + (window.getNodeId() == null ? "" : window.getNodeId()) + SEPARATOR + window.getWindowStartMs();
        String chain = Chains.idOf(window.getChainId());
        return chain == null ? id : id + SEPARATOR + chain;
    }

    /** {@code anomaly_id|state}. */
    public static String anomalyId(Anomaly anomaly) {
        return anomaly.getAnomalyId() + SEPARATOR + anomaly.getState().name();
    }

    /** {@code alias-yyyy.MM.dd} of the UTC day holding {@code epochMillis}. */
    public static String dailyIndex(String alias, long epochMillis) {
        return alias + '-' + DAY.format(Instant.ofEpochMilli(epochMillis));
    }

    private static void putIfPresent(Map<String, Object> source, String field, Object value) {
        if (value != null) {
            source.put(field, value);
        }
    }

    private static String base64(ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        byte[] array = new byte[copy.remaining()];
        copy.get(array);
        return Base64.getEncoder().encodeToString(array);
    }
}
