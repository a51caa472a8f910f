package io.chainpulse.schema.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.InMemorySchemaRegistry;
import io.chainpulse.schema.registry.RegistryUnavailableException;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.RestSchemaRegistryClient;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.schema.serde.Events;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {
    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("RecordDecoderTest");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final DeadLetterCounter counter = new DeadLetterCounter("notify");
    private final RecordDecoder<ProtocolEvent> decoder = new RecordDecoder<>(
            new AvroDeserializer<>(ProtocolEvent.class, registry), new DeadLetterPublisher(producer, counter));

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>("events", 2, offset, "v1".getBytes(StandardCharsets.UTF_8), value);
    }

    @Test
    void shouldDecodeAGoodRecordAndDeadLetterNothing() {
        byte[] good = new AvroSerializer<ProtocolEvent>(registry, true).serialize("events", Events.finalization("v1", 7));

        assertThat(decoder.decode(record(10, good))).contains(Events.finalization("v1", 7));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldDeadLetterBytesThatAreNotAvroWithTheirOriginAndReason() {
        byte[] json = "{\"node\":\"v1\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(decoder.decode(record(11, json))).isEmpty();

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> dead = producer.history().get(0);
        assertThat(dead.topic()).isEqualTo(DeadLetters.TOPIC);
        assertThat(dead.key()).isEqualTo("v1".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).isEqualTo(json);
        assertThat(header(dead, DeadLetters.SOURCE_TOPIC_HEADER)).isEqualTo("events");
        assertThat(header(dead, DeadLetters.SOURCE_PARTITION_HEADER)).isEqualTo("2");
        assertThat(header(dead, DeadLetters.SOURCE_OFFSET_HEADER)).isEqualTo("11");
        assertThat(header(dead, DeadLetters.SERVICE_HEADER)).isEqualTo("notify");
        assertThat(header(dead, DeadLetters.REASON_HEADER)).isEqualTo("record of topic 'events' starts with byte 123, "
                + "not the Confluent magic byte 0: it was not written by a schema-registry serializer");
        assertThat(counter.snapshot()).containsExactly(java.util.Map.entry("events", 1L));
    }

    @Test
    void shouldDeadLetterAnUnknownSchemaId() {
        assertThat(decoder.decode(record(12, new byte[] {0, 0, 0, 0x30, 0x39, 2}))).isEmpty();

        assertThat(header(producer.history().get(0), DeadLetters.REASON_HEADER)).isEqualTo(
                "record of topic 'events' refers to schema id 12345 that could not be fetched: schema id 12345 not found");
    }

    @Test
    void shouldPassATombstoneOverWithoutADeadLetter() {
        assertThat(decoder.decode(record(13, null))).isEqualTo(Optional.empty());
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldNeverDeadLetterWhenTheRegistryIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RecordDecoder<ProtocolEvent> unreachable = new RecordDecoder<>(new AvroDeserializer<>(ProtocolEvent.class,
                new RestSchemaRegistryClient("http://127.0.0.1:" + closedPort, null, Duration.ofSeconds(2)),
                RegistryWait.upTo(Duration.ofMillis(300))), new DeadLetterPublisher(producer, counter));

        assertThatThrownBy(() -> unreachable.decode(record(14, new byte[] {0, 0, 0, 0, 9, 2})))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageStartingWith("schema registry unavailable: schema id 9 of a record of topic 'events' could "
                        + "not be fetched: could not fetch schema id 9: registry at http://127.0.0.1:" + closedPort
                        + " unreachable (java.net.ConnectException");
        assertThat(producer.history()).isEmpty();
        assertThat(counter.snapshot()).isEmpty();
    }

    @Test
    void shouldCountOnOneMetricNamePerServiceAndTopic() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        counter.bindTo(meters);
        decoder.decode(record(15, new byte[] {1}));
        decoder.decode(record(16, new byte[] {1}));

        assertThat(meters.get("chainpulse.dead.letters").tag("service", "notify").tag("topic", "events")
                .functionCounter().count()).isEqualTo(2.0);
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name).orElseThrow();
    }
}
