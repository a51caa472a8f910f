package io.chainpulse.sdk.resources;

import static io.chainpulse.sdk.resources.ResourceCollectorTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.NodeResourceSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector on this machine's real {@code /proc}, against a busy child process: a Python loop that first writes
 * 128 MiB (so they are resident) and opens 20 files. Its readings are compared with what the kernel
 * ({@code /proc/PID/stat}, {@code status}, {@code fd}, {@code /proc/meminfo}), {@code ps} and {@code df} report at
 * the same moments.
 */
@EnabledOnOs(OS.LINUX)
class ResourceCollectorProcTest {
    private static final long ALLOCATED = 128L << 20;
    private static final int OPENED = 20;
    private static final String CHILD = """
            import sys
            block = b'x' * %d
            files = [open('/dev/null') for _ in range(%d)]
            print('ready', flush=True)
            while True:
                pass
            """.formatted(ALLOCATED, OPENED);
    private static final long CLOCK_TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

    @TempDir
    Path dataDir;

    private Process child;
    private long pid;

    @BeforeEach
    void startBusyChild() throws IOException {
        child = new ProcessBuilder("python3", "-c", CHILD).redirectErrorStream(true).start();
        pid = child.pid();
        var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("child started").isEqualTo("ready");
    }

    @AfterEach
    void stopChild() throws InterruptedException {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldReadWhatTheKernelPsAndDfReportForABusyProcess() throws Exception {
        List<String> failures = new ArrayList<>();
        OshiProbe probe = new OshiProbe(pid, dataDir, Clock.systemUTC());

        Reading first = probe.read((name, cause) -> failures.add(name + ": " + cause));
        long kernelTicks0 = kernelCpuTicks();
        long kernelAt0 = System.nanoTime();
        Thread.sleep(3_000);
        Reading second = probe.read((name, cause) -> failures.add(name + ": " + cause));
        long kernelTicks1 = kernelCpuTicks();
        long kernelAt1 = System.nanoTime();
        double lifetimeSeconds = uptimeSeconds() - startTicks() / 100.0;
        long vmRss = statusField("VmRSS") * 1024;
        int threads = (int) statusField("Threads");
        int fds = fdCount();
        String[] ps = run("ps", "-o", "%cpu=,rss=", "-p", Long.toString(pid)).trim().split("\\s+");
        double oursOverLifetime = second.processCpuNanos() / 1e9 / lifetimeSeconds * 100;
        long memAvailable = meminfo("MemAvailable") * 1024;
        long memTotal = meminfo("MemTotal") * 1024;
        int dfPercent = Integer.parseInt(run("df", "--output=pcent", dataDir.toString()).lines().skip(1)
                .findFirst().orElseThrow().trim().replace("%", ""));

        assertThat(failures).isEmpty();
        double ours = Samples.processCpuPercent(first.processCpuNanos(), second.processCpuNanos(),
                second.nanoTime() - first.nanoTime());
        double kernel = (kernelTicks1 - kernelTicks0) * CLOCK_TICK_NANOS * 100.0 / (kernelAt1 - kernelAt0);
        // Same 3 s window read the same way, shifted by the few ms between the probe's read and ours: the kernel's
        // 10 ms tick at each end is 0.7 pp, the shift of the window under a busy loop at most ~1 pp more.
        assertThat(ours).as("process CPU %% vs /proc/%d/stat over the same 3 s", pid).isCloseTo(kernel, within(3.0));
        // A single-threaded loop uses at most one core (100 %, + 1 for the tick at each end of the window). Alone on
        // a core it is ~100 %; on this 2-core machine shared with other builds (load average 10-25 seen) the
        // scheduler gives it 2 / runnable threads, as little as 8 %: so the bound below only tells busy from idle
        // (a sleeping process reads 0.0), and the accuracy is checked against the kernel above and ps below.
        assertThat(ours).as("one busy thread").isBetween(2.0, 101.0);
        // ps's %cpu is CPU time over the whole life (uptime - start): ours over the same span, ps rounding to 0.1
        // and the few ms between our reading and ps's inside 2 pp.
        assertThat(oursOverLifetime).as("CPU %% over the child's life vs ps %%cpu %s", ps[0])
                .isCloseTo(Double.parseDouble(ps[0]), within(2.0));

        assertThat(second.rssBytes()).as("RSS vs VmRSS").isGreaterThanOrEqualTo(ALLOCATED)
                .isCloseTo(vmRss, within(vmRss / 10));
        assertThat(second.rssBytes()).as("RSS vs ps rss").isCloseTo(Long.parseLong(ps[1]) * 1024, within(vmRss / 10));
        assertThat(second.openFds()).as("open fds vs /proc/%d/fd", pid).isGreaterThanOrEqualTo(3 + OPENED)
                .isCloseTo(fds, within(2));
        assertThat(second.threads()).as("threads").isEqualTo(threads);
        assertThat(second.heapUsedBytes()).as("no heap for a process that is not this JVM").isNull();
        assertThat(second.memoryAvailableBytes()).as("MemAvailable").isCloseTo(memAvailable, within(memTotal / 20));
        assertThat(second.memoryUsedBytes() + second.memoryAvailableBytes()).isEqualTo(memTotal);
        // df rounds Use% up to a whole percent
        assertThat(second.diskUsedPercent()).as("disk use %% vs df").isBetween(dfPercent - 1.0, (double) dfPercent);
        assertThat(second.logicalCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(second.openFdsLimit()).as("soft limit vs /proc/%d/limits", pid).isEqualTo(softOpenFilesLimit());
    }

    @Test
    void shouldPublishSamplesOfAnotherProcessAndStopWhenItIsGone() throws IOException {
        List<NodeResourceSample> samples = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean told = new AtomicBoolean();
        try (ResourceCollector collector = ResourceCollector.builder("sidecar-1", Duration.ofSeconds(1))
                .process(pid).dataDirectory(dataDir).onProcessGone(() -> told.set(true))
                .errorListener((message, cause) -> errors.add(message))
                .start(samples::add)) {
            await(() -> samples.size() >= 3);
            List<NodeResourceSample> whileAlive = List.copyOf(samples);
            Long limit = softOpenFilesLimit();
            child.destroyForcibly();
            await(collector::processGone);

            assertThat(told).isTrue();
            assertThat(errors).isEmpty();
            for (NodeResourceSample s : whileAlive) {
                assertThat(s.getNodeId()).isEqualTo("sidecar-1");
                assertThat(s.getRssBytes()).isGreaterThanOrEqualTo(ALLOCATED);
                // over a 1 s interval the kernel's 10 ms tick at each end is 1 pp each, and the probe reads
                // /proc/PID/stat a few ms after its clock: 101.07 % was seen in CI for one busy thread
                assertThat(s.getProcessCpuPercent()).isBetween(2.0, 103.0);
                assertThat(s.getOpenFds()).isGreaterThanOrEqualTo(3 + OPENED);
                assertThat(s.getThreads()).isEqualTo(1);
                assertThat(s.getHeapUsedBytes()).isZero();
                assertThat(s.getSampleIntervalNs()).isBetween(500_000_000L, 10_000_000_000L);
                assertThat(s.getCpuCores()).isEqualTo(cores());
                assertThat(s.getOpenFdsLimit()).isEqualTo(limit);
            }
            // the machine is at least as busy as the child
            assertThat(whileAlive).allSatisfy(s -> assertThat(s.getCpuPercent())
                    .isGreaterThanOrEqualTo(s.getProcessCpuPercent() - 5).isLessThanOrEqualTo(100.0 * cores() + 1));
        }
    }

    /** "Max open files  1024  1048576  files" of /proc/PID/limits: the soft limit. */
    private Long softOpenFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? null : Long.valueOf(soft);
            }
        }
        throw new IllegalStateException("no 'Max open files' in /proc/" + pid + "/limits");
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private long kernelCpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // after "pid (comm) ": field 3 is state; utime and stime are fields 14 and 15
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private long startTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }

    private static double uptimeSeconds() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    private long statusField(String name) throws IOException {
        return field(Path.of("/proc/" + pid + "/status"), name);
    }

    private static long meminfo(String name) throws IOException {
        return field(Path.of("/proc/meminfo"), name);
    }

    private static long field(Path file, String name) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(name + ":")).findFirst()
                .map(l -> Long.parseLong(l.substring(name.length() + 1).trim().split("\\s+")[0]))
                .orElseThrow(() -> new AssertionError(name + " not in " + file));
    }

    private int fdCount() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
