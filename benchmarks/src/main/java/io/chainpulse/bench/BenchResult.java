package io.chainpulse.bench;

import java.util.List;

/**
 * Every figure of one {@code ./chainpulse bench} run. Throughputs are events (records) per second, latencies
 * milliseconds, memory mebibytes.
 *
 * @param throughput the catch-up figures, all over the same events in the same run
 * @param live the paced live phase with the processor in a child JVM and the Elasticsearch sink running
 * @param machine where it ran
 * @param command the exact command line
 * @param startedAt ISO-8601 instant the run started
 */
public record BenchResult(Setup setup, Throughput throughput, Live live, Machine machine, String command,
                          String startedAt) {

    /** What was run: scenario, sizes, processor windows. */
    public record Setup(String scenario, long events, int nodes, int recordSizeBytes, int partitions,
                        int streamThreads, long windowSizeMs, long graceMs, int processorXmxMb) {}

    /**
     * The catch-up figures. {@code processorEventsPerS} and {@code streamsFloorEventsPerS} are end to end from
     * {@code start()} of a new application (creating its internal topics included); the {@code …StartUpS} are the
     * seconds until every input partition had a committed offset, and the {@code …ProcessingEventsPerS} the rate after
     * that: a processor that comes back to a backlog has its topics already.
     */
    public record Throughput(double sdkEventsPerS, double producerPerfEventsPerS, double processorEventsPerS,
                             double consumerPerfEventsPerS, double streamsFloorEventsPerS, double processorStartUpS,
                             double processorProcessingEventsPerS, double streamsFloorStartUpS,
                             double streamsFloorProcessingEventsPerS) {
        public double processorToFloorProcessingRatio() {
            return processorProcessingEventsPerS / streamsFloorProcessingEventsPerS;
        }

        public double processorToFloorRatio() {
            return processorEventsPerS / streamsFloorEventsPerS;
        }

        public double processorToConsumerRatio() {
            return processorEventsPerS / consumerPerfEventsPerS;
        }

        public double sdkToProducerPerfRatio() {
            return sdkEventsPerS / producerPerfEventsPerS;
        }
    }

    /**
     * @param processorLagAtEnd input events the processor had not committed when the paced load ended
     * @param drainS seconds from the end of the paced load until the processor had committed all its input
     * @param kpiLatencyMs event timestamp → final KPI record read (read_committed), over the samples of each window
     * @param windowCloseLatencyMs window end → final KPI record read, over final records
     * @param networkWindowCloseLatencyMs the same, over network-scope records only
     * @param esVisibleLatencyMs window end → KPI document found by a search, over documents
     */
    public record Live(int targetRatePerS, double achievedRatePerS, double durationS, long events,
                       long processorLagAtEnd, double drainS, long finalKpiRecords, Percentiles kpiLatencyMs, Percentiles windowCloseLatencyMs,
                       Percentiles networkWindowCloseLatencyMs,
                       long esDocuments, long esDocumentsMissing, Percentiles esVisibleLatencyMs,
                       double processorHeapMaxMb, double processorHeapAfterGcMb, double processorRssMaxMb) {}

    public record Percentiles(long p50, long p95, long p99, long max) {}

    /** The machine and its load; {@code loadAverage} is the 1-minute load at start and at the end. */
    public record Machine(int cores, String cpuModel, long memoryMb, String java, String os,
                          List<Double> loadAverage) {}

    /** The live-latency target: window size + grace + 2 s. */
    public long kpiLatencyTargetMs() {
        return setup.windowSizeMs() + setup.graceMs() + 2_000;
    }

    /** The heap target with 100 nodes. */
    public static final int HEAP_TARGET_MB = 512;
}
