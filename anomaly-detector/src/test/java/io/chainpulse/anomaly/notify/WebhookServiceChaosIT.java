package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, point 7: the webhook receiver — a real HTTP server on loopback — down for longer than the consumer's
 * {@code max.poll.interval.ms}, on the real broker and registry. The issue's outage is 5 minutes; in the build this
 * one is {@link #OUTAGE} with {@code max.poll.interval.ms} = {@link #MAX_POLL_INTERVAL}, so it still proves the poll
 * loop stays alive through an outage longer than that limit, in a test of well under a minute. The issue's own
 * numbers, against Kafka's default poll interval:
 * {@code -Dchaos.webhook.outage=PT5M -Dchaos.webhook.max.poll=PT5M -Dit.test=WebhookServiceChaosIT}.
 */
@ExtendWith(RealStackExtension.class)
class WebhookServiceChaosIT {
    private static final Duration OUTAGE = Duration.parse(System.getProperty("chaos.webhook.outage", "PT25S"));
    private static final Duration MAX_POLL_INTERVAL = Duration.parse(System.getProperty("chaos.webhook.max.poll", "PT8S"));
    /** The group's session timeout: the poll interval, at most Kafka's default 45 s. */
    private static final Duration SESSION_TIMEOUT = MAX_POLL_INTERVAL.compareTo(Duration.ofSeconds(45)) < 0
            ? MAX_POLL_INTERVAL : Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RealStack stack;
    private String bootstrapServers;
    private final String topic = "anomalies-" + UUID.randomUUID();
    private final String deadLetters = "dead-letters-" + UUID.randomUUID();
    private final String group = "notify-" + UUID.randomUUID();
    private KafkaProducer<String, Anomaly> producer;
    private WebhookService service;
    private Thread thread;

    @BeforeEach
    void start(RealStack stack) {
        this.stack = stack;
        this.bootstrapServers = stack.bootstrapServers();
        stack.broker().createTopics(3, topic);
        stack.broker().createTopics(1, deadLetters);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    @AfterEach
    void stop() throws InterruptedException {
        producer.close();
        if (service != null) {
            service.close();
            thread.join(30_000);
        }
    }

    @Test
    void shouldDeliverEveryTransitionOnceInOrderPerIncidentAfterAnOutageLongerThanMaxPollInterval() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            startService(receiver, Duration.ofHours(1));
            send(transition("x", AnomalyState.FIRING, Severity.HIGH, 0));
            await(() -> receiver.bodies.size() == 1, Duration.ofSeconds(30));
            await(() -> committed() == 1, Duration.ofSeconds(30));

            receiver.stop();
            // During the outage: three incidents keep changing, one transition every OUTAGE/9.
            List<Anomaly> duringOutage = List.of(
                    transition("y", AnomalyState.FIRING, Severity.HIGH, 0),
                    transition("x", AnomalyState.FIRING, Severity.CRITICAL, 10),
                    transition("z", AnomalyState.FIRING, Severity.LOW, 10),
                    transition("y", AnomalyState.FIRING, Severity.CRITICAL, 10),
                    transition("y", AnomalyState.FIRING, Severity.HIGH, 20), // back to HIGH: a new transition
                    transition("x", AnomalyState.RESOLVED, Severity.CRITICAL, 40),
                    transition("z", AnomalyState.RESOLVED, Severity.LOW, 50),
                    transition("y", AnomalyState.RESOLVED, Severity.HIGH, 60));
            long outageStart = System.nanoTime();
            for (Anomaly a : duringOutage) {
                send(a);
                Thread.sleep(OUTAGE.toMillis() / (duringOutage.size() + 1));
                assertThat(committed()).as("nothing committed while undelivered").isEqualTo(1);
            }
            while (System.nanoTime() - outageStart < OUTAGE.toNanos()) {
                Thread.sleep(200);
            }
            assertThat(committed()).as("nothing committed while undelivered").isEqualTo(1);
            assertThat(receiver.bodies).hasSize(1);
            assertThat(service.running()).isTrue();

            receiver.start();
            await(() -> receiver.bodies.size() >= 9, Duration.ofSeconds(30));
            await(() -> committed() == 9, Duration.ofSeconds(30));
            Thread.sleep(1_000); // anything extra would arrive now

            List<String> all = new ArrayList<>(receiver.idempotencyKeys);
            assertThat(all).hasSize(9).doesNotHaveDuplicates();
            assertThat(perIncident(receiver.bodies, "x")).containsExactly("FIRING HIGH 0", "FIRING CRITICAL 10", "RESOLVED CRITICAL 40");
            assertThat(perIncident(receiver.bodies, "y")).containsExactly("FIRING HIGH 0", "FIRING CRITICAL 10", "FIRING HIGH 20", "RESOLVED HIGH 60");
            assertThat(perIncident(receiver.bodies, "z")).containsExactly("FIRING LOW 10", "RESOLVED LOW 50");
            assertThat(service.assignments.sum()).as("never left its group: one assignment, no rebalance").isEqualTo(1);
            assertThat(service.deadLettered()).isZero();
            assertThat(service.retries()).isPositive();
            assertThat(service.running()).isTrue();
        }
    }

    @Test
    void shouldDeadLetterAndCountTransitionsUndeliverableForMaxAge() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            receiver.stop();
            startService(receiver, Duration.ofSeconds(3));
            List<RecordMetadata> sent = new ArrayList<>();
            for (Anomaly a : List.of(transition("x", AnomalyState.FIRING, Severity.HIGH, 0),
                    transition("x", AnomalyState.RESOLVED, Severity.HIGH, 10),
                    transition("y", AnomalyState.FIRING, Severity.LOW, 0))) {
                sent.add(send(a));
            }

            await(() -> service.deadLettered() == 3, Duration.ofSeconds(60));
            await(() -> committed() == 3, Duration.ofSeconds(30));

            List<String> letters = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "read-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(deadLetters));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (letters.size() < 3 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        String reason = DeadLetters.header(r.headers(), DeadLetters.REASON_HEADER).orElseThrow();
                        assertThat(reason).matches("undeliverable for \\d+ ms \\(max\\.age\\.ms 3000\\): "
                                + "http://127\\.0\\.0\\.1:\\d+/hook: java\\.net\\.ConnectException.*");
                        letters.add(DeadLetters.header(r.headers(), DeadLetters.SERVICE_HEADER).orElseThrow() + " "
                                + DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC_HEADER).orElseThrow().equals(topic) + " "
                                + DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION_HEADER).orElseThrow() + "@"
                                + DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET_HEADER).orElseThrow() + " "
                                + new String(r.key()));
                    }
                }
            }
            List<String> expected = sent.stream().map(m -> "notify true " + m.partition() + "@" + m.offset()).toList();
            assertThat(letters.stream().map(l -> l.substring(0, l.lastIndexOf(' '))).sorted().toList())
                    .isEqualTo(expected.stream().sorted().toList());
            assertThat(letters.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList())
                    .containsExactly("incident-x", "incident-x", "incident-y");
            assertThat(receiver.requests.get()).isZero();
            assertThat(service.running()).isTrue();
        }
    }

    @Test
    void shouldSurviveACommitTimingOutWhileTheBrokerIsDownAndCommitOnceItIsBack(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start();
             Receiver receiver = new Receiver(0)) {
            broker.createTopics(1, topic, deadLetters);
            producer.close();
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
            bootstrapServers = broker.bootstrapServers();
            send(transition("x", AnomalyState.FIRING, Severity.HIGH, 0));
            CountDownLatch gate = new CountDownLatch(1);
            receiver.gate = gate;
            startService(receiver, Duration.ofHours(1));

            // The transition is on its way to the receiver; the broker dies before the service can commit it.
            await(() -> receiver.requests.get() == 1, Duration.ofSeconds(60));
            broker.kill();
            gate.countDown();
            await(() -> receiver.bodies.size() == 1, Duration.ofSeconds(10));
            Thread.sleep(15_000); // longer than one commit attempt (10 s): at least one timed out
            assertThat(service.running()).as("a commit timeout does not stop the service").isTrue();
            assertThat(thread.isAlive()).isTrue();

            broker.start();
            // the consumer finds its restarted coordinator again first: over a minute once on a loaded machine
            await(() -> committed() == 1, Duration.ofSeconds(120));
            send(transition("x", AnomalyState.RESOLVED, Severity.HIGH, 10));
            // the next poll, delivery and commit after the restart: 60 s ran out once in a full run
            await(() -> committed() == 2, Duration.ofSeconds(120));
            assertThat(perIncident(receiver.bodies, "x")).containsExactly("FIRING HIGH 0", "RESOLVED HIGH 10");
            assertThat(service.running()).isTrue();
            service.close();
            thread.join(30_000);
            service = null;
        }
    }

    private void startService(Receiver receiver, Duration maxAge) {
        Map<String, Object> config = new HashMap<>();
        config.put(NotifyConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        config.put(NotifyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        config.put(NotifyConfig.TOPIC, topic);
        config.put(NotifyConfig.GROUP_ID, group);
        config.put(NotifyConfig.WEBHOOK_URLS, receiver.url().toString());
        config.put(NotifyConfig.RETRY_BACKOFF_INITIAL_MS, "100");
        config.put(NotifyConfig.RETRY_BACKOFF_MAX_MS, "1000");
        config.put(NotifyConfig.MAX_AGE_MS, Long.toString(maxAge.toMillis()));
        config.put(NotifyConfig.DEAD_LETTER_TOPIC, deadLetters);
        config.put("consumer." + ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(MAX_POLL_INTERVAL.toMillis()));
        config.put("consumer." + ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(SESSION_TIMEOUT.toMillis()));
        service = WebhookService.create(config);
        thread = new Thread(service::run, "notify-under-test");
        thread.start();
    }

    /** An incident's transition; the key is the incident id, so one incident stays on one partition. */
    private static Anomaly transition(String incident, AnomalyState state, Severity severity, long windowSeconds) {
        Anomaly a = WebhookNotifierTest.anomaly(state, severity);
        a.setAnomalyId("incident-" + incident);
        a.setWindowStartMs(1_753_784_500_000L + windowSeconds * 1000);
        return a;
    }

    private RecordMetadata send(Anomaly a) throws Exception {
        return producer.send(new ProducerRecord<>(topic, a.getAnomalyId(), a)).get();
    }

    /** "STATE SEVERITY window-seconds" of one incident's posts, in arrival order. */
    private static List<String> perIncident(List<String> bodies, String incident) throws Exception {
        List<String> out = new ArrayList<>();
        for (String body : bodies) {
            JsonNode json = JSON.readTree(body);
            if (json.get("anomaly_id").asText().equals("incident-" + incident)) {
                out.add(json.get("state").asText() + " " + json.get("severity").asText() + " "
                        + (json.get("window_start_ms").asLong() - 1_753_784_500_000L) / 1000);
            }
        }
        return out;
    }

    private long committed() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
        } catch (Exception e) {
            return -1; // the broker is not answering (yet)
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}
