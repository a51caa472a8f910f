package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a {@code commitSync} timeout must not kill the sink. The sink has read a batch; the broker is SIGKILLed
 * before the batch is flushed, so Elasticsearch takes the documents but the commit that follows times out. The sink
 * keeps running, retries the commit, and commits exactly the batch once the broker is back.
 */
@ExtendWith(RealStackExtension.class)
class SinkEsCommitChaosIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 20;

    @TempDir
    Path dir;

    @Test
    void shouldSurviveACommitTimeoutAndCommitTheBatchOnceTheBrokerIsBack(RealStack stack, Elasticsearch es)
            throws Exception {
        String name = "commit-" + UUID.randomUUID().toString().substring(0, 8);
        String group = name + "-group";
        String clientId = name + "-client";
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start()) {
            broker.createTopics(1, name + ".kpis", name + ".anomalies", name + ".dlq");
            Map<String, Object> registry = Map.of("schema.registry.url", stack.registryUrl());
            Serializer<KpiWindow> serializer = AvroSerde.of(KpiWindow.class, registry).serializer();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    KpiWindow window = Records.latency("v" + (i % 10), Records.WINDOW_START + (i / 10) * Records.WINDOW_MS,
                            true, 200.0 + i).build();
                    producer.send(new ProducerRecord<>(name + ".kpis", Documents.kpiId(window).getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(name + ".kpis", window))).get();
                }
            }
            Map<String, Object> config = new HashMap<>(registry);
            config.put(SinkEsConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            config.put(SinkEsConfig.GROUP_ID, group);
            config.put(SinkEsConfig.TOPIC_KPIS, name + ".kpis");
            config.put(SinkEsConfig.TOPIC_ANOMALIES, name + ".anomalies");
            config.put(SinkEsConfig.TOPIC_DLQ, name + ".dlq");
            config.put(SinkEsConfig.INDEX_KPIS, name + "-kpis");
            config.put(SinkEsConfig.INDEX_ANOMALIES, name + "-anomalies");
            config.put(SinkEsConfig.INDEX_REPLICAS, 0);
            config.put(SinkEsConfig.ES_URLS, es.url());
            config.put(SinkEsConfig.BULK_MAX_ACTIONS, 1000);
            config.put(SinkEsConfig.FLUSH_INTERVAL_MS, 6000L); // time to kill the broker between poll and flush
            config.put("consumer.client.id", clientId);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (SinkEsService sink = SinkEsService.create(config)) {
                Thread thread = new Thread(() -> {
                    try {
                        sink.run();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "sink-under-test");
                thread.start();

                await("the sink has polled the batch", () -> recordsConsumed(clientId) == RECORDS, Duration.ofSeconds(60));
                broker.kill();
                await("the batch indexed", () -> count(es, name + "-kpis") == RECORDS, Duration.ofSeconds(30));
                Thread.sleep(12_000); // longer than one commit attempt (10 s): at least one has timed out
                assertThat(failure.get()).isNull();
                assertThat(thread.isAlive()).as("a commit timeout does not stop the sink").isTrue();

                broker.start();
                await("the batch committed", () -> committed(broker, group) == RECORDS, Duration.ofSeconds(60));
                assertThat(count(es, name + "-kpis")).isEqualTo(RECORDS);
                assertThat(sink.metrics().indexedCount("kpi")).isEqualTo(RECORDS);
                assertThat(failure.get()).isNull();
                assertThat(thread.isAlive()).isTrue();
            }
        }
    }

    private static double recordsConsumed(String clientId) {
        try {
            return ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName(
                    "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=" + clientId),
                    "records-consumed-total")).doubleValue();
        } catch (Exception e) {
            return -1;
        }
    }

    private static long committed(KafkaBroker broker, String group) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                    .mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static long count(Elasticsearch es, String alias) {
        try {
            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + alias + "/_refresh"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            var count = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + alias + "/_count")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            return count.has("count") ? count.get("count").asLong() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
