package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import io.chainpulse.schema.ProtocolEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Pairs start and complete events by a key (node + height, node + tx id, block hash …) and emits one latency
 * {@link Sample} per pair, at the completing node and the completing event's time. Either side may arrive first.
 * A pair whose partner does not come within the pairing timeout of stream time is evicted and counted as unpaired,
 * so the store holds only pairs still in flight. A second start for the same key is counted as a duplicate and the
 * earlier one kept.
 *
 * @see Spec how a KPI says what pairs and how to measure it
 */
final class Pairing {

    /** Start or complete side of an event for one KPI. */
    enum Role { START, COMPLETE, IGNORE }

    /** What a complete that never meets its start is. */
    enum LoneComplete {
        /** A fault: evicted after the pairing timeout and counted {@code unpaired_complete}. */
        UNPAIRED,
        /**
         * Normal (a block finalization at a node that did not create the block): it still waits — its start may
         * arrive after it — and is evicted silently.
         */
        NORMAL
    }

    /**
     * What one latency KPI pairs. Whichever side arrives first waits for the other, so a KPI does not depend on the
     * order of its events within the pairing timeout.
     *
     * @param key the pair's key from the record's key (the node within its chain for a same-node pairing, else what
     *            the events were repartitioned by) and the event; null when the correlation field is missing. It must
     *            keep chains apart: a pair never joins two chains' events
     * @param oneToMany true when one start pairs with many completes (propagation: one origin, every receiver)
     * @param preferDuration true when the complete event's own {@code duration_ns} wins over the timestamp delta
     * @param loneComplete whether a complete that never meets its start is counted as unpaired
     */
    record Spec(String metric, Function<ProtocolEvent, Role> role, BiFunction<String, ProtocolEvent, String> key,
                boolean oneToMany, boolean preferDuration, LoneComplete loneComplete) {

        Spec(String metric, Function<ProtocolEvent, Role> role, BiFunction<String, ProtocolEvent, String> key,
             boolean oneToMany, boolean preferDuration) {
            this(metric, role, key, oneToMany, preferDuration, LoneComplete.UNPAIRED);
        }
    }

    private static final int MAX_WAITING = 256;
    private final Spec spec;
    private final String storeName;
    private final long timeoutMs;
    private final double maxLatencyMs;
    private final ProcessorCounters counters;
    private KeyValueStore<String, PairState> store;
    private Emitter emitter;

    /** Where a sample goes: keyed by its node within its chain, at the completing event's time. */
    interface Emitter {
        void emit(String node, Sample sample, long timestampMs);
    }

    Pairing(Spec spec, String storeName, Duration timeout, double maxLatencyMs, ProcessorCounters counters) {
        this.spec = spec;
        this.storeName = storeName;
        this.timeoutMs = timeout.toMillis();
        this.maxLatencyMs = maxLatencyMs;
        this.counters = counters;
    }

    static StoreBuilder<WriteBackStore<String, PairState>> store(String name, ProcessorConfig config) {
        return WriteBackStore.builder(name, Serdes.String(), PairState.SERDE, config);
    }

    /** The processor when samples change key (pairs across nodes, e.g. by block hash). */
    Processor<String, ProtocolEvent, String, Sample> rekeying() {
        return new Processor<>() {
            @Override
            public void init(ProcessorContext<String, Sample> context) {
                open(context.getStateStore(storeName), (node, sample, ts) -> context.forward(new Record<>(node, sample, ts)));
                context.schedule(Duration.ofMillis(Math.max(1_000, timeoutMs / 4)), PunctuationType.STREAM_TIME, Pairing.this::evict);
            }

            @Override
            public void process(Record<String, ProtocolEvent> record) {
                ProtocolEvent e = record.value();
                handle(record.key(), Chains.scoped(e.getChainId(), e.getNodeId()), e, record.timestamp());
            }
        };
    }

    /** The processor when pairs are within the node the input is keyed by: no repartition afterwards. */
    FixedKeyProcessor<String, ProtocolEvent, Sample> sameKey() {
        return new FixedKeyProcessor<>() {
            private FixedKeyRecord<String, ProtocolEvent> current;

            @Override
            public void init(FixedKeyProcessorContext<String, Sample> context) {
                open(context.getStateStore(storeName), (node, sample, ts) ->
                        context.forward(current.withValue(sample).withTimestamp(ts)));
                context.schedule(Duration.ofMillis(Math.max(1_000, timeoutMs / 4)), PunctuationType.STREAM_TIME, Pairing.this::evict);
            }

            @Override
            public void process(FixedKeyRecord<String, ProtocolEvent> record) {
                current = record;
                handle(record.key(), record.key(), record.value(), record.timestamp());
            }
        };
    }

    private void open(KeyValueStore<String, PairState> store, Emitter emitter) {
        this.store = store;
        this.emitter = emitter;
    }

