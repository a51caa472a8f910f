package io.chainpulse.schema.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One JSON line parsed as an object, and typed reads of its fields, for the line formats ChainPulse writes and reads back
 * ({@code kpis.jsonl}, {@code anomalies.jsonl}). A wrong or missing field ends in an {@link IllegalArgumentException}
 * naming the field and echoing the value; the caller adds {@code file:line}.
 */
public final class JsonFields {
    private JsonFields() {}

    /**
     * Parses one line that must hold a JSON object. Jackson's location blurb (it names a redacted source) is cut
     * off: the caller reports file and line itself.
     */
    public static JsonNode object(ObjectMapper mapper, String line) {
        JsonNode root;
        try {
            root = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage();
            int location = message.indexOf(" (start marker at [Source");
            throw new IllegalArgumentException("not valid JSON: "
                    + (location < 0 ? message : message.substring(0, location)));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        return root;
    }

    /** A string field that must be present (it may be empty). */
    public static String requiredText(JsonNode root, String field) {
        JsonNode value = required(root, field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string: " + value);
        }
        return value.asText();
    }

    /** A string field that must be present and not empty. */
    public static String requiredNonEmptyText(JsonNode root, String field) {
        JsonNode value = required(root, field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException(field + " must be a non-empty string: " + value);
        }
        return value.asText();
    }

    /** An integer field that must be present and fit a long. */
    public static long requiredLong(JsonNode root, String field) {
        JsonNode value = required(root, field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be an integer: " + value);
        }
        return value.asLong();
    }

    /** A number field that may be missing or null (then null). */
    public static Double optionalDouble(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number: " + value);
        }
        return value.asDouble();
    }

    private static JsonNode required(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing required field " + field);
        }
        return value;
    }
}
