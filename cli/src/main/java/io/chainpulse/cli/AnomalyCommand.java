package io.chainpulse.cli;

import picocli.CommandLine.Mixin;
import io.chainpulse.anomaly.AnomalyConfig;
import io.chainpulse.anomaly.AnomalyDetectorApp;
import io.chainpulse.schema.catalog.Topics;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./chainpulse anomaly}: the anomaly detector as a service. */
@Command(name = "anomaly",
        mixinStandardHelpOptions = true,
        description = {
            "Run the anomaly detector (Kafka Streams, exactly-once): " + Topics.Names.KPIS + " in, "
                    + Topics.Names.ANOMALIES + " (every transition) and " + Topics.Names.ANOMALIES_CURRENT
                    + " (compacted) out.",
            "Settings: the 'Anomaly detector' table of ./chainpulse config; --set key=value for any of them, and for "
                    + "Kafka Streams and client keys (e.g. streams.state.dir, security.protocol, sasl.*).",
            "Exits with code 70 when its Kafka Streams client dies (after /health turned 503): let the supervisor "
                    + "restart it."})
final class AnomalyCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--metrics-port", defaultValue = "9467",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> values = kafka.settings(AnomalyConfig.configDef(), Map.of());
        if (kafka.printed(values)) {
            return 0;
        }
        Service service;
        try {
            service = start(values, metricsPort);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        System.out.println("detecting anomalies on " + KafkaOptions.bootstrapServers(values) + "; metrics and health on http://127.0.0.1:"
                + service.metricsPort() + "/metrics and /health; Ctrl-C to stop.");
        return ServiceLifetime.await("anomaly", service);
    }

    /** The anomaly detector, running, with its {@code /metrics} and {@code /health}: what {@code anomaly} runs, and the demo. */
    static Service start(Map<String, Object> values, int metricsPort) {
        AnomalyDetectorApp app = AnomalyDetectorApp.start(values);
        return Service.running("anomaly-detector", metricsPort, app::healthy, app.deadLetters()::bindTo, app,
                app.died());
    }
}
