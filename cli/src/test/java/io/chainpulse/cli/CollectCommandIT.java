package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code collect} against a real child process, publishing to the real broker and registry. */
@ExtendWith(RealStackExtension.class)
class CollectCommandIT {
    private static final long ALLOCATED = 64L << 20;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldPublishOneDecodableSampleOfTheProcessPerIntervalForTheDuration(RealStack stack) throws Exception {
        String topic = "resources-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic);
        child = busyChild();

        int exit = collect(stack, topic, "--node-id", "sidecar-7", "--chain-id", "testnet",
                "--pid", Long.toString(child.pid()), "--interval", "1s", "--duration", "5s");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("collecting process " + child.pid() + " (")
                .contains("python3 -c block = b'x' * 67108864 print('ready', flush=True) while True:")
                .contains("pass) as node sidecar-7 every 1000 ms to " + topic + " at " + stack.bootstrapServers())
                .endsWith(System.lineSeparator() + "5 samples published" + System.lineSeparator());
        // 5 s / 1 s: exactly 5, and no sixth
        List<ConsumerRecord<String, NodeResourceSample>> records = read(stack, topic, 5, Duration.ofSeconds(3));
        assertThat(records).hasSize(5);
        long previous = 0;
        for (ConsumerRecord<String, NodeResourceSample> record : records) {
            NodeResourceSample s = record.value();
            assertThat(record.key()).isEqualTo("sidecar-7");
            assertThat(s.getNodeId()).isEqualTo("sidecar-7");
            assertThat(s.getChainId()).isEqualTo("testnet");
            assertThat(s.getRssBytes()).isGreaterThanOrEqualTo(ALLOCATED);
            // one thread: at most one core, but /proc counts CPU time in 10 ms ticks, so a reading over a ~1 s interval
            // may be a tick or two above it (CI once read 101.00001 %)
            assertThat(s.getProcessCpuPercent()).as("a busy loop on a shared 2-core machine").isBetween(2.0, 103.0);
            assertThat(s.getCpuPercent()).isBetween(0.0, 100.0 * Runtime.getRuntime().availableProcessors() + 1);
            assertThat(s.getOpenFds()).isGreaterThanOrEqualTo(3);
            assertThat(s.getThreads()).isEqualTo(1);
            assertThat(s.getHeapUsedBytes()).isZero();
            assertThat(s.getMempoolSize()).isZero();
            assertThat(s.getPeerCount()).isNull();
            assertThat(s.getSystemMemoryAvailableBytes()).isPositive();
            assertThat(s.getDiskUsedPercent()).isBetween(0.0, 100.0);
            assertThat(s.getSampleIntervalNs()).isBetween(500_000_000L, 3_000_000_000L);
            assertThat(s.getCpuCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(s.getOpenFdsLimit()).as("the child's soft RLIMIT_NOFILE").isPositive();
            assertThat(s.getTimestampNs()).isGreaterThan(previous);
            previous = s.getTimestampNs();
        }
    }

    @Test
    void shouldExitZeroSayingSoWhenTheProcessEnds(RealStack stack) throws Exception {
        String topic = "resources-" + UUID.randomUUID();
        stack.broker().createTopics(1, topic);
        // long enough for the sidecar's first sample on a loaded machine, short for the test
        child = new ProcessBuilder("sleep", "12").start();

        int exit = collect(stack, topic, "--node-id", "sidecar-8", "--pid", Long.toString(child.pid()),
                "--interval", "1s");

        assertThat(exit).as(err.toString()).isZero();
        String[] lines = out.toString().split(System.lineSeparator());
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).matches("process " + child.pid() + " is gone; ([1-9]|1[0-2]) samples published");
        int published = Integer.parseInt(lines[1].replaceAll(".*gone; (\\d+) samples.*", "$1"));
        assertThat(read(stack, topic, published, Duration.ofSeconds(3))).hasSize(published)
                .allSatisfy(r -> assertThat(r.value().getNodeId()).isEqualTo("sidecar-8"));
    }

    private static final String BUSY = """
            block = b'x' * %d
            print('ready', flush=True)
            while True:
                pass
            """.formatted(ALLOCATED);

    private static Process busyChild() throws Exception {
        Process p = new ProcessBuilder("python3", "-c", BUSY).redirectErrorStream(true).start();
        var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo("ready");
        return p;
    }

    private int collect(RealStack stack, String topic, String... args) {
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("collect", "--bootstrap-servers", stack.bootstrapServers(),
                "--registry-url", stack.registryUrl(), "--topic", topic, "--spool-dir", dir.resolve("spool").toString(),
                "--data-dir", dir.toString()));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    /** Reads until {@code expected} records arrived, then {@code quiet} longer to catch any extra one. */
    private static List<ConsumerRecord<String, NodeResourceSample>> read(RealStack stack, String topic, int expected,
                                                                         Duration quiet) {
        List<ConsumerRecord<String, NodeResourceSample>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "collect-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new AvroDeserializer<>(NodeResourceSample.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            long quietUntil = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietUntil) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
