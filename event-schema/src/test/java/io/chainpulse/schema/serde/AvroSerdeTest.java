package io.chainpulse.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.InMemorySchemaRegistry;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("AvroSerdeTest");
    private final AvroSerializer<ProtocolEvent> serializer = new AvroSerializer<>(registry, true);
    private final AvroDeserializer<ProtocolEvent> deserializer = new AvroDeserializer<>(ProtocolEvent.class, registry);

    @Test
    void shouldFrameAvroWithMagicByteAndBigEndianSchemaId() {
        byte[] bytes = serializer.serialize("events", Events.finalization("v1", 7));

        int id = registry.lookup("events-value", ProtocolEvent.getClassSchema());
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0, 0, 0, id);
        assertThat(deserializer.deserialize("events", bytes)).isEqualTo(Events.finalization("v1", 7));
    }

    @Test
    void shouldRejectBytesWithoutTheMagicByte() {
        byte[] bytes = serializer.serialize("events", Events.finalization("v1", 7));
        bytes[0] = 1;

        assertThatThrownBy(() -> deserializer.deserialize("events", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessage("record of topic 'events' starts with byte 1, not the Confluent magic byte 0: it was not "
                        + "written by a schema-registry serializer");
    }

    @Test
    void shouldRejectRecordsShorterThanTheHeader() {
        assertThatThrownBy(() -> deserializer.deserialize("events", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessage("record of topic 'events' is 3 bytes, shorter than the 5-byte Confluent header "
                        + "(magic byte + schema id)");
    }

    @Test
    void shouldNameTheUnknownSchemaId() {
        assertThatThrownBy(() -> deserializer.deserialize("events", new byte[] {0, 0, 0, 0x30, 0x39, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessage("record of topic 'events' refers to schema id 12345 that could not be fetched: "
                        + "schema id 12345 not found");
    }

    @Test
    void shouldReportATruncatedBody() {
        byte[] bytes = serializer.serialize("events", Events.finalization("v1", 7));
        byte[] truncated = Arrays.copyOf(bytes, 20);

        assertThatThrownBy(() -> deserializer.deserialize("events", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("record of topic 'events' (schema id " + bytes[4]
                        + ", 20 bytes) is not a valid io.chainpulse.schema.ProtocolEvent: truncated or corrupt Avro body");
    }

    @Test
    void shouldRequireARegistryUrl() {
        AvroSerializer<ProtocolEvent> unconfigured = new AvroSerializer<>();

        assertThatThrownBy(() -> unconfigured.configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void shouldPassNullThroughAsATombstone() {
        assertThat(serializer.serialize("events", null)).isNull();
        assertThat(deserializer.deserialize("events", null)).isNull();
    }
}
