package io.chainpulse.processor;

import static io.chainpulse.schema.json.JsonFields.optionalDouble;
import static io.chainpulse.schema.json.JsonFields.requiredLong;
import static io.chainpulse.schema.json.JsonFields.requiredNonEmptyText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.json.JsonFields;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * One final KPI window as one JSON line, the {@code kpis.jsonl} format of {@code ./chainpulse analyze}:
 * <pre>{@code
 * {"metric":"consensus_latency_ms","scope":"node","node_id":"v3","window_start_ms":1700000010000,
 *  "window_end_ms":1700000020000,"count":12,"min":80.0,"mean":101.5,"max":130.0,"p50":99.6,"p90":120.3,
 *  "p95":128.4,"p99":128.4,"excluded_skew":0,"sketch":"AgAAAAAA..."}
 * {"metric":"tps","scope":"network","node_id":null,"window_start_ms":...,"window_end_ms":...,"count":3100,
 *  "rate_per_s":310.0,"excluded_skew":0}
 * }</pre>
 * Keys in that order. A window of a chain other than the default ({@link io.chainpulse.schema.Chains}) has
 * {@code "chain_id"} right after {@code node_id}; the default chain's lines have none, as before chains. Rate KPIs carry {@code rate_per_s}; latency KPIs carry {@code min .. p99} (null when every
 * sample was excluded), for a resource gauge's node window {@code last} (the latest sample's value, only there), and
 * last, {@code sketch}: the window's DDSketch bytes ({@link Sketches}) in base64, absent
 * when the window has no samples. Readers that predate the sketch ignore it; {@link #parse} reads lines with or
 * without it, so percentiles over many windows can be computed from the file.
 */
public final class KpiJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KpiJson() {}

    public static String write(KpiWindow k) {
        ObjectNode line = JSON.createObjectNode();
        line.put("metric", k.getMetric());
        line.put("scope", k.getScope().name());
        if (k.getScope() == KpiScope.network) {
            line.putNull("node_id");
        } else {
            line.put("node_id", k.getNodeId());
        }
        if (k.getChainId() != null) {
            line.put("chain_id", k.getChainId());
        }
        line.put("window_start_ms", k.getWindowStartMs());
        line.put("window_end_ms", k.getWindowEndMs());
        line.put("count", k.getCount());
        if (k.getRatePerS() != null) {
            line.put("rate_per_s", k.getRatePerS());
        } else {
            put(line, "min", k.getMin());
            put(line, "mean", k.getMean());
            put(line, "max", k.getMax());
            put(line, "p50", k.getP50());
            put(line, "p90", k.getP90());
            put(line, "p95", k.getP95());
            put(line, "p99", k.getP99());
            if (k.getLast() != null) {
                line.put("last", k.getLast());
            }
        }
        line.put("excluded_skew", k.getExcludedSkew());
        if (k.getRatePerS() == null && k.getSketch() != null) {
            line.put("sketch", Base64.getEncoder().encodeToString(Sketches.toArray(k.getSketch())));
        }
        return line.toString();
    }

    /**
     * Reads a line {@link #write} wrote, as a final window.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong, and its value
     */
    public static KpiWindow parse(String line) {
        JsonNode root = JsonFields.object(JSON, line);
        KpiScope scope = scope(root);
        String node = root.path("node_id").isNull() || root.path("node_id").isMissingNode() ? null
                : requiredNonEmptyText(root, "node_id");
        if (scope == KpiScope.node && node == null) {
            throw new IllegalArgumentException("node_id is required for scope node");
        }
        KpiWindow.Builder kpi = KpiWindow.newBuilder()
                .setMetric(requiredNonEmptyText(root, "metric"))
                .setScope(scope)
                .setNodeId(scope == KpiScope.node ? node : null)
                .setChainId(root.path("chain_id").isNull() || root.path("chain_id").isMissingNode() ? null
                        : requiredNonEmptyText(root, "chain_id"))
                .setWindowStartMs(requiredLong(root, "window_start_ms"))
                .setWindowEndMs(requiredLong(root, "window_end_ms"))
                .setFinal$(true)
                .setCount(requiredLong(root, "count"))
                .setRatePerS(optionalDouble(root, "rate_per_s"))
                .setMin(optionalDouble(root, "min"))
                .setMean(optionalDouble(root, "mean"))
                .setMax(optionalDouble(root, "max"))
                .setP50(optionalDouble(root, "p50"))
                .setP90(optionalDouble(root, "p90"))
                .setP95(optionalDouble(root, "p95"))
                .setP99(optionalDouble(root, "p99"))
                .setLast(optionalDouble(root, "last"))
                .setExcludedSkew(root.has("excluded_skew") ? requiredLong(root, "excluded_skew") : 0);
        JsonNode sketch = root.path("sketch");
        if (!sketch.isMissingNode() && !sketch.isNull()) {
            if (!sketch.isTextual()) {
                throw new IllegalArgumentException("sketch must be a base64 string: " + sketch);
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(sketch.asText());
                Sketches.decode(bytes);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new IllegalArgumentException("sketch is not a base64 DDSketch: " + e.getMessage());
            }
            kpi.setSketch(ByteBuffer.wrap(bytes));
        }
        if (kpi.getWindowEndMs() <= kpi.getWindowStartMs()) {
            throw new IllegalArgumentException("window_end_ms must be after window_start_ms: "
                    + kpi.getWindowEndMs() + " <= " + kpi.getWindowStartMs());
        }
        return kpi.build();
    }

    private static KpiScope scope(JsonNode root) {
        String value = requiredNonEmptyText(root, "scope");
        try {
            return KpiScope.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scope must be node or network: \"" + value + "\"");
        }
    }

    private static void put(ObjectNode line, String field, Double value) {
        if (value == null) {
            line.putNull(field);
        } else {
            line.put(field, value);
        }
    }
}
