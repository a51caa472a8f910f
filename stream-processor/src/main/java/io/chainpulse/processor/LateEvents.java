package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Splits the event stream: events whose window is still open (window end + grace after stream time) go on; the rest
 * go to the late-events topic with the reason in the header {@value #REASON_HEADER} and are counted per node —
 * never dropped silently, as Kafka Streams' own windows would.
 *
 * <p>{@code events → late gate → on time → KPI topologies; late → chainpulse.late-events}
 */
public final class LateEvents {
    public static final String REASON_HEADER = "chainpulse.reason";

    private LateEvents() {}

    /** A record and, when it is late, why. Lives between the gate and the split only: no serde needed. */
    record Gated(ProtocolEvent event, String lateReason) {}

    static KStream<String, ProtocolEvent> gate(KStream<String, ProtocolEvent> events, KpiContext ctx) {
        long size = ctx.windowSize().toMillis();
        long grace = ctx.grace().toMillis();
        Map<String, KStream<String, Gated>> branches = events
                .processValues(() -> new Gate(size, grace, ctx.counters()), Named.as("late-gate"))
                .split(Named.as("late-split-"))
                .branch((node, gated) -> gated.lateReason() != null, Branched.as("late"))
                .defaultBranch(Branched.as("on-time"));
        branches.get("late-split-late").mapValues(Gated::event, Named.as("late-unwrap"))
                .to(ctx.late().name(), ctx.late().produced());
        return branches.get("late-split-on-time").mapValues(Gated::event, Named.as("on-time-unwrap"));
    }

    private static final class Gate implements FixedKeyProcessor<String, ProtocolEvent, Gated> {
        private final long size;
        private final long grace;
        private final ProcessorCounters counters;
        private FixedKeyProcessorContext<String, Gated> context;

        Gate(long size, long grace, ProcessorCounters counters) {
            this.size = size;
            this.grace = grace;
            this.counters = counters;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Gated> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, ProtocolEvent> record) {
            long ts = record.timestamp();
            long windowEnd = Math.floorDiv(ts, size) * size + size;
            long streamTime = context.currentStreamTimeMs();
            if (windowEnd + grace <= streamTime) {
                String reason = "late: event time " + Instant.ofEpochMilli(ts) + " is " + (streamTime - ts)
                        + " ms behind stream time " + Instant.ofEpochMilli(streamTime) + "; its window closed at "
                        + Instant.ofEpochMilli(windowEnd + grace) + " (grace " + grace + " ms)";
                counters.increment("late", "events", record.value().getNodeId());
                record.headers().add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
                context.forward(record.withValue(new Gated(record.value(), reason)));
            } else {
                context.forward(record.withValue(new Gated(record.value(), null)));
            }
        }
    }
}
