package io.chainpulse.anomaly;

import static io.chainpulse.schema.json.JsonFields.optionalDouble;
import static io.chainpulse.schema.json.JsonFields.requiredLong;
import static io.chainpulse.schema.json.JsonFields.requiredText;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.json.JsonFields;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * One anomaly transition as one JSON line, the {@code anomalies.jsonl} format of {@code ./chainpulse analyze}:
 * <pre>{@code
 * {"anomaly_id": "...", "state": "FIRING", "severity": "HIGH", "detector": "peer_outlier", "rule": "...",
 *  "metric": "consensus_latency_ms", "scope": "node", "node_id": "v3", "window_start_ms": 1700000010000,
 *  "observed": 964.0, "expected": 119.0, "description": "...", "suggested_actions": ["..."]}
 * }</pre>
 * Keys in that order, separated by {@code ", "} and {@code ": "}; {@code node_id}, {@code observed} and
 * {@code expected} are null when absent; {@code "chain_id"} follows {@code node_id} only on a chain other than the
 * default. A last key {@code "reason"} appears only on unusual transitions
 * ({@code "expired"}: a liveness incident resolved because its node was forgotten), and a key {@code "corroborated_by"}
 * only when other detectors agree with the incident (their {@code detector/rule}s). The line has no {@code severity_level} (it follows from the severity) and no
 * {@code started_ms}: {@link #parse} sets it to the line's {@code window_start_ms}, which is exact for an incident's
 * first FIRING line; readers that need the start of a later transition take it from that first line.
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
        if (a.getChainId() != null) {
            json.put("chain_id", a.getChainId()); // only on a chain other than the default
        }
        json.put("window_start_ms", a.getWindowStartMs());
        json.put("observed", a.getObserved());
        json.put("expected", a.getExpected());
        json.put("description", a.getDescription());
        ArrayNode actions = json.putArray("suggested_actions");
        a.getSuggestedActions().forEach(actions::add);
        if (a.getReason() != null) {
            json.put("reason", a.getReason()); // only on unusual transitions, so usual lines stay as they were
        }
        if (a.getCorroboratedBy() != null && !a.getCorroboratedBy().isEmpty()) {
            ArrayNode others = json.putArray("corroborated_by"); // only when other detectors agree
            a.getCorroboratedBy().forEach(others::add);
        }
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

    /**
     * Reads a line {@link #write} wrote.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong, and its value
     */
    public static Anomaly parse(String line) {
        JsonNode root = JsonFields.object(MAPPER, line);
        Severity severity = symbol(root, "severity", Severity.class);
        KpiScope scope = symbol(root, "scope", KpiScope.class);
        JsonNode node = root.path("node_id");
        if (scope == KpiScope.node && !node.isTextual()) {
            throw new IllegalArgumentException("node_id is required for scope node");
        }
        long windowStart = requiredLong(root, "window_start_ms");
        List<String> actions = new ArrayList<>();
        JsonNode array = root.path("suggested_actions");
        if (!array.isMissingNode() && !array.isNull()) {
            if (!array.isArray()) {
                throw new IllegalArgumentException("suggested_actions must be an array of strings: " + array);
            }
            for (JsonNode action : array) {
                if (!action.isTextual()) {
                    throw new IllegalArgumentException("suggested_actions must be an array of strings: " + array);
                }
                actions.add(action.asText());
            }
        }
        List<String> corroborators = new ArrayList<>();
        JsonNode others = root.path("corroborated_by");
        if (!others.isMissingNode() && !others.isNull()) {
            if (!others.isArray()) {
                throw new IllegalArgumentException("corroborated_by must be an array of strings: " + others);
            }
            for (JsonNode other : others) {
                if (!other.isTextual()) {
                    throw new IllegalArgumentException("corroborated_by must be an array of strings: " + others);
                }
                corroborators.add(other.asText());
            }
        }
        return Anomaly.newBuilder()
                .setAnomalyId(requiredText(root, "anomaly_id"))
                .setState(symbol(root, "state", AnomalyState.class))
                .setSeverity(severity)
                .setSeverityLevel(severity.ordinal() + 1)
                .setDetector(requiredText(root, "detector"))
                .setRule(requiredText(root, "rule"))
                .setMetric(requiredText(root, "metric"))
                .setScope(scope)
                .setNodeId(scope == KpiScope.node ? node.asText() : null)
                .setChainId(root.path("chain_id").isTextual() ? root.path("chain_id").asText() : null)
                .setWindowStartMs(windowStart)
                .setObserved(optionalDouble(root, "observed"))
                .setExpected(optionalDouble(root, "expected"))
                .setDescription(requiredText(root, "description"))
                .setSuggestedActions(actions)
                .setStartedMs(windowStart)
                .setReason(root.path("reason").isTextual() ? root.path("reason").asText() : null)
                .setCorroboratedBy(corroborators)
                .build();
    }

    private static <E extends Enum<E>> E symbol(JsonNode root, String field, Class<E> type) {
        String value = requiredText(root, field);
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E symbol : type.getEnumConstants()) {
                names.add(symbol.name());
            }
            throw new IllegalArgumentException(field + " must be one of " + String.join(", ", names) + ": \""
                    + value + "\"");
        }
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
