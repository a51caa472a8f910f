package io.chainpulse.processor;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The shape every failure-ratio KPI shares: each complete with an outcome is one sample, 100 when it failed and 0 when
 * it succeeded, so a window's mean is the failure percentage and node windows merge into the network's exactly.
 * A complete without a status, or with {@code UNKNOWN}, says nothing about the outcome and is not a sample.
 */
final class FailureRatioKpi {
    static final double FAILED = 100;
    static final double SUCCEEDED = 0;

    private FailureRatioKpi() {}

    /** Node and network failure percentages of the {@code complete} events (the input is keyed by node). */
    static void of(EventsByType events, EventType complete, String metric, KpiContext ctx) {
        KStream<String, Sample> samples = events.of(complete)
                .filter((node, e) -> hasOutcome(e.getStatus()), Named.as(metric + "-events"))
                .mapValues((node, e) -> Sample.of(node, e.getStatus() == EventStatus.failure ? FAILED : SUCCEEDED),
                        Named.as(metric + "-samples"));
        WindowedStats.nodeAndNetwork(samples, metric, WindowedStats.Kind.LATENCY, ctx);
    }

    private static boolean hasOutcome(EventStatus status) {
        return status == EventStatus.success || status == EventStatus.failure;
    }
}
