package io.chainpulse.cli;

import io.chainpulse.ingest.Ingest;
import io.chainpulse.ingest.IngestMetrics;
import io.chainpulse.schema.catalog.Topics;
import java.util.Map;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./chainpulse ingest --follow GLOB --http :PORT}: the log-following sidecar and HTTP ingest endpoint. */
@Command(name = "ingest",
        mixinStandardHelpOptions = true,
        description = {
            "Publish events of any node through the producer SDK: follow JSON Lines files as they grow (like tail -F; "
                    + "rotation and truncation handled, positions checkpointed by file identity) and/or take batches "
                    + "on POST /v1/events (NDJSON or a JSON array; 202 once Kafka acknowledged all of them).",
            "Every line reaches the topic once per event id, also after a crash. Bad lines go to the rejects file "
                    + "as FILE:LINE: reason. Runs until stopped (SIGTERM, Ctrl-C)."})
final class IngestCommand implements Callable<Integer> {

    @Option(names = "--follow", paramLabel = "GLOB",
            description = "Files to follow, e.g. '/var/log/node/*.jsonl' (quote it; ** crosses directories). Match "
                    + "live files only, not their rotated copies.")
    String glob;

    @Option(names = "--http", paramLabel = "[HOST]:PORT",
            description = "Serve POST /v1/events: ':8470' on every interface, '127.0.0.1:8470' on loopback only, "
                    + "port 0 = any free port.")
    String http;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token the HTTP endpoint requires (never on the command line).")
    Path tokenFile;

    @Option(names = "--state-dir", defaultValue = ".chainpulse/ingest",
            description = "Checkpoint (checkpoint.json) and rejects (rejects.txt) directory (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--rejects", paramLabel = "FILE", description = "Rejects file (default: STATE-DIR/rejects.txt).")
    Path rejects;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--topic", defaultValue = Topics.Names.EVENTS, description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--spool-dir", defaultValue = ".chainpulse/ingest-spool",
            description = "The SDK's spool while Kafka is unreachable (default: ${DEFAULT-VALUE}).")
    Path spoolDir;

    @Option(names = "--http-max-bytes", defaultValue = "10485760",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    int httpMaxBytes;

    @Option(names = "--http-max-in-flight", defaultValue = "8",
            description = "Batches published at once; more get 429 (default: ${DEFAULT-VALUE}).")
    int httpMaxInFlight;

    @Option(names = "--ack-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long a request waits for Kafka's acknowledgement before 503 (default: ${DEFAULT-VALUE}).")
    Duration ackTimeout;

    @Option(names = "--commit-interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "How often the file checkpoint is saved (default: ${DEFAULT-VALUE}).")
    Duration commitInterval;

    @Option(names = "--metrics-port", defaultValue = "9470",
            description = "Port of /metrics and /health on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
    int metricsPort;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        String bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        Ingest.Builder builder = Ingest.builder()
                .bootstrapServers(bootstrapServers)
                .schemaRegistryUrl(registryUrl)
                .clientSettings(settings)
                .topic(topic)
                .spoolDirectory(spoolDir)
                .stateDirectory(stateDir)
                .rejectsFile(rejects)
                .httpMaxBytes(httpMaxBytes)
                .httpMaxInFlight(httpMaxInFlight)
                .ackTimeout(ackTimeout)
                .commitInterval(commitInterval);
        KafkaOptions.sdkSettings(settings).forEach(builder::sdk); // its SDK's producer
        if (glob != null) {
            builder.follow(glob);
        }
        if (http != null) {
            builder.http(address(http));
        }
        if (tokenFile != null) {
            builder.bearerToken(token(tokenFile));
        }
        Ingest ingest = builder.start();
        // one blocking loop, as the sinks: it ends when closed (SIGTERM) or when following fails — then the death
        Service service = Service.looping("ingest", metricsPort, ingest::healthy,
                registry -> new IngestMetrics(ingest).bindTo(registry), () -> {
                    try {
                        ingest.awaitTermination();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (ingest.problem() != null) {
                        throw new IllegalStateException(ingest.problem());
                    }
                }, ingest);
        System.out.println("ingest: " + (glob != null ? "following " + glob + " (state in " + stateDir + "); " : "")
                + (http != null ? "POST /v1/events on port " + ingest.httpPort() + "; " : "")
                + "metrics and health on port " + service.metricsPort() + "; Ctrl-C to stop.");
        System.out.flush();
        return ServiceLifetime.await("ingest", service);
    }

    static InetSocketAddress address(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon <= 0 ? "0.0.0.0" : value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--http " + value + ": expected [HOST]:PORT, e.g. :8470 or 127.0.0.1:8470");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--http " + value + ": port must be 0..65535");
        }
        return new InetSocketAddress(host, port);
    }

    private static String token(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
