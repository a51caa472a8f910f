package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What the processor's dead-letter and registry-outage tests share: topics, events, KPI reading, exact checks. */
@ExtendWith(RealStackExtension.class)
abstract class DeadLetterFixture {
    static final long T0 = 1_753_784_500_000L;
    /** No registry in these tests has this many schemas: an id it answers 404 for. */
    static final byte[] UNKNOWN_SCHEMA_ID = {0, 0, 0x0f, 0x42, 0x3f, 2, 4, 'v', '1'};
    static final byte[] NOT_AVRO = "{\"node_id\":\"v1\",\"event_type\":\"transaction_ingress\"}".getBytes(StandardCharsets.UTF_8);
    static final int NODES = 4;
    static final int WINDOWS = 2;
    static final int PER_NODE_AND_WINDOW = 20;

    @TempDir
    Path dir;

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String input = "events-dl-" + id;
    final String kpis = "kpis-dl-" + id;
    final String late = "late-dl-" + id;

    ProcessorConfig config(String bootstrap, String registryUrl) {
        Map<String, Object> values = new HashMap<>();
        values.put(ProcessorConfig.APPLICATION_ID, "processor-dl-it-" + id);
        values.put(ProcessorConfig.BOOTSTRAP_SERVERS, bootstrap);
        values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, registryUrl);
        values.put(ProcessorConfig.INPUT_TOPIC, input);
        values.put(ProcessorConfig.KPI_TOPIC, kpis);
        values.put(ProcessorConfig.LATE_TOPIC, late);
        values.put(ProcessorConfig.STREAM_THREADS, 1);
        values.put(ProcessorConfig.STATE_DIR, dir.resolve("state").toString());
        return new ProcessorConfig(values);
    }

    interface Topics {
        List<ConsumerRecord<byte[], byte[]>> read(String topic);
    }

    ChildProcess instance(ProcessorConfig config, String name, String readyLine) {
        List<String> args = new ArrayList<>(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ProcessorInstance.class.getName()));
        config.originals().forEach((k, v) -> args.add(k + "=" + (k.equals(ProcessorConfig.STATE_DIR) ? v + "-" + name : v)));
        ChildProcess child = ChildProcess.startJava("processor " + name, args,
                Path.of("target", "dead-letter-" + name + "-" + id + ".log"));
        child.awaitReady(() -> log(child).contains(readyLine), Duration.ofSeconds(90));
        return child;
    }

    /** UP or DOWN: what the instance's health said last. */
    static String lastHealth(ChildProcess process) throws InterruptedException {
        Thread.sleep(300); // the instance prints a change within 100 ms
        String log = log(process);
        int at = log.lastIndexOf(ProcessorInstance.HEALTH);
        return at < 0 ? "" : log.substring(at + ProcessorInstance.HEALTH.length()).lines().findFirst().orElse("");
    }

    static String log(ChildProcess process) {
        try {
            return Files.readString(process.log());
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** tx ingress events of every node in windows [from, to), the hook run once mid-window {@code from}. */
    long sendWindows(KafkaProducer<String, ProtocolEvent> producer, int from, int to, Runnable midWindow) {
        long last = 0;
        for (int w = from; w < to; w++) {
            for (int i = 0; i < PER_NODE_AND_WINDOW; i++) {
                if (w == from && i == PER_NODE_AND_WINDOW / 2) {
                    producer.flush();
                    midWindow.run();
                }
                for (int n = 1; n <= NODES; n++) {
                    long offset = w * 10_000L + i * 400L + n;
                    ProtocolEvent e = ProtocolEvent.newBuilder().setEventId("v" + n + "-" + offset)
                            .setEventType(EventType.transaction_ingress).setTimestampNs((T0 + offset) * 1_000_000L)
                            .setNodeId("v" + n).setRound(0).setTxId("t" + offset).setMetadata(new HashMap<>()).build();
                    producer.send(new ProducerRecord<>(input, e.getNodeId(), e));
                    last = Math.max(last, offset);
                }
            }
        }
        producer.flush();
        return last;
    }

    long send(KafkaProducer<byte[], byte[]> raw, byte[] value) {
        try {
            RecordMetadata sent = raw.send(new ProducerRecord<>(input, "v1".getBytes(StandardCharsets.UTF_8), value)).get();
            return sent.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void flush(KafkaProducer<String, ProtocolEvent> producer, ProcessorConfig config, long lastMs, Topics topics,
                       int nodeResults) {
        FlushEvents flush = new FlushEvents(T0 + lastMs, config, KpiContext.of(config, new ProcessorCounters()));
        for (int round = 0; round < FlushEvents.ROUNDS; round++) {
            for (ProtocolEvent e : flush.round(round)) {
                producer.send(new ProducerRecord<>(input, 0, e.getNodeId(), e));
            }
            producer.flush();
            if (round == 0) {
                awaitCount(() -> nodeWindows(topics, config.getString(ProcessorConfig.SCHEMA_REGISTRY_URL)), nodeResults);
            }
        }
    }

    /** Waits (up to 2 min) until {@code count} reaches {@code expected}. */
    static void awaitCount(java.util.function.IntSupplier count, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (count.getAsInt() >= expected) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    int nodeWindows(Topics topics, String registryUrl) {
        return (int) kpis(topics, registryUrl).keySet().stream().filter(k -> k.startsWith("node|")).count();
    }

    /** Final tps KPI records of real nodes and windows, keyed scope|node|window start; fails on a duplicate. */
    Map<String, KpiWindow> kpis(Topics topics, String registryUrl) {
        AvroDeserializer<KpiWindow> reader = new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(registryUrl));
        Map<String, KpiWindow> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : topics.read(kpis)) {
            KpiWindow k = reader.deserialize(kpis, record.value());
            if (!k.getMetric().equals(TxIngressTpsTopology.METRIC) || FlushEvents.isFlushNode(k.getNodeId())
                    || !k.getFinal$() || k.getWindowStartMs() >= T0 + 40_000) { // the flush's own windows come later
                continue;
            }
            String key = k.getScope() + "|" + (k.getNodeId() == null ? "" : k.getNodeId()) + "|" + k.getWindowStartMs();
            assertThat(out.put(key, k)).as("a second final record for %s", key).isNull();
        }
        return out;
    }

    Map<String, KpiWindow> awaitKpis(Topics topics, String registryUrl, int expected) {
        awaitCount(() -> kpis(topics, registryUrl).size(), expected);
        Map<String, KpiWindow> out = kpis(topics, registryUrl);
        assertThat(out).hasSize(expected);
        return out;
    }

    static void assertExactCounts(Map<String, KpiWindow> out, int from, int to) {
        for (int w = from; w < to; w++) {
            long start = T0 + w * 10_000L;
            for (int n = 1; n <= NODES; n++) {
                assertThat(out.get("node|v" + n + "|" + start).getCount()).as("v%d window %d", n, w)
                        .isEqualTo(PER_NODE_AND_WINDOW);
            }
            assertThat(out.get("network||" + start).getCount()).as("network window %d", w)
                    .isEqualTo((long) NODES * PER_NODE_AND_WINDOW);
        }
    }

    List<ConsumerRecord<byte[], byte[]>> deadLetters(Topics topics) {
        return topics.read(DeadLetters.TOPIC).stream()
                .filter(r -> input.equals(header(r, DeadLetters.SOURCE_TOPIC_HEADER)))
                .sorted(java.util.Comparator.comparingLong(r -> Long.parseLong(header(r, DeadLetters.SOURCE_OFFSET_HEADER))))
                .toList();
    }

    void assertDeadLetter(ConsumerRecord<byte[], byte[]> dead, long offset, byte[] value, String reason) {
        assertThat(dead.key()).isEqualTo("v1".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).isEqualTo(value);
        assertThat(header(dead, DeadLetters.SOURCE_TOPIC_HEADER)).isEqualTo(input);
        assertThat(header(dead, DeadLetters.SOURCE_PARTITION_HEADER)).isEqualTo("0");
        assertThat(header(dead, DeadLetters.SOURCE_OFFSET_HEADER)).isEqualTo(Long.toString(offset));
        assertThat(header(dead, DeadLetters.SERVICE_HEADER)).isEqualTo("processor");
        assertThat(header(dead, DeadLetters.REASON_HEADER)).isEqualTo(reason);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return DeadLetters.header(record.headers(), name).orElse("");
    }

    static KafkaProducer<String, ProtocolEvent> events(String bootstrap, String registryUrl) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new org.apache.kafka.common.serialization.StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClients.forUrl(registryUrl), true));
    }

    static KafkaProducer<byte[], byte[]> raw(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer());
    }
}
