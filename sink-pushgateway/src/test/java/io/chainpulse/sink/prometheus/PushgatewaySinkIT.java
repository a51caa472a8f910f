package io.chainpulse.sink.prometheus;

import static io.chainpulse.sink.prometheus.Kpis.W;
import static io.chainpulse.sink.prometheus.Kpis.anomaly;
import static io.chainpulse.sink.prometheus.Kpis.latency;
import static io.chainpulse.sink.prometheus.Kpis.tps;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.Pushgateway;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The sink between the real broker and the real Pushgateway (Debian's prometheus-pushgateway). */
@ExtendWith(RealStackExtension.class)
class PushgatewaySinkIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Pushgateway pushgateway;
    private PushgatewaySink sink;
    private Thread sinkThread;
    private KafkaProducer<String, SpecificRecord> producer;
    private final String kpis = "kpis-" + UUID.randomUUID();
    private final String anomalies = "anomalies-" + UUID.randomUUID();

    @BeforeEach
    void start(RealStack stack) {
        pushgateway = Pushgateway.inDirectory(dir).start();
        stack.broker().createTopics(2, kpis, anomalies);
        sink = new PushgatewaySink(new PushgatewaySinkConfig(Map.of(
                PushgatewaySinkConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                PushgatewaySinkConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(),
                PushgatewaySinkConfig.GROUP_ID, "pg-sink-" + UUID.randomUUID(),
                PushgatewaySinkConfig.KPI_TOPIC, kpis,
                PushgatewaySinkConfig.ANOMALY_TOPIC, anomalies,
                PushgatewaySinkConfig.PUSHGATEWAY_URL, pushgateway.url(),
                PushgatewaySinkConfig.PUSH_INTERVAL_MS, "200",
                PushgatewaySinkConfig.NODE_EXPIRY_MS, Long.toString(5 * W))));
        sinkThread = new Thread(sink::run, "sink-under-test");
        sinkThread.start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    @AfterEach
    void stop() throws InterruptedException {
        producer.close();
        sink.close();
        sinkThread.join(10_000);
        pushgateway.close();
    }

    @Test
    void shouldPushFinalValuesReadBackFromThePushgatewayAndDeleteTheGroupOfASilentNode() throws Exception {
        send(kpis, latency("v1", 0, 100, 300));
        send(kpis, latency("v2", 0, 110, 964));
        send(kpis, tps(null, 0, 812.5));
        send(anomalies, anomaly("a-v2", AnomalyState.FIRING, "v2", Severity.HIGH));

        String metrics = awaitMetrics(m -> value(m, "chainpulse_anomaly_active{", "node=\"v2\"").isPresent()
                && value(m, "chainpulse_tps{", "scope=\"network\"").isPresent()
                && value(m, "chainpulse_consensus_latency_seconds{", "node=\"v2\"", "quantile=\"0.95\"").isPresent());
        assertThat(value(metrics, "chainpulse_consensus_latency_seconds{", "node=\"v2\"", "quantile=\"0.95\"")).contains(0.964);
        assertThat(value(metrics, "chainpulse_consensus_latency_seconds{", "node=\"v1\"", "quantile=\"0.5\"")).contains(0.1);
        assertThat(value(metrics, "chainpulse_tps{", "scope=\"network\"")).contains(812.5);
        assertThat(value(metrics, "chainpulse_anomaly_active{", "node=\"v2\"", "severity=\"HIGH\"")).contains(1.0);

        // v1 reports for six more windows, v2 stays silent: stream time passes v2's expiry
        for (long start = W; start <= 6 * W; start += W) {
            send(kpis, latency("v1", start, 100, 300));
        }

        String after = awaitMetrics(m -> !m.contains("group=\"v2\"") && value(m, "chainpulse_kpi_window_end_timestamp_seconds{", "node=\"v1\"").orElse(0.0) == 70.0);
        assertThat(value(after, "chainpulse_consensus_latency_seconds{", "node=\"v2\"")).isEmpty();
        assertThat(value(after, "chainpulse_anomaly_active{", "node=\"v2\"")).as("anomalies outlive KPI groups").contains(1.0);
        assertThat(sink.groupsDeleted.sum()).isEqualTo(1);

        send(anomalies, anomaly("a-v2", AnomalyState.RESOLVED, "v2", Severity.HIGH));
        awaitMetrics(m -> value(m, "chainpulse_anomaly_active{", "node=\"v2\"").isEmpty());
    }

    @Test
    void shouldPushAnotherChainsSeriesUnderItsChainGroupingLabelBesideTheSameNodeOfTheDefaultChain() throws Exception {
        send(kpis, latency("v1", 0, 100, 300));
        io.chainpulse.schema.KpiWindow beta = latency("v1", 0, 200, 500);
        beta.setChainId("beta");
        send(kpis, beta);
        io.chainpulse.schema.KpiWindow betaNetwork = tps(null, 0, 40);
        betaNetwork.setChainId("beta");
        send(kpis, betaNetwork);
        io.chainpulse.schema.Anomaly betaAnomaly = anomaly("a-beta-v1", AnomalyState.FIRING, "v1", Severity.HIGH);
        betaAnomaly.setChainId("beta");
        send(anomalies, betaAnomaly);

        String metrics = awaitMetrics(m -> byChain(m, "chainpulse_consensus_latency_seconds{", "node=\"v1\"",
                "quantile=\"0.5\"").size() == 2 && !byChain(m, "chainpulse_anomaly_active{").isEmpty()
                && !byChain(m, "chainpulse_tps{").isEmpty());

        // the same node id on two chains: two groups, the default chain's without a chain label
        assertThat(byChain(metrics, "chainpulse_consensus_latency_seconds{", "node=\"v1\"", "quantile=\"0.5\""))
                .isEqualTo(Map.of("", 0.1, "beta", 0.2));
        assertThat(byChain(metrics, "chainpulse_tps{", "scope=\"network\"", "group=\"network\"")).isEqualTo(Map.of("beta", 40.0));
        assertThat(byChain(metrics, "chainpulse_anomaly_active{", "node=\"v1\"")).isEqualTo(Map.of("beta", 1.0));
    }

    /** Chain label ("" without one) → value, of the series of {@code family} whose labels contain all {@code labels}. */
    private static Map<String, Double> byChain(String metrics, String family, String... labels) {
        Map<String, Double> out = new java.util.TreeMap<>();
        java.util.regex.Pattern chain = java.util.regex.Pattern.compile("[{,]chain=\"([^\"]*)\"");
        metrics.lines().filter(line -> line.startsWith(family) && List.of(labels).stream().allMatch(line::contains))
                .forEach(line -> {
                    java.util.regex.Matcher m = chain.matcher(line);
                    out.put(m.find() ? m.group(1) : "", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                });
        return out;
    }

    @Test
    void shouldPushExpositionTextThatPromtoolAccepts() throws Exception {
        send(kpis, latency("v1", 0, 100, 300));
        send(kpis, tps("v1", 0, 12));
        send(kpis, tps(null, 0, 812.5));
        send(anomalies, anomaly("a-v1", AnomalyState.FIRING, "v1", Severity.CRITICAL));
        awaitMetrics(m -> m.contains("chainpulse_anomaly_active{") && m.contains("chainpulse_tps{"));

        for (String group : List.of("v1", PrometheusState.NETWORK_GROUP, PrometheusState.ANOMALY_GROUP)) {
            String text = sink.state().exposition(group);
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            promtool.getOutputStream().close();
            String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor()).as("promtool on group %s:%n%s%n%s", group, text, verdict).isZero();
        }
    }

    private void send(String topic, SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "k", value)).get();
    }

    private String awaitMetrics(Predicate<String> condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String metrics = "";
        while (System.nanoTime() < deadline) {
            metrics = HTTP.send(HttpRequest.newBuilder(URI.create(pushgateway.url() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (condition.test(metrics)) {
                return metrics;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Pushgateway never reached the expected state; last /metrics:\n" + metrics);
    }

    /** The value of the one series of {@code family} whose labels contain all {@code labels}. */
    private static Optional<Double> value(String metrics, String family, String... labels) {
        return metrics.lines()
                .filter(line -> line.startsWith(family) && List.of(labels).stream().allMatch(line::contains))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst();
    }
}
