package io.chainpulse.bench;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Topics;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Catch-up throughput of the KPI processor, next to Kafka's ConsumerPerformance and a bare Kafka Streams floor
 * ({@code groupByKey} + 10 s tumbling {@code count} over the raw bytes, same guarantee, same threads) on the same
 * pre-loaded topic, in the same run. Each Streams application is started once on the empty topic (its first start,
 * creating internal topics and stores, is reported apart), then timed coming back to the backlog: from
 * {@code start()} until its committed offsets reach the end of the input (start-up and rebalance included).
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
            StreamsCatchUp.Starter floorApp = StreamsCatchUp.floor("floor", broker.bootstrapServers(), TOPIC, threads,
                    dir.resolve("floor-state"));
            StreamsCatchUp.Starter processorApp = StreamsCatchUp.processor("processor", broker.bootstrapServers(),
                    registry.url(), TOPIC, Topics.KPIS.name(), threads, dir.resolve("processor-state"));
            double floorFirstStart = StreamsCatchUp.provisionFloor("floor", floorApp, dir.resolve("floor-state"));
            double processorFirstStart = StreamsCatchUp.provision("processor", processorApp);
            long loaded = preload(broker, registry, events, nodes);

            double consumerPerf = KafkaCeiling.consumerRecordsPerSecond(broker.bootstrapServers(), TOPIC, loaded);
            StreamsCatchUp.CatchUp floor;
            StreamsCatchUp.CatchUp processor;
            try (Admin admin = broker.admin()) {
                floor = StreamsCatchUp.run("floor", admin, TOPIC, loaded, floorApp);
                processor = StreamsCatchUp.run("processor", admin, TOPIC, loaded, processorApp);
            }

            StringBuilder report = new StringBuilder();
            report.append(String.format(Locale.ROOT, "## Processor catch-up (%s, %d cores, %,d events from %d nodes, "
                    + "%d partitions, %d stream threads, exactly_once_v2)%n%n"
                    + "| measurement | events/s, start-up included | start-up s | events/s once running "
                    + "| first start of a new application, s |%n|---|---|---|---|---|%n",
                    Instant.now(), Runtime.getRuntime().availableProcessors(), loaded, nodes, partitions, threads));
            report.append(String.format(Locale.ROOT, "| Kafka ConsumerPerformance | %,.0f | | | |%n", consumerPerf));
            row(report, "bare Kafka Streams floor (groupByKey + 10 s count)", floor, floorFirstStart);
            row(report, "ChainPulse processor, all KPI topologies", processor, processorFirstStart);
            report.append(String.format(Locale.ROOT, "| processor / floor | %.2f | | %.2f | |%n",
                    processor.eventsPerSecond() / floor.eventsPerSecond(),
                    processor.processingEventsPerSecond() / floor.processingEventsPerSecond()));
            report.append(String.format(Locale.ROOT, "| processor / ConsumerPerformance | %.2f | | %.2f | |%n",
                    processor.eventsPerSecond() / consumerPerf, processor.processingEventsPerSecond() / consumerPerf));
            System.out.println();
            System.out.println(report);
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static void row(StringBuilder report, String name, StreamsCatchUp.CatchUp run, double firstStart) {
        report.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %,.0f | %.1f |%n", name, run.eventsPerSecond(),
                run.startUpSeconds(), run.processingEventsPerSecond(), firstStart));
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
}
