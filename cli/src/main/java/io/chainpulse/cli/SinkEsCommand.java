package io.chainpulse.cli;

import io.chainpulse.sink.es.SinkEsConfig;
import io.chainpulse.sink.es.SinkEsService;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./chainpulse sink-es}: the Elasticsearch sink service, in the foreground, until Ctrl-C. */
@Command(name = "sink-es",
        mixinStandardHelpOptions = true,
        description = {
            "Write KPI windows and anomalies from Kafka to Elasticsearch (own consumer group, deterministic ids, "
                    + "index templates installed at start, retries while paused, dead-letter topic).",
            "Every key of './chainpulse config' (section 'Elasticsearch sink') can be set in a properties file "
                    + "(--config) or with --set; flags win over the file. Put credentials in the file, not on the "
                    + "command line."})
final class SinkEsCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka brokers (default: the file's, else 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(names = "--registry-url",
            description = "Schema registry (default: the file's, else http://127.0.0.1:8081/apis/ccompat/v7, "
                    + "the local stack's).")
    String registryUrl;

    @Option(names = "--es-url", description = "Elasticsearch URL(s), comma separated (default: the file's, else "
            + "http://127.0.0.1:9200).")
    String esUrl;

    @Option(names = "--config", description = "Properties file with any sink, serde, consumer.* or producer.* keys.")
    Path configFile;

    @Option(names = "--set", description = "key=value, repeatable, e.g. --set bulk.max.actions=500.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 120s, 5m) instead of waiting for Ctrl-C.")
    Duration duration;

    static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8081/apis/ccompat/v7";

    @Option(names = "--metrics-port", defaultValue = "9466",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> config = config();
        SinkEsService sink = SinkEsService.create(config);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        ServiceEndpoint endpoint = ServiceEndpoint.start("sink-es", metricsPort,
                () -> running.get() && !sink.waitingForRegistry());
        sink.metrics().bindTo(endpoint.registry());
        sink.deadLetterCounter().bindTo(endpoint.registry());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.set(false);
            sink.close();
            endpoint.close();
        }, "chainpulse-sink-es-stop"));
        if (duration != null) {
            Thread timer = new Thread(() -> {
                try {
                    Thread.sleep(duration.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                sink.close();
            }, "chainpulse-sink-es-duration");
            timer.setDaemon(true);
            timer.start();
        }
        System.out.println("sink-es: " + config.get(SinkEsConfig.BOOTSTRAP_SERVERS) + " -> "
                + config.getOrDefault(SinkEsConfig.ES_URLS, "http://127.0.0.1:9200")
                + (duration == null ? "   (Ctrl-C to stop)" : "   (stopping after " + duration.toSeconds() + " s)"));
        System.out.println("sink-es: metrics and health on http://127.0.0.1:" + endpoint.port() + "/metrics and /health");
        return ServiceLifetime.run("sink-es", () -> {
            try {
                sink.run();
            } finally {
                running.set(false);
            }
        });
    }

    /** Defaults, then the file, then the flags. */
    Map<String, Object> config() throws IOException {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", DEFAULT_REGISTRY_URL);
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new IllegalArgumentException("--config file not found: " + configFile);
            }
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile)) {
                file.load(reader);
            }
            file.stringPropertyNames().forEach(key -> config.put(key, file.getProperty(key).trim()));
        }
        config.putAll(overrides);
        if (bootstrapServers != null) {
            config.put(SinkEsConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (registryUrl != null) {
            config.put("schema.registry.url", registryUrl);
        }
        if (esUrl != null) {
            config.put(SinkEsConfig.ES_URLS, esUrl);
        }
        config.putIfAbsent(SinkEsConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
        // Validate now, so a bad key ends as a usage error naming it rather than after connecting.
        try {
            new SinkEsConfig(config);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return config;
    }
}
