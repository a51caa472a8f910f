package io.chainpulse.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.RestSchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaCompatibility;
import io.chainpulse.schema.registry.SchemaRegistryException;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema evolution under the level ChainPulse sets ({@link SchemaCompatibility#LEVEL}) on the real Apicurio registry:
 * a newer producer's schema with an added optional field is accepted, and its records are read exactly by today's
 * reader; a field without default is refused with the subject named.
 */
@ExtendWith(RealStackExtension.class)
class SchemaEvolutionIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** ProtocolEvent as a newer producer would have it: one more field, optional, default null. */
    private static final Schema V2 = withClientVersion(true);

    @Test
    void shouldSetTheChainPulseLevelOnEverySubjectRegisteredOrNot(RealStack stack) {
        String events = "evolution-events-" + UUID.randomUUID();
        String kpis = "evolution-kpis-" + UUID.randomUUID();
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.registryUrl(), null, TIMEOUT);
        registry.register(events + "-value", ProtocolEvent.getClassSchema());

        Map<String, String> levels = SchemaCompatibility.apply(stack.registryUrl(), List.of(events, kpis));

        assertThat(levels).containsExactly(Map.entry(events + "-value", "FULL"), Map.entry(kpis + "-value", "FULL"));
        assertThat(registry.compatibility(events + "-value")).isEqualTo("FULL");
        assertThat(registry.compatibility(kpis + "-value")).isEqualTo("FULL");
    }

    @Test
    void shouldRefuseAFieldWithoutDefaultNamingTheSubjectAndTheRegistrysReason(RealStack stack) {
        String topic = "evolution-refused-" + UUID.randomUUID();
        String subject = topic + "-value";
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.registryUrl(), null, TIMEOUT);
        SchemaCompatibility.apply(stack.registryUrl(), List.of(topic));
        registry.register(subject, ProtocolEvent.getClassSchema());

        assertThatThrownBy(() -> registry.register(subject, withClientVersion(false)))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("could not register schema under subject '" + subject + "': registry at "
                        + stack.registryUrl() + " answered HTTP 409 error 409: ")
                .hasMessageContaining("Incompatible artifact: " + subject)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus()).hasValue(409));
    }

    @Test
    void shouldCountEveryEventOfANewerProducerWithAnAddedOptionalFieldExactly(RealStack stack) throws Exception {
        String topic = "evolution-v2-" + UUID.randomUUID();
        String subject = topic + "-value";
        stack.broker().createTopics(1, topic);
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.registryUrl(), null, TIMEOUT);
        SchemaCompatibility.apply(stack.registryUrl(), List.of(topic));
        int v1 = registry.register(subject, ProtocolEvent.getClassSchema());
        int v2 = registry.register(subject, V2); // accepted under FULL: the field is optional with a default
        assertThat(v2).isNotEqualTo(v1);

        // today's producers and a newer one, interleaved on one topic: 300 v1 and 300 v2 records
        var v1Serializer = new AvroSerializer<ProtocolEvent>(registry, true);
        List<ProtocolEvent> expected = new ArrayList<>();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 600; i++) {
                ProtocolEvent event = Events.finalization(i % 2 == 0 ? "v1" : "v2-node", i);
                expected.add(event);
                byte[] value = i % 2 == 0 ? v1Serializer.serialize(topic, event) : writeV2(v2, event, "2.0." + i);
                producer.send(new ProducerRecord<>(topic, event.getNodeId(), value));
            }
            producer.flush();
        }

        List<ProtocolEvent> read = new ArrayList<>();
        int[] schemaIds = new int[2];
        // the processor's own input serde (KpiContext: AvroSerde.of(ProtocolEvent.class, …))
        var deserializer = AvroSerde.of(ProtocolEvent.class,
                Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stack.registryUrl())).deserializer();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "evolution-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.size() < 600 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    int id = java.nio.ByteBuffer.wrap(record.value(), 1, 4).getInt();
                    schemaIds[id == v2 ? 1 : 0]++;
                    read.add(deserializer.deserialize(topic, record.value()));
                }
            }
        }

        assertThat(schemaIds).containsExactly(300, 300);
        assertThat(read).containsExactlyElementsOf(expected); // every field of today's schema, in order, none lost
    }

    private static byte[] writeV2(int id, ProtocolEvent event, String clientVersion) throws Exception {
        GenericData.Record record = new GenericData.Record(V2);
        for (Schema.Field field : ProtocolEvent.getClassSchema().getFields()) {
            record.put(field.name(), event.get(field.pos()));
        }
        record.put("client_version", clientVersion);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        // SpecificDatumWriter: the copied fields hold the generated Java enums
        new SpecificDatumWriter<GenericData.Record>(V2).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Schema withClientVersion(boolean optional) {
        Schema base = ProtocolEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : new Schema.Parser().parse(base.toString()).getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(optional
                ? new Schema.Field("client_version", Schema.createUnion(Schema.create(Schema.Type.NULL),
                        Schema.create(Schema.Type.STRING)), "node software version (v2)", Schema.Field.NULL_DEFAULT_VALUE)
                : new Schema.Field("client_version", Schema.create(Schema.Type.STRING), "v2, no default"));
        return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    }
}
