package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code consensus_rounds} (network): per height, in the window of its first {@code block_finalization}, the highest
 * {@code round} of its proposal, vote and commit events before that window's end, + 1; and {@code
 * round_changes_per_min} (network): the heights among them that needed more than one round ÷ window seconds — per
 * second, like every rate ({@code rate_per_s}), whatever the name says.
 *
 * <p>Input: {@link ConsensusEvents} (one task); heights are a chain's, and so is the network each KPI is of. A height is released once stream time is the grace past the end of
 * its first finalization's window: every event of that window that the event gate let through has arrived by then, and
 * only rounds seen before the window's end count, so the value does not depend on the order events arrive in. A height
 * is remembered for the pairing timeout after its release, so later finalizations of it are not counted again.
 */
public final class ConsensusRoundsTopology {
    public static final String METRIC = Kpi.CONSENSUS_ROUNDS.metric();
    public static final String ROUND_CHANGES = Kpi.ROUND_CHANGES_PER_MIN.metric();
    private static final String STORE = METRIC + "-heights";
    private static final Duration RELEASE_EVERY = Duration.ofSeconds(1);

    private ConsensusRoundsTopology() {}

    /**
     * Both KPIs, or the one of them the configuration selects (the per-height stage, named after
     * {@code consensus_rounds}, serves both).
     *
     * @param consensus the events of {@link ConsensusEvents#byNetwork}, all in one partition
     */
    public static void build(StreamsBuilder builder, KStream<String, ProtocolEvent> consensus, KpiContext ctx) {
        builder.addStateStore(WriteBackStore.builder(STORE, ChainHeight.SERDE, Serdes.ByteArray(), ctx.config()));
        KStream<String, Sample> rounds = consensus.process(() -> new Rounds(ctx), Named.as(METRIC + "-per-height"), STORE);
        if (ctx.config().computes(Kpi.CONSENSUS_ROUNDS)) {
            WindowedStats.oneScope(rounds, METRIC, KpiScope.network, WindowedStats.Kind.LATENCY, ctx);
        }
        if (ctx.config().computes(Kpi.ROUND_CHANGES_PER_MIN)) {
            KStream<String, Sample> changes = rounds.mapValues(
                    s -> Sample.of(WindowedStats.NETWORK, s.value() > 1 ? 1 : 0), Named.as(ROUND_CHANGES + "-samples"));
            WindowedStats.oneScope(changes, ROUND_CHANGES, KpiScope.network, WindowedStats.Kind.RATE, ctx);
        }
    }

    /**
     * A height of a chain (null: the default chain), the store's key. Stored as the height's 8 bytes, then the chain's
     * UTF-8 bytes on a chain other than the default: a key of the default chain is stored as it was before chains.
     */
    record ChainHeight(String chain, long height) implements Comparable<ChainHeight> {
        static final Serde<ChainHeight> SERDE = Serdes.serdeFrom(
                (Serializer<ChainHeight>) (topic, k) -> {
                    byte[] chain = k.chain == null ? new byte[0] : k.chain.getBytes(StandardCharsets.UTF_8);
                    return ByteBuffer.allocate(8 + chain.length).putLong(k.height).put(chain).array();
                },
                (Deserializer<ChainHeight>) (topic, bytes) -> new ChainHeight(bytes.length == 8 ? null
                        : new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8), ByteBuffer.wrap(bytes).getLong()));

