package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.FlushEvents;
import io.chainpulse.processor.KpiContext;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.processor.ProcessorCounters;
import io.chainpulse.processor.StreamProcessorApp;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two recipes of "Any node can emit" against the real broker and registry — the Python example (Confluent's
 * client, straight to Kafka) and the curl script (through {@code ./chainpulse ingest --http} with a token) — land each
 * of their events on the topic exactly once, and the real stream processor (a Kafka Streams application, exactly-once)
 * turns them into exactly the final KPI windows computed by hand below.
 *
 * <p>The topic has one partition, so that one stream time covers every node and every repartition topic: after the
 * recipes, the processor's own {@link FlushEvents} (later event time, nodes {@code ~flush*}) close the window.
 */
@ExtendWith(RealStackExtension.class)
class IngestRecipesIT {
    /** The recipes' event time: a window boundary (10 s windows, the default). */
    private static final long T0_MS = 1_753_784_500_000L;
    private static final Set<String> METRICS = Set.of(Kpi.TX_INGRESS_TPS.metric(), Kpi.TX_VALIDATION_MS.metric(),
            Kpi.BLOCK_EXECUTION_MS.metric(), Kpi.TPS.metric(), Kpi.BLOCK_TIME_MS.metric());

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "ingest-recipes-" + id;
    private final String kpis = "ingest-recipes-kpis-" + id;

