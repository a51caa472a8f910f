package io.chainpulse.schema.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.NodeResourceSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.avro.Schema;

/**
 * The resource samples file ({@code simulate --resources-output}, {@code analyze --resources}): one
 * {@link NodeResourceSample} per line, every field by its schema name, null or absent for an optional field left
 * empty. A line that is not a valid sample is reported as {@code file:line: reason} and skipped.
 *
 * <pre>{@code
 * {"node_id":"v1","chain_id":"sim","timestamp_ns":1700000005000000000,"cpu_percent":9.8,"process_cpu_percent":6.1,
 *  "heap_used_bytes":541065216,"rss_bytes":777060352,"disk_read_bytes":70912,...,"peer_count":null}
 * ResourceSampleJson.read(path, sample -> pipe(sample), System.err::println);
 * }</pre>
 */
public final class ResourceSampleJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResourceSampleJson() {}

    /**
     * One line as a sample.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong, and its value
     */
    public static NodeResourceSample parse(String line) {
        JsonNode root = JsonFields.object(JSON, line);
        NodeResourceSample sample = new NodeResourceSample();
        for (Schema.Field field : NodeResourceSample.getClassSchema().getFields()) {
            sample.put(field.pos(), value(root, field));
        }
        if (sample.getNodeId().isEmpty()) {
            throw new IllegalArgumentException("node_id must be a non-empty string: \"\"");
        }
        return sample;
    }

    /** Reads every line of {@code file}: valid samples to {@code sink}, bad lines to {@code problems}. */
    public static EventJsonLines.Counts read(Path file, Consumer<NodeResourceSample> sink, Consumer<String> problems)
            throws IOException {
        return EventJsonLines.read(file, ResourceSampleJson::parse, IllegalArgumentException.class,
                (sample, line) -> sink.accept(sample), problems);
    }

    private static Object value(JsonNode root, Schema.Field field) {
        String name = field.name();
        Schema type = field.schema();
        boolean optional = false;
        if (type.getType() == Schema.Type.UNION) {
            optional = true;
            type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            if (optional) {
                return null;
            }
            throw new IllegalArgumentException("missing required field " + name);
        }
        return switch (type.getType()) {
            case STRING -> {
                if (!value.isTextual()) {
                    throw new IllegalArgumentException(name + " must be a string: " + value);
                }
                yield value.asText();
            }
            case LONG -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    throw new IllegalArgumentException(name + " must be an integer: " + value);
                }
                yield value.asLong();
            }
            case INT -> {
                if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                    throw new IllegalArgumentException(name + " must be a 32-bit integer: " + value);
                }
                yield value.asInt();
            }
            case DOUBLE -> {
                if (!value.isNumber()) {
                    throw new IllegalArgumentException(name + " must be a number: " + value);
                }
                yield value.asDouble();
            }
            default -> throw new IllegalStateException("field " + name + " of type " + type + " is not read");
        };
    }
}
