package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStackExtension;
import io.chainpulse.stack.SchemaRegistry;
import io.chainpulse.stack.ServerHome;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Issue 17, point 4: the SASL_SSL profile of docker/ ({@code docker-compose.sasl.yml}) without a Docker engine. Its two
 * scripts run for real — {@code sasl-certs.sh} makes the CA, the broker's key store, the trust store and
 * client.properties with the JDK's keytool; {@code start-sasl.sh} formats a Kafka 4 broker with the SCRAM user and
 * serves SASL_SSL only ({@code KAFKA_HOME} points at two shims that run the same classes as Kafka's own bin scripts,
 * from the local stack's Kafka jars) — and {@code ./chainpulse replay} publishes a recording with nothing but the
 * environment the merged compose file gives the processor service (paths and host names mapped to this machine).
 * Every event arrives exactly once; a client without the login is refused.
 */
@ExtendWith(RealStackExtension.class)
class SaslComposeIT {
    private static final Path HOME = Path.of(System.getProperty("chainpulse.home", ".."));
    private static final String SCRAM_PASSWORD = "compose-scram-secret";
    private static final String TLS_PASSWORD = "compose-store-secret";

    @TempDir
    Path dir;

    @Test
    void shouldServeEveryServiceOfTheSaslProfileOverScramAndTlsFromTheScriptsAlone(SchemaRegistry registry)
            throws Exception {
        Path certs = dir.resolve("certs");
        Path scram = Files.writeString(dir.resolve("kafka-password"), SCRAM_PASSWORD + "\n");
        Path tls = Files.writeString(dir.resolve("kafka-tls-password"), TLS_PASSWORD + "\n");
        Map<String, String> secrets = Map.of("SCRAM_PASSWORD_FILE", scram.toString(),
                "TLS_PASSWORD_FILE", tls.toString(), "CERTS_DIR", certs.toString());

        Map<String, String> certsEnv = new TreeMap<>(secrets);
        certsEnv.put("BROKER_HOST", "localhost");
        ChildProcess certsJob = script("kafka-certs", "sasl-certs.sh", certsEnv);
        assertThat(certsJob.awaitExit(Duration.ofSeconds(120))).as(certsJob.tail()).hasValue(0);
        assertThat(Files.readString(certsJob.log())).contains(
                "kafka-certs: CA, broker key store (CN=localhost), trust store and client.properties in " + certs);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("client.properties"))))
                .isEqualTo("r--r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("broker.p12"))))
                .isEqualTo("r--------");
        ChildProcess again = script("kafka-certs-again", "sasl-certs.sh", certsEnv);
        assertThat(again.awaitExit(Duration.ofSeconds(30))).hasValue(0);
        assertThat(Files.readString(again.log())).contains("already holds the stores");

        int port = ChildProcess.freePort();
        Map<String, String> brokerEnv = new TreeMap<>(secrets);
        brokerEnv.putAll(Map.of("KAFKA_HOME", kafkaHome().toString(), "DATA_DIR", dir.resolve("data").toString(),
                "CONFIG_DIR", dir.resolve("config").toString(), "LISTEN_HOST", "127.0.0.1",
                "ADVERTISED_HOST", "localhost", "SASL_PORT", Integer.toString(port),
                "CONTROLLER_PORT", Integer.toString(ChildProcess.freePort()), "PARTITIONS", "2"));
        ChildProcess broker = script("kafka-sasl", "start-sasl.sh", brokerEnv);
        try {
            Properties client = new Properties();
            try (Reader in = Files.newBufferedReader(certs.resolve("client.properties"))) {
                client.load(in);
            }
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port);
            awaitTopicCreated(client, broker);

            // the processor's environment from the merged compose file, with /certs and kafka:9094 mapped here
            Map<String, String> env = new TreeMap<>();
            processorEnvironment().forEach((key, value) -> env.put(key, value
                    .replace("/certs/", certs + "/")
                    .replace("kafka:9094", "localhost:" + port)
                    .replace("http://schema-registry:8080/apis/ccompat/v7", registry.url())));
            assertThat(env).containsOnlyKeys("CHAINPULSE_BOOTSTRAP_SERVER", "CHAINPULSE_CONFIG",
                    "CHAINPULSE_REGISTRY_URL");

            Path recording = Recordings.write(Scenario.builtIn("baseline").withDuration(Duration.ofSeconds(20)),
                    1_753_784_500_000L, dir.resolve("recording.jsonl"));
            long lines = Files.readAllLines(recording).size();
            ChildProcess replay = cli("replay", env, "--input", recording.toString(),
                    "--spool-dir", dir.resolve("spool").toString());
            assertThat(replay.awaitExit(Duration.ofSeconds(120))).as(replay.tail()).hasValue(0);

            Map<String, Integer> ids = eventIds(client, registry);
            assertThat(ids).hasSize((int) lines);
            assertThat(ids.values()).containsOnly(1);
            assertThat(lines).isGreaterThan(1_000);

            Properties anonymous = new Properties();
            anonymous.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port);
            anonymous.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
            anonymous.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
            try (Admin kafka = Admin.create(anonymous)) {
                assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> kafka.listTopics().names().get()))
                        .as("a client without the login").isNotNull();
            }
        } finally {
            broker.kill();
        }
    }

    /** The merged file as docker-compose resolves it: the processor service's environment. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> processorEnvironment() throws Exception {
        Process process = new ProcessBuilder("docker-compose", "-f", HOME.resolve("docker/docker-compose.yml").toString(),
                "-f", HOME.resolve("docker/docker-compose.sasl.yml").toString(), "config").start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(err).isZero();
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) new Yaml()
                .<Map<String, Object>>load(out).get("services");
        return (Map<String, String>) services.get("processor").get("environment");
    }

    /** bin/kafka-storage.sh and bin/kafka-server-start.sh: the classes Kafka's own scripts run, from the stack's jars. */
    private Path kafkaHome() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("kafka-home/bin"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = ServerHome.kafkaLibs() + "/*";
        shim(bin.resolve("kafka-storage.sh"), java + " -XX:TieredStopAtLevel=1 -cp '" + classpath
                + "' kafka.tools.StorageTool \"$@\"");
        shim(bin.resolve("kafka-server-start.sh"), java + " -Xms256m -Xmx512m -cp '" + classpath
                + "' kafka.Kafka \"$@\"");
        return bin.getParent();
    }

    private static void shim(Path file, String command) throws Exception {
        Files.writeString(file, "#!/usr/bin/env bash\nexec " + command + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private ChildProcess script(String name, String script, Map<String, String> env) {
        List<String> command = new ArrayList<>(List.of("env"));
        env.forEach((key, value) -> command.add(key + "=" + value));
        command.addAll(List.of("bash", HOME.resolve("docker/kafka").resolve(script).toString()));
        return ChildProcess.start(name, command, dir.resolve(name + ".log"));
    }

    /** {@code ./chainpulse <command>} in its own JVM, configured by {@code env} alone. */
    private ChildProcess cli(String command, Map<String, String> env, String... options) {
        List<String> args = new ArrayList<>(List.of("env"));
        env.forEach((key, value) -> args.add(key + "=" + value));
        args.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ChainPulseCli.class.getName(), command));
        args.addAll(List.of(options));
        return ChildProcess.start(command, args, dir.resolve(command + ".log"));
    }

    /** Creates the events topic with the login of client.properties, retrying until the broker serves SASL_SSL. */
    private static void awaitTopicCreated(Properties client, ChildProcess broker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            assertThat(broker.isAlive()).as(broker.tail()).isTrue();
            Properties admin = new Properties();
            admin.putAll(client);
            admin.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            admin.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            try (Admin kafka = Admin.create(admin)) {
                kafka.createTopics(List.of(new NewTopic(Topics.EVENTS.name(), 2, (short) 1))).all().get();
                return;
            } catch (Exception e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException) {
                    return; // an earlier try, timed out on our side, was served: the login works
                }
                last = e;
                Thread.sleep(1_000);
            }
        }
        throw new AssertionError("the SASL_SSL broker did not serve the login of client.properties: " + last
                + "\n" + broker.tail());
    }

    /** Event id → how often it is on the events topic, read with the login of client.properties. */
    private static Map<String, Integer> eventIds(Properties client, SchemaRegistry registry) {
        Map<String, Object> properties = new HashMap<>();
        client.forEach((key, value) -> properties.put(key.toString(), value));
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Integer> ids = new HashMap<>();
        try (KafkaConsumer<String, ProtocolEvent> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(registry.url())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> ids.merge(r.value().getEventId(), 1, Integer::sum));
            }
        }
        return ids;
    }
}
