package io.chainpulse.bench;

import io.chainpulse.ingest.Ingest;
import io.chainpulse.ingest.IngestMetrics;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.sdk.JsonLinesReplay;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.SchemaRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ingest sidecar against the real local broker and registry, next to {@code replay} on the same JSON Lines file
 * in the same run:
 * <ol>
 *   <li>replay: {@link JsonLinesReplay} through one SDK, as {@code ./chainpulse replay} does, first line → last
 *       acknowledgement;</li>
 *   <li>follow: {@code ingest --follow} on a directory holding the file, start → every event acknowledged (its
 *       {@code chainpulse_ingest_events_published_total}); also the follower thread's own CPU time, lines per
 *       CPU-second being the "one core" figure;</li>
 *   <li>http: {@code ingest --http}, the file posted as NDJSON batches of {@code batch} lines by {@code clients}
 *       concurrent clients, first request → last 202.</li>
 * </ol>
 * Each also as lines per CPU-second of this whole JVM (every thread: reader, SDK sender, committer, GC, JIT — and for
 * http its own clients), the figure a sidecar confined to one core could reach at best.
 *
 * <p>With {@code cpu=N} the JVM confines itself to that one CPU ({@code taskset -a -p -c N}) once the broker and the
 * registry (child processes, not confined) are up: wall clock then means "on one core". The 1-minute load average is
 * reported at the start and the end; other work on the machine shows there.
 *
 * <p>Prints a Markdown report. Run: {@code java -Dchainpulse.home=. -cp benchmarks/target/benchmarks.jar
 * io.chainpulse.bench.IngestHarness [lines=1000000] [batch=1000] [clients=4] [cpu=none]}.
 */
public final class IngestHarness {
    private static final int NODES = 50;

    /** The follow phase's CPU per line by thread, filled by {@link #follow}. */
    private static String followBreakdown = "";

