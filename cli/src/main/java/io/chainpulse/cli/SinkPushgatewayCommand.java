package io.chainpulse.cli;

import io.chainpulse.sink.prometheus.PushgatewaySink;
import io.chainpulse.sink.prometheus.PushgatewaySinkConfig;
import io.chainpulse.sink.prometheus.PushgatewaySinkMetrics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./chainpulse sink-pushgateway}: final KPIs and active anomalies to a Prometheus Pushgateway. */
@Command(name = "sink-pushgateway",
        mixinStandardHelpOptions = true,
        description = {
            "Consume the KPI and anomaly topics and push final KPI values (gauges and summaries, bounded labels) and "
                    + "active anomalies to a Prometheus Pushgateway, one group per node.",
            "Groups of nodes silent for node.expiry.ms of stream time are deleted. Runs until Ctrl-C.",
            "Settings: see the 'Pushgateway sink' table of ./chainpulse config; --set key=value for any of them, and "
                    + "for Kafka client keys (security.protocol, sasl.*, consumer.*…)."})
final class SinkPushgatewayCommand implements Callable<Integer> {

    @Option(names = "--pushgateway-url", description = "Pushgateway base URL (default: http://127.0.0.1:9091).")
    String pushgatewayUrl;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--metrics-port", defaultValue = "9464",
            description = "Port of this service's /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new HashMap<>();
        flags.put(PushgatewaySinkConfig.PUSHGATEWAY_URL, pushgatewayUrl);
        Map<String, Object> values = kafka.settings(PushgatewaySinkConfig.CONFIG, flags);
        if (kafka.printed(values)) {
            return 0;
        }
        PushgatewaySinkConfig config;
        try {
            config = new PushgatewaySinkConfig(values);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        PushgatewaySink sink = new PushgatewaySink(config);
        ServiceEndpoint endpoint = ServiceEndpoint.start("sink-pushgateway", metricsPort, sink::healthy);
        new PushgatewaySinkMetrics(sink).bindTo(endpoint.registry());
        sink.deadLetters().bindTo(endpoint.registry());
        // close() waits for run() to end; no join of the main thread, which may itself be exiting after a failure
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sink.close();
            endpoint.close();
        }, "chainpulse-sink-pushgateway-stop"));
        System.out.println("pushing to " + config.getString(PushgatewaySinkConfig.PUSHGATEWAY_URL) + " every "
                + config.getLong(PushgatewaySinkConfig.PUSH_INTERVAL_MS) + " ms; metrics and health on http://127.0.0.1:"
                + endpoint.port() + "/metrics and /health; Ctrl-C to stop.");
        return ServiceLifetime.run("sink-pushgateway", sink::run);
    }
}
