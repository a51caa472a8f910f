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
        Service service = start(config, metricsPort);
        System.out.println("pushing to " + config.getString(PushgatewaySinkConfig.PUSHGATEWAY_URL) + " every "
                + config.getLong(PushgatewaySinkConfig.PUSH_INTERVAL_MS) + " ms; metrics and health on http://127.0.0.1:"
                + service.metricsPort() + "/metrics and /health; Ctrl-C to stop.");
        return ServiceLifetime.await("sink-pushgateway", service);
    }

    /** The Pushgateway sink, running, with its {@code /metrics} and {@code /health}: what {@code sink-pushgateway} runs, and the demo. */
    static Service start(PushgatewaySinkConfig config, int metricsPort) {
        PushgatewaySink sink = new PushgatewaySink(config);
        // the sink's close() waits for run() to end
        return Service.looping("sink-pushgateway", metricsPort, sink::healthy, registry -> {
            new PushgatewaySinkMetrics(sink).bindTo(registry);
            sink.deadLetters().bindTo(registry);
        }, sink::run, sink);
    }
}
