package io.chainpulse.processor;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code block_time_ms}: at a node, finalization time of height h − finalization time of height h−1, in the window
 * of h's finalization. Either height may arrive first; a repeated finalization of a height is counted as duplicate.
 * Finalization times are kept for the pairing timeout of stream time. Input: on-time events keyed by node.
 */
public final class BlockTimeTopology {
    public static final String METRIC = Kpi.BLOCK_TIME_MS.metric();
    private static final String STORE = METRIC + "-finalizations";

    private BlockTimeTopology() {}

    public static void build(StreamsBuilder builder, EventsByType events, KpiContext ctx) {
        builder.addStateStore(WriteBackStore.builder(STORE, Serdes.String(), Serdes.Long(), ctx.config()));
        KStream<String, Sample> samples = events.of(EventType.block_finalization)
                .filter((node, e) -> e.getHeight() != null, Named.as(METRIC + "-finalizations"))
                .processValues(() -> new Consecutive(ctx), Named.as(METRIC + "-consecutive"), STORE);
        WindowedStats.nodeAndNetwork(samples, METRIC, WindowedStats.Kind.LATENCY, ctx);
    }

    private static final class Consecutive implements FixedKeyProcessor<String, ProtocolEvent, Sample> {
        private final KpiContext ctx;
        private FixedKeyProcessorContext<String, Sample> context;
        private KeyValueStore<String, Long> finalized;

        Consecutive(KpiContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Sample> context) {
            this.context = context;
            this.finalized = context.getStateStore(STORE);
            long timeout = ctx.config().pairingTimeout().toMillis();
            context.schedule(Duration.ofMillis(Math.max(1_000, timeout / 4)), PunctuationType.STREAM_TIME, now -> {
                List<String> old = new ArrayList<>();
                try (KeyValueIterator<String, Long> all = finalized.all()) {
                    all.forEachRemaining(kv -> {
                        if (kv.value / 1_000_000L < now - timeout) {
                            old.add(kv.key);
                        }
                    });
                }
                old.forEach(finalized::delete);
            });
        }

        @Override
        public void process(FixedKeyRecord<String, ProtocolEvent> record) {
            ProtocolEvent e = record.value();
            String node = record.key(); // within its chain: two chains' heights never meet
            long h = e.getHeight();
            if (finalized.get(node + "|" + h) != null) {
                ctx.counters().increment("duplicate", METRIC, node);
                return;
            }
            long ts = e.getTimestampNs();
            finalized.put(node + "|" + h, ts);
            Long previous = finalized.get(node + "|" + (h - 1));
            if (previous != null) {
                context.forward(record.withValue(sample(node, ts - previous)).withTimestamp(Math.floorDiv(ts, 1_000_000L)));
            }
            Long next = finalized.get(node + "|" + (h + 1));
            if (next != null) {
                context.forward(record.withValue(sample(node, next - ts)).withTimestamp(Math.floorDiv(next, 1_000_000L)));
            }
        }

        private Sample sample(String node, long deltaNs) {
            double ms = deltaNs / 1e6;
            return new Sample(node, ms, ms < 0 || ms > ctx.config().maxLatencyMs());
        }
    }
}
