package io.chainpulse.schema.retry;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The one retry loop of ChainPulse's services (the Elasticsearch sink's bulk writes, the webhook notifier's posts):
 * runs an attempt until it reports done, waiting {@link Backoff} delays between attempts. Only what the attempt
 * itself classifies as retriable is retried (it returns {@link Step#retry}); anything it throws ends the loop at once.
 * There is no attempt limit: a service waits out an outage with its consumer paused, and Kafka keeps the records
 * meanwhile.
 *
 * <p>Clock, sleeper and random source are injected so tests can drive the loop without waiting; in a service the
 * sleeper polls the paused consumer, which keeps its group membership alive while it waits.
 *
 * <pre>{@code
 * Retry retry = new Retry(backoff, Clock.systemUTC(), Thread::sleep, listener);
 * BulkResult result = retry.run(attempt -> send(pending));
 * }</pre>
 */
public final class Retry {
    private final Backoff backoff;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Listener listener;

    public Retry(Backoff backoff, Clock clock, Sleeper sleeper, Listener listener) {
        this(backoff, clock, sleeper, () -> ThreadLocalRandom.current().nextDouble(), listener);
    }

    /** With an injected random source in [0, 1), so tests can drive the jitter. */
    public Retry(Backoff backoff, Clock clock, Sleeper sleeper, DoubleSupplier random, Listener listener) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Runs {@code attempt} (numbered from 0) until it returns {@link Step#done}, and returns that value. */
    public <T> T run(Attempt<T> attempt) throws InterruptedException {
        long started = clock.millis();
        for (int n = 0; ; n++) {
            Step<T> step = attempt.run(n);
            if (step.done) {
                if (n > 0) {
                    listener.onRecovered(n, Duration.ofMillis(clock.millis() - started));
                }
                return step.value;
            }
            Duration delay = backoff.delay(n, random);
            listener.onRetry(n, delay, step.reason);
            sleeper.sleep(delay);
        }
    }

    /** One try. */
    @FunctionalInterface
    public interface Attempt<T> {
        Step<T> run(int attempt) throws InterruptedException;
    }

    /** Waits; the service's sleeper polls the paused consumer instead of blocking the thread idle. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }

    /** Told about every retry and the recovery; must not throw. */
    public interface Listener {
        void onRetry(int attempt, Duration delay, String reason);

        default void onRecovered(int retries, Duration outage) {}
    }

    /** What an attempt came to: done with a value, or to be retried for a reason. */
    public static final class Step<T> {
        private final boolean done;
        private final T value;
        private final String reason;

        private Step(boolean done, T value, String reason) {
            this.done = done;
            this.value = value;
            this.reason = reason;
        }

        public static <T> Step<T> done(T value) {
            return new Step<>(true, value, null);
        }

        public static <T> Step<T> retry(String reason) {
            return new Step<>(false, null, Objects.requireNonNull(reason, "reason"));
        }
    }
}
