package io.chainpulse.processor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the processor set aside instead of counting in a window, by reason and node (bounded: nodes × reasons):
 * {@code late} (arrived after its window closed), {@code future} (stamped too far ahead), {@code max_nodes} (its node
 * beyond the bound; node part: the chain), {@code invalid_node_id} (dead-lettered; node part {@code *}),
 * {@code unpaired_start} / {@code unpaired_complete} (evicted
 * without its partner), {@code duplicate} (a second start for the same key). Shared by all stream threads.
 */
public final class ProcessorCounters {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void increment(String reason, String metricOrTopic, String node) {
        counts.computeIfAbsent(reason + "|" + metricOrTopic + "|" + node, k -> new LongAdder()).increment();
    }

    /** Counts keyed {@code reason|metric|node}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Total of one reason over all metrics and nodes. */
    public long total(String reason) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(reason + "|"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }
}
