package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Poison records on the processor's input: dead-lettered once each, with our headers; the rest counted exactly. */
class StreamProcessorDeadLetterIT extends DeadLetterFixture {

    @Test
    void shouldDeadLetterPoisonBytesAndAnUnknownSchemaIdOnceEachAndCountEverythingElseExactly(RealStack stack)
            throws Exception {
        stack.broker().createTopics(1, input);
        ProcessorConfig config = config(stack.bootstrapServers(), stack.registryUrl());
        List<Long> poisonOffsets = new ArrayList<>();
        try (StreamProcessorApp app = new StreamProcessorApp(config);
             KafkaProducer<String, ProtocolEvent> events = events(stack.bootstrapServers(), stack.registryUrl());
             KafkaProducer<byte[], byte[]> raw = raw(stack.bootstrapServers())) {
            app.start();
            poisonOffsets.add(send(raw, NOT_AVRO));                          // before any event
            long last = sendWindows(events, 0, WINDOWS, () -> poisonOffsets.add(send(raw, UNKNOWN_SCHEMA_ID)));
            flush(events, config, last, stack.broker()::readCommitted, NODES * WINDOWS);

            assertExactCounts(awaitKpis(stack.broker()::readCommitted, stack.registryUrl(), (NODES + 1) * WINDOWS), 0,
                    WINDOWS);
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(app.healthy()).isTrue();
            assertThat(app.deadLetters().snapshot()).isEqualTo(Map.of(input, 2L));
        }
        List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(stack.broker()::readCommitted);
        assertThat(dead).hasSize(2);
        assertDeadLetter(dead.get(0), poisonOffsets.get(0), NOT_AVRO, "record of topic '" + input + "' starts with "
                + "byte 123, not the Confluent magic byte 0: it was not written by a schema-registry serializer");
        assertThat(header(dead.get(1), DeadLetters.REASON_HEADER)).startsWith("record of topic '" + input
                + "' refers to schema id 999999 that could not be fetched: could not fetch schema id 999999: registry at "
                + stack.registryUrl() + " answered HTTP 404");
        assertDeadLetter(dead.get(1), poisonOffsets.get(1), UNKNOWN_SCHEMA_ID, header(dead.get(1), DeadLetters.REASON_HEADER));
        assertThat(stack.broker().readCommitted(late)).isEmpty();
    }
}
