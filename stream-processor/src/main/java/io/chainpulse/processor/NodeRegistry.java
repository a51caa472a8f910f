package io.chainpulse.processor;

import io.chainpulse.schema.Chains;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Utils;

/**
 * The node ids a processor instance holds, per chain, bounded: at most {@code max.nodes} per chain and
 * {@value #MAX_CHAINS} chains, so that every structure keyed by node (windows, pairs, counters) is bounded too. A node
 * is admitted on its first valid event while its chain has room; a node whose latest event is older than
 * {@code forgetAfterMs} behind the newest event of its chain is forgotten when a new node needs the room. Shared by
 * all stream threads; a known node costs two hash lookups per event.
 *
 * <p>Each node also caches the input partition the default partitioner gives its id, so the gate sees without
 * hashing whether an event sits where its node's events belong.
 */
final class NodeRegistry {
    static final int DEFAULT_MAX_NODES = 10_000;
    static final int MAX_CHAINS = 100;
    /** The chain of events without {@code chain_id} ({@link Chains#DEFAULT}). */
    static final String DEFAULT_CHAIN = Chains.DEFAULT;

    /**
     * A held node: its id, its key within its chain ({@link Chains#scoped}: the id itself on the default chain), the
     * partition its id hashes to, and the event time it was last seen at.
     */
    static final class Node {
        final String id;
        final String key;
        final int partition;
        long lastSeenMs; // racy by design: a stale value only delays forgetting the node

        Node(String id, String key, int partition, long lastSeenMs) {
            this.id = id;
            this.key = key;
            this.partition = partition;
            this.lastSeenMs = lastSeenMs;
        }
    }

    private static final class Chain {
        final Map<String, Node> nodes = new ConcurrentHashMap<>();
        long newestMs = Long.MIN_VALUE; // racy by design, as Node.lastSeenMs
        volatile long lastSweepMs = Long.MIN_VALUE;
    }

    private final int maxNodes;
    private final int partitions;
    private final long forgetAfterMs;
    private final Map<String, Chain> chains = new ConcurrentHashMap<>();

    /**
     * @param partitions input partitions (0 when unknown: no partition check)
     * @param forgetAfterMs how far behind its chain's newest event a node's latest may fall before it can be forgotten
     */
    NodeRegistry(int maxNodes, int partitions, long forgetAfterMs) {
        this.maxNodes = maxNodes;
        this.partitions = partitions;
        this.forgetAfterMs = forgetAfterMs;
    }

    /** The node if held, else null (not seen yet, or forgotten). Updates its last-seen time. */
    Node known(String chain, String node, long eventMs) {
        Chain c = chains.get(Chains.name(chain));
        if (c == null) {
            return null;
        }
        Node n = c.nodes.get(node);
        if (n != null) {
            if (eventMs > n.lastSeenMs) {
                n.lastSeenMs = eventMs;
                if (eventMs > c.newestMs) {
                    c.newestMs = eventMs;
                }
            }
        }
        return n;
    }

    /** Admits a valid node not held yet; null when its chain (or the number of chains) is at its bound. */
    Node admit(String chain, String node, long eventMs) {
        String name = Chains.name(chain);
        Chain c = chains.get(name);
        if (c == null) {
            if (chains.size() >= MAX_CHAINS) {
                return null;
            }
            c = chains.computeIfAbsent(name, k -> new Chain());
        }
        if (c.nodes.size() >= maxNodes && !sweep(c, eventMs)) {
            return null;
        }
        Node admitted = c.nodes.computeIfAbsent(node, id -> new Node(id, Chains.scoped(name, id), partitionOf(id), eventMs));
        if (eventMs > c.newestMs) {
            c.newestMs = eventMs;
        }
        return admitted;
    }

    /** The partition the producer's default partitioner gives {@code node} as key, -1 when the count is unknown. */
    int partitionOf(String node) {
        return partitions <= 0 ? -1
                : Utils.toPositive(Utils.murmur2(node.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Forgets the chain's nodes silent for too long, at most once a second of event time; true if room was made. */
    private boolean sweep(Chain c, long eventMs) {
        if (c.lastSweepMs != Long.MIN_VALUE && eventMs < c.lastSweepMs + 1_000) {
            return false;
        }
        c.lastSweepMs = eventMs;
        long before = Math.max(c.newestMs, eventMs) - forgetAfterMs;
        c.nodes.values().removeIf(n -> n.lastSeenMs < before);
        return c.nodes.size() < maxNodes;
    }

    /** Nodes held in {@code chain} (null: the default chain). */
    int size(String chain) {
        Chain c = chains.get(Chains.name(chain));
        return c == null ? 0 : c.nodes.size();
    }
}
