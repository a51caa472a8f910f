package io.chainpulse.bench;

import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.processor.StreamProcessorApp;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Catch-up throughput of the KPI processor, next to Kafka's ConsumerPerformance and a bare Kafka Streams floor
 * ({@code groupByKey} + 10 s tumbling {@code count} over the raw bytes, same guarantee, same threads) on the same
 * pre-loaded topic, in the same run. Each Streams run is timed from {@code start()} until its committed offsets reach
 * the end of the input (start-up and the first rebalance included).
 *
 * <p>Run: {@code java -Xmx3g -Dchainpulse.home=$PWD -cp benchmarks/target/benchmarks.jar
 * io.chainpulse.bench.ProcessorCatchUpHarness [events=5000000] [nodes=50] [partitions=4] [threads=2]}
 */
public final class ProcessorCatchUpHarness {
    private static final String TOPIC = "catchup.events";

    private ProcessorCatchUpHarness() {}

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path dir = Files.createTempDirectory("catchup");
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start();
             SchemaRegistry registry = SchemaRegistry.inDirectory(dir.resolve("registry")).start()) {
            broker.createTopics(partitions, TOPIC);
            long loaded = preload(broker, registry, events, nodes);

            double consumerPerf = KafkaCeiling.consumerRecordsPerSecond(broker.bootstrapServers(), TOPIC, loaded);
            double floor = timeStreams("floor", broker, loaded, () -> floorStreams(broker, threads, dir));
            double processor = timeStreams("processor", broker, loaded, () -> {
                Map<String, Object> values = new HashMap<>();
                values.put(ProcessorConfig.APPLICATION_ID, "processor");
                values.put(ProcessorConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
                values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, registry.url());
                values.put(ProcessorConfig.INPUT_TOPIC, TOPIC);
                values.put(ProcessorConfig.STREAM_THREADS, threads);
                values.put(ProcessorConfig.STATE_DIR, dir.resolve("processor-state").toString());
                StreamProcessorApp app = new StreamProcessorApp(new ProcessorConfig(values));
                app.start();
                return app.streams();
            });

            StringBuilder report = new StringBuilder();
            report.append(String.format(Locale.ROOT, "## Processor catch-up (%s, %d cores, %,d events from %d nodes, "
                    + "%d partitions, %d stream threads, exactly_once_v2)%n%n| measurement | events/s |%n|---|---|%n",
                    Instant.now(), Runtime.getRuntime().availableProcessors(), loaded, nodes, partitions, threads));
            report.append(String.format(Locale.ROOT, "| Kafka ConsumerPerformance | %,.0f |%n", consumerPerf));
            report.append(String.format(Locale.ROOT, "| bare Kafka Streams floor (groupByKey + 10 s count) | %,.0f |%n", floor));
            report.append(String.format(Locale.ROOT, "| ChainPulse processor, all KPI topologies | %,.0f |%n", processor));
            report.append(String.format(Locale.ROOT, "| processor / floor | %.2f |%n", processor / floor));
            report.append(String.format(Locale.ROOT, "| processor / ConsumerPerformance | %.2f |%n", processor / consumerPerf));
            System.out.println();
            System.out.println(report);
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static long preload(KafkaBroker broker, SchemaRegistry registry, long events, int nodes) {
        // transactions dominate: ~4 events per transaction, ~8 per node and block — size the load to reach `events`
        double seconds = 60;
        double tps = Math.max(100, (events / seconds - nodes * 8.0) / 4.0);
        Scenario scenario = new Scenario("catch-up", "bench", nodes, tps, Duration.ofSeconds(1),
                Duration.ofSeconds((long) seconds), 11, 0, List.of());
        long[] sent = {0};
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, ProtocolEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClients.forUrl(registry.url()), true))) {
            new NetworkSimulator(scenario, System.currentTimeMillis() - 3_600_000L).run(e -> {
                if (sent[0] < events) {
                    producer.send(new ProducerRecord<>(TOPIC, e.getNodeId(), e));
                    sent[0]++;
                }
            });
        }
        System.out.printf("pre-loaded %,d events%n", sent[0]);
        return sent[0];
    }

    private static KafkaStreams floorStreams(KafkaBroker broker, int threads, Path dir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(TOPIC, Consumed.with(Serdes.Bytes(), Serdes.Bytes()))
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .count(Materialized.<Bytes, Long, WindowStore<Bytes, byte[]>>as("floor-counts"));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "floor");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("floor-state").toString());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }

    private interface Starter {
        KafkaStreams start() throws Exception;
    }

    /** Events/s from start until the application's committed offsets reach the end of the input. */
    private static double timeStreams(String name, KafkaBroker broker, long events, Starter starter) throws Exception {
        long started = System.nanoTime();
        KafkaStreams streams = starter.start();
        try (Admin admin = broker.admin()) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC)
                    .partitions().stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            Map<TopicPartition, Long> end = admin.listOffsets(partitions.stream()
                    .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(name)
                        .partitionsToOffsetAndMetadata().get();
                boolean done = partitions.stream().allMatch(p -> committed.get(p) != null
                        && committed.get(p).offset() >= end.get(p));
                if (done) {
                    break;
                }
                Thread.sleep(200);
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%s: %,d events in %.1f s%n", name, events, seconds);
        return events / seconds;
    }
}
