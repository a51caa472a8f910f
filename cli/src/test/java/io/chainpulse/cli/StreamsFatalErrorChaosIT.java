package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, fault 9: a Kafka Streams client that dies for good ends its process. {@code ./chainpulse process} and
 * {@code ./chainpulse anomaly} run in JVMs of their own; their input topic is deleted under them (an operator's
 * mistake no new stream thread can fix: Kafka Streams raises {@code MissingSourceTopicException}). Each must turn
 * {@code /health} to 503 and then exit with code 70 within {@link #EXIT_WITHIN}, so that a supervisor restarts it.
 */
@ExtendWith(RealStackExtension.class)
class StreamsFatalErrorChaosIT {
    /** From the deletion to the exit: metadata refresh, rebalance, thread shutdown, the 2 s linger; a busy machine. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    void shouldTurnHealthDownAndExitWith70WhenTheProcessorsInputTopicIsDeleted(RealStack stack) throws Exception {
        String input = "fatal-events-" + id;
        stack.broker().createTopics(2, input);
        int port = ChildProcess.freePort();
        ChildProcess process = start("process", stack, port, List.of("process",
                "--set", "application.id=fatal-processor-" + id, "--set", "input.topic=" + input,
                "--set", "kpi.topic=fatal-kpis-" + id, "--set", "late.topic=fatal-late-" + id,
                "--set", "num.stream.threads=1", "--set", "state.dir=" + dir.resolve("processor")));
        assertDiesWithHealthDown(process, port, stack, input);
    }

    @Test
    void shouldTurnHealthDownAndExitWith70WhenTheAnomalyDetectorsInputTopicIsDeleted(RealStack stack) throws Exception {
        String kpis = "fatal-kpis-" + id;
        stack.broker().createTopics(2, kpis, "fatal-anomalies-" + id, "fatal-current-" + id);
        int port = ChildProcess.freePort();
        ChildProcess detector = start("anomaly", stack, port, List.of("anomaly",
                "--set", "application.id=fatal-detector-" + id, "--set", "kpi.topic=" + kpis,
                "--set", "anomaly.topic=fatal-anomalies-" + id, "--set", "anomaly.current.topic=fatal-current-" + id));
        assertDiesWithHealthDown(detector, port, stack, kpis);
    }

    private ChildProcess start(String command, RealStack stack, int port, List<String> commandArgs) {
        List<String> args = new ArrayList<>(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ChainPulseCli.class.getName()));
        args.addAll(commandArgs);
        args.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--metrics-port", String.valueOf(port)));
        ChildProcess child = ChildProcess.startJava("chainpulse " + command, args,
                Path.of("target", "fatal-" + command + "-" + id + ".log"));
        child.awaitReady(() -> health(port) == 200, Duration.ofSeconds(120));
        return child;
    }

    private void assertDiesWithHealthDown(ChildProcess child, int port, RealStack stack, String topic)
            throws Exception {
        try {
            awaitHealthyFor(port, Duration.ofSeconds(3)); // past the first rebalance: RUNNING, not just started
            try (var admin = stack.broker().admin()) {
                admin.deleteTopics(List.of(topic)).all().get();
            }
            long deleted = System.nanoTime();
            long firstDown = 0;
            OptionalInt exit = OptionalInt.empty();
            while (exit.isEmpty() && System.nanoTime() - deleted < EXIT_WITHIN.toNanos()) {
                if (firstDown == 0 && health(port) == 503) {
                    firstDown = System.nanoTime();
                }
                exit = child.awaitExit(Duration.ofMillis(100));
            }
            assertThat(exit).as("exit code within %s of the deletion; log %s:%n%s", EXIT_WITHIN, child.log(),
                    child.tail()).hasValue(ServiceLifetime.DIED);
            assertThat(firstDown).as("/health answered 503 before the exit").isNotZero();
            System.out.printf("%s: /health 503 after %d ms, exit 70 after %d ms%n", child.log(),
                    (firstDown - deleted) / 1_000_000, (System.nanoTime() - deleted) / 1_000_000);
        } finally {
            child.kill();
        }
    }

    private void awaitHealthyFor(int port, Duration steady) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long upSince = 0;
        while (System.nanoTime() < deadline) {
            if (health(port) != 200) {
                upSince = 0;
            } else if (upSince == 0) {
                upSince = System.nanoTime();
            } else if (System.nanoTime() - upSince >= steady.toNanos()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("/health on port " + port + " never stayed 200 for " + steady);
    }

    /** The status of {@code GET /health}, or 0 when nothing answers. */
    private int health(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
