package io.chainpulse.ingest;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.sdk.ErrorListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest sidecar: follows JSON Lines files ({@link FileFollower}) and/or serves {@code POST /v1/events}
 * ({@link HttpIngest}), publishing through one {@link ChainPulseSdk}.
 *
 * <pre>{@code
 * try (Ingest ingest = Ingest.builder()
 *         .bootstrapServers("kafka:9092").schemaRegistryUrl("http://registry:8081")
 *         .follow("/var/log/node/*.jsonl").stateDirectory(Path.of("/var/lib/chainpulse-ingest"))
 *         .http(new InetSocketAddress("0.0.0.0", 8470))
 *         .start()) {
 *     new IngestMetrics(ingest).bindTo(registry);
 *     ingest.awaitTermination();
 * }
 * }</pre>
 *
 * <h2>Delivery guarantee</h2>
 * Every line of a followed file reaches the events topic <b>once per event id</b>, also across a crash (SIGKILL) of
 * the sidecar: the checkpoint of the file positions advances only after Kafka acknowledged every event recorded
 * before it, and it saves the topic's end offsets at that moment; a restart first lets the SDK send its spool, reads
 * back the event ids written since those offsets, and skips the lines after the checkpoint whose event id it found.
 * An HTTP batch is answered 202 only once Kafka acknowledged all of it.
 *
 * <p>While Kafka is unreachable (or the SDK is still sending its spool), the follower stops reading: the files are
 * the buffer, their lag grows on {@code /metrics}, and rotated files must be kept until it is back to 0. What was
 * in flight when Kafka went away is in the SDK's spool and is sent first when it is back.
 */
