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
 * @param kpiCosts the processor's catch-up with a selection of KPIs each ({@code --kpi-costs}); empty: not measured
 * @param kpiCpuCosts each KPI's CPU cost in process ({@code --kpi-costs}, {@link KpiCpuCosts}); null: not measured
 */
public record BenchResult(Setup setup, Throughput throughput, Live live, Machine machine, String command,
                          String startedAt, List<KpiCost> kpiCosts, KpiCpuCosts.Result kpiCpuCosts) {

    public BenchResult {
        kpiCosts = List.copyOf(kpiCosts);
    }

    /** A run without the in-process CPU costs. */
    public BenchResult(Setup setup, Throughput throughput, Live live, Machine machine, String command,
                       String startedAt, List<KpiCost> kpiCosts) {
        this(setup, throughput, live, machine, command, startedAt, kpiCosts, null);
    }

    /** A run without the per-KPI costs. */
    public BenchResult(Setup setup, Throughput throughput, Live live, Machine machine, String command,
                       String startedAt) {
        this(setup, throughput, live, machine, command, startedAt, List.of());
    }

    /**
     * One catch-up of the processor computing only {@code kpis} (the processor's {@code kpis} key) over the same
     * events as the others, timed as the main catch-up is ({@link #throughput()}).
     *
     * @param configuration what it is, e.g. {@code eight + gas_per_s}
     * @param baseline true for a run of the original eight KPIs, which the costs are relative to
     */
    public record KpiCost(String configuration, boolean baseline, List<String> kpis, double eventsPerS,
                          double startUpS, double processingEventsPerS) {
        public KpiCost {
            kpis = List.copyOf(kpis);
        }

        /** The rate the costs compare: once running (start-up left out), or end to end when that was not measured. */
        public double comparedEventsPerS() {
            return Double.isNaN(processingEventsPerS) ? eventsPerS : processingEventsPerS;
        }
    }

    /** The baseline's rate: the mean of the runs of the eight KPIs ({@link KpiCost#comparedEventsPerS()}). */
    public double kpiCostBaselineEventsPerS() {
        return kpiCosts.stream().filter(KpiCost::baseline).mapToDouble(KpiCost::comparedEventsPerS).average()
                .orElse(Double.NaN);
    }

    /**
     * What {@code run} costs: the throughput it loses, in % (negative: faster), against the runs of the eight next to
     * it in time — the mean of the last one before it and the first one after it among {@code kpiCosts}; against the
     * mean of all of them for a run not among {@code kpiCosts} (the main catch-up).
     */
    public double kpiCostPct(KpiCost run) {
        double baseline = neighbours(run);
        return (baseline - run.comparedEventsPerS()) / baseline * 100;
    }

    private double neighbours(KpiCost run) {
        int at = kpiCosts.indexOf(run);
        if (at < 0) {
            return kpiCostBaselineEventsPerS();
        }
        java.util.List<Double> next = new java.util.ArrayList<>();
        for (int i = at - 1; i >= 0; i--) {
            if (kpiCosts.get(i).baseline()) {
                next.add(kpiCosts.get(i).comparedEventsPerS());
                break;
            }
        }
        for (int i = at + 1; i < kpiCosts.size(); i++) {
            if (kpiCosts.get(i).baseline()) {
                next.add(kpiCosts.get(i).comparedEventsPerS());
                break;
            }
        }
        return next.stream().mapToDouble(Double::doubleValue).average().orElse(kpiCostBaselineEventsPerS());
    }

    /** The noise: the spread (max − min) of the baseline's runs, in % of their mean. */
    public double kpiCostNoisePct() {
        double[] rates = kpiCosts.stream().filter(KpiCost::baseline).mapToDouble(KpiCost::comparedEventsPerS).toArray();
        if (rates.length < 2) {
            return Double.NaN;
        }
        double max = java.util.Arrays.stream(rates).max().getAsDouble();
        double min = java.util.Arrays.stream(rates).min().getAsDouble();
        return (max - min) / kpiCostBaselineEventsPerS() * 100;
    }

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
