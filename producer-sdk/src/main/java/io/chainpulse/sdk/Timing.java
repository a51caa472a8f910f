package io.chainpulse.sdk;

/**
 * An open {@link Phase}: its start event was recorded when it was opened; {@link #close()} records the complete
 * event with the measured {@code duration_ns} (monotonic clock) and {@code status}.
 *
 * <pre>{@code
 * try (Timing t = sdk.time(Phase.BLOCK_EXECUTION, height)) {
 *     execute(block);
 * } // block_execution_complete recorded here, success unless t.failed() was called
 * }</pre>
 */
public final class Timing implements AutoCloseable {
    private final Event complete;
    private final long startNanoTime;
    private final long startEpochNanos;
    private boolean success = true;
    private boolean closed;

    Timing(Event complete, long startEpochNanos, long startNanoTime) {
        this.complete = complete;
        this.startEpochNanos = startEpochNanos;
        this.startNanoTime = startNanoTime;
    }

    /** The complete event, to add attributes known only at the end (tx count, gas used…). */
    public Event completeEvent() {
        return complete;
    }

    /** Marks the phase as failed: the complete event carries {@code status = failure}. */
    public Timing failed() {
        success = false;
        return this;
    }

    /** Records the complete event; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long duration = complete.sdk.nanoTime() - startNanoTime;
        complete.timestampNs(startEpochNanos + duration).durationNs(duration).success(success).record();
    }
}
