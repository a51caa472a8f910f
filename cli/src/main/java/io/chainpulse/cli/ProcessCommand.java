package io.chainpulse.cli;

import picocli.CommandLine.Mixin;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.processor.ProcessorMetrics;
import io.chainpulse.processor.StreamProcessorApp;
import io.chainpulse.schema.catalog.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./chainpulse process}: the KPI stream processor as a service. */
@Command(name = "process",
        mixinStandardHelpOptions = true,
        description = {
            "Run the KPI stream processor (Kafka Streams, exactly-once): " + Topics.Names.EVENTS + " in, "
                    + Topics.Names.KPIS + " and " + Topics.Names.LATE_EVENTS + " out. Start more instances with the same application.id to scale out.",
            "Settings: the 'Stream processor' table of ./chainpulse config; --set key=value for any of them, and for "
                    + "Kafka Streams and client keys (streams.*, security.protocol, sasl.*…).",
            "Exits with code 70 when its Kafka Streams client dies (after /health turned 503): let the supervisor "
                    + "restart it."})
final class ProcessCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--metrics-port", defaultValue = "9465",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> values = kafka.settings(ProcessorConfig.CONFIG, Map.of());
        if (kafka.printed(values)) {
            return 0;
        }
        ProcessorConfig config;
        try {
            config = new ProcessorConfig(values);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Service service;
        try {
            service = start(config, metricsPort);
        } catch (RuntimeException e) {
            if (!ServiceLifetime.refusedByKafka(e)) {
                throw e;
            }
            // the operator's to fix; like a death, so that a supervisor retries once the credentials are right
            System.err.println("chainpulse process: " + e.getMessage() + "; exiting with code " + ServiceLifetime.DIED);
            return ServiceLifetime.DIED;
        }
        System.out.println("processing " + config.getString(ProcessorConfig.INPUT_TOPIC) + " → "
                + config.getString(ProcessorConfig.KPI_TOPIC) + "; metrics and health on http://127.0.0.1:"
                + service.metricsPort() + "/metrics and /health; Ctrl-C to stop.");
        return ServiceLifetime.await("process", service);
    }

    /** The processor, running, with its {@code /metrics} and {@code /health}: what {@code process} runs, and the demo. */
    static Service start(ProcessorConfig config, int metricsPort) {
        StreamProcessorApp app = new StreamProcessorApp(config);
        Service service = Service.running("processor", metricsPort, app::healthy, registry -> {
            new ProcessorMetrics(app.counters()).bindTo(registry);
            app.deadLetters().bindTo(registry);
            new KafkaStreamsMetrics(app.streams()).bindTo(registry);
        }, app, app.died());
        try {
            app.start();
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return service;
    }
}
