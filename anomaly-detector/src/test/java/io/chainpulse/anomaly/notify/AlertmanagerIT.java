package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.Alertmanager;
import io.chainpulse.stack.ChildProcess;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anomaly topic on the real broker → notify → Debian's real {@code prometheus-alertmanager}, read back from its
 * {@code /api/v2/alerts}; Alertmanager's own webhook notifications go to a local {@link Receiver}.
 */
@ExtendWith(RealStackExtension.class)
class AlertmanagerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RESEND_MS = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldFireResolveFilterAndSurviveAlertmanagerAndNotifyRestarts(RealStack stack, @TempDir Path dir)
            throws Exception {
        assumeTrue(Alertmanager.binary().isPresent() || System.getenv("CI") != null,
                "prometheus-alertmanager not installed (CI installs it)");
        String topic = "anomalies-" + UUID.randomUUID();
        String current = "anomalies-current-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic);
        try (Admin admin = stack.broker().admin()) {
            admin.createTopics(List.of(new NewTopic(current, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        }
        Anomaly high = WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH);
        Anomaly medium = WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.MEDIUM);
        medium.setAnomalyId("peer_outlier|network_median_mad|consensus_latency_ms|node|v4|1753784500000");
        medium.setNodeId("v4");
        Anomaly highResolved = WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, Severity.HIGH);
        highResolved.setWindowStartMs(1_753_784_530_000L);
        highResolved.setDescription("resolved after 3 clean windows");
        highResolved.setSuggestedActions(List.of());

        try (Receiver notifications = new Receiver(0); Receiver webhook = new Receiver(0);
             Alertmanager alertmanager = Alertmanager.inDirectory(dir.resolve("alertmanager"),
                     ChildProcess.freePort(), config(notifications.url())).start();
             KafkaProducer<String, Anomaly> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
                     new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true))) {
            Map<String, Object> settings = Map.of(
                    NotifyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    NotifyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(),
                    NotifyConfig.TOPIC, topic,
                    NotifyConfig.CURRENT_TOPIC, current,
                    NotifyConfig.GROUP_ID, "alertmanager-" + UUID.randomUUID(),
                    NotifyConfig.WEBHOOK_URLS, webhook.url().toString(),
                    NotifyConfig.ALERTMANAGER_URLS, alertmanager.url(),
                    NotifyConfig.ALERTMANAGER_RESEND_INTERVAL_MS, Long.toString(RESEND_MS),
                    NotifyConfig.MIN_SEVERITY, "HIGH",
                    NotifyConfig.RETRY_BACKOFF_INITIAL_MS, "50");
            // the detector's writes: every transition, and the current state per incident (tombstone when resolved)
            for (Anomaly a : List.of(medium, high)) {
                producer.send(new ProducerRecord<>(topic, a.getAnomalyId(), a)).get();
                producer.send(new ProducerRecord<>(current, a.getAnomalyId(), a)).get();
            }

            // 1. FIRING HIGH → one active alert with exactly these labels and annotations; MEDIUM filtered
            WebhookService notify = WebhookService.create(settings);
            Thread thread = new Thread(notify::run, "notify-1");
            thread.start();
            await("the HIGH alert in Alertmanager", () -> alerts(alertmanager).size() == 1);
            JsonNode alert = alerts(alertmanager).get(0);
            assertThat(JSON.convertValue(alert.get("labels"), Map.class)).isEqualTo(Map.of(
                    "alertname", "ChainPulsePeerOutlierNetworkMedianMad", "chain", "default", "node", "v3",
                    "metric", "consensus_latency_ms", "severity", "high", "detector", "peer_outlier"));
            assertThat(JSON.convertValue(alert.get("annotations"), Map.class)).isEqualTo(Map.of(
                    "summary", "ChainPulse: HIGH anomaly on v3 (consensus_latency_ms)",
                    "description", "p95 consensus latency 964 ms on v3, 8.1× the network median",
                    "suggested_actions", "check v3's CPU and disk; compare its peers",
                    "anomaly_id", high.getAnomalyId()));
            assertThat(alert.get("status").get("state").asText()).isEqualTo("active");
            assertThat(alert.get("startsAt").asText()).isEqualTo("2025-07-29T10:21:40.000Z");
            assertThat(alert.get("generatorURL").asText()).isEqualTo("http://127.0.0.1:8088/");
            assertThat(notify.filtered()).isEqualTo(1); // the MEDIUM one, before the HIGH one on the same partition
            assertThat(notify.active().firing()).containsExactly(high);

            // 2. Alertmanager SIGKILLed and restarted: it forgot every alert; the next resend brings the HIGH one back
            alertmanager.kill();
            alertmanager.start();
            long restarted = System.nanoTime();
            await("the HIGH alert back after Alertmanager's restart", () -> alerts(alertmanager).size() == 1);
            long backAfterMs = (System.nanoTime() - restarted) / 1_000_000;
            assertThat(backAfterMs).as("back within one resend interval (+1 s for the post)")
                    .isLessThan(RESEND_MS + 1_000);
            assertThat(alerts(alertmanager).get(0).get("labels").get("severity").asText()).isEqualTo("high");

            // 3. notify restarted while Alertmanager restarts too: nothing left to deliver (all committed), yet the
            //    firing set, rebuilt from the current-anomalies topic, puts the alert back
            notify.close();
            thread.join(10_000);
            alertmanager.kill();
            alertmanager.start();
            WebhookService restartedNotify = WebhookService.create(settings);
            Thread restartedThread = new Thread(restartedNotify::run, "notify-2");
            restartedThread.start();
            await("the HIGH alert back after both restarts", () -> alerts(alertmanager).size() == 1);
            assertThat(restartedNotify.delivered()).isZero();
            assertThat(restartedNotify.active().firing()).containsExactly(high); // not the MEDIUM one

            // 4. RESOLVED → no longer active in Alertmanager, which notifies "resolved" with our endsAt
            await("Alertmanager's firing notification", () -> notifications.bodies.stream()
                    .anyMatch(body -> body.contains("\"status\":\"firing\"")));
            producer.send(new ProducerRecord<>(topic, highResolved.getAnomalyId(), highResolved)).get();
            producer.send(new ProducerRecord<>(current, highResolved.getAnomalyId(), null)).get();
            await("the HIGH alert resolved", () -> alerts(alertmanager).isEmpty());
            await("Alertmanager's resolved notification", () -> notifications.bodies.stream()
                    .anyMatch(body -> body.contains("\"status\":\"resolved\"")));
            JsonNode resolved = notifications.bodies.stream().map(AlertmanagerIT::parse)
                    .filter(n -> n.get("status").asText().equals("resolved")).findFirst().orElseThrow()
                    .get("alerts").get(0);
            assertThat(resolved.get("labels").get("alertname").asText()).isEqualTo("ChainPulsePeerOutlierNetworkMedianMad");
            assertThat(resolved.get("startsAt").asText()).isEqualTo("2025-07-29T10:21:40Z");
            assertThat(resolved.get("endsAt").asText()).isEqualTo("2025-07-29T10:22:10Z");
            assertThat(restartedNotify.delivered()).isEqualTo(2); // RESOLVED to the webhook and to Alertmanager
            assertThat(restartedNotify.active().firing()).isEmpty();
            restartedNotify.close();
            restartedThread.join(10_000);

            // the webhook beside it got exactly the HIGH incident, FIRING then RESOLVED, never the MEDIUM one
            assertThat(webhook.idempotencyKeys).containsExactly(
                    high.getAnomalyId() + "|FIRING|HIGH|1753784500000",
                    high.getAnomalyId() + "|RESOLVED|HIGH|1753784530000");
            assertThat(notify.deadLettered() + restartedNotify.deadLettered()).isZero();
        }
    }

    @Test
    void shouldDeliverToAnHaPairWhileOneMemberIsDownAndBringItUpToDateWhenItIsBack(RealStack stack,
                                                                                  @TempDir Path dir) throws Exception {
        assumeTrue(Alertmanager.binary().isPresent() || System.getenv("CI") != null,
                "prometheus-alertmanager not installed (CI installs it)");
        String topic = "anomalies-" + UUID.randomUUID();
        String current = "anomalies-current-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic, current);
        Anomaly high = WebhookNotifierTest.anomaly(AnomalyState.FIRING, Severity.HIGH);
        Anomaly highResolved = WebhookNotifierTest.anomaly(AnomalyState.RESOLVED, Severity.HIGH);
        highResolved.setWindowStartMs(1_753_784_530_000L);
        try (Alertmanager first = Alertmanager.inDirectory(dir.resolve("am-1")).start();
             Alertmanager second = Alertmanager.inDirectory(dir.resolve("am-2")).start();
             KafkaProducer<String, Anomaly> producer = new KafkaProducer<>(
                     Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()), new StringSerializer(),
                     new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true))) {
            second.kill(); // down for maintenance
            WebhookService notify = WebhookService.create(Map.of(
                    NotifyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    NotifyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl(),
                    NotifyConfig.TOPIC, topic,
                    NotifyConfig.CURRENT_TOPIC, current,
                    NotifyConfig.GROUP_ID, "alertmanager-pair-" + UUID.randomUUID(),
                    NotifyConfig.ALERTMANAGER_URLS, first.url() + "," + second.url(),
                    NotifyConfig.ALERTMANAGER_RESEND_INTERVAL_MS, Long.toString(RESEND_MS)));
            Thread thread = new Thread(notify::run, "notify-pair");
            thread.start();
            producer.send(new ProducerRecord<>(topic, high.getAnomalyId(), high)).get();
            producer.send(new ProducerRecord<>(current, high.getAnomalyId(), high)).get();

            // delivered by the member that is up, not held up by the other
            await("the alert in the first member", () -> alerts(first).size() == 1);
            assertThat(notify.delivered()).isEqualTo(1);
            assertThat(notify.retries()).isZero();

            second.start();
            long back = System.nanoTime();
            await("the alert in the second member once it is back", () -> alerts(second).size() == 1);
            assertThat((System.nanoTime() - back) / 1_000_000).as("within one resend interval (+1 s for the post)")
                    .isLessThan(RESEND_MS + 1_000);
            assertThat(alerts(second).get(0).get("labels")).isEqualTo(alerts(first).get(0).get("labels"));

            producer.send(new ProducerRecord<>(topic, highResolved.getAnomalyId(), highResolved)).get();
            producer.send(new ProducerRecord<>(current, highResolved.getAnomalyId(), null)).get();
            await("the alert resolved in both members", () -> alerts(first).isEmpty() && alerts(second).isEmpty());
            assertThat(notify.delivered()).isEqualTo(3); // FIRING to the first member, RESOLVED to both
            notify.close();
            thread.join(10_000);
        }
    }

    private static String config(URI notifications) {
        return """
                route:
                  receiver: hook
                  group_by: [alertname, chain, node, metric]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                """.formatted(notifications);
    }

    private List<JsonNode> alerts(Alertmanager alertmanager) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(alertmanager.url() + "/api/v2/alerts")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> alerts = new ArrayList<>();
        JSON.readTree(response.body()).forEach(alerts::add);
        return alerts;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(body, e);
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
