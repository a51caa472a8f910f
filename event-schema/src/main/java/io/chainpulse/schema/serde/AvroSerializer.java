package io.chainpulse.schema.serde;

import io.chainpulse.schema.registry.RegistryUnavailableException;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro {@link SpecificRecord}s in the Confluent wire format, registering (or looking up) the record's schema
 * under the subject {@code <topic>-value} ({@code <topic>-key} for keys) — Confluent's TopicNameStrategy.
 *
 * <p>The registry is called once per topic and schema; every later record is encoded from memory. Thread-safe: Kafka
 * may call it from several threads.
 *
 * <pre>{@code
 * props.put("value.serializer", AvroSerializer.class.getName());
 * props.put("schema.registry.url", "http://127.0.0.1:8081");
 * }</pre>
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private static final int INITIAL_BUFFER = 256;

    private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();
    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);
    private SchemaRegistryClient registry;
    private RegistryWait wait;
    private boolean autoRegister = true;
    private boolean isKey;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {}

    public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister) {
        this(registry, autoRegister, null);
    }

    /**
     * The same, waiting for an unreachable registry as {@code wait} says before the first record of a topic (null:
     * a {@code SerializationException} at once, as a producer that must never block wants).
     */
    public AvroSerializer(SchemaRegistryClient registry, boolean autoRegister, RegistryWait wait) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.wait = wait;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            AvroSerdeConfig config = new AvroSerdeConfig(configs);
            this.registry = config.registry();
            this.autoRegister = config.autoRegister();
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure(): schema.registry.url not set");
        }
        Schema schema = record.getSchema();
        int id = schemaId(topic, schema);
        Buffer buffer = buffers.get();
        buffer.out.reset();
        try {
            buffer.out.write(HEADER_PLACEHOLDER);
            buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer.out, buffer.encoder);
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, buffer.encoder);
            buffer.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("could not encode " + schema.getFullName() + " for topic '" + topic
                    + "': " + e.getMessage(), e);
        }
        byte[] bytes = buffer.out.toByteArray();
        ConfluentWireFormat.writeHeader(bytes, id);
        return bytes;
    }

    private int schemaId(String topic, Schema schema) {
        Integer id = idByTopic.get(topic);
        if (id != null) {
            return id;
        }
        String subject = topic + (isKey ? "-key" : "-value");
        id = wait == null ? fetchId(subject, schema, false) : wait.call(() -> fetchId(subject, schema, true));
        idByTopic.put(topic, id);
        return id;
    }

    private int fetchId(String subject, Schema schema, boolean outageIsRetriable) {
        try {
            return autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
        } catch (SchemaRegistryException e) {
            String message = "could not get a schema id for " + schema.getFullName() + " in subject '" + subject
                    + "': " + e.getMessage();
            if (outageIsRetriable && RegistryUnavailableException.isUnavailable(e)) {
                throw new RegistryUnavailableException("schema registry unavailable: " + message, e);
            }
            throw new SerializationException(message, e);
        }
    }

    private static final byte[] HEADER_PLACEHOLDER = new byte[ConfluentWireFormat.HEADER_SIZE];

    private static final class Buffer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(INITIAL_BUFFER);
        BinaryEncoder encoder;
    }
}
