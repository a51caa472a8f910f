package io.chainpulse.schema.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compatibility level ChainPulse gives its schema subjects, and the one piece of code that sets it: used by
 * {@code ./chainpulse up}, the demo, and {@code docker/} (through {@link #main}).
 *
 * <p>The level is {@value #LEVEL} — stricter than BACKWARD: a new schema version must be readable by the consumers
 * that run today (a node upgraded before the processor: FORWARD) and must read what older producers wrote (the
 * processor upgraded before the nodes: BACKWARD). Adding or removing a field <em>with a default</em> passes; a
 * field without one is refused with HTTP 409, and the producer SDK then keeps its events in the spool and names the
 * subject and the registry's message to its {@code ErrorListener}.
 *
 * <pre>{@code
 * SchemaCompatibility.apply("http://127.0.0.1:8081/apis/ccompat/v7", List.of("chainpulse.events", "chainpulse.kpis"));
 * }</pre>
 */
public final class SchemaCompatibility {
    /** The level of every ChainPulse subject. */
    public static final String LEVEL = "FULL";

    private SchemaCompatibility() {}

    /** {@code <topic>-value}: the subject of a topic's record values (Confluent's TopicNameStrategy). */
    public static String subject(String topic) {
        return topic + "-value";
    }

    /**
     * Sets {@value #LEVEL} on the value subject of each topic, registered yet or not.
     *
     * @return subject → the level the registry now holds, in the order of {@code topics}
     * @throws SchemaRegistryException naming the subject when the registry refuses or cannot be reached
     */
    public static Map<String, String> apply(String registryUrl, List<String> topics) {
        return apply(new RestSchemaRegistryClient(registryUrl, null, SchemaRegistryClients.DEFAULT_TIMEOUT), topics);
    }

    static Map<String, String> apply(RestSchemaRegistryClient registry, List<String> topics) {
        Map<String, String> levels = new LinkedHashMap<>();
        for (String topic : topics) {
            levels.put(subject(topic), registry.setCompatibility(subject(topic), LEVEL));
        }
        return levels;
    }

    /**
     * {@code SchemaCompatibility REGISTRY_URL TOPIC...}: for deployments without the CLI's {@code up} (the docker
     * compose file runs it once the registry is up). Exit code 0 when every subject was set, 1 otherwise (a
     * supervisor retries), 2 on wrong arguments.
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: SchemaCompatibility REGISTRY_URL TOPIC... (sets " + LEVEL
                    + " on each <topic>-value subject)");
            System.exit(2);
        }
        try {
            apply(args[0], List.of(args).subList(1, args.length))
                    .forEach((subject, level) -> System.out.println(subject + ": " + level));
        } catch (SchemaRegistryException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
