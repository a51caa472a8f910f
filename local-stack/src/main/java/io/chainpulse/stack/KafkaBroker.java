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
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
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
 *
 * <p><b>Secured:</b> {@link #withSaslSsl} makes the client port a SASL_SSL listener accepting only SCRAM-SHA-512, with
 * a CA and a broker certificate generated on first start ({@link BrokerCertificates}) and the user's SCRAM credentials
 * written into the cluster metadata when the storage is formatted. Clients take {@link #clientProperties()}:
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.inDirectory(dir).withSaslSsl("chainpulse", "secret").start();
 *      Admin admin = Admin.create(broker.clientProperties())) { ... }
 * }</pre>
 * The broker talks to itself over the same SASL_SSL listener as that user; only the KRaft controller listener stays
 * PLAINTEXT, on loopback (SCRAM cannot secure it: its credentials live in the metadata the controller serves).
 * The credentials and the stores' password are in {@code server.properties} and on the storage tool's command line
 * — this is a broker for tests and the local stack, not a place for real secrets.
 */
public final class KafkaBroker extends ChildServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120); // a loaded 2-core machine has taken over 60 s
    private static final String MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL = "kafka.tools.StorageTool";
    private static final String SCRAM = "SCRAM-SHA-512";
    private static final java.util.regex.Pattern SCRAM_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+");

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final int partitions;
    /** The SCRAM user of a SASL_SSL broker; null for a PLAINTEXT one. */
    private final ScramUser scramUser;

    private KafkaBroker(Path dir, int port, int controllerPort, int partitions, ScramUser scramUser) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.partitions = partitions;
        this.scramUser = scramUser;
    }

    /** A broker keeping its log in {@code dir}, on free ports, with 4 partitions for auto-created topics. */
    public static KafkaBroker inDirectory(Path dir) {
        return new KafkaBroker(dir, ChildProcess.freePort(), ChildProcess.freePort(), 4, null);
    }

    /** A broker on the given client port (its controller on {@code port + 1}). */
    public static KafkaBroker inDirectory(Path dir, int port) {
        return new KafkaBroker(dir, port, port + 1, 4, null);
    }

    /**
     * This broker (same directory and ports) with its client port a SASL_SSL listener that accepts only SCRAM-SHA-512
     * and knows one user, {@code user} with {@code password}. Call it before the first {@link #start()}: the
     * credentials are written when the storage is formatted, so a directory first formatted by a PLAINTEXT broker
     * has no user. Names and passwords: letters, digits, '.', '_' and '-'.
     */
    public KafkaBroker withSaslSsl(String user, String password) {
        requireScramName("SCRAM user name", user);
        requireScramName("SCRAM password", password);
        return new KafkaBroker(dir, port, controllerPort, partitions, new ScramUser(user, password));
    }

    private static void requireScramName(String what, String value) {
        if (value == null || !SCRAM_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be letters, digits, '.', '_' or '-' (at least one): "
                    + (value == null ? "null" : "'" + value + "'"));
        }
    }

    /** Whether clients must authenticate ({@link #withSaslSsl}). */
    public boolean isSecured() {
        return scramUser != null;
    }

    /** Starts the broker (formatting its storage the first time) and waits until it answers metadata requests. */
    public synchronized KafkaBroker start() {
        if (isRunning()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve("data/meta.properties"))) {
                // The storage tool reads only the node, quorum and log settings, not the listeners': it formats with
                // the PLAINTEXT configuration while the certificates are being made (each is a JVM start).
                var tls = isSecured() ? java.util.concurrent.CompletableFuture.supplyAsync(this::certificates) : null;
                format(writeConfig(null));
                if (tls != null) {
                    awaitCertificates(tls);
                }
            }
            Path config = writeConfig(isSecured() ? certificates() : null);
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

    /**
     * What a Kafka client (producer, consumer, admin, Streams) needs to reach this broker: {@code bootstrap.servers},
     * and for a secured broker {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config} (as the
     * broker's user) and {@code ssl.truststore.location}/{@code password}/{@code type}. Immutable; copy it to add more.
     */
    public Map<String, Object> clientProperties() {
        return isSecured() ? clientProperties(scramUser.name(), scramUser.password())
                : Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /**
     * The client properties of a secured broker ({@link #clientProperties()}) for any user and password — a wrong
     * one too, which is what a test of refused credentials needs.
     */
    public Map<String, Object> clientProperties(String user, String password) {
        if (!isSecured()) {
            throw new IllegalStateException("broker on " + bootstrapServers()
                    + " is PLAINTEXT: it takes no credentials (make it with withSaslSsl(user, password))");
        }
        BrokerCertificates certificates = certificates();
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                SaslConfigs.SASL_MECHANISM, SCRAM,
                SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(user, password),
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificates.truststore().toString(),
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certificates.password(),
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    }

    /**
     * The CA that signed a secured broker's certificate, PEM-encoded: the {@code ssl.ca.location} of librdkafka-based
     * clients (Python's confluent-kafka, kcat), which read no Java truststore.
     */
    public Path caCertificate() {
        if (!isSecured()) {
            throw new IllegalStateException("broker on " + bootstrapServers() + " is PLAINTEXT: it has no certificate");
        }
        return certificates().caCertificate();
    }

    private static void awaitCertificates(java.util.concurrent.CompletableFuture<BrokerCertificates> tls) {
        try {
            tls.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** The broker's CA and certificate, generated the first time they are asked for. */
    private BrokerCertificates certificates() {
        return BrokerCertificates.inDirectory(dir.resolve("tls"));
    }

    private static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + jaasQuoted(user)
                + "\" password=\"" + jaasQuoted(password) + "\";";
    }

    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
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
        Map<String, Object> config = new java.util.HashMap<>(clientProperties());
        config.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(config,
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
        Map<String, Object> config = new java.util.HashMap<>(clientProperties());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(config);
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
        List<String> command = new java.util.ArrayList<>(List.of(
                "-cp", ServerHome.kafkaLibs() + "/*", STORAGE_TOOL, "format",
                "-t", clusterId(),
                "-c", config.toString()));
        if (isSecured()) {
            // KRaft keeps SCRAM credentials in the cluster metadata: written here, before the broker first starts,
            // because no client can authenticate to create them afterwards
            command.addAll(List.of("--add-scram", SCRAM + "=[name=\"" + scramUser.name() + "\",password=\""
                    + scramUser.password() + "\"]"));
        }
        ChildProcess formatter = ChildProcess.startJava("Kafka storage format", command, dir.resolve("format.log"));
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

    /** Writes {@code server.properties}: a PLAINTEXT client listener, or SASL_SSL when {@code tls} is given. */
    private Path writeConfig(BrokerCertificates tls) throws IOException {
        String listener = tls == null ? "PLAINTEXT" : "SASL_SSL";
        List<String> security = tls == null ? List.of() : List.of(
                "sasl.enabled.mechanisms=" + SCRAM,
                "sasl.mechanism.inter.broker.protocol=" + SCRAM,
                "listener.name.sasl_ssl." + SCRAM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config="
                        + jaasConfig(scramUser.name(), scramUser.password()),
                "ssl.keystore.location=" + tls.keystore(),
                "ssl.keystore.password=" + tls.password(),
                "ssl.key.password=" + tls.password(),
                "ssl.keystore.type=PKCS12",
                "ssl.truststore.location=" + tls.truststore(),
                "ssl.truststore.password=" + tls.password(),
                "ssl.truststore.type=PKCS12");
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + listener + "://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listener,
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT," + listener + ":" + listener,
                String.join("\n", security),
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

    /** A SCRAM user of a secured broker; its password stays out of {@code toString()}. */
    private record ScramUser(String name, String password) {
        @Override
        public String toString() {
            return "ScramUser[" + name + "]";
        }
    }
}
