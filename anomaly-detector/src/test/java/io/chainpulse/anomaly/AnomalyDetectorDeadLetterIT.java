package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Poison on the detector's KPI input: dead-lettered once each, the detector RUNNING, later windows judged. */
@ExtendWith(RealStackExtension.class)
class AnomalyDetectorDeadLetterIT {
    static final byte[] NOT_AVRO = "{\"metric\":\"block_time_ms\"}".getBytes(StandardCharsets.UTF_8);
    static final byte[] UNKNOWN_SCHEMA_ID = {0, 0, 0x0f, 0x42, 0x3f, 2, 4};

    @TempDir
    Path dir;

    @Test
    void shouldDeadLetterPoisonKpisOnceEachAndStillFireOnTheLaterWindows(RealStack stack) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String kpis = "kpis-ad-" + id;
        String anomalies = "anomalies-ad-" + id;
        stack.broker().createTopics(1, kpis, anomalies, anomalies + ".current");
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - name: slow_blocks
                    metric: block_time_ms
                    scope: network
                    statistic: mean
                    comparison: ">"
                    threshold: 3000
                    severity: HIGH
                    for_windows: 2
                    clear_windows: 3
                    description: "mean {metric} {observed}"
                """);
        Map<String, Object> settings = new HashMap<>();
        settings.put(AnomalyConfig.APPLICATION_ID, "detector-dl-" + id);
        settings.put(AnomalyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        settings.put(AnomalyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        settings.put(AnomalyConfig.KPI_TOPIC, kpis);
        settings.put(AnomalyConfig.ANOMALY_TOPIC, anomalies);
        settings.put(AnomalyConfig.ANOMALY_CURRENT_TOPIC, anomalies + ".current");
        settings.put(AnomalyConfig.RULES_FILE, rules.toString());
        settings.put("streams.state.dir", dir.resolve("state").toString());
        List<Long> poison = new ArrayList<>();
        try (AnomalyDetectorApp app = AnomalyDetectorApp.start(settings);
             KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            AvroSerializer<KpiWindow> avro = new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true);
            poison.add(raw.send(new ProducerRecord<>(kpis, key("p1"), NOT_AVRO)).get().offset());
            for (int w = 0; w < 4; w++) {
                if (w == 1) {
                    poison.add(raw.send(new ProducerRecord<>(kpis, key("p2"), UNKNOWN_SCHEMA_ID)).get().offset());
                }
                KpiWindow k = Kpi.latency("block_time_ms", null, w, 8_000); // mean 5200 ms, above 3000
                raw.send(new ProducerRecord<>(kpis, key("block_time_ms|network||" + k.getWindowStartMs()),
                        avro.serialize(kpis, k))).get();
            }

            List<Anomaly> fired = awaitAnomalies(stack, anomalies, 1);
            assertThat(fired).hasSize(1);
            assertThat(fired.get(0).getState()).isEqualTo(AnomalyState.FIRING);
            assertThat(fired.get(0).getWindowStartMs()).isEqualTo(Kpi.w(1)); // the second breached window
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(app.healthy()).isTrue();
            assertThat(app.deadLetters().snapshot()).isEqualTo(Map.of(kpis, 2L));
        }
        List<ConsumerRecord<byte[], byte[]>> dead = stack.broker().readCommitted(DeadLetters.TOPIC).stream()
                .filter(r -> kpis.equals(header(r, DeadLetters.SOURCE_TOPIC_HEADER))).toList();
        assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_OFFSET_HEADER))
                .containsExactlyInAnyOrder(poison.get(0).toString(), poison.get(1).toString());
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, DeadLetters.SERVICE_HEADER)).isEqualTo("anomaly-detector");
            assertThat(header(r, DeadLetters.SOURCE_PARTITION_HEADER)).isEqualTo("0");
        });
        ConsumerRecord<byte[], byte[]> notAvro = dead.stream()
                .filter(r -> header(r, DeadLetters.SOURCE_OFFSET_HEADER).equals(poison.get(0).toString())).findFirst().orElseThrow();
        assertThat(notAvro.key()).isEqualTo(key("p1"));
        assertThat(notAvro.value()).isEqualTo(NOT_AVRO);
        assertThat(header(notAvro, DeadLetters.REASON_HEADER)).isEqualTo("record of topic '" + kpis + "' starts with "
                + "byte 123, not the Confluent magic byte 0: it was not written by a schema-registry serializer");
        ConsumerRecord<byte[], byte[]> unknown = dead.stream()
                .filter(r -> header(r, DeadLetters.SOURCE_OFFSET_HEADER).equals(poison.get(1).toString())).findFirst().orElseThrow();
        assertThat(header(unknown, DeadLetters.REASON_HEADER)).startsWith("record of topic '" + kpis + "' refers to "
                + "schema id 999999 that could not be fetched: could not fetch schema id 999999: registry at "
                + stack.registryUrl() + " answered HTTP 404");
    }

    private static List<Anomaly> awaitAnomalies(RealStack stack, String topic, int expected) throws InterruptedException {
        AvroDeserializer<Anomaly> reader = new AvroDeserializer<>(Anomaly.class, SchemaRegistryClients.forUrl(stack.registryUrl()));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Anomaly> out = List.of();
        while (System.nanoTime() < deadline) {
            out = stack.broker().readCommitted(topic).stream().map(r -> reader.deserialize(topic, r.value())).toList();
            if (out.size() >= expected) {
                Thread.sleep(2_000); // nothing more may come: read again
                return stack.broker().readCommitted(topic).stream().map(r -> reader.deserialize(topic, r.value())).toList();
            }
            Thread.sleep(500);
        }
        return out;
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name).orElse("");
    }
}
