package io.chainpulse.anomaly;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.Anomaly;

/**
 * One anomaly transition as one JSON line, the {@code anomalies.jsonl} format of {@code ./chainpulse analyze}:
 * <pre>{@code
 * {"anomaly_id": "...", "state": "FIRING", "severity": "HIGH", "detector": "peer_outlier", "rule": "...",
 *  "metric": "consensus_latency_ms", "scope": "node", "node_id": "v3", "window_start_ms": 1700000010000,
 *  "observed": 964.0, "expected": 119.0, "description": "...", "suggested_actions": ["..."]}
 * }</pre>
 * Keys in that order, separated by {@code ", "} and {@code ": "}; {@code node_id}, {@code observed} and
 * {@code expected} are null when absent.
 */
public final class AnomalyJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AnomalyJson() {}

    public static String write(Anomaly a) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("anomaly_id", a.getAnomalyId());
        json.put("state", a.getState().name());
        json.put("severity", a.getSeverity().name());
        json.put("detector", a.getDetector());
        json.put("rule", a.getRule());
        json.put("metric", a.getMetric());
        json.put("scope", a.getScope().name());
        json.put("node_id", a.getNodeId());
        json.put("window_start_ms", a.getWindowStartMs());
        json.put("observed", a.getObserved());
        json.put("expected", a.getExpected());
        json.put("description", a.getDescription());
        ArrayNode actions = json.putArray("suggested_actions");
        a.getSuggestedActions().forEach(actions::add);
        StringBuilder line = new StringBuilder("{");
        var fields = json.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            line.append(quote(field.getKey())).append(": ");
            if (field.getValue().isArray()) {
                line.append('[');
                for (int i = 0; i < field.getValue().size(); i++) {
                    line.append(i == 0 ? "" : ", ").append(field.getValue().get(i).toString());
                }
                line.append(']');
            } else {
                line.append(field.getValue().toString());
            }
            line.append(fields.hasNext() ? ", " : "");
        }
        return line.append('}').toString();
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
