package io.chainpulse.sink.prometheus;

import static io.chainpulse.sink.prometheus.Kpis.anomaly;
import static io.chainpulse.sink.prometheus.Kpis.tps;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.Pushgateway;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** Poison on both of the sink's input topics: dead-lettered once each, the sink still pushing what follows. */
@ExtendWith(RealStackExtension.class)
class PushgatewaySinkDeadLetterIT {
    static final byte[] NOT_AVRO = "tps 812.5".getBytes(StandardCharsets.UTF_8);
    static final byte[] UNKNOWN_SCHEMA_ID = {0, 0, 0x0f, 0x42, 0x3f, 2};

    @TempDir
    Path dir;

    @Test
    void shouldDeadLetterPoisonOnBothTopicsOnceEachAndPushTheRecordsAfterIt(RealStack stack) throws Exception {
        String kpis = "kpis-pg-dl-" + UUID.randomUUID();
        String anomalies = "anomalies-pg-dl-" + UUID.randomUUID();
        stack.broker().createTopics(1, kpis, anomalies);
        AvroSerializer<SpecificRecord> avro = new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true);
        try (Pushgateway pushgateway = Pushgateway.inDirectory(dir).start();
             PushgatewaySink sink = new PushgatewaySink(new PushgatewaySinkConfig(Map.of(
                     PushgatewaySinkConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                     PushgatewaySinkConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(),
                     PushgatewaySinkConfig.GROUP_ID, "pg-sink-dl-" + UUID.randomUUID(),
                     PushgatewaySinkConfig.KPI_TOPIC, kpis,
                     PushgatewaySinkConfig.ANOMALY_TOPIC, anomalies,
                     PushgatewaySinkConfig.PUSHGATEWAY_URL, pushgateway.url(),
                     PushgatewaySinkConfig.PUSH_INTERVAL_MS, "200")));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            Thread thread = new Thread(sink::run, "sink-under-test");
            thread.start();
            for (String topic : List.of(kpis, anomalies)) {
                producer.send(new ProducerRecord<>(topic, NOT_AVRO)).get();
                producer.send(new ProducerRecord<>(topic, UNKNOWN_SCHEMA_ID)).get();
            }
            producer.send(new ProducerRecord<>(kpis, avro.serialize(kpis, tps(null, 0, 812.5)))).get();
            producer.send(new ProducerRecord<>(anomalies, avro.serialize(anomalies,
                    anomaly("a-v2", AnomalyState.FIRING, "v2", Severity.HIGH)))).get();

            String metrics = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !(metrics.contains("chainpulse_tps{") && metrics.contains("chainpulse_anomaly_active{"))) {
                Thread.sleep(200);
                metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(pushgateway.url() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(metrics).contains("812.5").containsPattern("chainpulse_anomaly_active\\{[^}]*node=\"v2\"[^}]*} 1");
            assertThat(sink.running()).isTrue();
            assertThat(sink.deadLetters().snapshot()).isEqualTo(Map.of(kpis, 2L, anomalies, 2L));
            assertThat(sink.unreadable.sum()).isEqualTo(4);
            sink.close();
            thread.join(10_000);
        }
        for (String topic : List.of(kpis, anomalies)) {
            List<ConsumerRecord<byte[], byte[]>> dead = stack.broker().readCommitted(DeadLetters.TOPIC).stream()
                    .filter(r -> topic.equals(header(r, DeadLetters.SOURCE_TOPIC_HEADER))).toList();
            assertThat(dead).extracting(r -> header(r, DeadLetters.SOURCE_OFFSET_HEADER)).containsExactly("0", "1");
            assertThat(dead).extracting(r -> header(r, DeadLetters.SERVICE_HEADER)).containsOnly("sink-pushgateway");
            assertThat(dead.get(0).value()).isEqualTo(NOT_AVRO);
            assertThat(dead.get(1).value()).isEqualTo(UNKNOWN_SCHEMA_ID);
            assertThat(header(dead.get(1), DeadLetters.REASON_HEADER)).startsWith("record of topic '" + topic
                    + "' refers to schema id 999999 that could not be fetched: could not fetch schema id 999999: "
                    + "registry at " + stack.registryUrl() + " answered HTTP 404");
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name).orElse("");
    }
}
