package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.processor.KpiJson;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.processor.StreamProcessorApp;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * Every KPI of the catalog, end to end on the real broker and registry: a simulated recording (five validators, a
 * slow one, a byzantine one, failed transactions) is published to a 4-partition topic and run through the processor
 * as a Kafka Streams application, exactly-once; its final windows of the first minute must be exactly — line for line
 * of {@code kpis.jsonl}, counts, means, percentiles, rates and sketches — what {@code analyze} computes from the same
 * file, and hold every KPI in every scope the catalog gives it. The recording goes on for five more minutes: live, only
 * later events close a window (on every partition of every repartition topic), as in production. It is published at
 * ten times its pace, with a grace of a minute. About two minutes.
 */
@ExtendWith(RealStackExtension.class)
class CatalogEndToEndIT {
    private static final long T0 = 1_753_784_500_000L; // a window boundary
    private static final long CUT = T0 + 60_000; // windows compared: the first minute's
    private static final int PARTITIONS = 4;
    /**
     * The recording is published at ten times its own pace, as a live network would send it, only faster: published
     * all at once, one partition's task runs minutes of event time ahead of another's and the network stage counts
     * the laggard's node windows late (the network grace is 2 × (size + grace)).
     */
    private static final long SPEED = 10;
    private static final Map<String, Object> SETTINGS = Map.of(ProcessorConfig.GRACE_MS, 60_000L);

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "events-" + id;
    private final String kpis = "kpis-" + id;

    @Test
    void shouldComputeEveryCatalogKpiOnTheRealBrokerExactlyAsAnalyzeDoes(RealStack stack) throws Exception {
        Scenario scenario = new Scenario("catalog", "simnet", 5, 15, Duration.ofSeconds(1), Duration.ofMinutes(6), 29,
                0, List.of())
                .withFault(new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(10), Duration.ofSeconds(60), 3))
                .withFault(new Fault(Fault.Kind.BYZANTINE, "v2", Duration.ofSeconds(20), Duration.ofSeconds(50), 0.5));
        Path recording = Recordings.write(scenario, T0, dir.resolve("recording.jsonl"));
        AnalyzeJob.Result analyzed = AnalyzeJob.run(recording, SETTINGS, problem -> {
            throw new AssertionError(problem);
        });
        Set<String> expected = lines(analyzed.kpis().stream().filter(k -> k.getWindowStartMs() < CUT).toList());

        stack.broker().createTopics(PARTITIONS, input);
        ProcessorConfig config = config(stack);
        List<ProtocolEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(recording)) {
            events.add(EventJson.parse(line));
        }
        try (StreamProcessorApp app = new StreamProcessorApp(config);
             KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            app.start();
            // publish to a running processor, as a live network does: not a backlog for it to catch up on
            long running = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (app.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING
                    && System.nanoTime() < running) {
                Thread.sleep(200);
            }
            long started = System.nanoTime();
            for (ProtocolEvent e : events) {
                long dueNanos = (Math.floorDiv(e.getTimestampNs(), 1_000_000L) - T0) * 1_000_000L / SPEED;
                long wait = started + dueNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L);
                }
                producer.send(new ProducerRecord<>(input, e.getNodeId(), e));
            }
            producer.flush();
            awaitWindows(stack, expected.size());
            Set<String> live = lines(readFinal(stack, CUT));

            java.util.Map<String, java.util.LongSummaryStatistics> seen = new java.util.TreeMap<>();
            readFinal(stack, Long.MAX_VALUE).forEach(w -> seen.computeIfAbsent(w.getMetric() + "|" + w.getScope(),
                    k -> new java.util.LongSummaryStatistics()).accept((w.getWindowStartMs() - T0) / 1000));
            System.err.println("live windows, seconds after the recording's start: " + seen);
            System.err.println("processor counters: " + app.counters().snapshot());
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(live);
            Set<String> extra = new TreeSet<>(live);
            extra.removeAll(expected);
            assertThat(missing).as("windows analyze computed that the live processor did not").isEmpty();
            assertThat(extra).as("windows the live processor wrote that analyze did not compute").isEmpty();
            assertThat(app.healthy()).isTrue();
        }
        Set<String> covered = new TreeSet<>();
        analyzed.kpis().stream().filter(k -> k.getWindowStartMs() < CUT)
                .forEach(k -> covered.add(k.getMetric() + "|" + k.getScope()));
        // every KPI made from protocol events; the resource KPIs come from chainpulse.resources (ResourceKpiIT on the
        // real broker, AnalyzeResourcesCommandTest through analyze)
        Set<String> catalog = new TreeSet<>();
        for (Kpi kpi : Kpi.values()) {
            if (!kpi.resource()) {
                kpi.scopes().forEach(scope -> catalog.add(kpi.metric() + "|" + scope));
            }
        }
        assertThat(covered).as("every protocol-event KPI of the catalog, in every scope it has").isEqualTo(catalog);
    }

    private static Set<String> lines(List<KpiWindow> windows) {
        Set<String> out = new TreeSet<>();
        windows.forEach(w -> out.add(KpiJson.write(w)));
        return out;
    }

    private ProcessorConfig config(RealStack stack) {
        Map<String, Object> values = new HashMap<>(SETTINGS);
        values.put(ProcessorConfig.APPLICATION_ID, "catalog-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProcessorConfig.INPUT_TOPIC, input);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, "late-" + id);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.resolve("state").toString());
        return new ProcessorConfig(values);
    }

    private KafkaProducer<String, ProtocolEvent> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 20),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    /**
     * Waits until the first minute's final windows number {@code expected} (at most four minutes on a loaded
     * machine), then five more seconds for any extra window to show.
     */
    private void awaitWindows(RealStack stack, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline && readFinal(stack, CUT).size() < expected) {
            Thread.sleep(2_000);
        }
        Thread.sleep(5_000);
    }

    /** Every committed final KPI window that starts before {@code beforeWindowStart}. */
    private List<KpiWindow> readFinal(RealStack stack, long beforeWindowStart) {
        List<KpiWindow> out = new ArrayList<>();
        try (KafkaConsumer<String, KpiWindow> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(kpis).stream()
                    .map(p -> new TopicPartition(kpis, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    KpiWindow w = r.value();
                    if (w != null && w.getFinal$() && w.getWindowStartMs() < beforeWindowStart) {
                        out.add(w);
                    }
                });
            }
        }
        return out;
    }
}
