package io.chainpulse.processor;

import io.chainpulse.processor.Blocks.Block;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code leader_share_pct} (node scope only): the distinct blocks of the window whose {@code leader} a node is ÷ all
 * distinct blocks of the window × 100. Each block counts once, in the window of its earliest finalization, with that
 * finalization's {@code leader} ({@link Blocks#distinct()}); a block without a leader counts in the denominator only.
 *
 * <p>A share needs every block of the window, so it is computed where the distinct blocks already meet: the one
 * network task. That stage keeps, per open window, the number of blocks and each leader's; when the window closes
 * (stream time past its end plus grace, as the network {@code tps} window) it emits one node-scope window per leader
 * of the window and per node that led a block in a window closed up to the pairing timeout before — a node that
 * stops leading reports 0 % rather than going silent. A block for a window already closed is counted {@code late}
 * for {@code network}. Each chain's blocks and leaders are apart (one state per chain); windows close on the stage's
 * stream time, the latest block of any chain.
 *
 * <p>The window is a ratio in the catalog's sense: each block of the window is a sample of 100 for its leader and 0
 * for every other node, so {@code count} is the number of blocks in the window, {@code mean} is the share in %, the
 * node's blocks are {@code count × mean / 100}, and windows merge (their sketches, or count-weighted means) into the
 * share of a longer period.
 */
public final class LeaderShareTopology {
    public static final String METRIC = Kpi.LEADER_SHARE_PCT.metric();
    private static final String STORE = METRIC + "-network-windows";

    private LeaderShareTopology() {}

    static void build(StreamsBuilder builder, Blocks blocks, KpiContext ctx) {
        build(builder, blocks.distinct(), ctx);
    }

    /** The stage over {@code distinct}: each block once, keyed {@code network}, at its earliest finalization. */
    static void build(StreamsBuilder builder, KStream<String, Block> distinct, KpiContext ctx) {
        builder.addStateStore(WriteBackStore.builder(STORE, Serdes.String(), State.SERDE, ctx.config()));
        distinct
                .process(() -> new Shares(ctx), Named.as(METRIC + "-network-window"), STORE)
                .to(ctx.kpis().name(), Produced.with(ctx.kpis().keySerde(), ctx.kpis().valueSerde())
                        .withName(METRIC + "-kpis"));
    }

    /** One open window: its blocks, and each leader's. */
    static final class Window {
        int blocks;
        final TreeMap<String, Integer> led = new TreeMap<>();
    }

    /**
     * The stage's state, one store entry: stream time, the start of the last closed window, the open windows by
     * start, and the nodes remembered as leaders (node → start of the last closed window it led a block in).
     */
    static final class State {
        long streamTime = Long.MIN_VALUE;
        long closedThrough = Long.MIN_VALUE;
        final TreeMap<Long, Window> open = new TreeMap<>();
        final TreeMap<String, Long> leaders = new TreeMap<>();

        static final Serde<State> SERDE = Serdes.serdeFrom((Serializer<State>) (topic, s) -> s.encode(),
                (Deserializer<State>) (topic, bytes) -> decode(bytes));

        private byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(size()).putLong(streamTime).putLong(closedThrough).putInt(open.size());
            open.forEach((start, w) -> {
                out.putLong(start).putInt(w.blocks).putInt(w.led.size());
                w.led.forEach((node, n) -> putString(out, node).putInt(n));
            });
            out.putInt(leaders.size());
            leaders.forEach((node, start) -> putString(out, node).putLong(start));
            return out.array();
        }

        private int size() {
            int size = 8 + 8 + 4 + 4;
            for (Window w : open.values()) {
                size += 8 + 4 + 4;
                for (String node : w.led.keySet()) {
                    size += 4 + node.getBytes(StandardCharsets.UTF_8).length + 4;
                }
            }
            for (String node : leaders.keySet()) {
                size += 4 + node.getBytes(StandardCharsets.UTF_8).length + 8;
            }
            return size;
        }

