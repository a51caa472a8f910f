package io.chainpulse.bench;

import io.chainpulse.sdk.resources.NodeGauges;
import io.chainpulse.sdk.resources.ResourceCollector;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the resource collector ({@code collectResources}, {@code ./chainpulse collect}) costs: the CPU time its own
 * thread spends per sample ({@code ThreadMXBean.getThreadCpuTime}, user + system), taken over {@code samples}
 * samples after a warm-up of 50 (JIT, OSHI's first reads), at 1 s (the shortest interval) so the run is short; the
 * same work is done at any interval, so the cost at 5 s is CPU per sample / 5 s. Measured for this JVM (the builder line; heap
 * included) and for another process (the sidecar; a {@code sleep} child). Also the first reading (OSHI's start-up,
 * paid once) and the bytes the thread allocates per sample. Prints a Markdown table.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.chainpulse.bench.ResourceCollectorCostHarness
 * [samples=60] [intervalMs=1000]}.
 */
public final class ResourceCollectorCostHarness {
    private static final int WARM_UP = 50;
    private static final double AT_NANOS = 5e9;

    private ResourceCollectorCostHarness() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Duration interval = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 1000);
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "## Resource collector cost (%s, %d cores, load average %.1f, Java %s)%n%n"
                        + "| process sampled | start-up and first sample (once) | CPU per sample | %% of one core at 5 s "
                        + "| allocated per sample |%n|---|---:|---:|---:|---:|%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("java.version")));
        report.append(measure("this JVM (collectResources)", "bench-self", -1, samples, interval));
        Process child = new ProcessBuilder("sleep", "600").start();
        try {
            report.append(measure("another process (collect --pid)", "bench-sidecar", child.pid(), samples, interval));
        } finally {
            child.destroyForcibly();
        }
        System.out.print(report);
    }

    private static String measure(String what, String node, long pid, int samples, Duration interval)
            throws InterruptedException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong taken = new AtomicLong();
        ResourceCollector.Builder builder = ResourceCollector.builder(node, interval)
                .dataDirectory(Path.of(System.getProperty("java.io.tmpdir")))
                .gauges(() -> new NodeGauges(1_000, 25));
        if (pid > 0) {
            builder.process(pid);
        }
        try (ResourceCollector collector = builder.start(s -> taken.incrementAndGet())) {
            Thread thread = awaitThread("chainpulse-resources-" + node);
            awaitSamples(taken, 1);
            long firstCpu = threads.getThreadCpuTime(thread.getId());
            awaitSamples(taken, WARM_UP);
            long cpu0 = threads.getThreadCpuTime(thread.getId());
            long alloc0 = threads.getThreadAllocatedBytes(thread.getId());
            long n0 = taken.get();
            awaitSamples(taken, n0 + samples);
            long cpu1 = threads.getThreadCpuTime(thread.getId());
            long alloc1 = threads.getThreadAllocatedBytes(thread.getId());
            long n = taken.get() - n0;
            if (collector.probeFailures() > 0) {
                System.err.println(what + ": probe failures " + collector.probeFailuresByProbe());
            }
            double perSample = (cpu1 - cpu0) / (double) n;
            return String.format(Locale.ROOT, "| %s | %.1f ms | %.3f ms | %.4f %% | %,d bytes |%n", what,
                    firstCpu / 1e6, perSample / 1e6, perSample / AT_NANOS * 100, (alloc1 - alloc0) / n);
        }
    }

    private static Thread awaitThread(String name) throws InterruptedException {
        while (true) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals(name)) {
                    return t;
                }
            }
            Thread.sleep(1);
        }
    }

    private static void awaitSamples(AtomicLong taken, long n) throws InterruptedException {
        while (taken.get() < n) {
            Thread.sleep(5);
        }
    }
}
