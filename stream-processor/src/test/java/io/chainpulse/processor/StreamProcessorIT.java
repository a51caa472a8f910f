package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The processor as a Kafka Streams application on the real broker and registry, exactly-once. */
@ExtendWith(RealStackExtension.class)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class StreamProcessorIT {
    private static final long T0 = 1_753_784_500_000L;
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String input = "events-" + id;
    private final String kpis = "kpis-" + id;

    private ProcessorConfig config(RealStack stack, String instance) {
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.APPLICATION_ID, "processor-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProcessorConfig.INPUT_TOPIC, input);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, "late-" + id);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.resolve(instance).toString());
        return new ProcessorConfig(values);
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void shouldWriteFinalNodeAndNetworkKpisForEventsOnTheRealBroker(RealStack stack) throws Exception {
        stack.broker().createTopics(PARTITIONS, input);
        ProcessorConfig config = config(stack, "a");
        try (StreamProcessorApp app = new StreamProcessorApp(config);
             KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            app.start();
            send(producer, event("v1", EventType.consensus_validation_start, 100).setHeight(1L));
            send(producer, event("v1", EventType.consensus_validation_complete, 150).setHeight(1L));    // 50
            send(producer, event("v1", EventType.consensus_validation_start, 1_000).setHeight(2L));
            send(producer, event("v1", EventType.consensus_validation_complete, 1_120).setHeight(2L));  // 120
            send(producer, event("v2", EventType.consensus_validation_start, 200).setHeight(1L));
            send(producer, event("v2", EventType.consensus_validation_complete, 500).setHeight(1L));    // 300
            // the same nodes and height on a second chain, interleaved: windows of their own
            send(producer, event("v1", EventType.consensus_validation_start, 100).setHeight(1L).setChainId("beta"));
            send(producer, event("v1", EventType.consensus_validation_complete, 400).setHeight(1L).setChainId("beta")); // 300
            send(producer, event("v2", EventType.consensus_validation_start, 200).setHeight(1L).setChainId("beta"));
            send(producer, event("v2", EventType.consensus_validation_complete, 260).setHeight(1L).setChainId("beta")); // 60
            flush(producer, config, T0 + 1_120, stack, ConsensusLatencyTopology.METRIC, 4);

            Map<String, KpiWindow> out = awaitKpis(stack, ConsensusLatencyTopology.METRIC, 6);

            assertThat(out.get("node|v1|" + T0).getCount()).isEqualTo(2);
            assertThat(out.get("node|v1|" + T0).getMean()).isCloseTo(85.0, within(1e-9));
            assertThat(out.get("node|v2|" + T0).getMean()).isCloseTo(300.0, within(1e-9));
            assertThat(out.get("network||" + T0).getCount()).isEqualTo(3);
            assertThat(out.get("network||" + T0).getMean()).isCloseTo(470.0 / 3, within(1e-9));
            assertThat(out.get("node|v1|" + T0 + "|beta").getMean()).isEqualTo(300.0);
            assertThat(out.get("node|v2|" + T0 + "|beta").getMean()).isEqualTo(60.0);
            assertThat(out.get("network||" + T0 + "|beta").getCount()).isEqualTo(2);
            assertThat(out.get("network||" + T0 + "|beta").getMean()).isEqualTo(180.0);
            assertThat(app.healthy()).isTrue();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(2)
    void shouldCountEveryEventExactlyOnceWhenTwoInstancesShareThePartitions(RealStack stack) throws Exception {
        twoInstances(stack, false);
    }

    @Test
    @org.junit.jupiter.api.Order(3)
    void shouldCountEveryEventExactlyOnceWhenTwoInstancesShareTheWorkAndOneIsStoppedMidStream(RealStack stack)
            throws Exception {
        twoInstances(stack, true);
    }

    private void twoInstances(RealStack stack, boolean stopOneMidStream) throws Exception {
        stack.broker().createTopics(PARTITIONS, input);
        int nodes = 8;
        int windows = 3;
        int perNodeAndWindow = 40;
        ProcessorConfig configA = config(stack, "a");
        StreamProcessorApp a = new StreamProcessorApp(configA);
        try (StreamProcessorApp b = new StreamProcessorApp(config(stack, "b"));
             KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            a.start();
            b.start();
            long last = 0;
            for (int w = 0; w < windows; w++) {
                for (int i = 0; i < perNodeAndWindow; i++) {
                    for (int n = 1; n <= nodes; n++) {
                        long offset = w * 10_000L + i * 200L + n;
                        send(producer, event("v" + n, EventType.transaction_ingress, offset).setTxId("t" + w + "-" + i + "-" + n));
                        last = Math.max(last, offset);
                    }
                }
                producer.flush();
                if (w == 1 && stopOneMidStream) {
                    a.close(); // instance a leaves mid-stream: b takes over its partitions and state
                }
            }
            flush(producer, configA, T0 + last, stack, TxIngressTpsTopology.METRIC, nodes * windows);

            assertExactCounts(awaitKpis(stack, TxIngressTpsTopology.METRIC, (nodes + 1) * windows), windows, nodes,
                    perNodeAndWindow);
        } finally {
            a.close();
        }
    }

    /**
     * The crash case: instance a runs in a JVM of its own and is SIGKILLed while events flow — no commit, no clean
     * shutdown, its open transaction aborted. Instance b restores a's state from the changelogs and takes over. Every
     * window's counts must be exact for a rate KPI and a paired latency KPI: state written back at a commit must match
     * exactly the input offsets that commit covers.
     */
    @Test
    @org.junit.jupiter.api.Order(4)
    void shouldCountEveryEventExactlyOnceWhenAnInstanceIsKilledMidStream(RealStack stack) throws Exception {
        stack.broker().createTopics(PARTITIONS, input);
        int nodes = 8;
        int windows = 4;
        int perNodeAndWindow = 40;
        Map<String, Object> failFast = Map.of("session.timeout.ms", 6_000, "heartbeat.interval.ms", 1_000);
        ProcessorConfig configA = config(stack, "a");
        List<String> args = new java.util.ArrayList<>(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ProcessorInstance.class.getName()));
        configA.originals().forEach((k, v) -> args.add(k + "=" + v));
        failFast.forEach((k, v) -> args.add("streams." + k + "=" + v));
        ChildProcess a = ChildProcess.startJava("processor instance a", args, Path.of("target", "instance-a-" + id + ".log"));
        try (StreamProcessorApp b = new StreamProcessorApp(config(stack, "b"), failFast);
             KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            a.awaitReady(() -> logOf(a).contains(ProcessorInstance.RUNNING), Duration.ofSeconds(90));
            b.start();
            awaitSplit(b);
            long last = 0;
            for (int w = 0; w < windows; w++) {
                for (int i = 0; i < perNodeAndWindow; i++) {
                    if (w == 2 && i == perNodeAndWindow / 2) {
                        producer.flush();
                        Thread.sleep(300); // a is mid-window, with commits behind it and state not yet written back
                        a.kill();
                    }
                    for (int n = 1; n <= nodes; n++) {
                        long offset = w * 10_000L + i * 200L + n;
                        String tx = "t" + w + "-" + i + "-" + n;
                        send(producer, event("v" + n, EventType.transaction_ingress, offset).setTxId(tx));
                        send(producer, event("v" + n, EventType.transaction_validation_complete, offset + 50).setTxId(tx));
                        last = Math.max(last, offset + 50);
                    }
                }
                producer.flush();
                if (w == 1) {
                    Thread.sleep(2_000); // both instances process and commit the first windows
                }
            }
            flush(producer, configA, T0 + last, stack, TxValidationTopology.METRIC, nodes * windows);

            assertExactCounts(awaitKpis(stack, TxIngressTpsTopology.METRIC, (nodes + 1) * windows), windows, nodes,
                    perNodeAndWindow);
            Map<String, KpiWindow> validation = awaitKpis(stack, TxValidationTopology.METRIC, (nodes + 1) * windows);
            assertExactCounts(validation, windows, nodes, perNodeAndWindow);
            assertThat(validation.values()).allSatisfy(v -> assertThat(v.getMean()).isCloseTo(50.0, within(1e-9)));
        } finally {
            a.kill();
        }
    }

    /** Every node window counted {@code perNodeAndWindow}, every network window nodes × that. */
    private static void assertExactCounts(Map<String, KpiWindow> out, int windows, int nodes, int perNodeAndWindow) {
        for (int w = 0; w < windows; w++) {
            long start = T0 + w * 10_000L;
            for (int n = 1; n <= nodes; n++) {
                assertThat(out.get("node|v" + n + "|" + start).getCount()).as("%s v%d window %d",
                        out.get("node|v" + n + "|" + start).getMetric(), n, w).isEqualTo(perNodeAndWindow);
            }
            assertThat(out.get("network||" + start).getCount()).isEqualTo((long) nodes * perNodeAndWindow);
        }
    }

    /**
     * The block KPIs across partitions: nine blocks, each finalized by eight nodes spread over the four input
     * partitions; the distinct-block stage runs in four hash-partitioned tasks and hands each block once to the
     * network task. Block hashes are picked to share repartition partitions with the first flush round's blocks: a
     * hash partition releases its blocks only when its own stream time moves on (a live chain's next blocks do that),
     * and blocks released by another partition's later flush round would otherwise close the network windows first.
     */
    @Test
    @org.junit.jupiter.api.Order(5)
    void shouldComputeGasBlockDistributionsAndLeaderSharesEachBlockOnceAcrossPartitions(RealStack stack)
            throws Exception {
        stack.broker().createTopics(PARTITIONS, input);
        ProcessorConfig config = config(stack, "a");
        java.util.Set<Integer> flushPartitions = new java.util.HashSet<>();
        for (ProtocolEvent e : new FlushEvents(0, config, KpiContext.of(config, new ProcessorCounters())).round(0)) {
            if (e.getBlockHash() != null && e.getEventType() == EventType.block_finalization) {
                flushPartitions.add(hashPartition(e.getBlockHash()));
            }
        }
        try (StreamProcessorApp app = new StreamProcessorApp(config);
             KafkaProducer<String, ProtocolEvent> producer = producer(stack)) {
            app.start();
            long last = 0;
            for (int h = 1; h <= 9; h++) {
                // window 0: heights 1..6 at 1.4 s steps; window 10 s: heights 7..9
                long at = h <= 6 ? h * 1_400L : 10_000L + (h - 6) * 1_400L;
                String hash = "0x" + h;
                for (int k = 0; !flushPartitions.contains(hashPartition(hash)); k++) {
                    hash = "0x" + h + "-" + k;
                }
                String leader = "v" + ((h - 1) % 4 + 1);
                for (int n = 1; n <= 8; n++) {
                    send(producer, event("v" + n, EventType.block_finalization, at + n).setHeight((long) h)
                            .setBlockHash(hash).setLeader(leader).setTxCount(h).setGasUsed(21_000L * h)
                            .setSizeBytes(1_000L * h));
                    last = Math.max(last, at + n);
                }
            }
            flush(producer, config, T0 + last, stack, GasPerSecondTopology.METRIC, 8 * 2);

            Map<String, KpiWindow> gas = awaitKpis(stack, GasPerSecondTopology.METRIC, 8 * 2 + 2);
            assertThat(gas.get("network||" + T0).getRatePerS()).isEqualTo(44_100.0);   // 21,000 × (1 + … + 6) ÷ 10
            assertThat(gas.get("network||" + (T0 + 10_000)).getRatePerS()).isEqualTo(50_400.0); // 21,000 × 24 ÷ 10
            assertThat(gas.get("node|v5|" + T0).getRatePerS()).isEqualTo(44_100.0);
            Map<String, KpiWindow> blockGas = awaitKpis(stack, BlockGasUsedTopology.METRIC, 8 * 2 + 2);
            assertThat(blockGas.get("network||" + T0).getCount()).isEqualTo(6);
            assertThat(blockGas.get("network||" + T0).getMean()).isEqualTo(73_500.0);
            assertThat(blockGas.get("network||" + (T0 + 10_000)).getCount()).isEqualTo(3);
            assertThat(blockGas.get("network||" + (T0 + 10_000)).getMean()).isEqualTo(168_000.0);
            Map<String, KpiWindow> size = awaitKpis(stack, BlockSizeTopology.METRIC, 8 * 2 + 2);
            assertThat(size.get("network||" + T0).getMean()).isEqualTo(3_500.0);
            assertThat(size.get("network||" + T0).getMax()).isEqualTo(6_000.0);
            // leaders v1 v2 v3 v4 v1 v2 | v3 v4 v1; v2 led nothing in window 10 s but is remembered: 0 %
            Map<String, KpiWindow> shares = awaitKpis(stack, LeaderShareTopology.METRIC, 8);
            java.util.Map<String, String> byKey = new java.util.TreeMap<>();
            shares.values().forEach(w -> byKey.put(w.getNodeId() + " " + (w.getWindowStartMs() - T0),
                    w.getCount() + " " + String.format(java.util.Locale.ROOT, "%.2f", w.getMean())));
            assertThat(byKey).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                    "v1 0", "6 33.33", "v2 0", "6 33.33", "v3 0", "6 16.67", "v4 0", "6 16.67",
                    "v1 10000", "3 33.33", "v2 10000", "3 0.00", "v3 10000", "3 33.33", "v4 10000", "3 33.33")));
        }
    }

    /** The partition of the repartition topics (four partitions, like the input) a string key lands in. */
    private static int hashPartition(String key) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private static String logOf(ChildProcess process) {
        try {
            return java.nio.file.Files.readString(process.log());
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Waits until b runs and owns some but not all input partitions: the rest are a's. */
    private void awaitSplit(StreamProcessorApp b) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long owned = -1;
        while (System.nanoTime() < deadline) {
            if (b.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
                owned = b.streams().metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
                        .flatMap(t -> t.topicPartitions().stream()).filter(p -> p.topic().equals(input)).count();
                if (owned > 0 && owned < PARTITIONS) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("instance b never shared the input with a: it owns " + owned + " of " + PARTITIONS
                + " partitions");
    }

    private ProtocolEvent.Builder event(String node, EventType type, long offsetMs) {
        return ProtocolEvent.newBuilder().setEventId(node + "-" + type + "-" + offsetMs).setEventType(type)
                .setTimestampNs((T0 + offsetMs) * 1_000_000L).setNodeId(node).setRound(0).setMetadata(new HashMap<>());
    }

    private void send(KafkaProducer<String, ProtocolEvent> producer, ProtocolEvent.Builder event) {
        ProtocolEvent e = event.build();
        producer.send(new ProducerRecord<>(input, e.getNodeId(), e));
    }

    /**
     * Flush events into every partition (each partition's stream time must pass the last window): round 0, then,
     * once the node results are out, the rounds that close the network windows.
     */
    private void flush(KafkaProducer<String, ProtocolEvent> producer, ProcessorConfig config, long lastMs,
                       RealStack stack, String metric, int nodeResults) {
        FlushEvents flush = new FlushEvents(lastMs, config, KpiContext.of(config, new ProcessorCounters()));
        for (int round = 0; round < FlushEvents.ROUNDS; round++) {
            for (ProtocolEvent e : flush.round(round)) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(input, p, e.getNodeId(), e));
                }
            }
            producer.flush();
            if (round == 0) {
                awaitNodeResults(stack, metric, nodeResults);
            }
        }
    }

    private void awaitNodeResults(RealStack stack, String metric, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (read(stack, metric, Duration.ofSeconds(2)).keySet().stream().filter(k -> k.startsWith("node|")).count() >= expected) {
                return;
            }
        }
    }

    private KafkaProducer<String, ProtocolEvent> producer(RealStack stack) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
    }

    /** Final KPI records of {@code metric} (real windows only), keyed scope|node|window start; fails on a duplicate. */
    private Map<String, KpiWindow> awaitKpis(RealStack stack, String metric, int expected) {
        Map<String, KpiWindow> out = read(stack, metric, Duration.ofSeconds(120), expected, "read_committed");
        if (out.size() != expected) {
            // An earlier run once missed node records here; say whether they exist uncommitted (a transaction left
            // open, holding back the partition's last stable offset) or not at all.
            Map<String, KpiWindow> uncommitted = read(stack, metric, Duration.ofSeconds(10), expected, "read_uncommitted");
            java.util.Set<String> missing = new java.util.TreeSet<>(uncommitted.keySet());
            missing.removeAll(out.keySet());
            throw new AssertionError("expected " + expected + " final KPI records of " + metric + ", read_committed "
                    + "read " + out.size() + ", read_uncommitted " + uncommitted.size() + "; visible only uncommitted: "
                    + missing + "; read: " + new java.util.TreeSet<>(out.keySet()) + "; " + offsets(stack));
        }
        return out;
    }

    private Map<String, KpiWindow> read(RealStack stack, String metric, Duration timeout) {
        return read(stack, metric, timeout, Integer.MAX_VALUE, "read_committed");
    }

    /** Last stable offset (what read_committed may read up to) and high watermark of each KPI partition. */
    private String offsets(RealStack stack) {
        StringBuilder text = new StringBuilder("partition LSO/HW:");
        for (String isolation : List.of("read_committed", "read_uncommitted")) {
            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new StringDeserializer(), new StringDeserializer())) {
                var partitions = consumer.partitionsFor(kpis).stream()
                        .map(p -> new org.apache.kafka.common.TopicPartition(kpis, p.partition())).toList();
                text.append(' ').append(isolation).append('=').append(new java.util.TreeMap<>(
                        consumer.endOffsets(partitions).entrySet().stream().collect(java.util.stream.Collectors.toMap(
                                e -> e.getKey().partition(), Map.Entry::getValue))));
            }
        }
        return text.toString();
    }

    private Map<String, KpiWindow> read(RealStack stack, String metric, Duration timeout, int expected,
                                        String isolation) {
        return FinalKpis.read(stack, kpis, isolation, k -> k.getMetric().equals(metric)
                        && !FlushEvents.isFlushNode(k.getNodeId()) && k.getWindowStartMs() < T0 + 50_000,
                FinalKpis::scopeNodeAndWindow, expected, timeout);
    }
}
