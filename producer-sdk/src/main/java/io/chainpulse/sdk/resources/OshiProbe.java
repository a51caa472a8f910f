package io.chainpulse.sdk.resources;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSProcess;

/**
 * Reads one process and the machine with OSHI (on Linux: {@code /proc/PID/stat}, {@code status}, {@code io},
 * {@code fd}; {@code /proc/stat}, {@code /proc/meminfo}, {@code /sys/class/net}), the data directory's file system
 * with {@link FileStore}, and the heap with the JVM's {@link MemoryMXBean} when the process is this JVM. The
 * network interfaces are those present at the first reading, loopback excluded.
 */
final class OshiProbe implements Probe {
    private final int pid;
    private final Path dataDirectory;
    private final Clock clock;
    private final MemoryMXBean heap;
    private final CentralProcessor processor;
    private final GlobalMemory memory;
    private final SystemInfo system;
    private OSProcess process;
    private List<NetworkIF> interfaces;

    /** @param pid the process to read; {@code -1} for this JVM, whose heap is read too */
    OshiProbe(long pid, Path dataDirectory, Clock clock) {
        this.system = new SystemInfo();
        int self = system.getOperatingSystem().getProcessId();
        this.pid = pid < 0 ? self : Math.toIntExact(pid);
        this.heap = this.pid == self ? ManagementFactory.getMemoryMXBean() : null;
        this.dataDirectory = dataDirectory;
        this.clock = clock;
        this.processor = system.getHardware().getProcessor();
        this.memory = system.getHardware().getMemory();
    }

    int pid() {
        return pid;
    }

    @Override
    public Reading read(Failures failures) {
        long nanoTime = System.nanoTime();
        Instant now = clock.instant();
        OSProcess p = refreshedProcess();
        if (p == null) {
            return null;
        }
        long[] ticks = attempt("system cpu", failures, processor::getSystemCpuLoadTicks);
        Integer cpus = attempt("system cpu", failures, processor::getLogicalProcessorCount);
        Long available = attempt("system memory", failures, memory::getAvailable);
        Long total = attempt("system memory", failures, memory::getTotal);
        long[] network = attempt("network", failures, this::networkBytes);
        return new Reading(nanoTime, now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                attempt("process cpu", failures, () -> (p.getUserTime() + p.getKernelTime()) * 1_000_000L),
                ticks, cpus,
                attempt("process memory", failures, () -> positive(p.getResidentSetSize())),
                heap == null ? null : attempt("heap", failures, () -> heap.getHeapMemoryUsage().getUsed()),
                total == null || available == null ? null : total - available, available,
                attempt("process io", failures, () -> positive(p.getBytesRead())),
                attempt("process io", failures, () -> positive(p.getBytesWritten())),
                attempt("disk usage", failures, this::diskUsedPercent),
                network == null ? null : network[0], network == null ? null : network[1],
                attempt("open files", failures, () -> Math.toIntExact(p.getOpenFiles())),
                attempt("threads", failures, p::getThreadCount),
                attempt("open files limit", failures, () -> openFilesLimit(p.getSoftOpenFileLimit())));
    }

    /** The process with fresh attributes, or {@code null} once it is gone (a zombie, ended but not reaped, too). */
    private OSProcess refreshedProcess() {
        if (process == null) {
            process = system.getOperatingSystem().getProcess(pid);
        } else if (!process.updateAttributes()) {
            return null;
        }
        return process == null || process.getState() == OSProcess.State.ZOMBIE ? null : process;
    }

    private long[] networkBytes() {
        if (interfaces == null) {
            interfaces = system.getHardware().getNetworkIFs(false);
        }
        long rx = 0;
        long tx = 0;
        for (NetworkIF nic : interfaces) {
            nic.updateAttributes();
            rx += nic.getBytesRecv();
            tx += nic.getBytesSent();
        }
        return new long[] {rx, tx};
    }

    /** As {@code df} computes Use%: used / (used + available to unprivileged users) × 100. */
    private double diskUsedPercent() {
        try {
            FileStore store = Files.getFileStore(existingAncestor(dataDirectory));
            long used = store.getTotalSpace() - store.getUnallocatedSpace();
            long usable = store.getUsableSpace();
            return used + usable == 0 ? 0 : used * 100.0 / (used + usable);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path existingAncestor(Path directory) {
        Path p = directory.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? directory.toAbsolutePath().getRoot() : p;
    }

    /**
     * OSHI reads the soft limit from {@code /proc/PID/limits} ("Max open files"); "unlimited" comes back as
     * {@code Long.MAX_VALUE} or below 0 and has no percentage: null.
     */
    private static Long openFilesLimit(long soft) {
        return soft <= 0 || soft == Long.MAX_VALUE ? null : soft;
    }

    /** OSHI returns 0 or -1 for what it could not read (a permission denied, a missing file): a failure here. */
    private static long positive(long value) {
        if (value < 0) {
            throw new IllegalStateException("not readable (got " + value + ")");
        }
        return value;
    }

    private static <T> T attempt(String probe, Failures failures, Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException | LinkageError e) {
            failures.failed(probe, e);
            return null;
        }
    }
}
