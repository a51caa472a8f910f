package io.chainpulse.anomaly;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.Chains;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Holds a node's firing latency or throughput transition until that node's resources of the same window have
 * arrived, so its causes ({@link NodeResources#explain}) are judged on the anomaly's window and not on an older one:
 * a node's resource window closes up to a sample (5 s) after its protocol window of the same time, and the window
 * before a saturation shows none of it.
 *
 * <p>A transition of window W waits ({@link NodeResources#waits}) only when its node reports resources but not yet
 * of W; a node that never reported any is never held (nor, so, a node whose first resource window is still to come
 * when the detector starts: its alert names no cause). It is released, explained with what is known then, on the
 * first of:
 * <ol>
 *   <li>every resource KPI the node reports has a window starting at W or later (live, a second or two after the
 *   protocol window);</li>
 *   <li>the resources moved on without the node's: a resource window of another node starting
 *   {@value #RESOURCE_GRACE_WINDOWS} windows after W has arrived;</li>
 *   <li>{@value #WALL_CLOCK_WINDOWS} windows of wall-clock time after it was held (no resources arrive at all; a
 *   replay's end, {@link AnomalyReplay}).</li>
 * </ol>
 * The bounds follow the resources' progress, not the protocol's: after a restart, or when the processor starts behind
 * the nodes, protocol windows come in a burst several windows ahead of the resource windows (seen live: four), and
 * a bound on the protocol's next window would publish before any resource of the window could arrive.
 * Readings that never arrived are said so: "resources of v3 for 22:13:20–22:13:30 UTC not reported". Any other
 * transition of an incident (metric and node) with a held one queues behind it, so an incident's transitions keep
 * their order. Held transitions live in a changelogged store ({@value AnomalyTopology#HELD_STORE}, key
 * {@code node|metric}; the transitions in Avro's single-object encoding, which names the writer's schema: held for
 * seconds, they are read back by the same version), so exactly-once holds across restarts; the store holds at most
 * the incidents firing in the last window or two. Transitions are the same as without waiting; only when, and the
 * text, differ.
 */
final class ResourceWait {
    /** Another node's resource window this many windows after a held transition's releases it. */
    static final int RESOURCE_GRACE_WINDOWS = 2;
    /** Wall-clock windows after which a held transition is released whatever arrived (the stream stopped). */
    static final int WALL_CLOCK_WINDOWS = 3;

    /**
     * The transitions held for one incident, oldest first, as Avro single-object encodings.
     *
     * @param metric        the incident's metric
     * @param node          its node within its chain ({@link Chains#scoped})
     * @param windowStartMs the first held transition's window
     * @param windowSizeMs  its size
     * @param timestampMs   the timestamp its record had, given to the released records
     * @param heldAtMs      wall-clock time it was held
     */
    record Held(String metric, String node, long windowStartMs, long windowSizeMs, long timestampMs, long heldAtMs,
                List<byte[]> transitions) {
        Held {
            transitions = List.copyOf(transitions);
        }
    }

    /** Where released transitions go: the processor's forward, with the record timestamp. */
    interface Sink {
        void publish(Anomaly anomaly, long timestampMs);
    }

    private final KeyValueStore<String, Held> store;
    /** A chain's resource readings (null: the default chain), so a cause names the node of the anomaly's chain. */
    private final Function<String, NodeResources.Memory> memory;
    private final Sink sink;
    /**
     * The latest resource window start this task has seen (not stored: after a restart the first resource window
     * moves it, and the wall clock bounds the wait meanwhile).
     */
    private long latestResourceStartMs = Long.MIN_VALUE;
    /** Incidents held; counted from the store when the task starts, so a task with none never scans it. */
    private int held;

    ResourceWait(KeyValueStore<String, Held> store, Function<String, NodeResources.Memory> memory, Sink sink) {
        this.store = store;
        this.memory = memory;
        this.sink = sink;
        try (KeyValueIterator<String, Held> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                held++;
            }
        }
    }

    /**
     * After a context copy of a node's resources ({@code kpi}) was remembered: releases that node's transitions whose
     * window came, and every one {@value #RESOURCE_GRACE_WINDOWS} windows older than {@code kpi}'s.
     */
    void arrived(KpiWindow kpi) {
        String node = Chains.scoped(kpi.getChainId(), kpi.getNodeId());
        NodeResources.Memory chain = memory.apply(kpi.getChainId());
        long start = kpi.getWindowStartMs();
        boolean advanced = start > latestResourceStartMs;
        latestResourceStartMs = Math.max(latestResourceStartMs, start);
        release(h -> (h.node().equals(node) && NodeResources.arrived(kpi.getNodeId(), h.windowStartMs(), chain))
                || (advanced && h.windowStartMs() + RESOURCE_GRACE_WINDOWS * h.windowSizeMs() <= start));
    }

    /** Wall-clock punctuation: releases what has waited {@value #WALL_CLOCK_WINDOWS} windows. */
    void punctuate(long nowMs) {
        release(h -> nowMs - h.heldAtMs() >= WALL_CLOCK_WINDOWS * h.windowSizeMs());
    }

    /**
     * A transition made while judging a record of {@code windowSizeMs}: published now (explained), held to wait for its
     * node's resources, or queued behind its incident's held one.
     */
    void publish(Anomaly anomaly, long windowSizeMs, long timestampMs, long nowMs) {
        String key = key(anomaly);
        Held queued = key == null || held == 0 ? null : store.get(key);
        if (queued != null) {
            List<byte[]> transitions = new ArrayList<>(queued.transitions());
            transitions.add(encode(anomaly));
            store.put(key, new Held(queued.metric(), queued.node(), queued.windowStartMs(), queued.windowSizeMs(),
                    queued.timestampMs(), queued.heldAtMs(), transitions));
        } else if (key != null && NodeResources.waits(anomaly, memory.apply(anomaly.getChainId()))) {
            store.put(key, new Held(anomaly.getMetric(), Chains.scoped(anomaly.getChainId(), anomaly.getNodeId()),
                    anomaly.getWindowStartMs(), windowSizeMs,
                    timestampMs, nowMs, List.of(encode(anomaly))));
            held++;
        } else {
            sink.publish(explain(anomaly, windowSizeMs), timestampMs);
        }
    }

    private void release(Predicate<Held> due) {
        if (held == 0) {
            return;
        }
        List<KeyValue<String, Held>> ready = new ArrayList<>();
        try (KeyValueIterator<String, Held> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (due.test(kv.value)) {
                    ready.add(kv);
                }
            });
        }
        for (KeyValue<String, Held> kv : ready) {
            store.delete(kv.key);
            held--;
            for (byte[] bytes : kv.value.transitions()) {
                sink.publish(explain(decode(bytes), kv.value.windowSizeMs()), kv.value.timestampMs());
            }
        }
    }

    /** The anomaly with its node's cause, judged on the readings of the anomaly's own chain. */
    private Anomaly explain(Anomaly anomaly, long windowSizeMs) {
        return NodeResources.explain(anomaly, memory.apply(anomaly.getChainId()), windowSizeMs);
    }

    /** {@code node|metric} (the node within its chain) for a node's transition; null for the network's, which never waits. */
    private static String key(Anomaly anomaly) {
        return anomaly.getScope() == KpiScope.node && anomaly.getNodeId() != null
                ? Chains.scoped(anomaly.getChainId(), anomaly.getNodeId()) + '|' + anomaly.getMetric() : null;
    }

    private static byte[] encode(Anomaly anomaly) {
        try {
            ByteBuffer buffer = anomaly.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new SerializationException("cannot encode held anomaly " + anomaly.getAnomalyId(), e);
        }
    }

    private static Anomaly decode(byte[] bytes) {
        try {
            return Anomaly.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new SerializationException("cannot decode a held anomaly (" + bytes.length + " bytes)", e);
        }
    }
}
