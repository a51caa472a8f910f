package io.chainpulse.sdk;

import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.NodeIds;
import io.chainpulse.schema.catalog.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The SDK's settings as a table: every key with its type, default, validator and documentation. The builder of
 * {@link ChainPulseSdk} fills these keys; {@link #CONFIG} is also what the README's configuration table is
 * generated from. Keys starting with {@code kafka.} are passed to the Kafka producer without the prefix.
 */
public final class SdkConfig extends AbstractConfig {
    public static final String NODE_ID = "node.id";
    public static final String CHAIN_ID = "chain.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String TOPIC = "topic";
    public static final String RESOURCES_TOPIC = "resources.topic";
    public static final String BUFFER_EVENTS = "buffer.events";
    public static final String SPOOL_DIR = "spool.dir";
    public static final String SPOOL_MAX_BYTES = "spool.max.bytes";
    public static final String SPOOL_SEGMENT_BYTES = "spool.segment.bytes";
    public static final String SPOOL_FSYNC_INTERVAL_MS = "spool.fsync.interval.ms";
    public static final String STALL_TIMEOUT_MS = "stall.timeout.ms";
    public static final String KAFKA_PREFIX = "kafka.";

    private static final ConfigDef.Validator NON_EMPTY_LIST = ConfigDef.LambdaValidator.with((name, value) -> {
        if (value instanceof List<?> list && list.isEmpty()) {
            throw new org.apache.kafka.common.config.ConfigException(name, value, "List must not be empty");
        }
    }, () -> "non-empty list");

    /** The one node-id rule, {@link NodeIds}; its message names the id and what is wrong with it. */
    private static final ConfigDef.Validator NODE_ID_RULE = ConfigDef.LambdaValidator.with((name, value) ->
            // null is "missing", which ConfigDef reports itself
            (value == null ? java.util.Optional.<String>empty() : NodeIds.problem((String) value)).ifPresent(problem -> {
                throw new org.apache.kafka.common.config.ConfigException(problem);
            }), () -> "1 to " + NodeIds.MAX_LENGTH + " of A-Z a-z 0-9 . _ : -, starting with a letter or digit; not "
                    + String.join(", ", NodeIds.RESERVED.stream().sorted().toList()));

    static final ConfigDef CONFIG = new ConfigDef()
            .define(NODE_ID, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, NODE_ID_RULE, Importance.HIGH,
                    "Id of the node this SDK reports for; the Kafka record key of its events and the name of its "
                            + "spool sub-directory. Checked by the one node-id rule (io.chainpulse.schema.NodeIds), "
                            + "which the processor applies too.")
            .define(CHAIN_ID, Type.STRING, null, Importance.MEDIUM,
                    "Chain or network id written into every event; empty means not set.")
            .define(BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NON_EMPTY_LIST,
                    Importance.HIGH, "Kafka brokers to connect to, host:port[,host:port...].")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Confluent-compatible schema registry base URL (Confluent, Apicurio /apis/ccompat/v7, "
                            + "Redpanda); mock://name for an in-memory registry in tests.")
            .define(SCHEMA_REGISTRY_USER_INFO, Type.PASSWORD, null, Importance.LOW,
                    "user:password for the registry's HTTP basic auth; never logged.")
            .define(TOPIC, Type.STRING, Topics.EVENTS.name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic the events are published to (value subject <topic>-value).")
            .define(RESOURCES_TOPIC, Type.STRING, Topics.RESOURCES.name(), new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic the node's resource samples (recordResources) are published to, keyed "
                            + "by node id (value subject <topic>-value). They share the buffer and the spool with "
                            + "the events; the topic is only needed once a sample is recorded.")
            .define(BUFFER_EVENTS, Type.INT, 65_536, Range.between(1_024, 1 << 24), Importance.MEDIUM,
                    "Events the in-memory buffer between the node's threads and the sender holds; when it is full, "
                            + "new events are dropped and counted (reason buffer_full).")
            .define(SPOOL_DIR, Type.STRING, "chainpulse-spool", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Directory of the durable spool used while Kafka or the registry is unreachable; a sub-directory "
                            + "per node id is created in it. Events spooled by an earlier run are sent at start.")
            .define(SPOOL_MAX_BYTES, Type.LONG, 1L << 30, Range.atLeast(1L << 20), Importance.MEDIUM,
                    "Bound of the spool on disk; when it is full, new events are dropped and counted (reason spool_full).")
            .define(SPOOL_SEGMENT_BYTES, Type.INT, 16 << 20, Range.between(64 << 10, 1 << 30), Importance.LOW,
                    "Size of one spool segment file; a segment is deleted once all its events were acknowledged.")
            .define(SPOOL_FSYNC_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(0), Importance.LOW,
                    "How often spooled data is forced to the disk (0: after every write). Data written since the last "
                            + "fsync survives a crash of the process but not of the machine.")
            .define(STALL_TIMEOUT_MS, Type.LONG, 2_000L, Range.atLeast(100), Importance.MEDIUM,
                    "When sends are outstanding and the broker has acknowledged nothing for this long, new events go "
                            + "to the spool instead of the producer's memory.");

    SdkConfig(Map<String, ?> values) {
        super(CONFIG, values, false);
    }

    /** The documented settings, for generated configuration tables. */
    public static ConfigDef configDef() {
        return CONFIG;
    }

    /**
     * Validates all of {@code values} at once.
     *
     * @throws IllegalArgumentException naming every key that is missing or invalid, with the value given
     */
    static SdkConfig validated(Map<String, Object> values) {
        List<String> problems = new ArrayList<>();
        Map<String, String> forValidation = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!k.startsWith(KAFKA_PREFIX) && !isRegistryKey(k) && v != null) {
                forValidation.put(k, String.valueOf(v));
            }
        });
        Map<String, ConfigValue> results = CONFIG.validateAll(forValidation);
        for (String name : CONFIG.configKeys().keySet()) {
            ConfigValue value = results.get(name);
            for (String message : value.errorMessages()) {
                Object given = values.get(value.name());
                boolean secret = CONFIG.configKeys().get(value.name()).type == Type.PASSWORD;
                // the node-id rule echoes the id itself (shortened when it is too long)
                boolean echoed = message.contains(String.valueOf(given)) || value.name().equals(NODE_ID);
                problems.add(value.name() + ": " + message
                        + (given == null || secret || echoed ? "" : " (given: " + given + ")"));
            }
        }
        for (String key : values.keySet()) {
            if (!key.startsWith(KAFKA_PREFIX) && !CONFIG.configKeys().containsKey(key) && !isRegistryKey(key)) {
                problems.add(key + ": unknown setting (Kafka producer settings take the prefix '" + KAFKA_PREFIX
                        + "'; the registry also takes bearer.auth.token and schema.registry.ssl.*)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid ChainPulse SDK configuration: " + String.join("; ", problems));
        }
        return new SdkConfig(values);
    }

    /** A registry credential or TLS key of the serdes' table ({@code bearer.auth.token}, {@code schema.registry.ssl.*}). */
    private static boolean isRegistryKey(String key) {
        return AvroSerdeConfig.CONFIG.names().contains(key) && !CONFIG.names().contains(key)
                && !key.equals(AvroSerdeConfig.SCHEMA_REGISTRY_URL) && !key.equals(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
    }

    String nodeId() {
        return getString(NODE_ID);
    }

    Duration stallTimeout() {
        return Duration.ofMillis(getLong(STALL_TIMEOUT_MS));
    }

    /** Kafka producer overrides: every {@code kafka.*} key, prefix removed. */
    Map<String, Object> kafkaOverrides() {
        return originalsWithPrefix(KAFKA_PREFIX, true);
    }
}
