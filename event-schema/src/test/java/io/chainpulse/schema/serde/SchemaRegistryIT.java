package io.chainpulse.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.RestSchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryException;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import io.chainpulse.stack.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The serdes against a real Apicurio registry speaking the Confluent REST API, and a real broker. */
@ExtendWith(RealStackExtension.class)
class SchemaRegistryIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void shouldRoundTripThroughTheRegistryUnderTheTopicValueSubject(RealStack stack) throws Exception {
        SchemaRegistryClient client = new RestSchemaRegistryClient(stack.registryUrl(), null, TIMEOUT);
        var serializer = new AvroSerializer<ProtocolEvent>(client, true);
        var deserializer = new AvroDeserializer<>(ProtocolEvent.class, client);

        byte[] bytes = serializer.serialize("roundtrip", Events.finalization("v2", 11));

        String latest = get(stack.registryUrl() + "/subjects/roundtrip-value/versions/latest");
        int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
        assertThat(latest).contains("\"id\":" + id);
        assertThat(deserializer.deserialize("roundtrip", bytes)).isEqualTo(Events.finalization("v2", 11));
    }

    @Test
    void shouldKeepSerializingFromCacheWhileTheRegistryIsDownAndKeepIdsAcrossItsRestart(@TempDir Path dir) {
        try (SchemaRegistry registry = SchemaRegistry.inDirectory(dir).start()) {
            var serializer = new AvroSerializer<ProtocolEvent>(
                    new RestSchemaRegistryClient(registry.url(), null, TIMEOUT), true);
            byte[] before = serializer.serialize("restart", Events.finalization("v1", 1));

            registry.stop();
            byte[] whileDown = serializer.serialize("restart", Events.finalization("v1", 2));
            var coldClient = new RestSchemaRegistryClient(registry.url(), null, Duration.ofSeconds(2));
            assertThatThrownBy(() -> coldClient.schemaById(before[4]))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("unreachable");

            registry.start();
            var afterRestart = new AvroDeserializer<>(ProtocolEvent.class,
                    new RestSchemaRegistryClient(registry.url(), null, TIMEOUT));
            assertThat(afterRestart.deserialize("restart", before)).isEqualTo(Events.finalization("v1", 1));
            assertThat(afterRestart.deserialize("restart", whileDown)).isEqualTo(Events.finalization("v1", 2));
        }
    }

    @Test
    void shouldAcceptABackwardCompatibleEvolutionAndRefuseAnIncompatibleOne(RealStack stack) throws Exception {
        SchemaRegistryClient client = new RestSchemaRegistryClient(stack.registryUrl(), null, TIMEOUT);
        String subject = "evolution-value";
        int v1 = client.register(subject, ProtocolEvent.getClassSchema());
        put(stack.registryUrl() + "/config/" + subject, "{\"compatibility\":\"BACKWARD\"}");

        Schema withOptionalField = withExtraField(ProtocolEvent.getClassSchema(), "validator_version", true);
        int v2 = client.register(subject, withOptionalField);
        assertThat(v2).isNotEqualTo(v1);

        Schema withRequiredField = withExtraField(ProtocolEvent.getClassSchema(), "shard", false);
        assertThatThrownBy(() -> client.register(subject, withRequiredField))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("could not register schema under subject 'evolution-value'")
                .hasMessageContaining("answered HTTP 409")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus()).hasValue(409));
    }

    @Test
    void shouldReadOldBytesWithTheNewerReaderSchema(RealStack stack) throws Exception {
        // An older ProtocolEvent: no leader, no metadata map. Written by hand in the wire format.
        Schema old = SchemaBuilder.record("ProtocolEvent").namespace("io.chainpulse.schema").fields()
                .requiredString("event_id")
                .name("event_type").type(ProtocolEvent.getClassSchema().getField("event_type").schema()).noDefault()
                .requiredLong("timestamp_ns")
                .requiredString("node_id")
                .name("height").type().optional().longType()
                .endRecord();
        SchemaRegistryClient client = new RestSchemaRegistryClient(stack.registryUrl(), null, TIMEOUT);
        int id = client.register("old-value", old);
        GenericRecord record = new GenericData.Record(old);
        record.put("event_id", "e-old");
        record.put("event_type", new GenericData.EnumSymbol(old.getField("event_type").schema(), "consensus_commit"));
        record.put("timestamp_ns", 42L);
        record.put("node_id", "v9");
        record.put("height", 77L);

        ProtocolEvent read = new AvroDeserializer<>(ProtocolEvent.class, client).deserialize("old", frame(id, old, record));

        assertThat(read.getEventId()).isEqualTo("e-old");
        assertThat(read.getHeight()).isEqualTo(77L);
        assertThat(read.getLeader()).isNull();
        assertThat(read.getMetadata()).isEmpty();
    }

    @Test
    void shouldNameTopicPartitionAndOffsetOfABadRecordOnTheConsumer(RealStack stack) throws Exception {
        stack.broker().createTopics(1, "bad-bytes");
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("bad-bytes", "{\"not\":\"avro\"}".getBytes())).get();
        }
        var deserializer = new AvroDeserializer<ProtocolEvent>();
        deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stack.registryUrl()), false);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bad-bytes-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of("bad-bytes"));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    consumer.poll(Duration.ofMillis(200));
                }
            })
                    .isInstanceOf(RecordDeserializationException.class)
                    .hasMessageContaining("bad-bytes-0 at offset 0")
                    .cause()
                    .hasMessage("record of topic 'bad-bytes' starts with byte 123, not the Confluent magic byte 0: it "
                            + "was not written by a schema-registry serializer");
        }
    }

    private static Schema withExtraField(Schema base, String name, boolean optional) {
        Schema copy = new Schema.Parser().parse(base.toString());
        List<Schema.Field> fields = new java.util.ArrayList<>();
        for (Schema.Field f : copy.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(optional
                ? new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL),
                        Schema.create(Schema.Type.STRING)), "added later", Schema.Field.NULL_DEFAULT_VALUE)
                : new Schema.Field(name, Schema.create(Schema.Type.STRING), "added later, no default"));
        return Schema.createRecord(copy.getName(), copy.getDoc(), copy.getNamespace(), false, fields);
    }

    private static byte[] frame(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void put(String url, String body) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
