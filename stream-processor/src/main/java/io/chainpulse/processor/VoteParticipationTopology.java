package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
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
 * {@code vote_participation_pct} (network): per height, in the window W of its first {@code block_finalization}, the
 * distinct nodes with a {@code consensus_vote} of that height (any round, conflicting or not) before W's end ÷ the
 * validators active in W × 100. Active in W: the distinct nodes with a {@code consensus_vote}, {@code
 * consensus_commit} or {@code block_finalization} of any height in W, and the height's voters (so the ratio never
 * passes 100). A validator that stops voting but still commits and finalizes lowers it; a silent node (no events at
 * all) does not — it is not active. One sample per height, so the window's mean is the participation.
 *
 * <p>Input: {@link ConsensusEvents} (one task); heights, windows and active nodes are a chain's. Heights of W are released once stream time is the grace past W's end,
 * when every event of W the event gate let through has arrived, so the value does not depend on arrival order. A
 * height is remembered for the pairing timeout after its release, so later finalizations of it are not counted again.
 */
public final class VoteParticipationTopology {
    public static final String METRIC = Kpi.VOTE_PARTICIPATION_PCT.metric();
    private static final String STORE = METRIC + "-heights";
    private static final Duration RELEASE_EVERY = Duration.ofSeconds(1);
    /** Store keys: a height's state, or a window's active nodes; within the chain ({@link Chains#scoped}). */
    private static final String HEIGHT = "h|";
    private static final String WINDOW = "w|";

    private VoteParticipationTopology() {}

    /** @param consensus the events of {@link ConsensusEvents#byNetwork}, all in one partition */
    public static void build(StreamsBuilder builder, KStream<String, ProtocolEvent> consensus, KpiContext ctx) {
        builder.addStateStore(WriteBackStore.builder(STORE, Serdes.String(), Serdes.ByteArray(), ctx.config()));
        KStream<String, Sample> samples = consensus.process(() -> new Participation(ctx),
                Named.as(METRIC + "-per-height"), STORE);
        WindowedStats.oneScope(samples, METRIC, KpiScope.network, WindowedStats.Kind.LATENCY, ctx);
    }

    private static final class Participation implements Processor<String, ProtocolEvent, String, Sample> {
        private final HeightRelease release;
        private ProcessorContext<String, Sample> context;
        private KeyValueStore<String, byte[]> store;

        Participation(KpiContext ctx) {
            this.release = new HeightRelease(ctx);
        }

        @Override
        public void init(ProcessorContext<String, Sample> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
            context.schedule(RELEASE_EVERY, PunctuationType.STREAM_TIME, this::release);
        }

        @Override
        public void process(Record<String, ProtocolEvent> record) {
            ProtocolEvent e = record.value();
            if (e.getEventType() == EventType.consensus_proposal) {
                return; // the leader's proposal is not a vote; its vote is
            }
            long ts = record.timestamp();
            String node = e.getNodeId();
            String chain = Chains.chainOf(record.key());
            String window = Chains.scoped(chain, WINDOW + release.windowStart(ts));
            byte[] active = store.get(window);
            Set<String> nodes = active == null ? new TreeSet<>() : strings(active);
            if (nodes.add(node)) {
                store.put(window, strings(nodes));
            }
            String key = Chains.scoped(chain, HEIGHT + e.getHeight());
            byte[] stored = store.get(key);
            Height h = stored == null ? Height.NEW : Height.decode(stored);
            if (h.released) {
                return;
            }
            if (e.getEventType() == EventType.block_finalization) {
                h = new Height(Math.min(h.firstFinalization, ts), Math.max(h.lastSeen, ts), false, h.voters);
            } else if (e.getEventType() == EventType.consensus_vote) {
                Map<String, Long> voters = new TreeMap<>(h.voters);
                voters.merge(node, ts, Math::min);
                h = new Height(h.firstFinalization, Math.max(h.lastSeen, ts), false, voters);
            } else {
                h = new Height(h.firstFinalization, Math.max(h.lastSeen, ts), false, h.voters);
            }
            store.put(key, h.encode());
        }

        private void release(long streamTime) {
            List<String> closed = new ArrayList<>();
            List<KeyValue<String, Height>> due = release.due(store, (key, bytes) -> {
                // no height can still finalize in a window whose end + grace has passed
                String local = Chains.keyOf(key);
                if (local.startsWith(WINDOW)) {
                    if (release.closed(Long.parseLong(local.substring(WINDOW.length())), streamTime)) {
                        closed.add(key);
                    }
                    return null;
                }
                return Height.decode(bytes);
            }, streamTime);
            for (KeyValue<String, Height> kv : due) {
                Height h = kv.value;
                String chain = Chains.chainOf(kv.key);
                long start = release.windowStart(h.firstFinalization);
                byte[] activeBytes = store.get(Chains.scoped(chain, WINDOW + start));
                Set<String> active = activeBytes == null ? new TreeSet<>() : strings(activeBytes);
                int voters = 0;
                for (Map.Entry<String, Long> vote : h.voters.entrySet()) {
                    if (vote.getValue() < release.windowEnd(start)) {
                        voters++;
                        active.add(vote.getKey());
                    }
                }
                context.forward(new Record<>(Chains.scoped(chain, WindowedStats.NETWORK),
                        Sample.of(WindowedStats.NETWORK, 100.0 * voters / active.size()), h.firstFinalization));
                store.put(kv.key, new Height(h.firstFinalization, Math.max(h.lastSeen, streamTime), true, Map.of())
                        .encode());
            }
            closed.forEach(store::delete);
        }
    }

    /** One height: earliest finalization (ms; {@code Long.MAX_VALUE} before one), latest event, released, voter → earliest vote. */
    private record Height(long firstFinalization, long lastSeen, boolean released, Map<String, Long> voters)
            implements HeightRelease.Height {
        static final Height NEW = new Height(Long.MAX_VALUE, Long.MIN_VALUE, false, Map.of());

        byte[] encode() {
            List<byte[]> names = new ArrayList<>();
            int size = 8 + 8 + 1 + 4;
            for (String voter : voters.keySet()) {
                byte[] name = voter.getBytes(StandardCharsets.UTF_8);
                names.add(name);
                size += 4 + name.length + 8;
            }
            ByteBuffer out = ByteBuffer.allocate(size).putLong(firstFinalization).putLong(lastSeen)
                    .put((byte) (released ? 1 : 0)).putInt(voters.size());
            int i = 0;
            for (long time : voters.values()) {
                out.putInt(names.get(i).length).put(names.get(i)).putLong(time);
                i++;
            }
            return out.array();
        }

        static Height decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            long first = in.getLong();
            long last = in.getLong();
            boolean released = in.get() == 1;
            int n = in.getInt();
            Map<String, Long> voters = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                byte[] name = new byte[in.getInt()];
                in.get(name);
                voters.put(new String(name, StandardCharsets.UTF_8), in.getLong());
            }
            return new Height(first, last, released, voters);
        }
    }

    private static byte[] strings(Set<String> values) {
        return String.join("\n", values).getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> strings(byte[] bytes) {
        Set<String> out = new TreeSet<>();
        if (bytes.length > 0) {
            out.addAll(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n")));
        }
        return out;
    }
}
