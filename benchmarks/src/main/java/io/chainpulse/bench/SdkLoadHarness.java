package io.chainpulse.bench;

import io.chainpulse.schema.EventType;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The producer SDK under load against the real local broker and registry, next to Kafka's own ProducerPerformance
 * in the same run:
 * <ol>
 *   <li>ceiling: ProducerPerformance, {@code N} records of 200 bytes (lz4, linger 5 ms, acks=all);</li>
 *   <li>throughput: one SDK instance records {@code N} block events as fast as the caller can, then flushes;
 *       events/s = N / (first record → last acknowledgement);</li>
 *   <li>caller cost: every record call timed with {@code System.nanoTime()} at a paced {@code --rate}, broker up,
 *       then broker killed (the SDK spools).</li>
 * </ol>
 * Prints a Markdown report. Run: {@code java -Dchainpulse.home=. -cp benchmarks/target/benchmarks.jar
 * io.chainpulse.bench.SdkLoadHarness [events] [rate/s] [seconds]}.
 */
public final class SdkLoadHarness {
    private SdkLoadHarness() {}

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path dir = Files.createTempDirectory("sdk-load");
        StringBuilder report = new StringBuilder();
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start();
             SchemaRegistry registry = SchemaRegistry.inDirectory(dir.resolve("registry")).start()) {
            broker.createTopics(4, "perf.ceiling", "perf.sdk", "perf.paced", "perf.down");
            report.append(String.format(Locale.ROOT, "## Producer SDK load (%s, %d cores, %s)%n%n", Instant.now(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));

            double ceiling = KafkaCeiling.producerRecordsPerSecond(broker.bootstrapServers(), "perf.ceiling", events, 200);

            ChainPulseSdk.Stats stats;
            long started;
            long elapsed;
            try (ChainPulseSdk sdk = sdk(broker, registry, "perf.sdk", dir, "bulk", (int) Math.min(1 << 24, events))) {
                warmUp(sdk);
                started = System.nanoTime();
                for (long i = 0; i < events; i++) {
                    sdk.event(EventType.block_finalization).height(i).blockHash("0x9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c")
                            .txCount(142).gasUsed(14_988_123L).record();
                }
                if (!sdk.flush(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("SDK did not flush within 5 minutes: " + sdk.stats());
                }
                elapsed = System.nanoTime() - started;
                stats = sdk.stats();
            }
            report.append("| measurement | value |\n|---|---|\n");
            row(report, "Kafka ProducerPerformance, 200-byte records, 4 partitions", "%,.0f records/s", ceiling);
            row(report, "one SDK instance, record → acknowledged", "%,.0f events/s", (double) events / (elapsed / 1e9));
            row(report, "SDK / ProducerPerformance", "%.2f", (events / (elapsed / 1e9)) / ceiling);
            row(report, "SDK dropped / spooled during the run", "%s", stats.dropped() + " / " + stats.spooled());

            Histogram up = paced(sdk(broker, registry, "perf.paced", dir, "paced-up", 65_536), rate, seconds);
            broker.kill();
            Histogram down;
            ChainPulseSdk.Stats downStats;
            try (ChainPulseSdk sdk = sdk(broker, registry, "perf.down", dir, "paced-down", 65_536)) {
                down = pacedOpen(sdk, rate, seconds);
                downStats = sdk.stats();
            }
            latencyRows(report, "broker up", rate, up);
            latencyRows(report, "broker down", rate, down);
            row(report, "broker down: spooled / dropped", "%s", downStats.spooled() + " / " + downStats.dropped());
        }
        TempDirs.delete(dir);
        System.out.println();
        System.out.println(report);
    }

    private static ChainPulseSdk sdk(KafkaBroker broker, SchemaRegistry registry, String topic, Path dir, String node,
                                     int buffer) {
        return ChainPulseSdk.builder().nodeId(node).bootstrapServers(broker.bootstrapServers())
                .schemaRegistryUrl(registry.url()).topic(topic).bufferEvents(Math.max(1024, buffer))
                .spoolDirectory(dir.resolve("spool")).errorListener((m, c) -> {}).build();
    }

    private static void warmUp(ChainPulseSdk sdk) {
        for (int i = 0; i < 10_000; i++) {
            sdk.event(EventType.block_finalization).height(i).record();
        }
        sdk.flush(Duration.ofSeconds(60));
    }

    private static Histogram paced(ChainPulseSdk sdk, int rate, int seconds) {
        try (sdk) {
            warmUp(sdk);
            return pacedOpen(sdk, rate, seconds);
        }
    }

    /** Records at {@code rate}/s for {@code seconds}, timing every call on this thread. */
    private static Histogram pacedOpen(ChainPulseSdk sdk, int rate, int seconds) {
        Histogram histogram = new Histogram(1, 10_000_000_000L, 3);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            while (System.nanoTime() < due) {
                if (due - System.nanoTime() > 50_000) {
                    LockSupport.parkNanos(20_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            long t0 = System.nanoTime();
            sdk.event(EventType.consensus_vote).height(i).round(0).record();
            histogram.recordValue(Math.max(1, System.nanoTime() - t0));
        }
        return histogram;
    }

    private static void latencyRows(StringBuilder report, String label, int rate, Histogram h) {
        row(report, "record call, " + label + ", " + String.format(Locale.ROOT, "%,d", rate) + "/s: p50 / p99 / p99.9 / max",
                "%s", String.format(Locale.ROOT, "%d / %d / %d / %d ns", h.getValueAtPercentile(50),
                        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue()));
    }

    private static void row(StringBuilder report, String name, String format, Object value) {
        report.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, format, value)).append(" |\n");
    }
}
