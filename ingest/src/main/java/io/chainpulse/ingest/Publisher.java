package io.chainpulse.ingest;

import io.chainpulse.schema.ProtocolEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit in front of the producer SDK: tells each writer (the file follower, an HTTP request) when what it
 * recorded was acknowledged by Kafka, although the SDK itself only knows "everything recorded so far"
 * ({@link io.chainpulse.sdk.ChainPulseSdk#flush}).
 *
 * <p>Writers record inside {@link #recording}, which holds a shared lock and returns the <em>epoch</em> their events
 * belong to. A committer thread closes the epoch under the exclusive lock (no writer is recording then), waits for
 * the SDK to flush, and only then marks the epoch acknowledged and runs the {@link CommitListener}s — still under the
 * lock, so a listener sees the writers' state exactly as of the acknowledged events (the follower saves its
 * checkpoint there). It commits as soon as a writer waits ({@link #awaitAcknowledged}), and otherwise every
 * {@code interval} when something was recorded. Recording pauses for the length of one flush per commit.
 *
 * <pre>{@code
 * long epoch = publisher.recording(() -> events.forEach(sdk::recordWaiting));
 * Publisher.Outcome outcome = publisher.awaitAcknowledged(epoch, Duration.ofSeconds(10));
 * }</pre>
 */
final class Publisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    /** What an epoch's writer learns. */
    enum Outcome {
        /** Kafka acknowledged every event of the epoch. */
        ACKNOWLEDGED,
        /** The SDK dropped events while the epoch was open: which ones is unknown. */
        DROPPED,
        /** Neither within the time given; the events may still be delivered later. */
        TIMED_OUT
    }

    /** Where events go: the SDK, or a stand-in in unit tests. */
    interface Target {
        /** Records one event, waiting for room; false once closed. */
        boolean record(ProtocolEvent event);

        /** True when everything recorded so far was acknowledged by Kafka. */
        boolean flush(Duration timeout);

        /** True when Kafka is reachable and nothing waits in the spool: a batch can be acknowledged soon. */
        boolean accepting();

        /** Events dropped since start, all reasons. */
        long dropped();

        /** End offsets of the events topic by partition, read after a flush; empty when nobody needs them. */
        Map<Integer, Long> endOffsets();
    }

    /** Runs under the exclusive lock after an epoch was acknowledged. */
    @FunctionalInterface
    interface CommitListener {
        void committed(Map<Integer, Long> endOffsets);
    }

    private final Target target;
    private final Duration interval;
    private final Duration flushTimeout;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final Object signal = new Object();
    private final Thread committer;
    private long openEpoch;            // written under the exclusive lock, read under the shared one
    private long acknowledgedEpoch = -1; // guarded by signal
    private long droppedEpoch = -1;    // guarded by signal
    private int waiting;               // guarded by signal
    private volatile boolean dirty;
    private volatile boolean closed;
    private volatile long lastDropped;
    private volatile String problem;

    Publisher(Target target, Duration interval, Duration flushTimeout) {
        this.target = target;
        this.interval = interval;
        this.flushTimeout = flushTimeout;
        this.lastDropped = target.dropped();
        this.committer = new Thread(this::commitLoop, "chainpulse-ingest-committer");
        committer.setDaemon(true);
        committer.start();
    }

    void addListener(CommitListener listener) {
        listeners.add(listener);
    }

    /**
     * Runs {@code work} (which records events through {@link #record}) under the shared lock.
     *
     * @return the epoch its events belong to
     */
    long recording(Runnable work) {
        gate.readLock().lock();
        try {
            work.run();
            dirty = true;
            return openEpoch;
        } finally {
            gate.readLock().unlock();
        }
    }

    /** Records one event; call only inside {@link #recording}. */
    boolean record(ProtocolEvent event) {
        return target.record(event);
    }

    boolean accepting() {
        return !closed && target.accepting();
    }

    /** Why checkpoints no longer advance, or null. */
    String problem() {
        return problem;
    }

    /** Waits until the epoch's events are acknowledged, or found dropped, or {@code timeout} passed. */
    Outcome awaitAcknowledged(long epoch, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            waiting++;
            signal.notifyAll();
            try {
                while (true) {
                    if (droppedEpoch >= epoch && acknowledgedEpoch < epoch) {
                        return Outcome.DROPPED;
                    }
                    if (acknowledgedEpoch >= epoch) {
                        return Outcome.ACKNOWLEDGED;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || closed) {
                        return Outcome.TIMED_OUT;
                    }
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                }
            } finally {
                waiting--;
            }
        }
    }

    /** Commits now, from the caller's thread (shutdown, tests): true when acknowledged. */
    boolean commitNow() {
        return commit();
    }

    private void commitLoop() {
        long intervalNanos = interval.toNanos();
        long last = System.nanoTime();
        while (!closed) {
            try {
                synchronized (signal) {
                    long left = intervalNanos - (System.nanoTime() - last);
                    if (waiting == 0 && left > 0) {
                        TimeUnit.NANOSECONDS.timedWait(signal, left);
                        continue;
                    }
                }
                last = System.nanoTime();
                if (dirty || waiting() > 0) {
                    commit();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("committing ingested events failed; retrying: {}", e.toString(), e);
                sleepQuietly(200);
            }
        }
    }

    private int waiting() {
        synchronized (signal) {
            return waiting;
        }
    }

    private boolean commit() {
        gate.writeLock().lock();
        try {
            long epoch = openEpoch++;
            dirty = false;
            if (!target.flush(flushTimeout)) {
                // not acknowledged yet: the next commit covers this epoch too
                dirty = true;
                return false;
            }
            long dropped = target.dropped();
            if (dropped != lastDropped) {
                problem = (dropped - lastDropped) + " events were dropped by the SDK (see chainpulse_sdk_dropped_total); "
                        + "the file checkpoint stays where it was so that a restart reads them again";
                LOG.error(problem);
                lastDropped = dropped;
                synchronized (signal) {
                    droppedEpoch = epoch;
                    signal.notifyAll();
                }
                return false;
            }
            if (problem == null && !listeners.isEmpty()) {
                Map<Integer, Long> offsets = target.endOffsets();
                for (CommitListener listener : listeners) {
                    listener.committed(offsets);
                }
            }
            synchronized (signal) {
                acknowledgedEpoch = epoch;
                signal.notifyAll();
            }
            return true;
        } finally {
            gate.writeLock().unlock();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        committer.interrupt();
        try {
            committer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (signal) {
            signal.notifyAll();
        }
    }
}
