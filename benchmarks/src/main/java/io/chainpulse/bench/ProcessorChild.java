package io.chainpulse.bench;

import io.chainpulse.stack.ChildProcess;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

/**
 * The KPI processor as the operator runs it ({@code ./chainpulse process}) in a JVM of its own with a fixed heap,
 * so its heap and resident memory are its own: heap from its {@code /metrics} ({@code jvm_memory_used_bytes} of the
 * heap pools), resident set from {@code /proc/<pid>/status}.
 */
final class ProcessorChild implements AutoCloseable {
    private final ChildProcess process;
    private final int metricsPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile double heapMaxMb;
    private final Thread sampler;
    private volatile boolean sampling = true;

    private ProcessorChild(ChildProcess process, int metricsPort) {
        this.process = process;
        this.metricsPort = metricsPort;
        this.sampler = new Thread(this::sample, "bench-heap-sampler");
        sampler.setDaemon(true);
    }

    /**
     * Starts {@code java -Xmx<xmxMb>m -cp <this JVM's class path> <mainAndCommand> --bootstrap-servers …
     * --registry-url … --metrics-port … --set k=v…} and waits until its {@code /health} answers 200.
     */
    static ProcessorChild start(List<String> mainAndCommand, int xmxMb, String bootstrap, String registryUrl,
                                Map<String, Object> settings, Path dir) throws Exception {
        int port = ChildProcess.freePort();
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> args = new ArrayList<>(List.of("-Xmx" + xmxMb + "m", "-Djava.io.tmpdir=" + tmp,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path")));
        args.addAll(mainAndCommand);
        args.addAll(List.of("--bootstrap-servers", bootstrap, "--registry-url", registryUrl,
                "--metrics-port", Integer.toString(port)));
        settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        ProcessorChild child = new ProcessorChild(
                ChildProcess.startJava("the processor", args, dir.resolve("processor.log")), port);
        child.process.awaitReady(child::healthy, Duration.ofSeconds(90));
        child.sampler.start();
        return child;
    }

    private boolean healthy() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException notYet) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the processor", e);
        }
    }

    private void sample() {
        while (sampling) {
            try {
                heapMaxMb = Math.max(heapMaxMb, heapUsedMb());
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // the process is stopping; the figures so far stand
            }
        }
    }

    /** Sum of {@code jvm_memory_used_bytes} over the heap pools, from the processor's own /metrics. */
    double heapUsedMb() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new IOException("/metrics answered " + response.statusCode());
        }
        return heapUsedBytes(response.body()) / (1024.0 * 1024.0);
    }

    /** Heap bytes in use according to Prometheus exposition text. */
    static double heapUsedBytes(String exposition) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Max heap in use over the 1-second samples since start. */
    double heapMaxMb() {
        return heapMaxMb;
    }

    /** Forces a full GC in the processor ({@code jcmd <pid> GC.run}) and returns the heap in use right after. */
    double heapAfterFullGcMb() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + process.pid() + " GC.run failed");
        }
        return heapUsedMb();
    }

    /** Peak resident set size of the processor ({@code VmHWM}), MiB. */
    double rssPeakMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String tail() {
        return process.tail();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM (the processor's shutdown hook closes Kafka Streams), SIGKILL after 30 s. */
    @Override
    public void close() {
        sampling = false;
        sampler.interrupt();
        process.stop();
    }
}
