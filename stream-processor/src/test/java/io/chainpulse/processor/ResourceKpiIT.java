package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The resource KPIs of the processor app on the real broker and registry: two partitions, exactly once. */
@ExtendWith(RealStackExtension.class)
class ResourceKpiIT {
    private static final long T0 = 1_753_784_500_000L;
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String resources = "resources-" + id;
    private final String kpis = "kpis-" + id;

    @Test
    void shouldWriteEachResourceWindowOnceForNodesAndTheNetworkFromTheResourcesTopic(RealStack stack) throws Exception {
        stack.broker().createTopics(PARTITIONS, "events-" + id, resources);
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.APPLICATION_ID, "resource-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, stack.registryUrl());
        values.put(ProcessorConfig.INPUT_TOPIC, "events-" + id);
        values.put(ProcessorConfig.RESOURCES_TOPIC, resources);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, "late-" + id);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.toString());
        ProcessorConfig config = new ProcessorConfig(values);
        try (StreamProcessorApp app = new StreamProcessorApp(config);
             KafkaProducer<String, NodeResourceSample> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
                     new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true))) {
            app.start();
            producer.send(new ProducerRecord<>(resources, "v1", sample("v1", 1_000, 10)));
            producer.send(new ProducerRecord<>(resources, "v1", sample("v1", 6_000, 60)));
            producer.send(new ProducerRecord<>(resources, "v1", sample("v1", 3_500, 20)));
            producer.send(new ProducerRecord<>(resources, "not-v2", sample("v2", 2_000, 40))); // re-keyed
            producer.flush();
            // the re-keyed sample takes one more hop; flushed at once, stream time would be past its window when it
            // arrives (a real node's next sample is 5 s later): wait until the app has consumed it
            awaitConsumed(stack, "resource-it-" + id, "resources-by-node-repartition", 1);
            FlushEvents flush = new FlushEvents(T0 + 6_000, config, KpiContext.of(config, new ProcessorCounters()));
            for (int round = 0; round < FlushEvents.ROUNDS; round++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(resources, p, FlushEvents.NODE, flush.sample(round)));
                }
                producer.flush();
                if (round == 0) {
                    read(stack, 2, Duration.ofSeconds(120)); // the node windows first, then the network's closes
                }
            }

            Map<String, KpiWindow> cpu = read(stack, 3, Duration.ofSeconds(120));

            assertThat(cpu).containsOnlyKeys("node|v1", "node|v2", "network|");
            assertThat(cpu.get("node|v1").getCount()).isEqualTo(3);
            assertThat(cpu.get("node|v1").getMean()).isCloseTo(30.0, within(1e-9));
            assertThat(cpu.get("node|v1").getLast()).isEqualTo(60.0);
            assertThat(cpu.get("node|v2").getCount()).isEqualTo(1);
            assertThat(cpu.get("node|v2").getLast()).isEqualTo(40.0);
            assertThat(cpu.get("network|").getCount()).isEqualTo(4);
            assertThat(cpu.get("network|").getMean()).isCloseTo(32.5, within(1e-9));
            assertThat(cpu.get("network|").getMax()).isEqualTo(60.0);
            assertThat(app.healthy()).isTrue();
        }
    }

    /** Polls the app's committed offsets until {@code records} of its internal topic {@code suffix} are consumed. */
    private static void awaitConsumed(RealStack stack, String group, String suffix, long records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            long consumed = 0;
            while (System.nanoTime() < deadline) {
                consumed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()
                        .stream().filter(e -> e.getKey().topic().endsWith(suffix) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (consumed >= records) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the app consumed " + consumed + " of " + records + " records of " + suffix);
        }
    }

    private static NodeResourceSample sample(String node, long offsetMs, double cpu) {
        return NodeResourceSample.newBuilder().setNodeId(node).setTimestampNs((T0 + offsetMs) * 1_000_000L)
                .setCpuPercent(cpu).setProcessCpuPercent(0).setHeapUsedBytes(0).setRssBytes(0).setDiskReadBytes(0)
                .setDiskWriteBytes(0).setNetRxBytes(0).setNetTxBytes(0).setOpenFds(0).setMempoolSize(0).build();
    }

    /**
     * Final cpu_pct windows of T0's window (read_committed), keyed scope|node, once at least {@code expected} are
     * there and 3 s passed without more; fails on a second result for a window.
     */
    private Map<String, KpiWindow> read(RealStack stack, int expected, Duration timeout) {
        return FinalKpis.read(stack, kpis, "read_committed",
                k -> k.getMetric().equals(Kpi.CPU_PCT.metric()) && k.getWindowStartMs() == T0,
                FinalKpis::scopeAndNode, expected, timeout);
    }
}
