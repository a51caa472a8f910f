package io.chainpulse.schema.registry;

import io.chainpulse.schema.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a service waits for a schema registry it cannot reach: the registry call is retried with {@link Backoff}
 * (exponential, full jitter) until it answers, up to {@code maxWait}; while any thread waits, {@link #waiting()} is
 * true and the service reports itself unhealthy. One per service instance; {@link #close()} ends every wait at once
 * (the waiter gets the {@link RegistryUnavailableException}), so a service that is told to stop does not sit out the
 * backoff.
 *
 * <pre>{@code
 * RegistryWait wait = RegistryWait.upTo(Duration.ofMinutes(4));
 * Serde<KpiWindow> serde = AvroSerde.of(KpiWindow.class, Map.of("schema.registry.url", url,
 *         AvroSerdeConfig.REGISTRY_WAIT, wait));
 * boolean healthy = streamsRunning && !wait.waiting();
 * }</pre>
 * Only {@link RegistryUnavailableException} is retried; an id the registry does not know is poison and is thrown at
 * once. Thread-safe.
 */
public final class RegistryWait implements AutoCloseable {
    /** First retry after at most 100 ms, then doubling up to 5 s: a restarted registry is used within seconds. */
    public static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    private static final Logger LOG = LoggerFactory.getLogger(RegistryWait.class);

    private final Backoff backoff;
    private final Duration maxWait;
    private final Clock clock;
    private final Sleeper sleeper;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger waiters = new AtomicInteger();

    /** Sleeps between attempts; a consumer in a group polls its paused partitions instead, to stay in the group. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }

    /** {@code maxWait} null: no limit (for a consumer whose sleeper keeps it in its group). */
    public RegistryWait(Backoff backoff, Duration maxWait, Clock clock, Sleeper sleeper) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        if (maxWait != null && maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be >= 0: " + maxWait);
        }
        this.maxWait = maxWait;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = sleeper == null ? this::sleepUnlessClosed : sleeper;
    }

    /** Waits up to {@code maxWait}, sleeping between attempts (woken by {@link #close()}). */
    public static RegistryWait upTo(Duration maxWait) {
        return new RegistryWait(DEFAULT_BACKOFF, maxWait, Clock.systemUTC(), null);
    }

    /**
     * Waits as long as it takes, calling {@code sleeper} between attempts: for a plain consumer whose sleeper polls
     * its paused partitions, which keeps it in its group however long the outage.
     */
    public static RegistryWait untilBack(Sleeper sleeper) {
        return new RegistryWait(DEFAULT_BACKOFF, null, Clock.systemUTC(), Objects.requireNonNull(sleeper, "sleeper"));
    }

    /** Waits as long as it takes, sleeping between attempts (woken by {@link #close()}): consumers without a group. */
    public static RegistryWait untilBack() {
        return new RegistryWait(DEFAULT_BACKOFF, null, Clock.systemUTC(), null);
    }

    /**
     * Returns what {@code call} returns, retrying it while it throws {@link RegistryUnavailableException}; after
     * {@code maxWait}, or once closed, that exception is thrown. Anything else {@code call} throws passes at once.
     */
    public <T> T call(Supplier<T> call) {
        long started = clock.millis();
        boolean counted = false;
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    T value = call.get();
                    if (attempt > 0) {
                        LOG.info("schema registry answers again after {} ms and {} retries", clock.millis() - started,
                                attempt);
                    }
                    return value;
                } catch (RegistryUnavailableException e) {
                    long waited = clock.millis() - started;
                    if (closed.getCount() == 0 || maxWait != null && waited >= maxWait.toMillis()) {
                        throw e;
                    }
                    if (!counted) {
                        waiters.incrementAndGet();
                        counted = true;
                        LOG.warn("{}; waiting for it ({}), nothing is skipped meanwhile", e.getMessage(),
                                maxWait == null ? "until it is back" : "up to " + maxWait.toSeconds() + " s");
                    }
                    Duration delay = backoff.delay(attempt, ThreadLocalRandom.current()::nextDouble);
                    if (maxWait != null) {
                        delay = Duration.ofMillis(Math.min(delay.toMillis(), maxWait.toMillis() - waited));
                    }
                    try {
                        sleeper.sleep(delay);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        } finally {
            if (counted) {
                waiters.decrementAndGet();
            }
        }
    }

    /**
     * A sleeper for a consumer in a group: polls with every partition paused for the delay, so the consumer stays in
     * its group (and, polling, within {@code max.poll.interval.ms}) however long the registry is away. A record a
     * just-assigned partition delivers is rewound to be read again later; partitions paused before are left paused.
     * Called on the consumer's own thread, as the decoding is.
     */
    public static Sleeper pollingPaused(Consumer<?, ?> consumer) {
        return delay -> {
            Set<TopicPartition> pausedBefore = new HashSet<>(consumer.paused());
            long deadline = System.nanoTime() + delay.toNanos();
            try {
                do {
                    consumer.pause(consumer.assignment());
                    long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                    ConsumerRecords<?, ?> unexpected = consumer.poll(Duration.ofMillis(Math.min(200, left)));
                    for (TopicPartition partition : unexpected.partitions()) {
                        consumer.seek(partition, unexpected.records(partition).get(0).offset());
                    }
                } while (System.nanoTime() < deadline);
            } finally {
                Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
                resume.removeAll(pausedBefore);
                consumer.resume(resume);
            }
        };
    }

    /** True while some thread waits for the registry: the service is unhealthy. */
    public boolean waiting() {
        return waiters.get() > 0;
    }

    private void sleepUnlessClosed(Duration delay) throws InterruptedException {
        closed.await(delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ends every wait now and every later one at once: for a service that is stopping. */
    @Override
    public void close() {
        closed.countDown();
    }
}
