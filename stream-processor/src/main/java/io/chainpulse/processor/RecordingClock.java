package io.chainpulse.processor;

import io.chainpulse.schema.ProtocolEvent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The reference clock for future events in a recording, where there is no wall clock ({@link AnalyzeJob}): the
 * recording's own progress — the (lower) median over the active nodes of each node's latest event time, over the
 * events read so far. The reader {@link #observe}s events some way ahead of the ones it feeds to the topology (a
 * lookahead of {@value #LOOKAHEAD} events), so that when every node jumps ahead together (an outage, then recovery)
 * the median has already moved when the first event after the jump is processed, while one node's clock a year
 * ahead moves it not at all. A node is active while it had an event among the last {@value #ACTIVE_EVENTS} read:
 * nodes that went silent do not hold the median back. Not thread-safe: one reader.
 *
 * <pre>{@code
 * RecordingClock clock = new RecordingClock();
 * clock.observe(event);          // as each event is read, LOOKAHEAD events before it is piped
 * long reference = clock.getAsLong();
 * }</pre>
 */
public final class RecordingClock implements LongSupplier {
    /** How many events ahead of the topology the reader reads. */
    public static final int LOOKAHEAD = 10_000;
    static final int ACTIVE_EVENTS = 2 * LOOKAHEAD;
    private static final int RECOMPUTE_EVERY = 256;

    private static final class Progress {
        long latestMs = Long.MIN_VALUE;
        long lastSeen;
    }

    private final Map<String, Progress> nodes = new HashMap<>();
    private long read;
    private long computedAt = -1;
    private long reference = Long.MAX_VALUE;
    private boolean unbounded;

    /** An event read from the recording (ahead of the one being processed). */
    public void observe(ProtocolEvent event) {
        Progress p = nodes.computeIfAbsent(event.getNodeId(), n -> new Progress());
        p.latestMs = Math.max(p.latestMs, Math.floorDiv(event.getTimestampNs(), 1_000_000L));
        p.lastSeen = ++read;
    }

    /** From now on nothing is in the future (the synthetic flush events after the recording). */
    public void unbounded() {
        unbounded = true;
    }

    /** The reference time in ms; {@link Long#MAX_VALUE} (nothing is ahead of it) before any event was observed. */
    @Override
    public long getAsLong() {
        if (unbounded) {
            return Long.MAX_VALUE;
        }
        // a few nodes: exact at every event; many: at most every RECOMPUTE_EVERY events (the lookahead dwarfs that)
        if (read != computedAt && (nodes.size() <= 16 || computedAt < 0 || read - computedAt >= RECOMPUTE_EVERY)) {
            computedAt = read;
            reference = median();
        }
        return reference;
    }

    private long median() {
        long[] latest = new long[nodes.size()];
        int active = 0;
        for (Progress p : nodes.values()) {
            if (p.lastSeen > read - ACTIVE_EVENTS) {
                latest[active++] = p.latestMs;
            }
        }
        if (active == 0) {
            return Long.MAX_VALUE;
        }
        Arrays.sort(latest, 0, active);
        return latest[(active - 1) / 2];
    }
}
