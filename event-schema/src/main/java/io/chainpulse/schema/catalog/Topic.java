package io.chainpulse.schema.catalog;

import io.chainpulse.schema.serde.AvroSerde;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One topic of the pipeline, typed: its default name, key and value types (and so its serdes), cleanup policy and
 * retention, and who writes and reads it. {@link Topics} holds them all; a service that lets the operator rename a
 * topic takes its default from here and binds the configured name with {@link #named}.
 *
 * <pre>{@code
 * Serde<KpiWindow> values = Topics.KPIS.valueSerde(Map.of("schema.registry.url", url));
 * Topic<String, KpiWindow> kpis = Topics.KPIS.named(config.getString("kpi.topic"));
 * }</pre>
 *
 * @param retention how long records are kept; {@code null} for by size only (or forever, when compacted)
 */
public record Topic<K, V>(String name, Class<K> keyType, Class<V> valueType, boolean compacted, Duration retention,
                          String key, String producers, String consumers, String holds) {

    /** The same topic under another (configured) name. */
    public Topic<K, V> named(String other) {
        return new Topic<>(other, keyType, valueType, compacted, retention, key, producers, consumers, holds);
    }

    /** true when values are Avro in the Confluent wire format, with a registry subject {@link #subject()}. */
    public boolean avro() {
        return SpecificRecord.class.isAssignableFrom(valueType);
    }

    /** The registry subject of its values (TopicNameStrategy): {@code chainpulse.kpis-value}. */
    public String subject() {
        return name + "-value";
    }

    public Serde<K> keySerde() {
        return plain(keyType);
    }

    /** Its value serde; Avro values are configured from {@code serdeConfig} (registry URL, credentials, wait). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Serde<V> valueSerde(Map<String, ?> serdeConfig) {
        if (avro()) {
            return (Serde<V>) AvroSerde.of((Class) valueType, serdeConfig);
        }
        return plain(valueType);
    }

    /** The topic with its serdes configured from {@code serdeConfig}, ready for a client or a topology. */
    public Bound<K, V> bind(Map<String, ?> serdeConfig) {
        return new Bound<>(name, keySerde(), valueSerde(serdeConfig));
    }

    /** A topic name with configured serdes. */
    public record Bound<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}

    /** The topic-level configs it is created with: {@code cleanup.policy} and {@code retention.ms}. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", compacted ? "compact" : "delete");
        configs.put("retention.ms", Long.toString(retention == null ? -1 : retention.toMillis()));
        return configs;
    }

    @SuppressWarnings("unchecked")
    private static <T> Serde<T> plain(Class<T> type) {
        if (type == String.class) {
            return (Serde<T>) Serdes.String();
        }
        if (type == byte[].class) {
            return (Serde<T>) Serdes.ByteArray();
        }
        throw new IllegalStateException("no serde for " + type.getName());
    }
}
