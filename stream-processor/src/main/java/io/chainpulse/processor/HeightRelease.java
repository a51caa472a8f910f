package io.chainpulse.processor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When the per-height network stages ({@link ConsensusRoundsTopology}, {@link VoteParticipationTopology}) release a
 * height and forget it. A height is due once stream time is the grace past the end of the window of its first
 * finalization: every event of that window the event gate let through has arrived, so the value does not depend on
 * arrival order. A height released, or never finalized, is forgotten once no event of it came for the pairing
 * timeout, so later finalizations of a released height are not counted again.
 */
final class HeightRelease {
    /** What a stage's height state tells the release: its first finalization ({@link Long#MAX_VALUE} before one). */
    interface Height {
        long firstFinalization();

        long lastSeen();

        boolean released();
    }

    private final long windowMs;
    private final long graceMs;
    private final long forgetMs;

    HeightRelease(KpiContext ctx) {
        this.windowMs = ctx.windowSize().toMillis();
        this.graceMs = ctx.grace().toMillis();
        this.forgetMs = ctx.config().pairingTimeout().toMillis();
    }

    long windowStart(long ms) {
        return Math.floorDiv(ms, windowMs) * windowMs;
    }

    long windowEnd(long ms) {
        return windowStart(ms) + windowMs;
    }

    /** Stream time is the grace past the end of the window starting at {@code windowStart}. */
    boolean closed(long windowStart, long streamTime) {
        return windowStart + windowMs + graceMs <= streamTime;
    }

    /**
     * Scans {@code store} once: deletes the heights to forget and returns those due at {@code streamTime}, in the
     * order of their first finalization, then key, so the window stages' stream time moves forward as the
     * finalizations did. Entries {@code read} returns null for are not heights and are left alone.
     */
    <K extends Comparable<K>, H extends Height> List<KeyValue<K, H>> due(KeyValueStore<K, byte[]> store,
                                                                         BiFunction<K, byte[], H> read,
                                                                         long streamTime) {
        List<KeyValue<K, H>> due = new ArrayList<>();
        List<K> forgotten = new ArrayList<>();
        try (KeyValueIterator<K, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<K, byte[]> entry = all.next();
                H h = read.apply(entry.key, entry.value);
                if (h == null) {
                    continue;
                }
                if (h.released() || h.firstFinalization() == Long.MAX_VALUE) {
                    if (h.lastSeen() + forgetMs <= streamTime) {
                        forgotten.add(entry.key);
                    }
                } else if (closed(windowStart(h.firstFinalization()), streamTime)) {
                    due.add(KeyValue.pair(entry.key, h));
                }
            }
        }
        forgotten.forEach(store::delete);
        due.sort(Comparator.<KeyValue<K, H>>comparingLong(kv -> kv.value.firstFinalization())
                .thenComparing(kv -> kv.key));
        return due;
    }
}
