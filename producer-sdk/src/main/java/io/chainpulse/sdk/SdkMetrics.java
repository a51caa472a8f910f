package io.chainpulse.sdk;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters of one SDK instance, tagged {@code node}:
 * {@code chainpulse.sdk.events.recorded|sent|spooled|replayed}, {@code chainpulse.sdk.events.dropped{reason}},
 * {@code chainpulse.sdk.send.latency} (record call to broker acknowledgement), gauges
 * {@code chainpulse.sdk.buffer.events}, {@code chainpulse.sdk.spool.bytes} and {@code chainpulse.sdk.online}, and
 * {@code chainpulse.sdk.spool.corrupt.records} (corrupt records found reading the spool back; 0 normally); with
 * {@code collectResources}, {@code chainpulse.sdk.resource.samples} and {@code chainpulse.sdk.resource.probe.failures}. The
 * event counters include resource samples: they share the buffer, the spool and the producer with the events.
 *
 * <pre>{@code
 * new SdkMetrics(sdk).bindTo(registry);
 * }</pre>
 *
 * <p>Meters read the SDK's own counters; binding never throws into the host and {@link #close()} removes them.
 */
public final class SdkMetrics implements MeterBinder, AutoCloseable {
    private static final String PREFIX = "chainpulse.sdk.";
    private final ChainPulseSdk sdk;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    public SdkMetrics(ChainPulseSdk sdk) {
        this.sdk = sdk;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Counters c = sdk.counters();
        Tags tags = Tags.of(Tag.of("node", sdk.nodeId()));
        counter(registry, "events.recorded", "Events handed to the SDK by the node.", tags, c.recorded);
        counter(registry, "events.sent", "Events acknowledged by Kafka.", tags, c.sent);
        counter(registry, "events.spooled", "Events written to the disk spool while Kafka was unreachable.", tags, c.spooled);
        counter(registry, "events.replayed", "Spooled events later acknowledged by Kafka.", tags, c.replayed);
        for (Counters.DropReason reason : Counters.DropReason.values()) {
            counter(registry, "events.dropped", "Events lost, by reason.", tags.and("reason", reason.tag()),
                    c.dropped.get(reason));
        }
        meters.add(FunctionCounter.builder(PREFIX + "spool.corrupt.records", sdk, ChainPulseSdk::corruptSpoolRecords)
                .description("Corrupt records found when reading the spool back (a crash mid-write, a damaged disk); "
                        + "the events in them are lost.").tags(tags).register(registry));
        meters.add(Gauge.builder(PREFIX + "buffer.events", sdk, ChainPulseSdk::bufferedEvents)
                .description("Events waiting in the in-memory buffer.").tags(tags).register(registry));
        meters.add(Gauge.builder(PREFIX + "spool.bytes", sdk, ChainPulseSdk::spoolBytes).baseUnit("bytes")
                .description("Spooled bytes not yet acknowledged by Kafka.").tags(tags).register(registry));
        meters.add(Gauge.builder(PREFIX + "online", sdk, s -> s.online() ? 1 : 0)
                .description("1 while events go straight to Kafka, 0 while they go to the spool.").tags(tags)
                .register(registry));
        io.chainpulse.sdk.resources.ResourceCollector collector = sdk.collector();
        if (collector != null) {
            meters.add(FunctionCounter.builder(PREFIX + "resource.samples", collector,
                            io.chainpulse.sdk.resources.ResourceCollector::samples)
                    .description("Resource samples taken by collectResources.").tags(tags).register(registry));
            meters.add(FunctionCounter.builder(PREFIX + "resource.probe.failures", collector,
                            io.chainpulse.sdk.resources.ResourceCollector::probeFailures)
                    .description("Resource probes that failed (each reading counted); the samples went out "
                            + "without them.").tags(tags).register(registry));
        }
        Timer latency = Timer.builder(PREFIX + "send.latency")
                .description("From the record call to the broker's acknowledgement.")
                .publishPercentiles(0.5, 0.99).tags(tags).register(registry);
        meters.add(latency);
        c.sendLatency = latency;
    }

    private void counter(MeterRegistry registry, String name, String description, Tags tags, LongAdder adder) {
        meters.add(FunctionCounter.builder(PREFIX + name, adder, LongAdder::sum).description(description).tags(tags)
                .register(registry));
    }

    @Override
    public void close() {
        sdk.counters().sendLatency = null;
        if (registry != null) {
            meters.forEach(registry::remove);
        }
        meters.clear();
    }
}
