package io.chainpulse.schema.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON Lines event format, as Python node monitors already write it, one event per line:
 *
 * <pre>{@code
 * {"event_id": "e1", "event_type": "transaction_ingress", "timestamp_ns": 1753784501635923000, "node_id": "v1",
 *  "metadata": {"tx_id": "0xab", "amount": 100}}
 * }</pre>
 *
 * <p>{@code event_id}, {@code event_type}, {@code timestamp_ns} and {@code node_id} are required. The metadata keys
 * {@code tx_id, height, block_hash, round, tx_count, gas_used, size_bytes, duration_ns, status, leader, chain_id} fill
 * the typed fields of {@link ProtocolEvent} (they are also accepted at the top level); every other metadata key is
 * kept, as text, in {@code metadata}. {@link #write} produces the same format, so files round-trip.
 */
public final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TYPED = Set.of("tx_id", "height", "block_hash", "round", "tx_count",
            "gas_used", "size_bytes", "duration_ns", "status", "leader", "chain_id");
    private static final Map<String, EventType> TYPES = Arrays.stream(EventType.values())
            .filter(t -> t != EventType.UNKNOWN)
            .collect(Collectors.toUnmodifiableMap(Enum::name, t -> t));

    private EventJson() {}

    /** Reads one line; throws {@link EventJsonException} naming the field that is missing or wrong. */
    public static ProtocolEvent parse(String line) {
        JsonNode root;
        try {
            root = JsonFields.object(JSON, line);
        } catch (IllegalArgumentException e) {
            throw new EventJsonException(e.getMessage());
        }
        JsonNode metadata = root.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isNull() && !metadata.isObject()) {
            throw new EventJsonException("metadata must be an object, got " + metadata.getNodeType());
        }
        ProtocolEvent.Builder event = ProtocolEvent.newBuilder()
                .setEventId(requiredText(root, "event_id"))
                .setEventType(eventType(root))
                .setTimestampNs(requiredLong(root, "timestamp_ns"))
                .setNodeId(requiredText(root, "node_id"));
        event.setChainId(text(root, metadata, "chain_id"));
        event.setTxId(text(root, metadata, "tx_id"));
        event.setHeight(longValue(root, metadata, "height"));
        event.setBlockHash(text(root, metadata, "block_hash"));
        event.setRound(intValue(root, metadata, "round"));
        event.setTxCount(intValue(root, metadata, "tx_count"));
        event.setGasUsed(longValue(root, metadata, "gas_used"));
        event.setSizeBytes(longValue(root, metadata, "size_bytes"));
        event.setDurationNs(longValue(root, metadata, "duration_ns"));
        event.setStatus(status(root, metadata));
        event.setLeader(text(root, metadata, "leader"));
        Map<String, String> rest = new LinkedHashMap<>();
        if (metadata.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!TYPED.contains(field.getKey()) && !field.getValue().isNull()) {
                    JsonNode value = field.getValue();
                    rest.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
                }
            }
        }
        return event.setMetadata(rest).build();
    }

    /** Writes {@code event} as one line (no trailing newline) that {@link #parse} reads back equal. */
    public static String write(ProtocolEvent event) {
        ObjectNode root = JSON.createObjectNode();
        root.put("event_id", event.getEventId());
        root.put("event_type", event.getEventType().name());
        root.put("timestamp_ns", event.getTimestampNs());
        root.put("node_id", event.getNodeId());
        ObjectNode metadata = root.putObject("metadata");
        putIfSet(metadata, "chain_id", event.getChainId());
        putIfSet(metadata, "tx_id", event.getTxId());
        if (event.getHeight() != null) {
            metadata.put("height", event.getHeight());
        }
        putIfSet(metadata, "block_hash", event.getBlockHash());
        if (event.getRound() != null) {
            metadata.put("round", event.getRound());
        }
        if (event.getTxCount() != null) {
            metadata.put("tx_count", event.getTxCount());
        }
        if (event.getGasUsed() != null) {
            metadata.put("gas_used", event.getGasUsed());
        }
        if (event.getSizeBytes() != null) {
            metadata.put("size_bytes", event.getSizeBytes());
        }
        if (event.getDurationNs() != null) {
            metadata.put("duration_ns", event.getDurationNs());
        }
        if (event.getStatus() != null) {
            metadata.put("status", event.getStatus().name());
        }
        putIfSet(metadata, "leader", event.getLeader());
        event.getMetadata().forEach(metadata::put);
        return root.toString();
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static EventType eventType(JsonNode root) {
        String name = requiredText(root, "event_type");
        EventType type = TYPES.get(name);
        if (type == null) {
            throw new EventJsonException("unknown event_type '" + name + "'; expected one of "
                    + TYPES.keySet().stream().sorted().collect(Collectors.joining(", ")));
        }
        return type;
    }

    private static EventStatus status(JsonNode root, JsonNode metadata) {
        String value = text(root, metadata, "status");
        if (value == null) {
            return null;
        }
        switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "success":
            case "ok":
                return EventStatus.success;
            case "failure":
            case "failed":
            case "error":
                return EventStatus.failure;
            default:
                throw new EventJsonException("status must be success or failure: \"" + value + "\"");
        }
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new EventJsonException("missing required field " + field);
        }
        if (!value.isValueNode() || value.asText().isEmpty()) {
            throw new EventJsonException(field + " must be a non-empty string: " + value);
        }
        return value.asText();
    }

    private static long requiredLong(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new EventJsonException("missing required field " + field);
        }
        return toLong(field, value);
    }

    private static JsonNode find(JsonNode root, JsonNode metadata, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            value = metadata.isObject() ? metadata.get(field) : null;
        }
        return value == null || value.isNull() ? null : value;
    }

    private static String text(JsonNode root, JsonNode metadata, String field) {
        JsonNode value = find(root, metadata, field);
        if (value == null) {
            return null;
        }
        if (!value.isValueNode()) {
            throw new EventJsonException(field + " must be a string: " + value);
        }
        return value.asText();
    }

    private static Long longValue(JsonNode root, JsonNode metadata, String field) {
        JsonNode value = find(root, metadata, field);
        return value == null ? null : toLong(field, value);
    }

    private static Integer intValue(JsonNode root, JsonNode metadata, String field) {
        Long value = longValue(root, metadata, field);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new EventJsonException(field + " is out of range for an int: " + value);
        }
        return value.intValue();
    }

    /** Integers, and strings holding one ("12"), as monitors write either. */
    private static long toLong(String field, JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new EventJsonException(field + " must be an integer: " + value);
    }
}
