package io.chainpulse.processor;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.serde.AvroSerde;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What every KPI topology needs: settings, the typed topics, the shared counters, how many partitions the input
 * topic has (0 when unknown: network windows then close by their grace only, see {@link WindowAggregation}), the
 * reference clock future events are judged by (the wall clock; {@link #withReferenceClock} for a recording) and the
 * nodes held ({@link NodeRegistry}). No I/O.
 */
public record KpiContext(ProcessorConfig config, Topic<String, ProtocolEvent> events, Topic<String, KpiWindow> kpis,
                         Topic<String, ProtocolEvent> late, Topic<String, ProtocolEvent> deadLetters,
                         ProcessorCounters counters, int inputPartitions, LongSupplier referenceClock,
                         NodeRegistry nodes) {

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
        serde.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, config.getString(ProcessorConfig.SCHEMA_REGISTRY_URL));
        if (registryWait != null) {
            serde.put(AvroSerdeConfig.REGISTRY_WAIT, registryWait);
        }
        Serde<ProtocolEvent> events = AvroSerde.of(ProtocolEvent.class, serde);
        long forgetAfter = config.pairingTimeout().plus(config.windowSize().plus(config.grace()).multipliedBy(4)).toMillis();
        return new KpiContext(config,
                new Topic<>(config.getString(ProcessorConfig.INPUT_TOPIC), Serdes.String(), events),
                new Topic<>(config.getString(ProcessorConfig.KPI_TOPIC), Serdes.String(), AvroSerde.of(KpiWindow.class, serde)),
                new Topic<>(config.getString(ProcessorConfig.LATE_TOPIC), Serdes.String(), events),
                new Topic<>(DeadLetters.TOPIC, Serdes.String(), events),
                counters, inputPartitions, System::currentTimeMillis,
                new NodeRegistry(config.maxNodes(), inputPartitions, forgetAfter));
    }

    /** The same context judging future events by {@code clock} instead of the wall clock (a recording). */
    public KpiContext withReferenceClock(LongSupplier clock) {
        return new KpiContext(config, events, kpis, late, deadLetters, counters, inputPartitions, clock, nodes);
    }

    Duration windowSize() {
        return config.windowSize();
    }

    Duration grace() {
        return config.grace();
    }
}
