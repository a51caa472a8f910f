package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, fault 2: the anomaly detector, in a JVM of its own, is SIGKILLed while an incident is FIRING and KPI
 * windows keep coming; it is restarted on the same state directory, and the incident clears. On
 * {@code chainpulse.anomalies} (read_committed) the incident must have exactly one FIRING and one RESOLVED transition
 * — a lost incident state would fire it a second time under a new id, a lost transaction would lose a transition —
 * and the compacted current topic must end with its tombstone.
 *
 * <p>The shipped rule {@code consensus_latency_p95_high} (p95 above 2000 ms for 2 windows fires, 3 clean windows
 * resolve) on node v1; the baseline detector is kept out by a warm-up longer than the test.
 */
@ExtendWith(RealStackExtension.class)
class AnomalyDetectorChaosIT {
    private static final String METRIC = "consensus_latency_ms";
    private static final String RUNNING = "Kafka Streams REBALANCING -> RUNNING";

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String kpis = "kpis-" + id;
    private final String anomalies = "anomalies-" + id;
    private final String current = "anomalies-current-" + id;

    @Test
    void shouldFireAndResolveAnIncidentExactlyOnceWhenTheDetectorIsKilledWhileItFires(RealStack stack)
            throws Exception {
        stack.broker().createTopics(1, kpis);                            // one partition: windows judged in send order
        stack.broker().createTopics(2, anomalies);
        try (var admin = stack.broker().admin()) {
            admin.createTopics(List.of(new NewTopic(current, 2, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        Path settings = settings(stack);
        ChildProcess first = start(settings, "first");
        try (KafkaProducer<String, KpiWindow> producer = producer(stack)) {
            for (int w = 0; w < 5; w++) {
                send(producer, w, 100);                                  // healthy: p95 100 ms
            }
            send(producer, 5, 3_000);                                    // breached: the incident is pending
            send(producer, 6, 3_000);                                    // breached again: FIRING
            producer.flush();
            Anomaly firing = awaitTransitions(stack, 1).get(0);
            assertThat(firing.getState()).isEqualTo(AnomalyState.FIRING);

            for (int w = 7; w < 27; w++) {                               // the incident goes on...
                send(producer, w, 3_000);
                producer.flush();
                if (w == 16) {
                    first.kill();                                        // ...and the detector is SIGKILLed mid-stream
                }
                Thread.sleep(50);
            }
            ChildProcess second = start(settings, "second");
            try {
                for (int w = 27; w < 32; w++) {
                    send(producer, w, 100);                              // clean: resolves after 3 windows
                }
                producer.flush();
                List<Anomaly> transitions = awaitTransitions(stack, 2);

                assertThat(transitions).extracting(a -> a.getState() + " " + a.getAnomalyId() + " window "
                        + (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS).containsExactly(
                        "FIRING " + firing.getAnomalyId() + " window 6",
                        "RESOLVED " + firing.getAnomalyId() + " window 29");
                assertThat(firing.getAnomalyId()).isEqualTo("static_rule|consensus_latency_p95_high|" + METRIC
                        + "|node|v1|" + Kpi.w(5));
                assertThat(readAll(stack, current)).extracting(r -> r.key() + " "
                        + (r.value() == null ? "tombstone" : r.value().getState())).containsExactly(
                        firing.getAnomalyId() + " FIRING", firing.getAnomalyId() + " tombstone");
            } finally {
                second.stop();
            }
        } finally {
            first.kill();
        }
    }

    private Path settings(RealStack stack) throws IOException {
        Properties p = new Properties();
        p.put(AnomalyConfig.APPLICATION_ID, "anomaly-chaos-" + id);
        p.put(AnomalyConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        p.put(AnomalyConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        p.put(AnomalyConfig.KPI_TOPIC, kpis);
        p.put(AnomalyConfig.ANOMALY_TOPIC, anomalies);
        p.put(AnomalyConfig.ANOMALY_CURRENT_TOPIC, current);
        p.put("baseline.warmup.windows", "1000");
        p.put("streams.state.dir", dir.resolve("state").toString());  // the restart finds the killed one's state dir
        p.put("streams.session.timeout.ms", "6000");                   // the killed member leaves the group soon
        p.put("streams.heartbeat.interval.ms", "1000");
        Path file = dir.resolve("anomaly.properties");
        try (Writer out = Files.newBufferedWriter(file)) {
            p.store(out, "AnomalyDetectorChaosIT");
        }
        return file;
    }

    private ChildProcess start(Path settings, String name) {
        ChildProcess child = ChildProcess.startJava("anomaly detector (" + name + ")", List.of("-Xmx256m",
                "-Dorg.slf4j.simpleLogger.log.io.chainpulse=info", "-cp", System.getProperty("java.class.path"),
                AnomalyDetectorApp.class.getName(), settings.toString()),
                Path.of("target", "anomaly-chaos-" + id + "-" + name + ".log"));
        child.awaitReady(() -> logOf(child).contains(RUNNING), Duration.ofSeconds(120));
        return child;
    }

    private static String logOf(ChildProcess child) {
        try {
            return Files.readString(child.log());
        } catch (IOException e) {
            return "";
        }
    }

    /** A final consensus latency window of node v1 with this p95. */
    private void send(KafkaProducer<String, KpiWindow> producer, int window, double p95) {
        KpiWindow kpi = Kpi.latency(METRIC, "v1", window, p95);
        producer.send(new ProducerRecord<>(kpis, null, kpi.getWindowEndMs() - 1,
                METRIC + "|node|v1|" + kpi.getWindowStartMs(), kpi));           // timestamped as the processor does
    }

    private KafkaProducer<String, KpiWindow> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    /**
     * Waits up to 2 minutes for {@code expected} transitions on the anomaly topic, then 3 s more for any that should
     * not be there; returns every transition read.
     */
    private List<Anomaly> awaitTransitions(RealStack stack, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Anomaly> read = List.of();
        while (System.nanoTime() < deadline) {
            read = readAll(stack, anomalies).stream().map(ConsumerRecord::value).toList();
            if (read.size() >= expected) {
                Thread.sleep(3_000);
                return readAll(stack, anomalies).stream().map(ConsumerRecord::value).toList();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("expected " + expected + " transitions on " + anomalies + ", read " + read);
    }

    /** A whole topic, read_committed, in offset order per partition (one anomaly id lives in one partition). */
    private List<ConsumerRecord<String, Anomaly>> readAll(RealStack stack, String topic) {
        List<ConsumerRecord<String, Anomaly>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new AvroDeserializer<>(Anomaly.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
