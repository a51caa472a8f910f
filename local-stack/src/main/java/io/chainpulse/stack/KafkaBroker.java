package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) in a child JVM on loopback.
 *
 * <p>Ports and the data directory are fixed when the object is made, so {@link #stop()} or {@link #kill()} followed
 * by {@link #start()} brings the same broker back with its log intact — what a test of an outage needs.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.inDirectory(dir)) {
 *     broker.start();
 *     String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 */
public final class KafkaBroker extends ChildServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120); // a loaded 2-core machine has taken over 60 s
    private static final String MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL = "kafka.tools.StorageTool";

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final int partitions;

    private KafkaBroker(Path dir, int port, int controllerPort, int partitions) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
    }

    /** A broker keeping its log in {@code dir}, on free ports, with 4 partitions for auto-created topics. */
    public static KafkaBroker inDirectory(Path dir) {
        return new KafkaBroker(dir, ChildProcess.freePort(), ChildProcess.freePort(), 4);
    }

    /** A broker on the given client port (its controller on {@code port + 1}). */
    public static KafkaBroker inDirectory(Path dir, int port) {
        return new KafkaBroker(dir, port, port + 1, 4);
    }

    /** Starts the broker (formatting its storage the first time) and waits until it answers metadata requests. */
    public synchronized KafkaBroker start() {
        if (isRunning()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            Path config = writeConfig();
            if (!Files.exists(dir.resolve("data/meta.properties"))) {
                format(config);
            }
            launched(ChildProcess.startJava("Kafka broker", List.of(
                    "-Xms256m", "-Xmx512m", "-XX:+UseG1GC",
                    "-Dlog4j2.configurationFile=" + writeLogConfig().toUri(),
                    "-cp", ServerHome.kafkaLibs() + "/*",
                    MAIN, config.toString()), dir.resolve("broker.log")), this::answersMetadata, START_TIMEOUT);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare broker directory " + dir, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return dir.resolve("broker.log");
    }

    /** Creates topics that do not exist yet; existing ones are left as they are. */
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                            .get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + topic + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not create topics on " + bootstrapServers() + ": " + e, e);
        }
    }

    /**
     * Every committed record of {@code topic} up to its end offsets now (an empty list when the topic does not exist):
     * assigned partitions, no group, raw bytes. For tests that count what a service wrote.
     */
    public List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        var records = new java.util.ArrayList<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return records;
            }
            var partitions = infos.stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + ends + " within 60 s");
                }
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < ends.get(new org.apache.kafka.common.TopicPartition(topic, record.partition()))) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    private boolean answersMetadata() {
        if (!ChildProcess.portOpen(port)) {
            return false;
        }
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private void format(Path config) {
        ChildProcess formatter = ChildProcess.startJava("Kafka storage format", List.of(
                "-cp", ServerHome.kafkaLibs() + "/*", STORAGE_TOOL, "format",
                "-t", clusterId(),
                "-c", config.toString()), dir.resolve("format.log"));
        try {
            while (formatter.isAlive()) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting " + dir, e);
        }
        if (!Files.exists(dir.resolve("data/meta.properties"))) {
            throw new IllegalStateException("formatting broker storage in " + dir + " failed:\n" + formatter.tail());
        }
    }

    /**
     * A KRaft cluster id: 16 bytes, base64url without padding, as {@code StorageTool random-uuid} prints — and, like
     * Kafka's own {@code Uuid.randomUuid()}, never starting with '-': the storage tool's argument parser would take
     * such an id for an option ("argument --cluster-id/-t: expected one argument"), one broker start in 64.
     */
    static String clusterId() {
        String id;
        do {
            java.util.UUID uuid = java.util.UUID.randomUUID();
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
        } while (id.startsWith("-"));
        return id;
    }

    private Path writeConfig() throws IOException {
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=" + partitions,
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.flush.interval.messages=9223372036854775807",
                // by size, never by time: a replayed incident's events and KPIs carry their old event times, and
                // time retention would delete them within a minute of being written
                "log.retention.ms=-1",
                "log.retention.bytes=1073741824",
                "");
        Path config = dir.resolve("server.properties");
        Files.writeString(config, properties);
        return config;
    }

    private Path writeLogConfig() throws IOException {
        Path config = dir.resolve("log4j2.properties");
        Files.writeString(config, String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.out.ref=OUT",
                "appender.out.type=Console",
                "appender.out.name=OUT",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                "logger.state.name=state.change.logger",
                "logger.state.level=WARN",
                "logger.request.name=kafka.request.logger",
                "logger.request.level=WARN",
                ""));
        return config;
    }
}