    @Test
    void shouldTurnThePythonAndCurlRecipesEventsIntoExactFinalKpis(RealStack stack) throws Exception {
        stack.broker().createTopics(1, topic);
        int port = ChildProcess.freePort();
        Path token = dir.resolve("token");
        Files.writeString(token, "recipe-token-42\n");
        Path examples = Path.of(System.getProperty("chainpulse.home", "..")).resolve("examples");
        ProcessorConfig config = processorConfig(stack);

        try (StreamProcessorApp processor = new StreamProcessorApp(config)) {
            processor.start();
            long running = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (processor.streams().state() != KafkaStreams.State.RUNNING && System.nanoTime() < running) {
                Thread.sleep(200);
            }
            assertThat(processor.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);

            // Python first: on a fresh subject it registers its copy of the schema, which the SDK then shares
            Process python = new ProcessBuilder("/usr/bin/python3", examples.resolve("python/emit_events.py").toString(),
                    "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                    "--topic", topic, "--node-id", "py-node-1", "--blocks", "10", "--start-ns", T0_MS + "000000")
                    .redirectErrorStream(true).start();
            String pythonOut = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(python.waitFor()).as(pythonOut).isZero();
            // the client prints "Schema not found:404" first when the subject is new
            assertThat(pythonOut).endsWith("\n50 events published to " + topic + " as node py-node-1\n");

            IngestSidecar sidecar = IngestSidecar.start(stack, topic, dir,
                    Path.of("target", "ingest-recipes-" + topic + ".log"),
                    List.of("--http", "127.0.0.1:" + port, "--token-file", token.toString()));
            try {
                ProcessBuilder curl = new ProcessBuilder("sh", examples.resolve("curl/post_events.sh").toString())
                        .redirectErrorStream(true);
                curl.environment().putAll(Map.of("CHAINPULSE_URL", "http://127.0.0.1:" + port,
                        "CHAINPULSE_TOKEN_FILE", token.toString(), "NODE_ID", "curl-node-1", "HEIGHT", "7",
                        "START_NS", T0_MS + "000000"));
                Process run = curl.start();
                String curlOut = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(run.waitFor()).as(curlOut).isZero();
                assertThat(curlOut).isEqualTo("{\"accepted\":3}\n");

                ProcessBuilder unauthorized = new ProcessBuilder("sh", examples.resolve("curl/post_events.sh").toString())
                        .redirectErrorStream(true);
                unauthorized.environment().putAll(Map.of("CHAINPULSE_URL", "http://127.0.0.1:" + port));
                Process denied = unauthorized.start();
                String deniedOut = new String(denied.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(denied.waitFor()).isEqualTo(22);
                assertThat(deniedOut).contains("{\"error\":\"missing or wrong bearer token\"}");
            } finally {
                sidecar.process.stop();
            }

            Set<String> expected = new HashSet<>(List.of("curl-node-1:7:exec-start", "curl-node-1:7:exec-done",
                    "curl-node-1:7:final"));
            for (int h = 1; h <= 10; h++) {
                for (String kind : List.of("tx-in", "tx-ok", "exec-start", "exec-done", "final")) {
                    expected.add("py-node-1:" + h + ":" + kind);
                }
            }
            Map<String, Integer> counts = IngestSidecar.eventIdCounts(stack, topic, expected.size());
            assertThat(counts.keySet()).isEqualTo(expected);
            assertThat(counts.values()).containsOnly(1);

            // later event time closes the recipes' window, node and network stages alike (one partition)
            FlushEvents flush = new FlushEvents(T0_MS + 9_200, config, KpiContext.of(config, new ProcessorCounters(), 1));
            try (KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
                for (ProtocolEvent e : flush.events()) {
                    producer.send(new ProducerRecord<>(topic, e.getNodeId(), e));
                }
                producer.flush();
            }

            // By hand, window [T0, T0 + 10 s). Python, heights 1..10 one second apart at py-node-1: a transaction's
            // ingress and its validation 4 ms later, block execution of 12 ms, the finalization with tx_count 2.
            // curl, height 7 at curl-node-1: block execution of 12 ms and the finalization (tx_count 2) of block
            // 0xb7 — the hash Python gives height 7 too, so the network counts that block once.
            Map<String, String> byHand = new TreeMap<>(Map.ofEntries(
                    Map.entry("tx_ingress_tps|node|py-node-1", "count 10, rate 1.0/s"),
                    Map.entry("tx_ingress_tps|network|", "count 10, rate 1.0/s"),
                    Map.entry("tx_validation_ms|node|py-node-1", "count 10, mean 4.0, min 4.0, max 4.0"),
                    Map.entry("tx_validation_ms|network|", "count 10, mean 4.0, min 4.0, max 4.0"),
                    Map.entry("block_execution_ms|node|py-node-1", "count 10, mean 12.0, min 12.0, max 12.0"),
                    Map.entry("block_execution_ms|node|curl-node-1", "count 1, mean 12.0, min 12.0, max 12.0"),
                    Map.entry("block_execution_ms|network|", "count 11, mean 12.0, min 12.0, max 12.0"),
                    // tx_count summed: 10 blocks × 2 at py-node-1, one block × 2 at curl-node-1; network: 10 blocks
                    Map.entry("tps|node|py-node-1", "count 20, rate 2.0/s"),
                    Map.entry("tps|node|curl-node-1", "count 2, rate 0.2/s"),
                    Map.entry("tps|network|", "count 20, rate 2.0/s"),
                    // heights 2..10 follow their predecessor by 1 s at py-node-1; curl-node-1 has one height only
                    Map.entry("block_time_ms|node|py-node-1", "count 9, mean 1000.0, min 1000.0, max 1000.0"),
                    Map.entry("block_time_ms|network|", "count 9, mean 1000.0, min 1000.0, max 1000.0")));
            Map<String, String> live = awaitFinal(stack, flush.firstWindowStartMs(), byHand.size());
            assertThat(live).as("final windows of " + METRICS + " before the flush events' own").isEqualTo(byHand);
            assertThat(processor.healthy()).isTrue();
        }
    }

    private ProcessorConfig processorConfig(RealStack stack) {
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.APPLICATION_ID, "ingest-recipes-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProcessorConfig.INPUT_TOPIC, topic);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, "ingest-recipes-late-" + id);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.resolve("streams-state").toString());
        return new ProcessorConfig(values);
    }

    private static KafkaProducer<String, ProtocolEvent> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    /**
     * The committed final windows of {@link #METRICS} that start before {@code beforeWindowStart}, by
     * metric|scope|node, once there are {@code expected} of them (at most 90 s), read again 3 s later for any extra.
     */
    private Map<String, String> awaitFinal(RealStack stack, long beforeWindowStart, int expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && readFinal(stack, beforeWindowStart).size() < expected) {
            Thread.sleep(1_000);
        }
        Thread.sleep(3_000);
        return readFinal(stack, beforeWindowStart);
    }

    private Map<String, String> readFinal(RealStack stack, long beforeWindowStart) {
        Map<String, String> out = new TreeMap<>();
        try (KafkaConsumer<String, KpiWindow> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            if (consumer.partitionsFor(kpis).isEmpty()) {
                return out;
            }
            List<TopicPartition> partitions = consumer.partitionsFor(kpis).stream()
                    .map(p -> new TopicPartition(kpis, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    KpiWindow w = r.value();
                    if (w != null && w.getFinal$() && w.getWindowStartMs() < beforeWindowStart
                            && METRICS.contains(w.getMetric().toString())) {
                        String key = w.getMetric() + "|" + w.getScope() + "|" + (w.getNodeId() == null ? "" : w.getNodeId());
                        String previous = out.put(key, describe(w));
                        if (previous != null) {
                            out.put(key, previous + " AND AGAIN " + describe(w)); // one final window each, or fail
                        }
                    }
                });
            }
        }
        return out;
    }

    private static String describe(KpiWindow w) {
        String where = w.getWindowStartMs() == T0_MS && w.getWindowEndMs() == T0_MS + 10_000 ? ""
                : " in [" + w.getWindowStartMs() + ", " + w.getWindowEndMs() + ")";
        if (w.getRatePerS() != null) {
            return "count " + w.getCount() + ", rate " + w.getRatePerS() + "/s" + where;
        }
        return "count " + w.getCount() + ", mean " + w.getMean() + ", min " + w.getMin() + ", max " + w.getMax() + where;
    }
}