        private static State decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            State s = new State();
            s.streamTime = in.getLong();
            s.closedThrough = in.getLong();
            for (int i = in.getInt(); i > 0; i--) {
                Window w = new Window();
                long start = in.getLong();
                w.blocks = in.getInt();
                for (int j = in.getInt(); j > 0; j--) {
                    w.led.put(getString(in), in.getInt());
                }
                s.open.put(start, w);
            }
            for (int i = in.getInt(); i > 0; i--) {
                s.leaders.put(getString(in), in.getLong());
            }
            return s;
        }

        private static ByteBuffer putString(ByteBuffer out, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return out.putInt(b.length).put(b);
        }

        private static String getString(ByteBuffer in) {
            byte[] b = new byte[in.getInt()];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static final class Shares implements Processor<String, Block, String, KpiWindow> {
        private final KpiContext ctx;
        private final long size;
        private final long grace;
        private final long remember;
        private ProcessorContext<String, KpiWindow> context;
        private KeyValueStore<String, State> store;

        Shares(KpiContext ctx) {
            this.ctx = ctx;
            this.size = ctx.windowSize().toMillis();
            this.grace = ctx.grace().toMillis();
            this.remember = ctx.config().pairingTimeout().toMillis();
        }

        @Override
        public void init(ProcessorContext<String, KpiWindow> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, Block> record) {
            // one state per chain, under the chain's network key; stream time is the stage's (the latest of them)
            TreeMap<String, State> chains = new TreeMap<>();
            try (KeyValueIterator<String, State> all = store.all()) {
                all.forEachRemaining(kv -> chains.put(kv.key, kv.value));
            }
            State state = chains.computeIfAbsent(record.key(), k -> new State());
            long ts = record.timestamp();
            long start = ts - Math.floorMod(ts, size);
            long streamTime = ts;
            for (State chain : chains.values()) {
                streamTime = Math.max(streamTime, chain.streamTime);
            }
            state.streamTime = streamTime;
            if (start <= state.closedThrough || start + size + grace <= state.streamTime) {
                ctx.counters().increment("late", METRIC, record.key());
            } else {
                Window window = state.open.computeIfAbsent(start, s -> new Window());
                window.blocks++;
                if (record.value().leader() != null) {
                    window.led.merge(record.value().leader(), 1, Integer::sum);
                }
            }
            store.put(record.key(), state);
            // every chain's windows close on the stage's time, as every key's in a window stage: a chain whose blocks
            // stop still reports its last windows
            for (Map.Entry<String, State> chain : chains.entrySet()) {
                State s = chain.getValue();
                if (close(s, streamTime - size - grace, Chains.chainOf(chain.getKey())) || s.streamTime < streamTime) {
                    s.streamTime = streamTime;
                    store.put(chain.getKey(), s);
                }
            }
        }

        /**
         * Emits and forgets every window of the chain ({@code chain} null: the default) starting at or before
         * {@code lastStart}, in start order; true when that closed any.
         */
        private boolean close(State state, long lastStart, String chain) {
            if (lastStart <= state.closedThrough) {
                return false;
            }
            state.closedThrough = lastStart;
            Map<Long, Window> closed = state.open.headMap(lastStart, true);
            for (Map.Entry<Long, Window> entry : closed.entrySet()) {
                long start = entry.getKey();
                Window window = entry.getValue();
                TreeSet<String> nodes = new TreeSet<>(window.led.keySet());
                state.leaders.forEach((node, last) -> {
                    if (last >= start - remember) {
                        nodes.add(node);
                    }
                });
                for (String node : nodes) {
                    KpiWindow kpi = WindowedStats.toKpi(METRIC, KpiScope.node, node, chain, start, start + size,
                            shares(node, window.led.getOrDefault(node, 0), window.blocks), WindowedStats.Kind.LATENCY,
                            ctx.windowSize());
                    context.forward(new Record<>(WindowedStats.key(METRIC, KpiScope.node, node, start, chain), kpi,
                            start + size - 1));
                }
                window.led.keySet().forEach(node -> state.leaders.put(node, start));
                state.leaders.values().removeIf(last -> last < start - remember);
            }
            closed.clear();
            return true;
        }

        /** The window as samples: 100 for each block {@code node} led, 0 for each other block. */
        private static Stats shares(String node, int led, int blocks) {
            Stats stats = Stats.empty();
            for (int i = 0; i < blocks; i++) {
                stats.add(Sample.of(node, i < led ? 100 : 0), true);
            }
            return stats;
        }
    }
}
