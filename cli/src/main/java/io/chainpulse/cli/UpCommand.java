package io.chainpulse.cli;

import io.chainpulse.schema.catalog.Topic;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.registry.SchemaCompatibility;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./chainpulse up}: the real local stack, in the foreground, until Ctrl-C. */
@Command(name = "up",
        mixinStandardHelpOptions = true,
        description = {
            "Start the local stack on loopback: a real Kafka broker (KRaft) and a real schema registry "
                    + "(Apicurio, Confluent API), each in a child JVM, and create the ChainPulse topics.",
            "Prints where each listens; Ctrl-C stops everything cleanly."})
final class UpCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = ".chainpulse/stack",
            description = "Where the broker's log and the registry's database live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092",
            description = "Broker port; its controller uses the next one (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--elasticsearch",
            description = "Also start a real Elasticsearch 8.19 node (own JVM, 512 MB heap) for ./chainpulse sink-es.")
    boolean elasticsearch;

    @Option(names = "--es-port", defaultValue = "9200",
            description = "Elasticsearch HTTP port, with --elasticsearch (default: ${DEFAULT-VALUE}).")
    int esPort;

    @Option(names = "--partitions", defaultValue = "4",
            description = "Partitions of each ChainPulse topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 120s, 5m) instead of waiting for Ctrl-C.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be >= 1: " + partitions);
        }
        KafkaBroker broker = KafkaBroker.inDirectory(dataDir.resolve("kafka"), kafkaPort);
        SchemaRegistry registry = SchemaRegistry.inDirectory(dataDir.resolve("registry"), registryPort);
        Elasticsearch es = elasticsearch ? Elasticsearch.inDirectory(dataDir.resolve("elasticsearch"), esPort) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the local stack ...");
            if (es != null) {
                es.stop();
            }
            registry.stop();
            broker.stop();
            stopped.countDown();
        }, "chainpulse-up-stop"));

        System.out.println("starting Kafka broker and schema registry under " + dataDir.toAbsolutePath() + " ...");
        broker.start();
        registry.start();
        createTopics(broker, partitions);
        guardSchemas(registry.url());
        if (es != null) {
            es.start();
        }

        System.out.println();
        System.out.println("  Kafka bootstrap servers  " + broker.bootstrapServers() + "   (log: " + broker.log() + ")");
        System.out.println("  Schema registry          " + registry.url() + "   (log: " + registry.log() + ")");
        if (es != null) {
            System.out.println("  Elasticsearch            " + es.url() + "   (log: " + es.log() + ")");
        }
        System.out.println("  Topics                   " + Topics.ALL.stream()
                .map(t -> t.name() + (t.compacted() ? " (compacted)" : "")).collect(Collectors.joining(", ")));
        System.out.println("  Schema compatibility     " + SchemaCompatibility.LEVEL + " on every <topic>-value subject");
        System.out.println();
        System.out.println(duration == null ? "Ctrl-C to stop." : "stopping after " + duration.toSeconds() + " s.");
        if (duration == null) {
            stopped.await();
        } else {
            stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        }
        return 0;
    }

    /**
     * Sets {@link SchemaCompatibility#LEVEL} on the value subject of every ChainPulse topic: a producer whose schema
     * would break today's consumers is refused (and its SDK keeps its events spooled) instead of poisoning a topic.
     */
    static void guardSchemas(String registryUrl) {
        SchemaCompatibility.apply(registryUrl, Topics.avroNames());
    }

    /** Creates every topic of the catalog ({@link Topics#ALL}) that does not exist, with its cleanup policy. */
    static void createTopics(KafkaBroker broker, int partitions) throws Exception {
        try (var admin = broker.admin()) {
            for (Topic<?, ?> topic : Topics.ALL) {
                try {
                    admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(topic.name(),
                            partitions, (short) 1).configs(java.util.Map.of("cleanup.policy",
                            topic.configs().get("cleanup.policy"))))).all().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }
}