        @Override
        public int compareTo(ChainHeight other) {
            int byChain = chain == null ? (other.chain == null ? 0 : -1)
                    : other.chain == null ? 1 : chain.compareTo(other.chain);
            return byChain != 0 ? byChain : Long.compare(height, other.height);
        }
    }

    /** Height → its state ({@link Height}); releases each height's rounds once. */
    private static final class Rounds implements Processor<String, ProtocolEvent, String, Sample> {
        private final HeightRelease release;
        private ProcessorContext<String, Sample> context;
        private KeyValueStore<ChainHeight, byte[]> heights;

        Rounds(KpiContext ctx) {
            this.release = new HeightRelease(ctx);
        }

        @Override
        public void init(ProcessorContext<String, Sample> context) {
            this.context = context;
            this.heights = context.getStateStore(STORE);
            context.schedule(RELEASE_EVERY, PunctuationType.STREAM_TIME, this::release);
        }

        @Override
        public void process(Record<String, ProtocolEvent> record) {
            ProtocolEvent e = record.value();
            long ts = record.timestamp();
            ChainHeight key = new ChainHeight(Chains.chainOf(record.key()), e.getHeight());
            byte[] stored = heights.get(key);
            Height h = stored == null ? Height.NEW : Height.decode(stored);
            if (h.released) {
                return; // its window is out; later finalizations of it are the other nodes'
            }
            if (e.getEventType() == EventType.block_finalization) {
                h = h.finalizedAt(ts);
            } else if (e.getRound() != null) {
                h = h.round(release.windowStart(ts), e.getRound());
            }
            heights.put(key, h.seen(ts).encode());
        }

        private void release(long streamTime) {
            for (KeyValue<ChainHeight, Height> kv : release.due(heights, (height, bytes) -> Height.decode(bytes),
                    streamTime)) {
                Height h = kv.value;
                long end = release.windowEnd(h.firstFinalization);
                int highest = -1;
                for (int i = 0; i < h.windows.length; i++) {
                    if (h.windows[i] < end) {
                        highest = Math.max(highest, h.highest[i]);
                    }
                }
                int rounds = Math.max(highest, 0) + 1;
                context.forward(new Record<>(Chains.scoped(kv.key.chain(), WindowedStats.NETWORK),
                        Sample.of(WindowedStats.NETWORK, rounds),
                        h.firstFinalization));
                heights.put(kv.key, new Height(h.firstFinalization, Math.max(h.lastSeen, streamTime), true,
                        new long[0], new int[0]).encode());
            }
        }
    }

    /**
     * One height: its earliest finalization (ms; {@code Long.MAX_VALUE} before one), the latest event time seen, whether
     * it was released, and the highest round seen in each window its round events fell in.
     */
    private record Height(long firstFinalization, long lastSeen, boolean released, long[] windows, int[] highest)
            implements HeightRelease.Height {
        static final Height NEW = new Height(Long.MAX_VALUE, Long.MIN_VALUE, false, new long[0], new int[0]);

        Height finalizedAt(long ms) {
            return new Height(Math.min(firstFinalization, ms), lastSeen, released, windows, highest);
        }

        Height seen(long ms) {
            return new Height(firstFinalization, Math.max(lastSeen, ms), released, windows, highest);
        }

        Height round(long windowStart, int round) {
            for (int i = 0; i < windows.length; i++) {
                if (windows[i] == windowStart) {
                    int[] raised = highest.clone();
                    raised[i] = Math.max(raised[i], round);
                    return new Height(firstFinalization, lastSeen, released, windows, raised);
                }
            }
            long[] w = java.util.Arrays.copyOf(windows, windows.length + 1);
            int[] r = java.util.Arrays.copyOf(highest, highest.length + 1);
            w[windows.length] = windowStart;
            r[highest.length] = round;
            return new Height(firstFinalization, lastSeen, released, w, r);
        }

        byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(8 + 8 + 1 + 4 + windows.length * 12)
                    .putLong(firstFinalization).putLong(lastSeen).put((byte) (released ? 1 : 0)).putInt(windows.length);
            for (int i = 0; i < windows.length; i++) {
                out.putLong(windows[i]).putInt(highest[i]);
            }
            return out.array();
        }

        static Height decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            long first = in.getLong();
            long last = in.getLong();
            boolean released = in.get() == 1;
            int n = in.getInt();
            long[] windows = new long[n];
            int[] highest = new int[n];
            for (int i = 0; i < n; i++) {
                windows[i] = in.getLong();
                highest[i] = in.getInt();
            }
            return new Height(first, last, released, windows, highest);
        }
    }
}
