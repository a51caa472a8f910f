package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, point 9, for the sinks and notify: a service that cannot go on turns {@code /health} 503 and exits
 * non-zero within seconds, so that a supervisor restarts it. The fault is real and permanent: a second consumer
 * joins the service's group with the service's static {@code group.instance.id}, and the broker fences the service's
 * consumer for good ({@code FencedInstanceIdException}). Each service runs as {@code ./chainpulse <command>} in a JVM
 * of its own.
 */
@ExtendWith(RealStackExtension.class)
class FatalExitIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sink-es", "sink-pushgateway", "notify"})
    void shouldTurnHealthDownAndExitNonZeroWhenFencedForGood(String command, RealStack stack) throws Exception {
        String run = command + "-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = run + ".in";
        String group = run + "-group";
        String instance = run + "-instance";
        stack.broker().createTopics(1, topic, run + ".current", run + ".dlq");
        int port = ChildProcess.freePort();
        List<String> args = new ArrayList<>(List.of("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ChainPulseCli.class.getName(), command,
                "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--metrics-port", Integer.toString(port)));
        switch (command) {
            case "sink-es" -> args.addAll(List.of("--es-url", RealStack.sharedElasticsearch().url(),
                    "--set", "group.id=" + group, "--set", "topic.kpis=" + topic, "--set", "topic.anomalies=" + topic,
                    "--set", "topic.dlq=" + run + ".dlq", "--set", "consumer.group.instance.id=" + instance));
            case "sink-pushgateway" -> args.addAll(List.of("--pushgateway-url", "http://127.0.0.1:" + ChildProcess.freePort(),
                    "--set", "group.id=" + group, "--set", "kpi.topic=" + topic, "--set", "anomaly.topic=" + run + ".current",
                    "--set", "consumer.group.instance.id=" + instance));
            default -> args.addAll(List.of("--url", "http://127.0.0.1:" + ChildProcess.freePort() + "/hook",
                    "--topic", topic, "--group", group, "--set", "consumer.group.instance.id=" + instance));
        }
        ChildProcess service = ChildProcess.startJava(command, args, dir.resolve(command + ".log"));
        try {
            service.awaitReady(() -> health(port) == 200, Duration.ofSeconds(60));
            awaitGroupMember(stack, group);

            try (KafkaConsumer<byte[], byte[]> usurper = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                usurper.subscribe(List.of(topic));
                long fencedAt = System.nanoTime();
                long downAt = 0;
                while (service.isAlive() && System.nanoTime() - fencedAt < EXIT_WITHIN.toNanos()) {
                    usurper.poll(Duration.ofMillis(20));
                    if (downAt == 0 && health(port) == 503) {
                        downAt = System.nanoTime();
                    }
                }
                int exitCode = service.awaitExit(Duration.ofSeconds(1)).orElseThrow(() -> new AssertionError(
                        command + " still running " + EXIT_WITHIN.toSeconds() + " s after the fencing; log:\n" + service.tail()));
                long exitedMs = (System.nanoTime() - fencedAt) / 1_000_000;
                System.out.printf("%s: /health 503 after %d ms, exit code %d after %d ms%n", command,
                        (downAt - fencedAt) / 1_000_000, exitCode, exitedMs);

                assertThat(exitCode).as("exit code of %s, log:%n%s", command, service.tail()).isEqualTo(ServiceLifetime.DIED);
                assertThat(downAt).as("/health answered 503 before the exit").isPositive();
                assertThat(exitedMs).as("exited %d ms after the fencing", exitedMs).isLessThan(EXIT_WITHIN.toMillis());
                assertThat(Files.readString(service.log())).contains("chainpulse " + command
                        + ": cannot go on (org.apache.kafka.common.errors.FencedInstanceIdException");
            }
        } finally {
            service.kill();
        }
    }

    /** Waits until the service's consumer is a member of its group, so the usurper really replaces it. */
    private static void awaitGroupMember(RealStack stack, String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    if (description.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                        throw e;
                    }
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the service never joined group " + group);
        }
    }

    private static int health(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
