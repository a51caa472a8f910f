package io.chainpulse.schema.serde;

import io.chainpulse.schema.registry.RegistryUnavailableException;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into {@link SpecificRecord}s, resolving the writer's schema (fetched by id, once)
 * against the reader's: old bytes are read by newer classes and the other way round, as Avro schema resolution allows.
 *
 * <p>Bad bytes never become a silent null: a wrong magic byte, an id the registry does not know or a truncated body
 * raise a {@link SerializationException} that names the topic and what was wrong. Kafka's consumer wraps it in a
 * {@code RecordDeserializationException} carrying the partition and offset; Kafka Streams hands both to its
 * deserialization exception handler.
 *
 * <p>A registry that cannot be reached is different: the bytes are fine and will decode once it is back. That raises
 * a {@link RegistryUnavailableException} (not a {@code SerializationException}) — after waiting for the registry with
 * backoff when a {@link RegistryWait} is given — so that no caller mistakes an outage for poison.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();
    private final Class<T> readerClass;
    private SchemaRegistryClient registry;
    private RegistryWait wait;

    /** Reads into the generated class named by the writer's schema; for Kafka's reflective construction. */
    public AvroDeserializer() {
        this.readerClass = null;
    }

    /** Reads into {@code readerClass}, whatever version of its schema the writer used. */
    public AvroDeserializer(Class<T> readerClass, SchemaRegistryClient registry) {
        this(readerClass, registry, null);
    }

    /** The same, waiting for an unreachable registry as {@code wait} says (null: no waiting, throw at once). */
    public AvroDeserializer(Class<T> readerClass, SchemaRegistryClient registry, RegistryWait wait) {
        this.readerClass = readerClass;
        this.registry = registry;
        this.wait = wait;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = new AvroSerdeConfig(configs).registry();
        }
        if (wait == null) {
            wait = AvroSerdeConfig.registryWait(configs);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure(): schema.registry.url not set");
        }
        int id = ConfluentWireFormat.readSchemaId(data, topic);
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            // not computeIfAbsent: waiting for the registry must not hold a lock other threads' ids need
            reader = newReader(topic, id);
            readers.putIfAbsent(id, reader);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_SIZE,
                data.length - ConfluentWireFormat.HEADER_SIZE, decoders.get());
        decoders.set(decoder);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("record of topic '" + topic + "' (schema id " + id + ", "
                    + data.length + " bytes) is not a valid " + reader.getExpected().getFullName()
                    + ": truncated or corrupt Avro body (" + e + ")", e);
        }
    }

    private SpecificDatumReader<T> newReader(String topic, int id) {
        Schema writer = wait == null ? writerSchema(topic, id) : wait.call(() -> writerSchema(topic, id));
        Schema reader = readerSchema(writer);
        return new SpecificDatumReader<>(writer, reader);
    }

    private Schema writerSchema(String topic, int id) {
        try {
            return registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (RegistryUnavailableException.isUnavailable(e)) {
                throw new RegistryUnavailableException("schema registry unavailable: schema id " + id
                        + " of a record of topic '" + topic + "' could not be fetched: " + e.getMessage(), e);
            }
            throw new SerializationException("record of topic '" + topic + "' refers to schema id " + id
                    + " that could not be fetched: " + e.getMessage(), e);
        }
    }

    private Schema readerSchema(Schema writer) {
        if (readerClass != null) {
            return SpecificData.get().getSchema(readerClass);
        }
        Class<?> generated = SpecificData.get().getClass(writer);
        if (generated == null) {
            throw new SerializationException("no generated class on the classpath for " + writer.getFullName()
                    + "; pass the reader class to AvroDeserializer");
        }
        return SpecificData.get().getSchema(generated);
    }
}
