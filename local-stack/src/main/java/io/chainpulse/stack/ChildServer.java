package io.chainpulse.stack;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A real server the local stack runs as a child process ({@link KafkaBroker}, {@link SchemaRegistry},
 * {@link Elasticsearch}, {@link Pushgateway}, {@link Alertmanager}): the lifecycle they share. {@code start()} again
 * after {@link #stop()} or {@link #kill()} starts it on the same port with the same data.
 */
abstract class ChildServer implements AutoCloseable {
    private ChildProcess process;

    /** Whether the server's process is alive (then {@code start()} has nothing to do). */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Remembers the process just started, then waits until {@code ready}. */
    final void launched(ChildProcess started, BooleanSupplier ready, Duration timeout) {
        process = started;
        started.awaitReady(ready, timeout);
    }

    /** Clean shutdown: SIGTERM, then SIGKILL after 30 s. */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    /** Crash: SIGKILL, nothing flushed; the next {@code start()} recovers as after a crash. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
