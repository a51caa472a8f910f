package io.chainpulse.sdk.resources;

import io.chainpulse.schema.NodeResourceSample;

/**
 * Turns two {@link Reading}s into a {@link NodeResourceSample}: percentages and byte deltas over the time between
 * them, levels from the later one. Pure arithmetic, no I/O.
 *
 * <ul>
 *   <li>{@code process_cpu_percent} = Δ process CPU time / Δ wall time × 100 (0–100 × cores);</li>
 *   <li>{@code cpu_percent} = (Δ all ticks − Δ idle − Δ iowait) / Δ all ticks × 100 × logical CPUs (0–100 × cores,
 *       the schema's unit);</li>
 *   <li>{@code disk_*_bytes}, {@code net_*_bytes}: Δ of the counter since the previous reading, 0 when it went
 *       backwards (a counter reset, an interface that disappeared);</li>
 *   <li>{@code cpu_cores}, {@code open_fds_limit}: from the later reading;</li>
 *   <li>a probe missing in either reading leaves 0 in a required field and {@code null} in an optional one.</li>
 * </ul>
 */
final class Samples {
    private static final int IDLE = 3;
    private static final int IOWAIT = 4;

    private Samples() {}

    static NodeResourceSample between(String nodeId, String chainId, Reading previous, Reading current,
                                      NodeGauges gauges) {
        long wallNanos = current.nanoTime() - previous.nanoTime();
        return NodeResourceSample.newBuilder()
                .setNodeId(nodeId)
                .setChainId(chainId)
                .setTimestampNs(current.epochNanos())
                .setCpuPercent(orZero(systemCpuPercent(previous.cpuTicks(), current.cpuTicks(), current.logicalCpus())))
                .setProcessCpuPercent(orZero(processCpuPercent(previous.processCpuNanos(), current.processCpuNanos(),
                        wallNanos)))
                .setHeapUsedBytes(orZero(current.heapUsedBytes()))
                .setRssBytes(orZero(current.rssBytes()))
                .setDiskReadBytes(orZero(delta(previous.diskReadBytes(), current.diskReadBytes())))
                .setDiskWriteBytes(orZero(delta(previous.diskWriteBytes(), current.diskWriteBytes())))
                .setNetRxBytes(orZero(delta(previous.netRxBytes(), current.netRxBytes())))
                .setNetTxBytes(orZero(delta(previous.netTxBytes(), current.netTxBytes())))
                .setOpenFds(current.openFds() == null ? 0 : current.openFds())
                .setMempoolSize(gauges == null ? 0 : gauges.mempoolSize())
                .setPeerCount(gauges == null ? null : gauges.peerCount())
                .setSystemMemoryUsedBytes(current.memoryUsedBytes())
                .setSystemMemoryAvailableBytes(current.memoryAvailableBytes())
                .setDiskUsedPercent(current.diskUsedPercent())
                .setThreads(current.threads())
                .setSampleIntervalNs(wallNanos)
                .setCpuCores(current.logicalCpus())
                .setOpenFdsLimit(current.openFdsLimit())
                .build();
    }

    static Double processCpuPercent(Long previousCpuNanos, Long currentCpuNanos, long wallNanos) {
        if (previousCpuNanos == null || currentCpuNanos == null || wallNanos <= 0) {
            return null;
        }
        return Math.max(0, currentCpuNanos - previousCpuNanos) * 100.0 / wallNanos;
    }

    static Double systemCpuPercent(long[] previousTicks, long[] currentTicks, Integer logicalCpus) {
        if (previousTicks == null || currentTicks == null || logicalCpus == null
                || previousTicks.length != currentTicks.length || currentTicks.length <= IOWAIT) {
            return null;
        }
        long total = 0;
        for (int i = 0; i < currentTicks.length; i++) {
            total += currentTicks[i] - previousTicks[i];
        }
        long idle = currentTicks[IDLE] - previousTicks[IDLE] + currentTicks[IOWAIT] - previousTicks[IOWAIT];
        if (total <= 0) {
            return null;
        }
        return Math.max(0, total - idle) * 100.0 * logicalCpus / total;
    }

    static Long delta(Long previous, Long current) {
        if (previous == null || current == null) {
            return null;
        }
        return Math.max(0, current - previous);
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
