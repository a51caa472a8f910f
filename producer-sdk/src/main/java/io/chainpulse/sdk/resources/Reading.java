package io.chainpulse.sdk.resources;

/**
 * One raw reading of the probes: cumulative counters as the kernel keeps them, and levels. A {@code null} component
 * is a probe that failed (or does not apply, like the heap of a process that is not this JVM). Rates come from two
 * readings ({@link Samples}).
 *
 * @param nanoTime        {@link System#nanoTime()} when the reading was taken
 * @param epochNanos      wall clock of the reading, nanoseconds since the Unix epoch
 * @param processCpuNanos user + system CPU time of the process since it started
 * @param cpuTicks        the machine's CPU ticks since boot, in OSHI's {@code TickType} order (user, nice, system,
 *                        idle, iowait, irq, softirq, steal)
 * @param logicalCpus     logical processors of the machine
 * @param diskReadBytes   bytes the process read from storage since it started ({@code /proc/PID/io read_bytes})
 * @param diskWriteBytes  bytes the process wrote to storage since it started ({@code write_bytes})
 * @param netRxBytes      bytes received by the machine's non-loopback interfaces since boot
 * @param netTxBytes      bytes sent by them
 * @param openFdsLimit    the process's soft limit of open files ({@code /proc/PID/limits}); null when unknown
 */
record Reading(long nanoTime, long epochNanos, Long processCpuNanos, long[] cpuTicks, Integer logicalCpus,
               Long rssBytes, Long heapUsedBytes, Long memoryUsedBytes, Long memoryAvailableBytes,
               Long diskReadBytes, Long diskWriteBytes, Double diskUsedPercent, Long netRxBytes, Long netTxBytes,
               Integer openFds, Integer threads, Long openFdsLimit) {

    /** A reading without the open-files limit. */
    Reading(long nanoTime, long epochNanos, Long processCpuNanos, long[] cpuTicks, Integer logicalCpus, Long rssBytes,
            Long heapUsedBytes, Long memoryUsedBytes, Long memoryAvailableBytes, Long diskReadBytes,
            Long diskWriteBytes, Double diskUsedPercent, Long netRxBytes, Long netTxBytes, Integer openFds,
            Integer threads) {
        this(nanoTime, epochNanos, processCpuNanos, cpuTicks, logicalCpus, rssBytes, heapUsedBytes, memoryUsedBytes,
                memoryAvailableBytes, diskReadBytes, diskWriteBytes, diskUsedPercent, netRxBytes, netTxBytes, openFds,
                threads, null);
    }
}
