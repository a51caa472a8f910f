package io.chainpulse.cli;

import io.chainpulse.sink.es.SinkEsConfig;
import io.chainpulse.sink.es.SinkEsService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./chainpulse sink-es}: the Elasticsearch sink service, in the foreground, until Ctrl-C. */
@Command(name = "sink-es",
        mixinStandardHelpOptions = true,
        description = {
            "Write KPI windows and anomalies from Kafka to Elasticsearch (own consumer group, deterministic ids, "
                    + "index templates installed at start, retries while paused, dead-letter topic).",
            "Every key of './chainpulse config' (section 'Elasticsearch sink') can be set in a properties file "
                    + "(--config), the environment or with --set; flags win over --set, --set over the environment, "
                    + "the environment over the file. Put credentials in the file, not on the command line."})
final class SinkEsCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--es-url", description = "Elasticsearch URL(s), comma separated (default: "
            + "http://127.0.0.1:9200).")
    String esUrl;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 120s, 5m) instead of waiting for Ctrl-C.")
    Duration duration;

    @Option(names = "--metrics-port", defaultValue = "9466",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> config = config();
        if (kafka.printed(config)) {
            return 0;
        }
        Service service = start(config, metricsPort);
        if (duration != null) {
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep(duration.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                service.close();
            }, "chainpulse-sink-es-duration");
            timer.setDaemon(true);
            timer.start();
        }
        System.out.println("sink-es: " + config.get(SinkEsConfig.BOOTSTRAP_SERVERS) + " -> "
                + config.getOrDefault(SinkEsConfig.ES_URLS, "http://127.0.0.1:9200")
                + (duration == null ? "   (Ctrl-C to stop)" : "   (stopping after " + duration.toSeconds() + " s)"));
        System.out.println("sink-es: metrics and health on http://127.0.0.1:" + service.metricsPort()
                + "/metrics and /health");
        return ServiceLifetime.await("sink-es", service);
    }

    /** The Elasticsearch sink, running, with its {@code /metrics} and {@code /health}: what {@code sink-es} runs, and the demo. */
    static Service start(Map<String, Object> config, int metricsPort) {
        SinkEsService sink = SinkEsService.create(config);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        return Service.looping("sink-es", metricsPort, () -> running.get() && !sink.waitingForRegistry(), registry -> {
            sink.metrics().bindTo(registry);
            sink.deadLetterCounter().bindTo(registry);
        }, () -> {
            try {
                sink.run();
            } finally {
                running.set(false);
            }
        }, sink);
    }

    /** The sink's settings: see {@link KafkaOptions} for the layers. */
    Map<String, Object> config() {
        Map<String, String> flags = new HashMap<>();
        flags.put(SinkEsConfig.ES_URLS, esUrl);
        Map<String, Object> config = kafka.settings(SinkEsConfig.CONFIG, flags);
        // Validate now, so a bad key ends as a usage error naming it rather than after connecting.
        try {
            new SinkEsConfig(config);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return config;
    }
}
