package io.chainpulse.processor;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Topic;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What every KPI topology needs: settings, the typed topics (the resources topic and its partition count for
 * {@link ResourceKpiTopology}), the shared counters, how many partitions the input
 * topic has (0 when unknown: network windows then close by their grace only, see {@link WindowAggregation}), the
 * reference clock future events are judged by (the wall clock; {@link #withReferenceClock} for a recording) and the
 * nodes held ({@link NodeRegistry}). No I/O.
 */
public record KpiContext(ProcessorConfig config, Topic.Bound<String, ProtocolEvent> events,
                         Topic.Bound<String, KpiWindow> kpis, Topic.Bound<String, ProtocolEvent> late,
                         Topic.Bound<String, ProtocolEvent> deadLetters,
                         ProcessorCounters counters, int inputPartitions, LongSupplier referenceClock,
                         NodeRegistry nodes, Topic.Bound<String, NodeResourceSample> resources,
                         int resourcePartitions) {

    /** Typed topics from the configuration, values in the Confluent wire format via its schema registry. */
    public static KpiContext of(ProcessorConfig config, ProcessorCounters counters) {
        return of(config, counters, 0);
    }

    /** The same, for an input topic of {@code inputPartitions} partitions. */
    public static KpiContext of(ProcessorConfig config, ProcessorCounters counters, int inputPartitions) {
        return of(config, counters, inputPartitions, null);
    }

    /** The same, with deserializers that wait for an unreachable registry as {@code registryWait} says. */
    static KpiContext of(ProcessorConfig config, ProcessorCounters counters, int inputPartitions,
                         RegistryWait registryWait) {
        java.util.Map<String, Object> serde = new java.util.HashMap<>();
        serde.putAll(AvroSerdeConfig.registryKeys(config.originals())); // credentials, TLS
        serde.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, config.getString(ProcessorConfig.SCHEMA_REGISTRY_URL));
        if (registryWait != null) {
            serde.put(AvroSerdeConfig.REGISTRY_WAIT, registryWait);
        }
        Topic.Bound<String, ProtocolEvent> events = Topics.EVENTS.named(config.getString(ProcessorConfig.INPUT_TOPIC))
                .bind(serde);
        long forgetAfter = config.pairingTimeout().plus(config.windowSize().plus(config.grace()).multipliedBy(4)).toMillis();
        return new KpiContext(config,
                events,
                Topics.KPIS.named(config.getString(ProcessorConfig.KPI_TOPIC)).bind(serde),
                new Topic.Bound<>(config.getString(ProcessorConfig.LATE_TOPIC), Serdes.String(), events.valueSerde()),
                // invalid node ids: the event re-encoded, keyed by its (invalid) node id
                new Topic.Bound<>(Topics.DEAD_LETTERS.name(), Serdes.String(), events.valueSerde()),
                counters, inputPartitions, System::currentTimeMillis,
                new NodeRegistry(config.maxNodes(), inputPartitions, forgetAfter),
                Topics.RESOURCES.named(config.getString(ProcessorConfig.RESOURCES_TOPIC)).bind(serde), inputPartitions);
    }

    /** The same context judging future events by {@code clock} instead of the wall clock (a recording). */
    public KpiContext withReferenceClock(LongSupplier clock) {
        return new KpiContext(config, events, kpis, late, deadLetters, counters, inputPartitions, clock, nodes,
                resources, resourcePartitions);
    }

    /**
     * The same context for a resources topic of {@code partitions} partitions (by default the input's count), which
     * the resource KPIs' network windows wait for ({@link ResourceKpiTopology}).
     */
    public KpiContext withResourcePartitions(int partitions) {
        return new KpiContext(config, events, kpis, late, deadLetters, counters, inputPartitions, referenceClock, nodes,
                resources, partitions);
    }

    Duration windowSize() {
        return config.windowSize();
    }

    Duration grace() {
        return config.grace();
    }
}