    /**
     * @param recordKey the record's key, for {@link Spec#key}
     * @param node      the event's node within its chain: where its sample goes and what its counters name
     */
    void handle(String recordKey, String node, ProtocolEvent event, long recordTimestamp) {
        Record<String, ProtocolEvent> record = new Record<>(node, event, recordTimestamp);
        Role role = spec.role().apply(event);
        if (role == Role.IGNORE) {
            return;
        }
        String key = spec.key().apply(recordKey, event);
        if (key == null) {
            return; // the correlation field is missing: nothing to pair on
        }
        PairState state = store.get(key);
        if (state == null) {
            state = new PairState(Long.MIN_VALUE, null, new ArrayList<>(), record.timestamp(), false);
        }
        if (role == Role.START) {
            if (state.startNs != Long.MIN_VALUE) {
                counters.increment("duplicate", spec.metric(), node);
                if (event.getTimestampNs() >= state.startNs) {
                    return;
                }
            }
            state = new PairState(event.getTimestampNs(), node, state.waiting, record.timestamp(), state.matched);
            for (Waiting w : state.waiting) {
                emit(state, w.node, w.timestampNs, w.durationNs);
            }
            boolean matched = state.matched || !state.waiting.isEmpty();
            state = new PairState(state.startNs, state.startNode, new ArrayList<>(), record.timestamp(), matched);
            if (matched && !spec.oneToMany()) {
                store.delete(key);
            } else {
                store.put(key, state);
            }
            return;
        }
        Long duration = event.getDurationNs();
        if (state.startNs != Long.MIN_VALUE) {
            emit(state, node, event.getTimestampNs(), duration == null ? Long.MIN_VALUE : duration);
            if (spec.oneToMany()) {
                store.put(key, new PairState(state.startNs, state.startNode, state.waiting, state.lastSeenMs, true));
            } else {
                store.delete(key);
            }
        } else if (state.waiting.size() < MAX_WAITING) {
            state.waiting.add(new Waiting(node, event.getTimestampNs(), duration == null ? Long.MIN_VALUE : duration));
            store.put(key, new PairState(state.startNs, state.startNode, state.waiting, record.timestamp(), state.matched));
        }
    }

    private void emit(PairState start, String node, long completeNs, long durationNs) {
        double latencyMs = spec.preferDuration() && durationNs != Long.MIN_VALUE
                ? durationNs / 1e6
                : (completeNs - start.startNs) / 1e6;
        boolean skewed = latencyMs < 0 || latencyMs > maxLatencyMs;
        emitter.emit(node, new Sample(node, latencyMs, skewed), Math.floorDiv(completeNs, 1_000_000L));
    }

    private void evict(long streamTimeMs) {
        List<KeyValue<String, PairState>> expired = new ArrayList<>();
        try (KeyValueIterator<String, PairState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, PairState> entry = all.next();
                if (entry.value.lastSeenMs < streamTimeMs - timeoutMs) {
                    expired.add(entry);
                }
            }
        }
        for (KeyValue<String, PairState> entry : expired) {
            PairState state = entry.value;
            if (state.startNs != Long.MIN_VALUE && !state.matched) {
                counters.increment("unpaired_start", spec.metric(), state.startNode);
            }
            if (spec.loneComplete() == LoneComplete.UNPAIRED) {
                for (Waiting w : state.waiting) {
                    counters.increment("unpaired_complete", spec.metric(), w.node);
                }
            }
            store.delete(entry.key);
        }
    }

    record Waiting(String node, long timestampNs, long durationNs) {}

    /** A pair in flight: the start (if seen), completes waiting for it, when the key was last touched. */
    record PairState(long startNs, String startNode, List<Waiting> waiting, long lastSeenMs, boolean matched) {
        static final Serde<PairState> SERDE = Serdes.serdeFrom(
                (Serializer<PairState>) (topic, s) -> {
                    byte[] startNode = StoreStrings.bytes(s.startNode);
                    int size = 8 + 4 + startNode.length + 8 + 1 + 4;
                    List<byte[]> nodes = new ArrayList<>();
                    for (Waiting w : s.waiting) {
                        byte[] n = StoreStrings.bytes(w.node);
                        nodes.add(n);
                        size += 4 + n.length + 16;
                    }
                    ByteBuffer out = ByteBuffer.allocate(size).putLong(s.startNs).putInt(startNode.length).put(startNode)
                            .putLong(s.lastSeenMs).put((byte) (s.matched ? 1 : 0)).putInt(s.waiting.size());
                    for (int i = 0; i < s.waiting.size(); i++) {
                        out.putInt(nodes.get(i).length).put(nodes.get(i)).putLong(s.waiting.get(i).timestampNs)
                                .putLong(s.waiting.get(i).durationNs);
                    }
                    return out.array();
                },
                (Deserializer<PairState>) (topic, data) -> {
                    ByteBuffer in = ByteBuffer.wrap(data);
                    long startNs = in.getLong();
                    String startNode = StoreStrings.read(in);
                    long lastSeen = in.getLong();
                    boolean matched = in.get() == 1;
                    int n = in.getInt();
                    List<Waiting> waiting = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        waiting.add(new Waiting(StoreStrings.read(in), in.getLong(), in.getLong()));
                    }
                    return new PairState(startNs, startNode, waiting, lastSeen, matched);
                });
    }
}
