package io.chainpulse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Poison on both topics the dashboard tails: dead-lettered once each, the page still showing what follows. */
@ExtendWith(RealStackExtension.class)
class DashboardDeadLetterIT {
    static final byte[] NOT_AVRO = "<html>".getBytes(StandardCharsets.UTF_8);
    static final byte[] UNKNOWN_SCHEMA_ID = {0, 0, 0x0f, 0x42, 0x3f, 2};

    @Test
    void shouldDeadLetterPoisonOnBothTopicsOnceEachAndShowTheRecordsAfterIt(RealStack stack) throws Exception {
        String kpis = "kpis-dash-dl-" + UUID.randomUUID();
        String anomalies = "anomalies-dash-dl-" + UUID.randomUUID();
        stack.broker().createTopics(1, kpis, anomalies);
        long now = System.currentTimeMillis() / Records.W * Records.W - Records.W;
        AvroSerializer<SpecificRecord> avro = new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String topic : List.of(kpis, anomalies)) {
                producer.send(new ProducerRecord<>(topic, NOT_AVRO)).get();
                producer.send(new ProducerRecord<>(topic, UNKNOWN_SCHEMA_ID)).get();
            }
            producer.send(new ProducerRecord<>(kpis, avro.serialize(kpis, Records.tps(null, now, 812.5)))).get();
            producer.send(new ProducerRecord<>(anomalies, avro.serialize(anomalies,
                    Records.anomaly("a-v2-dl", AnomalyState.FIRING, "v2", Severity.HIGH, now)))).get();
        }
        Dashboard dashboard = Dashboard.builder().bootstrapServers(stack.bootstrapServers())
                .schemaRegistryUrl(stack.registryUrl()).kpiTopic(kpis).anomalyTopic(anomalies).port(0).build();
        try {
            dashboard.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !(dashboard.view().anomaliesJson().contains("a-v2-dl")
                    && dashboard.view().kpisJson().contains("812.5"))) {
                Thread.sleep(200);
            }
            assertThat(dashboard.view().anomaliesJson()).contains("a-v2-dl");
            assertThat(dashboard.view().kpisJson()).contains("812.5");
            assertThat(dashboard.healthy()).isTrue();
            assertThat(dashboard.deadLetters().snapshot()).isEqualTo(Map.of(kpis, 2L, anomalies, 2L));
        } finally {
            dashboard.close();
        }
        for (String topic : List.of(kpis, anomalies)) {
            List<ConsumerRecord<byte[], byte[]>> dead = stack.broker().readCommitted(DeadLetters.TOPIC).stream()
                    .filter(r -> topic.equals(header(r, DeadLetters.SOURCE_TOPIC_HEADER))).toList();
            assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_OFFSET_HEADER)).containsExactly("0", "1");
            assertThat(dead).extracting(r -> header(r, DeadLetters.SERVICE_HEADER)).containsOnly("dashboard");
            assertThat(dead.get(0).value()).isEqualTo(NOT_AVRO);
            assertThat(header(dead.get(0), DeadLetters.REASON_HEADER)).isEqualTo("record of topic '" + topic
                    + "' starts with byte 60, not the Confluent magic byte 0: it was not written by a schema-registry "
                    + "serializer");
            assertThat(dead.get(1).value()).isEqualTo(UNKNOWN_SCHEMA_ID);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name).orElse("");
    }
}
