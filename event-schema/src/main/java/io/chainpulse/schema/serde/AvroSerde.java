package io.chainpulse.schema.serde;

import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Kafka Streams {@code Serde} for an Avro {@link SpecificRecord} in the Confluent wire format.
 *
 * <pre>{@code
 * Serde<ProtocolEvent> events = AvroSerde.of(ProtocolEvent.class, Map.of("schema.registry.url", url));
 * }</pre>
 */
public final class AvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

    public AvroSerde(Class<T> type, SchemaRegistryClient registry) {
        this(type, registry, null);
    }

    /** Its serializer and deserializer wait for an unreachable registry as {@code wait} says (null: they throw at once). */
    public AvroSerde(Class<T> type, SchemaRegistryClient registry, RegistryWait wait) {
        super(new AvroSerializer<>(registry, true, wait), new AvroDeserializer<>(type, registry, wait));
    }

    /**
     * A value serde configured from {@code config} ({@link AvroSerdeConfig} keys, and a {@link RegistryWait} under
     * {@link AvroSerdeConfig#REGISTRY_WAIT} if the service waits for its registry).
     */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> config) {
        AvroSerde<T> serde = new AvroSerde<>(type, new AvroSerdeConfig(config).registry(),
                AvroSerdeConfig.registryWait(config));
        serde.configure(config, false);
        return serde;
    }
}