public final class Ingest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
    static final String CHECKPOINT_FILE = "checkpoint.json";
    static final String REJECTS_FILE = "rejects.txt";

    private final Builder settings;
    private final ChainPulseSdk sdk;
    private final Admin admin;
    private final Publisher publisher;
    private final Rejects rejects;
    private final HttpIngest http;
    private final Thread followerThread;
    private volatile FileFollower follower;
    private volatile boolean recovered;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private Ingest(Builder b) {
        this.settings = b;
        var sdkBuilder = ChainPulseSdk.builder()
                .nodeId(b.sdkNodeId)
                .bootstrapServers(b.bootstrapServers)
                .schemaRegistryUrl(b.registryUrl)
                .topic(b.topic)
                .spoolDirectory(b.spoolDirectory)
                .errorListener(b.errorListener);
        // a sidecar gains nothing by spooling on a short stall (the follower waits instead), and a loaded machine
        // stalls for seconds: a longer stall timeout than a node's keeps the SDK from flapping offline
        sdkBuilder.stallTimeout(Duration.ofSeconds(10));
        b.sdkSettings.forEach(sdkBuilder::set);
        this.sdk = sdkBuilder.build();
        Map<String, Object> adminProps = ClientSettings.forClient(b.clientSettings, ClientSettings.ADMIN);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        this.admin = Admin.create(adminProps);
        // a commit waits up to 10 s for the SDK to drain while writers pause: shorter, and a follower that keeps the
        // SDK's buffer full would never see a checkpoint under load
        this.publisher = new Publisher(new SdkTarget(sdk, admin, b.topic), b.commitInterval, Duration.ofSeconds(10));
        Checkpoint checkpoint = Checkpoint.empty();
        if (b.glob != null) {
            try {
                Files.createDirectories(b.stateDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the state directory " + b.stateDirectory, e);
            }
            checkpoint = Checkpoint.read(checkpointFile());
            this.rejects = new Rejects(b.rejectsFile != null ? b.rejectsFile : b.stateDirectory.resolve(REJECTS_FILE),
                    checkpoint.rejectsBytes());
            Checkpoint restored = checkpoint;
            this.followerThread = new Thread(() -> follow(restored), "chainpulse-ingest-follower");
            followerThread.setDaemon(true);
        } else {
            this.rejects = null;
            this.followerThread = null;
            this.recovered = true;
        }
        this.http = b.http == null ? null
                : new HttpIngest(new HttpIngest.Settings(b.http, b.token, b.httpMaxBytes, b.httpMaxInFlight,
                        b.httpThreads, b.ackTimeout), publisher, () -> recovered);
        if (followerThread != null) {
            followerThread.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private Path checkpointFile() {
        return settings.stateDirectory.resolve(CHECKPOINT_FILE);
    }

    private void follow(Checkpoint checkpoint) {
        try {
            Set<String> published = Set.of();
            if (!checkpoint.endOffsets().isEmpty()) {
                // what the previous run left in the SDK's spool must be on the topic before we look there
                long waited = System.nanoTime();
                while (!sdk.flush(Duration.ofSeconds(10))) {
                    if (stopping) {
                        return;
                    }
                    LOG.warn("waiting for Kafka at {} to take the spool of the previous run ({} s so far) before "
                            + "resuming the files", settings.bootstrapServers, (System.nanoTime() - waited) / 1_000_000_000L);
                }
                published = new java.util.HashSet<>(Recovery.publishedSince(checkpoint.endOffsets(),
                        settings.bootstrapServers, settings.topic,
                        new AvroDeserializer<>(ProtocolEvent.class,
                                AvroSerdeConfig.registryClient(settings.registryUrl, settings.clientSettings)),
                        ClientSettings.forClient(settings.clientSettings, ClientSettings.CONSUMER),
                        Duration.ofMinutes(2)));
            }
            follower = new FileFollower(settings.glob, publisher, rejects, checkpointFile(), checkpoint, published);
            // a checkpoint, with the topic's end offsets, before the first line is read: a crash at any later
            // moment finds where to look for what it published
            while (!publisher.commitNow()) {
                if (stopping) {
                    return;
                }
                LOG.warn("waiting for Kafka at {} to save the first checkpoint", settings.bootstrapServers);
            }
            recovered = true;
            LOG.info("following {}; checkpoint {}, rejects {}", settings.glob, checkpointFile(), rejects.file());
            while (!stopping) {
                if (!publisher.accepting()) {
                    // Kafka unreachable or the SDK still sending its spool: the files are the buffer meanwhile
                    // (their lag grows on /metrics); copying them into the spool would only race the replay
                    LockSupport.parkNanos(settings.pollInterval.toNanos());
                    continue;
                }
                if (follower.pollOnce() == 0) {
                    LockSupport.parkNanos(settings.pollInterval.toNanos());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                failure = e;
                LOG.error("following {} stopped: {}", settings.glob, e.toString(), e);
            }
        }
    }

    /** UP while the follower runs (if any) and checkpoints advance. */
    public boolean healthy() {
        return failure == null && publisher.problem() == null
                && (followerThread == null || followerThread.isAlive() || stopping);
    }

    /** Why {@link #healthy()} is false, or null. */
    public String problem() {
        if (failure != null) {
            return "following stopped: " + failure;
        }
        return publisher.problem();
    }

    /** True once the checkpoint was restored and the files are followed (always true without {@code follow}). */
    public boolean recovered() {
        return recovered;
    }

    /** The HTTP endpoint's port, or -1 without one. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Blocks until {@link #close()} is called from another thread or following failed. */
    public void awaitTermination() throws InterruptedException {
        while (!stopping && failure == null) {
            Thread.sleep(200);
        }
    }

    ChainPulseSdk sdk() {
        return sdk;
    }

    FileFollower follower() {
        return follower;
    }

    HttpIngest http() {
        return http;
    }

    /** Stops reading and serving, saves a last checkpoint, closes the SDK (what Kafka did not take stays spooled). */
    @Override
    public void close() {
        stopping = true;
        if (http != null) {
            http.close();
        }
        if (followerThread != null) {
            // no interrupt: it would close the files' channels mid-read; the follower sees stopping within a pass
            try {
                followerThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (follower != null && recovered) {
            publisher.commitNow(); // a last checkpoint
        }
        publisher.close();
        sdk.close();
        admin.close(Duration.ofSeconds(5));
        if (follower != null) {
            follower.close();
        }
        if (rejects != null) {
            rejects.close();
        }
    }

    /**
     * Settings of an {@link Ingest}. Required: bootstrap servers, registry URL, and {@link #follow} or {@link #http}
     * (or both). {@link #start()} checks them all at once.
     */
    public static final class Builder {
        private String bootstrapServers;
        private String registryUrl;
        private String topic = Topics.EVENTS.name();
        private Path spoolDirectory = Path.of(".chainpulse/ingest-spool");
        private Path stateDirectory = Path.of(".chainpulse/ingest");
        private Path rejectsFile;
        private String glob;
        private InetSocketAddress http;
        private String token;
        private int httpMaxBytes = 10 << 20;
        private int httpMaxInFlight = 8;
        private int httpThreads = 16;
        private Duration ackTimeout = Duration.ofSeconds(10);
        private Duration commitInterval = Duration.ofSeconds(1);
        private Duration pollInterval = Duration.ofMillis(100);
        private String sdkNodeId = "ingest";
        private final Map<String, Object> sdkSettings = new java.util.LinkedHashMap<>();
        private Map<String, Object> clientSettings = Map.of();
        private ErrorListener errorListener = (message, cause) -> LOG.warn("producer SDK: {}", message);

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder schemaRegistryUrl(String url) {
            this.registryUrl = url;
            return this;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = directory;
            return this;
        }

        /** Where {@code checkpoint.json} and, by default, {@code rejects.txt} are kept. */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = directory;
            return this;
        }

        public Builder rejectsFile(Path file) {
            this.rejectsFile = file;
            return this;
        }

        /** Follow the files matching {@code glob} (e.g. {@code /var/log/node/*.jsonl}). */
        public Builder follow(String glob) {
            this.glob = glob;
            return this;
        }

        /** Serve {@code POST /v1/events} on {@code address}. */
        public Builder http(InetSocketAddress address) {
            this.http = address;
            return this;
        }

        /** Require {@code Authorization: Bearer <token>} on the HTTP endpoint. */
        public Builder bearerToken(String token) {
            this.token = token;
            return this;
        }

        public Builder httpMaxBytes(int bytes) {
            this.httpMaxBytes = bytes;
            return this;
        }

        public Builder httpMaxInFlight(int batches) {
            this.httpMaxInFlight = batches;
            return this;
        }

        public Builder httpThreads(int threads) {
            this.httpThreads = threads;
            return this;
        }

        public Builder ackTimeout(Duration timeout) {
            this.ackTimeout = timeout;
            return this;
        }

        public Builder commitInterval(Duration interval) {
            this.commitInterval = interval;
            return this;
        }

        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /** The SDK's own node id (it names its spool directory); the events keep theirs. */
        public Builder sdkNodeId(String nodeId) {
            this.sdkNodeId = nodeId;
            return this;
        }

        /** Any producer SDK setting ({@code SdkConfig} key). */
        public Builder sdk(String key, Object value) {
            sdkSettings.put(key, value);
            return this;
        }

        /**
         * Kafka client keys for its admin client and its recovery consumer ({@code security.protocol},
         * {@code sasl.*}, {@code ssl.*}, {@code admin.*}, {@code consumer.*}; see {@code ClientSettings}) and the
         * registry's credentials and TLS keys; the SDK's producer takes its own through {@link #sdk}.
         */
        public Builder clientSettings(Map<String, ?> settings) {
            this.clientSettings = Map.copyOf(settings);
            return this;
        }

        public Builder errorListener(ErrorListener listener) {
            this.errorListener = Objects.requireNonNull(listener, "errorListener");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming every missing or invalid setting at once
         */
        public Ingest start() {
            java.util.List<String> problems = new java.util.ArrayList<>();
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                problems.add("bootstrap servers are required");
            }
            if (registryUrl == null || registryUrl.isBlank()) {
                problems.add("schema registry URL is required");
            }
            if (glob == null && http == null) {
                problems.add("nothing to do: give a glob to follow, an HTTP address, or both");
            }
            if (glob != null && glob.isBlank()) {
                problems.add("the glob to follow must not be empty");
            }
            if (httpMaxBytes < 1024) {
                problems.add("httpMaxBytes must be >= 1024: " + httpMaxBytes);
            }
            if (httpMaxInFlight < 1) {
                problems.add("httpMaxInFlight must be >= 1: " + httpMaxInFlight);
            }
            if (httpThreads < 1) {
                problems.add("httpThreads must be >= 1: " + httpThreads);
            }
            if (ackTimeout.isNegative() || ackTimeout.isZero()) {
                problems.add("ackTimeout must be > 0: " + ackTimeout);
            }
            if (commitInterval.toMillis() < 10) {
                problems.add("commitInterval must be >= 10 ms: " + commitInterval);
            }
            if (token != null && token.isBlank()) {
                problems.add("the bearer token must not be empty");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid ingest settings: " + String.join("; ", problems));
            }
            return new Ingest(this);
        }
    }
}
