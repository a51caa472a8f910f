package io.chainpulse.schema.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: before retry {@code n} (0-based) wait a uniformly random time in
 * {@code [0, min(max, initial * 2^n))}. Full jitter spreads many sinks retrying against one recovering cluster
 * better than equal or no jitter (see the AWS architecture blog, "Exponential Backoff And Jitter").
 *
 * <pre>{@code
 * Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30));
 * Duration wait = backoff.delay(attempt, ThreadLocalRandom.current()::nextDouble);
 * }</pre>
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be > 0: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff must be >= initial backoff " + initial + ": " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** The cap of retry {@code attempt}: {@code min(max, initial * 2^attempt)}. */
    public Duration ceiling(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0: " + attempt);
        }
        long initialMillis = initial.toMillis();
        // 2^attempt overflows long long before the cap matters: stop doubling once past max.
        if (attempt >= 62 || initialMillis > (max.toMillis() >> attempt)) {
            return max;
        }
        return Duration.ofMillis(Math.min(max.toMillis(), initialMillis << attempt));
    }

    /** A random delay in {@code [0, ceiling(attempt))}; {@code random} yields values in {@code [0, 1)}. */
    public Duration delay(int attempt, DoubleSupplier random) {
        double r = random.getAsDouble();
        if (r < 0 || r >= 1) {
            throw new IllegalArgumentException("random must be in [0, 1): " + r);
        }
        return Duration.ofMillis((long) (ceiling(attempt).toMillis() * r));
    }

    @Override
    public String toString() {
        return "Backoff{initial=" + initial.toMillis() + "ms, max=" + max.toMillis() + "ms, full jitter}";
    }
}
