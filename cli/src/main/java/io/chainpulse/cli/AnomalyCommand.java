package io.chainpulse.cli;

import io.chainpulse.anomaly.AnomalyConfig;
import io.chainpulse.anomaly.AnomalyDetectorApp;
import io.chainpulse.schema.catalog.Topics;
import java.util.HashMap;
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
            "Settings: the 'Anomaly detector' table of ./chainpulse config; --set key=value for any of them.",
            "Exits with code 70 when its Kafka Streams client dies (after /health turned 503): let the supervisor "
                    + "restart it."})
final class AnomalyCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "http://127.0.0.1:8081/apis/ccompat/v7",
            description = "Schema registry (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    @Option(names = "--metrics-port", defaultValue = "9467",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Option(names = "--set", description = "Any detector setting, e.g. --set rules.file=my-rules.yaml, or any Kafka Streams "
            + "setting prefixed streams., e.g. --set streams.state.dir=/var/lib/chainpulse (repeatable).")
    Map<String, String> settings = new HashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        SetOptions.requireKnown(settings, AnomalyConfig.configDef(), AnomalyConfig.STREAMS_PREFIX);
        Map<String, Object> values = new HashMap<>(settings);
        values.put(AnomalyConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        values.put(AnomalyConfig.SCHEMA_REGISTRY_URL, registryUrl);
        AnomalyDetectorApp app;
        try {
            app = AnomalyDetectorApp.start(values);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ServiceEndpoint endpoint = ServiceEndpoint.start("anomaly-detector", metricsPort, app::healthy);
        app.deadLetters().bindTo(endpoint.registry());
        System.out.println("detecting anomalies on " + bootstrapServers + "; metrics and health on http://127.0.0.1:"
                + endpoint.port() + "/metrics and /health; Ctrl-C to stop.");
        return ServiceLifetime.await("anomaly", () -> {
            app.close();
            endpoint.close();
        }, app.died());
    }
}