    private IngestHarness() {}

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        String cpu = args.length > 3 && !args[3].equals("none") ? args[3] : null;
        Path dir = Files.createTempDirectory("ingest-bench");
        StringBuilder report = new StringBuilder();
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka")).start();
             SchemaRegistry registry = SchemaRegistry.inDirectory(dir.resolve("registry")).start()) {
            broker.createTopics(4, "bench.replay", "bench.follow", "bench.http");
            Path logs = Files.createDirectories(dir.resolve("logs"));
            Path file = logs.resolve("node.jsonl");
            long bytes = writeFile(file, lines);
            report.append(String.format(Locale.ROOT, "## Ingest (%s, %d cores, %s)%n%n", Instant.now(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
            report.append(String.format(Locale.ROOT, "%,d lines (%,d bytes, %d nodes) in one file. ", lines, bytes, NODES));
            if (cpu != null) {
                pin(cpu);
                report.append("This JVM (replay, the sidecar, the HTTP clients) confined to CPU ").append(cpu)
                        .append(" (`taskset -a -p`); broker and registry not. ");
            }
            report.append("1-minute load average at the start: ").append(loadAverage()).append(".\n\n");

            double[] replay = replay(broker, registry, dir, file, lines);
            double[] follow = follow(broker, registry, dir, logs, lines);
            double[] http = http(broker, registry, dir, file, batch, clients);

            report.append("| measurement (same file, same broker, same run) | wall clock | per CPU-second of the JVM |\n")
                    .append("|---|---:|---:|\n");
            rows(report, "`replay` (JsonLinesReplay + SDK), first line → last ack", "lines/s", replay);
            rows(report, "`ingest --follow`, start → last ack", "lines/s", follow);
            row(report, "`ingest --follow`, lines per CPU-second of the follower thread (read, split, parse, record)",
                    "%,.0f lines/s", follow[2]);
            row(report, "`ingest --follow`, CPU per line by thread: " + followBreakdown, "%s", "");
            row(report, "`ingest --follow` / `replay`", "%.2f", follow[0] / replay[0]);
            rows(report, "`ingest --http`, NDJSON batches of " + batch + ", " + clients
                    + " clients (in this JVM), first request → last 202", "events/s", http);
            row(report, "`ingest --http` / `replay`", "%.2f", http[0] / replay[0]);
            report.append("\n1-minute load average at the end: ").append(loadAverage()).append(".\n");
        }
        TempDirs.delete(dir);
        System.out.println();
        System.out.println(report);
    }

    /** Transaction ingress and validation, block execution and finalization lines of {@value #NODES} nodes. */
    private static long writeFile(Path file, int lines) throws Exception {
        EventType[] types = {EventType.transaction_ingress, EventType.transaction_validation_complete,
                EventType.block_execution_start, EventType.block_execution_complete, EventType.block_finalization};
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            long t = 1_753_784_500_000_000_000L;
            for (int i = 0; i < lines; i++) {
                EventType type = types[i % types.length];
                ProtocolEvent.Builder e = ProtocolEvent.newBuilder().setEventId("e" + i).setEventType(type)
                        .setTimestampNs(t + i * 10_000L).setNodeId("v" + (i % NODES)).setMetadata(Map.of());
                if (type.name().startsWith("transaction")) {
                    e.setTxId("0x" + Integer.toHexString(i / 2));
                } else {
                    e.setHeight((long) i / 5);
                }
                if (type == EventType.block_finalization) {
                    e.setBlockHash("0x9f2c4e6a8b0d1f3e" + Integer.toHexString(i)).setTxCount(140);
                }
                out.write(EventJson.write(e.build()));
                out.write('\n');
            }
        }
        return Files.size(file);
    }

    /** Confines every thread of this JVM (and so the threads it starts later) to {@code cpu}. */
    private static void pin(String cpu) throws Exception {
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpu,
                String.valueOf(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        String out = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (taskset.waitFor() != 0) {
            throw new IllegalStateException("taskset failed: " + out);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** CPU time of every thread of this JVM so far. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double[] replay(KafkaBroker broker, SchemaRegistry registry, Path dir, Path file, int lines)
            throws Exception {
        try (ChainPulseSdk sdk = ChainPulseSdk.builder().nodeId("replay").bootstrapServers(broker.bootstrapServers())
                .schemaRegistryUrl(registry.url()).topic("bench.replay").spoolDirectory(dir.resolve("replay-spool"))
                .errorListener((m, c) -> {}).build()) {
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            JsonLinesReplay.Report r = JsonLinesReplay.publish(file, sdk, p -> {});
            if (!sdk.flush(Duration.ofMinutes(5)) || r.published() != lines) {
                throw new IllegalStateException("replay did not publish everything: " + r + " " + sdk.stats());
            }
            return new double[] {lines / ((System.nanoTime() - start) / 1e9),
                    lines / ((processCpuNanos() - cpuStart) / 1e9)};
        }
    }

    private static double[] follow(KafkaBroker broker, SchemaRegistry registry, Path dir, Path logs, int lines)
            throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Map<Long, Long> threadsBefore = threadCpuNanos();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        try (Ingest ingest = Ingest.builder().bootstrapServers(broker.bootstrapServers())
                .schemaRegistryUrl(registry.url()).topic("bench.follow").follow(logs + "/*.jsonl")
                .spoolDirectory(dir.resolve("follow-spool")).stateDirectory(dir.resolve("follow-state"))
                .errorListener((m, c) -> {}).start()) {
            new IngestMetrics(ingest).bindTo(meters);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (published(meters) < lines) {
                if (System.nanoTime() > deadline || !ingest.healthy()) {
                    throw new IllegalStateException("follow published " + published(meters) + " of " + lines
                            + (ingest.problem() != null ? ": " + ingest.problem() : ""));
                }
                Thread.sleep(5);
            }
            double perSecond = lines / ((System.nanoTime() - start) / 1e9);
            long processCpu = processCpuNanos() - cpuStart;
            double processCpuSeconds = processCpu / 1e9;
            double cpuSeconds = followerCpuNanos() / 1e9;
            followBreakdown = breakdown(threadsBefore, processCpu, lines);
            return new double[] {perSecond, lines / processCpuSeconds, lines / cpuSeconds};
        }
    }

    private static double published(SimpleMeterRegistry meters) {
        return meters.find("chainpulse.ingest.events.published").functionCounters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private static Map<Long, Long> threadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            out.put(t.getId(), threads.getThreadCpuTime(t.getId()));
        }
        return out;
    }

    /**
     * CPU µs per line of the follow phase: the follower thread, the SDK's sender, Kafka's network thread, the other
     * Java threads, and the rest of the process (GC, JIT compiler, VM: not Java threads).
     */
    private static String breakdown(Map<Long, Long> before, long processCpuNanos, int lines) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byRole = new java.util.LinkedHashMap<>();
        for (String role : List.of("follower", "SDK sender", "Kafka network thread", "other Java threads")) {
            byRole.put(role, 0L);
        }
        long java = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long now = threads.getThreadCpuTime(t.getId());
            if (now < 0) {
                continue;
            }
            long used = now - before.getOrDefault(t.getId(), 0L);
            java += used;
            String name = t.getName();
            String role = name.equals("chainpulse-ingest-follower") ? "follower"
                    : name.equals("chainpulse-sdk-sender-ingest") ? "SDK sender"
                    : name.equals("kafka-producer-network-thread | chainpulse-sdk-ingest") ? "Kafka network thread"
                    : "other Java threads";
            byRole.merge(role, used, Long::sum);
        }
        byRole.put("GC, JIT and VM", Math.max(0, processCpuNanos - java));
        StringBuilder out = new StringBuilder();
        byRole.forEach((role, nanos) -> out.append(out.length() == 0 ? "" : ", ").append(role).append(' ')
                .append(String.format(Locale.ROOT, "%.2f µs", nanos / 1e3 / lines)));
        return out.append(String.format(Locale.ROOT, "; total %.2f µs", processCpuNanos / 1e3 / lines)).toString();
    }

    private static long followerCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("chainpulse-ingest-follower")) {
                return threads.getThreadCpuTime(t.getId());
            }
        }
        throw new IllegalStateException("no follower thread");
    }

    private static double[] http(KafkaBroker broker, SchemaRegistry registry, Path dir, Path file, int batch,
                                 int clients) throws Exception {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < all.size(); i += batch) {
            bodies.add(String.join("\n", all.subList(i, Math.min(all.size(), i + batch))) + "\n");
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (Ingest ingest = Ingest.builder().bootstrapServers(broker.bootstrapServers())
                .schemaRegistryUrl(registry.url()).topic("bench.http").spoolDirectory(dir.resolve("http-spool"))
                .http(new InetSocketAddress("127.0.0.1", 0)).httpMaxInFlight(clients)
                .errorListener((m, c) -> {}).start()) {
            URI uri = URI.create("http://127.0.0.1:" + ingest.httpPort() + "/v1/events");
            AtomicInteger next = new AtomicInteger();
            LongAdder accepted = new LongAdder();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        while (true) {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 202) {
                                accepted.add(Long.parseLong(r.body().replaceAll("\\D", "")));
                                break;
                            }
                            if (r.statusCode() != 429 && r.statusCode() != 503) {
                                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                            }
                            Thread.sleep(100);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double perSecond = accepted.sum() / ((System.nanoTime() - start) / 1e9);
            double perCpuSecond = accepted.sum() / ((processCpuNanos() - cpuStart) / 1e9);
            pool.shutdown();
            if (accepted.sum() != all.size()) {
                throw new IllegalStateException("http accepted " + accepted.sum() + " of " + all.size());
            }
            return new double[] {perSecond, perCpuSecond};
        }
    }

    private static void row(StringBuilder report, String name, String format, Object value) {
        report.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, format, value)).append(" | |\n");
    }

    /** Wall clock and per CPU-second of the JVM. */
    private static void rows(StringBuilder report, String name, String unit, double[] values) {
        report.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%,.0f %s", values[0], unit))
                .append(" | ").append(String.format(Locale.ROOT, "%,.0f %s", values[1], unit)).append(" |\n");
    }
}
