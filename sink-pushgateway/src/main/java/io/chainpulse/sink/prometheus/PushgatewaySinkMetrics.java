package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.catalog.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sink's own meters: {@code chainpulse.sink.pushgateway.pushes}, {@code .push.failures}, {@code .groups.deleted},
 * {@code .records.unreadable}. {@code new PushgatewaySinkMetrics(sink).bindTo(registry)}.
 */
public final class PushgatewaySinkMetrics implements MeterBinder, AutoCloseable {
    private static final String PREFIX = "chainpulse.sink.pushgateway.";
    private final PushgatewaySink sink;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    public PushgatewaySinkMetrics(PushgatewaySink sink) {
        this.sink = sink;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        counter(registry, "pushes", "Groups pushed successfully.", sink.pushes);
        counter(registry, "push.failures", "Pushes or deletes that failed; retried at the next interval.", sink.pushFailures);
        counter(registry, "groups.deleted", "Groups of silent nodes deleted.", sink.groupsDeleted);
        counter(registry, "records.unreadable", "Records that could not be decoded (sent to "
                + Topics.DEAD_LETTERS.name() + ").", sink.unreadable);
    }

    private void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
        meters.add(FunctionCounter.builder(PREFIX + name, adder, LongAdder::sum).description(description).register(registry));
    }

    @Override
    public void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
        }
        meters.clear();
    }
}
