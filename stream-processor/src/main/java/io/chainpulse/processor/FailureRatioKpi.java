package io.chainpulse.processor;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
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
        WindowedStats.nodeAndNetwork(samples(events.of(complete), metric), metric, WindowedStats.Kind.LATENCY, ctx);
    }

    /** One sample per complete with an outcome, keyed by node as its input. */
    static KStream<String, Sample> samples(KStream<String, ProtocolEvent> completes, String metric) {
        return completes.filter((node, e) -> hasOutcome(e.getStatus()), Named.as(metric + "-events"))
                .mapValues((node, e) -> Sample.of(node, e.getStatus() == EventStatus.failure ? FAILED : SUCCEEDED),
                        Named.as(metric + "-samples"));
    }

    private static boolean hasOutcome(EventStatus status) {
        return status == EventStatus.success || status == EventStatus.failure;
    }
}
