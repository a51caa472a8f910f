package io.chainpulse.processor;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code chainpulse.processor.events.set.aside{reason}}: events the processor did not count in a window — late,
 * unpaired_start, unpaired_complete, duplicate (per node in {@link ProcessorCounters#snapshot()}; only the reason is
 * a label here, to keep the label set bounded). Kafka Streams' own metrics come from Micrometer's
 * {@code KafkaStreamsMetrics}.
 */
public final class ProcessorMetrics implements MeterBinder, AutoCloseable {
    private static final List<String> REASONS = List.of("late", "future", "max_nodes", "invalid_node_id",
            "unpaired_start", "unpaired_complete", "duplicate");
    private final ProcessorCounters counters;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    public ProcessorMetrics(ProcessorCounters counters) {
        this.counters = counters;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (String reason : REASONS) {
            meters.add(FunctionCounter.builder("chainpulse.processor.events.set.aside", counters, c -> c.total(reason))
                    .description("Events not counted in a window, by reason.").tag("reason", reason).register(registry));
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
        }
        meters.clear();
    }
}
