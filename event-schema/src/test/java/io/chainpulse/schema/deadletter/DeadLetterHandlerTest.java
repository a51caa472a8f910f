package io.chainpulse.schema.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.InMemorySchemaRegistry;
import io.chainpulse.schema.registry.RegistryUnavailableException;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.schema.serde.Events;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Streams handler in a real topology (TopologyTestDriver): poison out to the dead letters, the rest through. */
class DeadLetterHandlerTest {
    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("DeadLetterHandlerTest");
    private final DeadLetterCounter counter = new DeadLetterCounter("processor");
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, String> output;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        StreamsBuilder builder = new StreamsBuilder();
        Deserializer<ProtocolEvent> values = new Deserializer<>() {
            private final Deserializer<ProtocolEvent> avro = new AvroSerde<>(ProtocolEvent.class, registry).deserializer();

            @Override
            public ProtocolEvent deserialize(String topic, byte[] data) {
                if (data.length == 1 && data[0] == 'U') { // stands for a registry that cannot be reached
                    throw new RegistryUnavailableException("schema registry unavailable: connection refused", null);
                }
                return avro.deserialize(topic, data);
            }
        };
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.serdeFrom(new AvroSerializer<>(registry, true), values)))
                .mapValues(e -> {
                    if (e.getNodeId().equals("bad")) {
                        throw new IllegalStateException("node id 'bad' is not allowed");
                    }
                    return e.getNodeId();
                }, Named.as("node-of"))
                .to("nodes", Produced.with(Serdes.String(), Serdes.String()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dead-letter-handler-test");
        props.putAll(DeadLetterHandler.streamsConfig(counter));
        driver = new TopologyTestDriver(builder.build(), props);
        input = driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic("nodes", Serdes.String().deserializer(), Serdes.String().deserializer());
        deadLetters = driver.createOutputTopic(DeadLetters.TOPIC, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private byte[] avro(String node) {
        return new AvroSerializer<ProtocolEvent>(registry, true).serialize("events", Events.finalization(node, 7));
    }

    @Test
    void shouldDeadLetterWhatCannotBeDecodedOrProcessedAndPassTheRest() {
        byte[] key = "v1".getBytes(StandardCharsets.UTF_8);
        byte[] notAvro = "{\"node_id\":\"v1\"}".getBytes(StandardCharsets.UTF_8);
        byte[] bad = avro("bad");
        input.pipeInput(key, avro("v1"));   // offset 0: through
        input.pipeInput(key, notAvro);      // offset 1: not Avro
        input.pipeInput(key, bad);          // offset 2: its processing throws
        input.pipeInput(key, avro("v2"));   // offset 3: through

        assertThat(output.readValuesToList()).containsExactly("v1", "v2");
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).key()).isEqualTo(key);
        assertThat(dead.get(0).value()).isEqualTo(notAvro);
        assertThat(headers(dead.get(0))).isEqualTo(Map.of(
                DeadLetters.SOURCE_TOPIC_HEADER, "events",
                DeadLetters.SOURCE_PARTITION_HEADER, "0",
                DeadLetters.SOURCE_OFFSET_HEADER, "1",
                DeadLetters.SERVICE_HEADER, "processor",
                DeadLetters.REASON_HEADER, "record of topic 'events' starts with byte 123, not the Confluent magic "
                        + "byte 0: it was not written by a schema-registry serializer"));
        assertThat(dead.get(1).value()).isEqualTo(bad);
        assertThat(headers(dead.get(1))).isEqualTo(Map.of(
                DeadLetters.SOURCE_TOPIC_HEADER, "events",
                DeadLetters.SOURCE_PARTITION_HEADER, "0",
                DeadLetters.SOURCE_OFFSET_HEADER, "2",
                DeadLetters.SERVICE_HEADER, "processor",
                DeadLetters.REASON_HEADER, "processing failed in node-of: java.lang.IllegalStateException: node id "
                        + "'bad' is not allowed"));
        assertThat(counter.snapshot()).isEqualTo(Map.of("events", 2L));
    }

    @Test
    void shouldFailRatherThanSkipWhenTheRegistryCannotBeReached() {
        assertThatThrownBy(() -> input.pipeInput("v1".getBytes(StandardCharsets.UTF_8), new byte[] {'U'}))
                .isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(RegistryUnavailableException.class);
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(counter.snapshot()).isEmpty();
    }

    private static Map<String, String> headers(TestRecord<byte[], byte[]> record) {
        Map<String, String> out = new java.util.HashMap<>();
        record.headers().forEach(h -> out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return out;
    }
}
