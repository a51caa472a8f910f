package io.chainpulse.sink.prometheus;

import static io.chainpulse.sink.prometheus.Kpis.anomaly;
import static io.chainpulse.sink.prometheus.Kpis.latency;
import static io.chainpulse.sink.prometheus.Kpis.tps;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.Pushgateway;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, point 6, on the real broker and the real Pushgateway: the sink restarted while an incident fires, and the
 * Pushgateway restarted (it keeps series in memory only, as by default in production).
 */
@ExtendWith(RealStackExtension.class)
class PushgatewaySinkChaosIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long PUSH_INTERVAL_MS = 1_000;

    @TempDir
    Path dir;

    private RealStack stack;
    private Pushgateway pushgateway;
    private KafkaProducer<String, SpecificRecord> producer;
    private final List<PushgatewaySink> sinks = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final String kpis = "kpis-" + UUID.randomUUID();
    private final String current = "anomalies-current-" + UUID.randomUUID();
    private final String group = "pg-sink-" + UUID.randomUUID();

    @BeforeEach
    void start(RealStack stack) {
        this.stack = stack;
        pushgateway = Pushgateway.inDirectory(dir.resolve("pushgateway"), ChildProcess.freePort()).start();
        stack.broker().createTopics(2, kpis, current);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    @AfterEach
    void stop() throws InterruptedException {
        producer.close();
        for (PushgatewaySink sink : sinks) {
            sink.close();
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        pushgateway.close();
    }

    @Test
    void shouldKeepAnIncidentFiringAcrossASinkRestartWhenASecondOneFires() throws Exception {
        send(kpis, "k1", latency("v1", 0, 100, 300));
        send(kpis, "k2", tps(null, 0, 812.5));
        send(current, "a-v1", anomaly("a-v1", AnomalyState.FIRING, "v1", Severity.HIGH));
        PushgatewaySink first = startSink();
        awaitMetrics(m -> value(m, "chainpulse_anomaly_active{", "node=\"v1\"").isPresent()
                && value(m, "chainpulse_tps{", "scope=\"network\"").isPresent());
        awaitCommitted(2); // both KPI records pushed, so committed

        first.close();
        PushgatewaySink second = startSink();
        send(current, "a-v2", anomaly("a-v2", AnomalyState.FIRING, "v2", Severity.CRITICAL));

        // Before the fix the restarted sink knew only a-v2 and replaced the group with it: a false all-clear for v1.
        String both = awaitMetrics(m -> value(m, "chainpulse_anomaly_active{", "node=\"v2\"").isPresent());
        assertThat(activeSeries(both)).containsExactly(
                "chainpulse_anomaly_active{metric=\"consensus_latency_ms\",node=\"v1\",severity=\"HIGH\"} 1",
                "chainpulse_anomaly_active{metric=\"consensus_latency_ms\",node=\"v2\",severity=\"CRITICAL\"} 1");
        assertThat(second.state().all()).containsOnlyKeys("anomalies"); // KPIs were committed: not read again

        // The detector resolves a-v1 with a tombstone on the compacted topic: it leaves, a-v2 stays.
        send(current, "a-v1", null);
        String resolved = awaitMetrics(m -> value(m, "chainpulse_anomaly_active{", "node=\"v1\"").isEmpty());
        assertThat(activeSeries(resolved)).containsExactly(
                "chainpulse_anomaly_active{metric=\"consensus_latency_ms\",node=\"v2\",severity=\"CRITICAL\"} 1");
        assertThat(value(resolved, "chainpulse_tps{", "scope=\"network\"")).contains(812.5);
    }

    @Test
    void shouldPushEverySeriesAgainWithinTwoPushIntervalsOfAPushgatewayRestart() throws Exception {
        send(kpis, "k1", latency("v1", 0, 100, 300));
        send(kpis, "k2", tps("v2", 0, 12));
        send(kpis, "k3", tps(null, 0, 812.5));
        send(current, "a-v1", anomaly("a-v1", AnomalyState.FIRING, "v1", Severity.HIGH));
        startSink();
        Predicate<String> everything = m -> value(m, "chainpulse_anomaly_active{", "node=\"v1\"").isPresent()
                && value(m, "chainpulse_tps{", "scope=\"network\"").isPresent()
                && value(m, "chainpulse_tps{", "node=\"v2\"").isPresent()
                && value(m, "chainpulse_consensus_latency_seconds{", "node=\"v1\"", "quantile=\"0.95\"").isPresent();
        String before = awaitMetrics(everything);

        pushgateway.stop(); // in memory only: every series is gone with it
        double stoppedAt = System.currentTimeMillis() / 1000.0;
        pushgateway.start();
        long back = System.nanoTime();
        String after = awaitMetrics(everything);
        long tookMs = (System.nanoTime() - back) / 1_000_000;

        assertThat(tookMs).as("series back after %d ms", tookMs).isLessThanOrEqualTo(2 * PUSH_INTERVAL_MS);
        // every group was pushed to the new process, none survived from the old one
        assertThat(after.lines().filter(l -> l.startsWith("push_time_seconds{"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))))
                .hasSize(4).allSatisfy(pushedAt -> assertThat(pushedAt).isGreaterThan(stoppedAt));
        assertThat(chainpulseSeries(after)).isEqualTo(chainpulseSeries(before));
        assertThat(value(after, "chainpulse_consensus_latency_seconds{", "node=\"v1\"", "quantile=\"0.95\"")).contains(0.3);
        assertThat(value(after, "chainpulse_tps{", "node=\"v2\"")).contains(12.0);
        assertThat(value(after, "chainpulse_anomaly_active{", "node=\"v1\"", "severity=\"HIGH\"")).contains(1.0);
    }

    private PushgatewaySink startSink() {
        PushgatewaySink sink = new PushgatewaySink(new PushgatewaySinkConfig(Map.of(
                PushgatewaySinkConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                PushgatewaySinkConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(),
                PushgatewaySinkConfig.GROUP_ID, group,
                PushgatewaySinkConfig.KPI_TOPIC, kpis,
                PushgatewaySinkConfig.ANOMALY_TOPIC, current,
                PushgatewaySinkConfig.PUSHGATEWAY_URL, pushgateway.url(),
                PushgatewaySinkConfig.PUSH_INTERVAL_MS, Long.toString(PUSH_INTERVAL_MS))));
        Thread thread = new Thread(sink::run, "sink-under-test-" + sinks.size());
        sinks.add(sink);
        threads.add(thread);
        thread.start();
        return sink;
    }

    private void send(String topic, String key, SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private void awaitCommitted(long records) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long committed = 0;
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                committed = offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
                if (committed == records) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("committed " + committed + " KPI records, expected " + records);
        }
    }

    private String metrics() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pushgateway.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String awaitMetrics(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String metrics = "";
        while (System.nanoTime() < deadline) {
            metrics = metrics();
            if (condition.test(metrics)) {
                return metrics;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("Pushgateway never reached the expected state; last /metrics:\n" + metrics);
    }

    /** The anomaly series without the grouping labels the Pushgateway adds. */
    private static List<String> activeSeries(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("chainpulse_anomaly_active{"))
                .map(l -> l.replaceAll(",?(group|job|instance)=\"[^\"]*\"", "").replace("{,", "{")).sorted().toList();
    }

    private static List<String> chainpulseSeries(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("chainpulse_")).sorted().toList();
    }

    private static Optional<Double> value(String metrics, String family, String... labels) {
        return metrics.lines()
                .filter(line -> line.startsWith(family) && List.of(labels).stream().allMatch(line::contains))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst();
    }
}
