package io.chainpulse.sink.es;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Elasticsearch sink's own meters, all named {@code chainpulse.sink.es.*} with bounded tags:
 * <ul>
 *   <li>{@code chainpulse.sink.es.documents.indexed{type=kpi|anomaly}} — documents Elasticsearch acknowledged;</li>
 *   <li>{@code chainpulse.sink.es.retries{reason=throttled|unavailable|blocked|connection}} — bulk retries;</li>
 *   <li>{@code chainpulse.sink.es.dlq{reason=rejected|undecodable}} — records sent to the dead-letter topic;</li>
 *   <li>{@code chainpulse.sink.es.batch.latency} — from the start of a flush to committed offsets;</li>
 *   <li>{@code chainpulse.sink.es.paused} — 1 while consumption is paused for retries.</li>
 * </ul>
 * Counting works before and without {@link #bindTo}; binding never throws into the host, and {@link #close()}
 * removes the meters from every registry they were bound to.
 *
 * <pre>{@code
 * SinkEsMetrics metrics = new SinkEsMetrics();
 * metrics.bindTo(prometheusRegistry);
 * }</pre>
 */
public final class SinkEsMetrics implements MeterBinder, AutoCloseable {
    static final List<String> TYPES = List.of("kpi", "anomaly");
    static final List<String> RETRY_REASONS = List.of("throttled", "unavailable", "blocked", "connection");
    static final List<String> DLQ_REASONS = List.of("rejected", "undecodable");

    private final Map<String, LongAdder> indexed = counters(TYPES);
    private final Map<String, LongAdder> retries = counters(RETRY_REASONS);
    private final Map<String, LongAdder> deadLettered = counters(DLQ_REASONS);
    private final AtomicInteger paused = new AtomicInteger();
    private final LongAdder batches = new LongAdder();
    private final List<Timer> latencyTimers = new CopyOnWriteArrayList<>();
    private final List<Registered> registered = new CopyOnWriteArrayList<>();

    private record Registered(MeterRegistry registry, Meter meter) {}

    @Override
    public void bindTo(MeterRegistry registry) {
        indexed.forEach((type, count) -> add(registry, FunctionCounter.builder("chainpulse.sink.es.documents.indexed",
                count, LongAdder::doubleValue).tag("type", type).baseUnit("documents")
                .description("Documents Elasticsearch acknowledged").register(registry)));
        retries.forEach((reason, count) -> add(registry, FunctionCounter.builder("chainpulse.sink.es.retries",
                count, LongAdder::doubleValue).tag("reason", reason)
                .description("Bulk requests retried, by cause").register(registry)));
        deadLettered.forEach((reason, count) -> add(registry, FunctionCounter.builder("chainpulse.sink.es.dlq",
                count, LongAdder::doubleValue).tag("reason", reason).baseUnit("records")
                .description("Records sent to the dead-letter topic").register(registry)));
        add(registry, Gauge.builder("chainpulse.sink.es.paused", paused, AtomicInteger::get)
                .description("1 while consumption is paused because Elasticsearch is retried").register(registry));
        Timer latency = Timer.builder("chainpulse.sink.es.batch.latency")
                .description("Time from the start of a flush until Elasticsearch acknowledged it and offsets were "
                        + "committed").publishPercentiles(0.5, 0.99).register(registry);
        add(registry, latency);
        latencyTimers.add(latency);
    }

    void indexed(String type, long documents) {
        indexed.get(type).add(documents);
    }

    void retried(String reason) {
        LongAdder counter = retries.get(reason);
        if (counter != null) {
            counter.increment();
        }
    }

    void deadLettered(String reason) {
        deadLettered.get(reason).increment();
    }

    void paused(boolean isPaused) {
        paused.set(isPaused ? 1 : 0);
    }

    void batch(Duration latency) {
        batches.increment();
        for (Timer timer : latencyTimers) {
            timer.record(latency);
        }
    }

    public long indexedCount(String type) {
        return indexed.get(type).sum();
    }

    public long retryCount(String reason) {
        return retries.get(reason).sum();
    }

    public long deadLetteredCount(String reason) {
        return deadLettered.get(reason).sum();
    }

    /** True while consumption is paused for retries. */
    public boolean isPaused() {
        return paused.get() == 1;
    }

    public long batchCount() {
        return batches.sum();
    }

    @Override
    public void close() {
        for (Registered r : registered) {
            r.registry().remove(r.meter());
        }
        registered.clear();
        latencyTimers.clear();
    }

    private void add(MeterRegistry registry, Meter meter) {
        registered.add(new Registered(registry, meter));
    }

    private static Map<String, LongAdder> counters(List<String> keys) {
        Map<String, LongAdder> map = new java.util.LinkedHashMap<>();
        keys.forEach(key -> map.put(key, new LongAdder()));
        return Map.copyOf(map);
    }
}
