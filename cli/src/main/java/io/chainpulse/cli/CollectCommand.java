package io.chainpulse.cli;

import io.chainpulse.schema.NodeIds;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.sdk.resources.Processes;
import io.chainpulse.sdk.resources.ResourceCollector;
import java.util.Map;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./chainpulse collect --node-id ID (--pid PID | --process-name NAME)}: the resource collector of the SDK as a
 * sidecar, for a node not written in Java. Samples that process and its host every interval and publishes each
 * sample through the SDK to the resources topic.
 */
@Command(name = "collect",
        mixinStandardHelpOptions = true,
        description = {
            "Sample a running node process (CPU %%, RSS, disk and network bytes, open files, threads) and its host "
                    + "(CPU %%, memory, use of the data directory's file system) every interval and publish the "
                    + "samples as NodeResourceSample to the resources topic, through the producer SDK (spooled while "
                    + "Kafka is unreachable). For nodes not written in Java; a Java node uses the SDK's "
                    + "collectResources(interval).",
            "The first sample comes one interval after the start (the first reading is the baseline of the "
                    + "deltas); heap_used_bytes is 0 (not a JVM) and mempool_size 0, peer_count empty (only the node "
                    + "knows them).",
            "Runs until the process ends, --duration passes, or Ctrl-C; when the process ends it says so and exits 0 "
                    + "after Kafka acknowledged the samples (1 if some stayed in the spool). Exit code 2 for a bad "
                    + "command line, a pid that is not running, or a name that matches no process or several."})
final class CollectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--node-id", required = true, description = "Node id written into every sample (the Kafka key).")
    String nodeId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--pid", required = true, description = "Process id of the node.")
        Long pid;

        @Option(names = "--process-name", required = true, description = "Name of the node's process, as `ps -o comm` "
                + "or `pgrep -x` match it (or the file name of its command); exactly one process may match.")
        String processName;
    }

    @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time between samples, 1s to 1h (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long, having published duration / interval samples (default: until the "
                    + "process ends or Ctrl-C).")
    Duration duration;

    @Option(names = "--data-dir", defaultValue = ".",
            description = "The node's data directory: the use %% of its file system is sampled (default: the working "
                    + "directory).")
    Path dataDir;

    @Option(names = "--chain-id", description = "Chain or network id written into every sample.")
    String chainId;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    private String bootstrapServers;

    @Option(names = "--topic", defaultValue = Topics.Names.RESOURCES, description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--spool-dir", defaultValue = ".chainpulse/collect-spool",
            description = "Spool used while Kafka is unreachable (default: ${DEFAULT-VALUE}).")
    Path spoolDir;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        NodeIds.problem(nodeId).ifPresent(problem -> {
            throw new IllegalArgumentException("--node-id: " + problem);
        });
        try {
            ResourceCollector.checkInterval(interval);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--interval: " + e.getMessage());
        }
        if (duration != null && duration.compareTo(interval) < 0) {
            throw new IllegalArgumentException("--duration " + duration.toMillis() + " ms is shorter than --interval "
                    + interval.toMillis() + " ms: no sample would be taken");
        }
        Processes.Found process = find();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long wanted = duration == null ? Long.MAX_VALUE : duration.toNanos() / interval.toNanos();
        AtomicLong published = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        try (ChainPulseSdk sdk = KafkaOptions.applyTo(ChainPulseSdk.builder(), settings)
                .nodeId(nodeId)
                .chainId(chainId)
                .bootstrapServers(bootstrapServers)
                .schemaRegistryUrl(registryUrl)
                .set("resources.topic", topic)
                .spoolDirectory(spoolDir)
                .errorListener((message, cause) -> err.println("chainpulse collect: " + message))
                .build()) {
            out.printf("collecting process %s as node %s every %d ms to %s at %s%n", process, nodeId,
                    interval.toMillis(), topic, bootstrapServers);
            out.flush();
            ResourceCollector.Builder builder = ResourceCollector.builder(nodeId, interval)
                    .process(process.pid())
                    .dataDirectory(dataDir)
                    .onProcessGone(done::countDown)
                    .errorListener((message, cause) -> err.println("chainpulse collect: " + message));
            if (chainId != null) {
                builder.chainId(chainId);
            }
            CountDownLatch closed = new CountDownLatch(1);
            // Ctrl-C: stop sampling and let the main thread flush before the JVM exits
            Thread hook = new Thread(() -> {
                done.countDown();
                try {
                    closed.await(40, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "chainpulse-collect-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            ResourceCollector collector = builder.start(sample -> publish(sdk, sample, published, wanted, done));
            try {
                done.await();
                collector.close();
                return finish(sdk, collector, process, published.get(), out, err);
            } finally {
                collector.close();
                closed.countDown();
                removeHook(hook);
            }
        }
    }

    private int finish(ChainPulseSdk sdk, ResourceCollector collector, Processes.Found process, long published,
                       PrintWriter out, PrintWriter err) {
        if (collector.processGone()) {
            out.printf("process %d is gone; %d samples published%n", process.pid(), published);
        } else {
            out.printf("%d samples published%n", published);
        }
        out.flush();
        if (!sdk.flush(Duration.ofSeconds(30))) {
            err.printf("chainpulse collect: Kafka at %s did not acknowledge everything within 30 s: %d bytes stay "
                    + "in the spool %s and are sent by the next collect%n", bootstrapServers,
                    sdk.stats().spoolBytes(), spoolDir);
            return 1;
        }
        return 0;
    }

    private static void publish(ChainPulseSdk sdk, NodeResourceSample sample, AtomicLong published, long wanted,
                                CountDownLatch done) {
        if (published.get() >= wanted) {
            return;
        }
        sdk.recordResources(sample);
        if (published.incrementAndGet() >= wanted) {
            done.countDown();
        }
    }

    private Processes.Found find() {
        if (target.pid != null) {
            return Processes.byPid(target.pid).orElseThrow(() ->
                    new IllegalArgumentException("--pid " + target.pid + ": no such process"));
        }
        List<Processes.Found> found = Processes.named(target.processName);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("--process-name " + target.processName
                    + ": no running process has that name");
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("--process-name " + target.processName + ": " + found.size()
                    + " processes have that name: " + String.join(", ", found.stream().map(Object::toString).toList())
                    + "; choose one with --pid");
        }
        return found.get(0);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down (Ctrl-C): the hook already ran
        }
    }
}
