package io.chainpulse.cli;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** {@code ./chainpulse ingest} in a JVM of its own (so a test can SIGKILL it), and reading its results back. */
final class IngestSidecar {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final ChildProcess process;
    final int metricsPort;
    final int httpPort;

    private IngestSidecar(ChildProcess process, int metricsPort, int httpPort) {
        this.process = process;
        this.metricsPort = metricsPort;
        this.httpPort = httpPort;
    }

    /** Starts {@code ingest <args>} with the stack's broker and registry; waits for /health. */
    static IngestSidecar start(RealStack stack, String topic, Path dir, Path log, List<String> args) {
        int metricsPort = ChildProcess.freePort();
        int httpPort = args.contains("--http") ? Integer.parseInt(args.get(args.indexOf("--http") + 1).substring(
                args.get(args.indexOf("--http") + 1).lastIndexOf(':') + 1)) : -1;
        List<String> command = new ArrayList<>(List.of("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", System.getProperty("java.class.path"), ChainPulseCli.class.getName(), "ingest",
                "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--topic", topic, "--state-dir", dir.resolve("state").toString(),
                "--spool-dir", dir.resolve("spool").toString(), "--metrics-port", String.valueOf(metricsPort)));
        command.addAll(args);
        ChildProcess process = ChildProcess.startJava("ingest sidecar", command, log);
        IngestSidecar sidecar = new IngestSidecar(process, metricsPort, httpPort);
        process.awaitReady(() -> ChildProcess.portOpen(metricsPort) && sidecar.metric("chainpulse_ingest_recovered") == 1,
                Duration.ofSeconds(60));
        if (httpPort > 0) {
            process.awaitReady(() -> ChildProcess.portOpen(httpPort), Duration.ofSeconds(10));
        }
        return sidecar;
    }

    /** The value of the series whose name and labels start with {@code prefix}, or -1 when it is not there. */
    double metric(String prefix) {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String line : text.split("\n")) {
                if (line.startsWith(prefix)) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Every event on {@code topic}, read until {@code expectedDistinct} distinct event ids were seen (or 60 s passed)
     * and then to the end offsets of that moment: how often each event id occurs.
     */
    static Map<String, Integer> eventIdCounts(RealStack stack, String topic, int expectedDistinct) {
        Map<String, Integer> counts = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (counts.size() < expectedDistinct && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ProtocolEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!r.key().equals(r.value().getNodeId().toString())) {
                        throw new AssertionError("key " + r.key() + " is not the node id of " + r.value());
                    }
                    counts.merge(r.value().getEventId().toString(), 1, Integer::sum);
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, ProtocolEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(r.value().getEventId().toString(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
