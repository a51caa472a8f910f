package io.chainpulse.schema.deadletter;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the records one service sent to the dead letters, per source topic, as
 * {@code chainpulse.dead.letters{service,topic}} — {@code chainpulse_dead_letters_total} on {@code /metrics}. Every
 * service uses this one name, so one query covers the pipeline. Labels stay bounded: a service reads a handful of
 * topics.
 *
 * <pre>{@code
 * DeadLetterCounter counter = new DeadLetterCounter("sink-es");
 * counter.bindTo(endpoint.registry());
 * }</pre>
 * Thread-safe; a topic seen for the first time after {@link #bindTo} gets its meter then.
 */
public final class DeadLetterCounter implements MeterBinder, AutoCloseable {
    public static final String METRIC = "chainpulse.dead.letters";

    private final String service;
    private final Map<String, LongAdder> byTopic = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    public DeadLetterCounter(String service) {
        if (service == null || service.isBlank()) {
            throw new IllegalArgumentException("service must be a non-empty name: '" + service + "'");
        }
        this.service = service;
    }

    public String service() {
        return service;
    }

    /** One more dead letter from {@code topic}. */
    public void increment(String topic) {
        String key = topic == null ? "" : topic;
        LongAdder adder = byTopic.get(key);
        if (adder == null) {
            adder = register(key);
        }
        adder.increment();
    }

    /** Dead letters from {@code topic} so far. */
    public long count(String topic) {
        LongAdder adder = byTopic.get(topic);
        return adder == null ? 0 : adder.sum();
    }

    /** Dead letters so far, by source topic. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        byTopic.forEach((topic, adder) -> out.put(topic, adder.sum()));
        return out;
    }

    private synchronized LongAdder register(String topic) {
        LongAdder adder = byTopic.get(topic);
        if (adder == null) {
            adder = new LongAdder();
            byTopic.put(topic, adder);
            if (registry != null) {
                meters.add(meter(registry, topic, adder));
            }
        }
        return adder;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        byTopic.forEach((topic, adder) -> meters.add(meter(registry, topic, adder)));
    }

    private FunctionCounter meter(MeterRegistry registry, String topic, LongAdder adder) {
        return FunctionCounter.builder(METRIC, adder, LongAdder::sum)
                .description("Records that could not be decoded or processed, sent to the dead-letter topic.")
                .tag("service", service).tag("topic", topic).register(registry);
    }

    @Override
    public synchronized void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
        }
        meters.clear();
        registry = null;
    }
}
