package io.chainpulse.sdk;

import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.sdk.resources.NodeGauges;
import io.chainpulse.sdk.resources.ResourceCollector;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a node's protocol events, and its periodic resource samples, to ChainPulse.
 *
 * <pre>{@code
 * ChainPulseSdk sdk = ChainPulseSdk.builder()
 *         .nodeId("validator-3").chainId("mainnet")
 *         .bootstrapServers("kafka:9092").schemaRegistryUrl("http://registry:8081")
 *         .spoolDirectory(Path.of("/var/lib/node/chainpulse-spool"))
 *         .collectResources(Duration.ofSeconds(5))                           // optional: CPU, memory, disk, network…
 *         .resourceGauges(() -> new NodeGauges(mempool.size(), peers.size())) // optional: what only the node knows
 *         .build();
 * sdk.event(EventType.transaction_ingress).txId("0xab12").sizeBytes(230).record();
 * try (Timing t = sdk.time(Phase.BLOCK_EXECUTION, 1042)) {
 *     execute(block);
 * }
 * sdk.recordResources(NodeResourceSample.newBuilder().setNodeId("validator-3").setTimestampNs(now)…build());
 * sdk.close();
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Never blocks the calling thread, never throws because Kafka or the registry is down.</b> Recording puts the
 *       event into a bounded lock-free buffer; a sender thread encodes and publishes it.</li>
 *   <li>Events go to Kafka with an idempotent producer ({@code acks=all}), keyed by node id, in record order.
 *       Resource samples ({@link #recordResources}) go the same way to their own topic ({@code resources.topic});
 *       below, "event" means either.</li>
 *   <li>While Kafka or the registry is unreachable, events go to a durable, bounded spool on disk and are sent, in
 *       order, when it is back; an SDK started with a non-empty spool sends it first. A broker restart within
 *       {@code delivery.timeout.ms} costs neither loss nor duplicates.</li>
 *   <li>An event is dropped only when the buffer is full, when the spool is full, after {@link #close()}, when
 *       Kafka refuses it for good, or when a record built elsewhere names an invalid node id; each drop is counted by
 *       reason ({@link #stats()}, {@link SdkMetrics}) and reported to the {@link ErrorListener}.</li>
 *   <li>Node ids follow the one rule of {@link io.chainpulse.schema.NodeIds} (1 to 128 of {@code A-Z a-z 0-9 . _ : -},
 *       starting with a letter or digit, not {@code network} or {@code anomalies}): {@link Builder#build()} refuses
 *       an invalid id before it touches the disk; a {@link #record(ProtocolEvent)} or {@link #recordResources}
 *       naming an invalid id is dropped on the sender thread (reason {@code invalid_node_id}), never thrown.</li>
 *   <li>When the registry refuses the schema (HTTP 409, incompatible with the subject's compatibility level), the
 *       {@link ErrorListener} is told the subject and the registry's message; events stay in the spool, nothing is
 *       dropped, and they are sent as soon as the registry accepts the schema (compatibility relaxed, subject
 *       deleted).</li>
 *   <li>A spool record found corrupt when it is read back (a crash mid-write, a damaged disk) is counted
 *       ({@link Stats#corruptRecords()}, {@link SdkMetrics}) and reported; the records after it in its segment are
 *       lost with it.</li>
 * </ul>
 * Thread-safe: any number of threads may record concurrently.
 */
public final class ChainPulseSdk implements AutoCloseable {
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String nodeId;
    private final Clock clock;
    private final org.jctools.queues.MpscArrayQueue<Object> queue;
    private final Counters counters = new Counters();
    private final Producer<String, byte[]> producer;
    private final Spool spool;
    private final Sender sender;
    private final ResourceCollector collector;
    private volatile boolean closed;

    private ChainPulseSdk(SdkConfig config, Clock clock, ErrorListener listener, ResourceCollector.Builder resources,
                          Path resourceDirectory) {
        this.nodeId = config.nodeId();
        this.clock = clock;
        this.queue = new org.jctools.queues.MpscArrayQueue<>(config.getInt(SdkConfig.BUFFER_EVENTS));
        this.spool = new Spool(Path.of(config.getString(SdkConfig.SPOOL_DIR)).resolve(safeDirectoryName(nodeId)),
                config.getLong(SdkConfig.SPOOL_MAX_BYTES), config.getInt(SdkConfig.SPOOL_SEGMENT_BYTES),
                config.getLong(SdkConfig.SPOOL_FSYNC_INTERVAL_MS));
        var userInfo = config.getPassword(SdkConfig.SCHEMA_REGISTRY_USER_INFO);
        Map<String, Object> registrySettings = new HashMap<>(config.originals()); // bearer, TLS keys
        if (userInfo != null) {
            registrySettings.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO, userInfo.value());
        }
        SchemaRegistryClient registry = AvroSerdeConfig.registryClient(config.getString(SdkConfig.SCHEMA_REGISTRY_URL),
                registrySettings);
        this.producer = new KafkaProducer<>(producerConfig(config), new StringSerializer(), new ByteArraySerializer());
        String instanceId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        this.sender = new Sender(queue, producer, registry, config.getString(SdkConfig.TOPIC),
                config.getString(SdkConfig.RESOURCES_TOPIC), nodeId, config.getString(SdkConfig.CHAIN_ID), instanceId,
                spool, counters,
                new ErrorReporter(listener), config.stallTimeout());
        sender.start();
        this.collector = resources == null ? null : resources
                .chainId(config.getString(SdkConfig.CHAIN_ID))
                .dataDirectory(resourceDirectory == null ? Path.of(config.getString(SdkConfig.SPOOL_DIR))
                        : resourceDirectory)
                .errorListener(listener)
                .start(this::recordResources);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts describing an event of {@code type} at this node; finish with {@link Event#record()}. */
    public Event event(EventType type) {
        return new Event(this, type);
    }

    /**
     * Records the start event of {@code phase} at {@code height} now; closing the returned {@link Timing} records
     * the complete event with the measured duration.
     */
    public Timing time(Phase phase, long height) {
        return open(phase, event(phase.start).height(height), event(phase.complete).height(height));
    }

    /** As {@link #time(Phase, long)}, for a transaction ({@link Phase#TRANSACTION_VALIDATION}). */
    public Timing time(Phase phase, String txId) {
        return open(phase, event(phase.start).txId(txId), event(phase.complete).txId(txId));
    }

    private Timing open(Phase phase, Event start, Event complete) {
        long epochNanos = epochNanos();
        long startNanoTime = nanoTime();
        start.timestampNs(epochNanos).record();
        return new Timing(complete, epochNanos, startNanoTime);
    }

    /**
     * Records an event built elsewhere (a replayed log, a bridge) as it is: its node id, timestamp and event id are
     * kept, and its node id is the record key. Same contract as {@link Event#record()}.
     */
    public void record(ProtocolEvent event) {
        offer(java.util.Objects.requireNonNull(event, "event"));
    }

    /**
     * Records a resource sample (CPU, memory, disk, network, mempool) for the resources topic, as it is: its node id
     * is the record key. It shares the buffer, the spool, the order and the counters ({@link #stats()}) with the
     * events, so the contract of {@link Event#record()} holds: never blocks, never throws because Kafka is down.
     * Do not change the sample after recording it; it is encoded later, on the sender thread.
     */
    public void recordResources(NodeResourceSample sample) {
        offer(java.util.Objects.requireNonNull(sample, "sample"));
    }

    private void offer(Object record) {
        counters.recorded.increment();
        if (closed) {
            counters.drop(Counters.DropReason.CLOSED);
            return;
        }
        if (!queue.offer(record)) {
            counters.drop(Counters.DropReason.BUFFER_FULL);
        }
    }

    void accept(Event event) {
        counters.recorded.increment();
        if (closed) {
            counters.drop(Counters.DropReason.CLOSED);
            return;
        }
        if (event.timestampNs == 0) {
            event.timestampNs = epochNanos();
        }
        if (!queue.offer(event)) {
            counters.drop(Counters.DropReason.BUFFER_FULL);
        }
    }

    /**
     * For bulk loaders only (replays of recorded files, simulators), never a node's hot path: like
     * {@link #record(ProtocolEvent)} but waits for room in the buffer instead of dropping.
     *
     * @return false, without recording, once the SDK is closed
     */
    public boolean recordWaiting(ProtocolEvent event) {
        return offerWaiting(java.util.Objects.requireNonNull(event, "event"));
    }

    /** As {@link #recordWaiting(ProtocolEvent)}, for a resource sample ({@link #recordResources}). */
    public boolean recordWaiting(NodeResourceSample sample) {
        return offerWaiting(java.util.Objects.requireNonNull(sample, "sample"));
    }

    private boolean offerWaiting(Object record) {
        while (!closed) {
            if (queue.offer(record)) {
                counters.recorded.increment();
                return true;
            }
            LockSupport.parkNanos(50_000);
        }
        return false;
    }

    /**
     * Waits until every event recorded so far was acknowledged by Kafka, or {@code timeout} passed.
     *
     * @return true when nothing is left in the buffer, in flight or in the spool
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (queue.isEmpty() && sender.online() && sender.outstanding() == 0 && spool.empty()) {
                return true;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return false;
    }

    /** {@link #close(Duration)} with 10 seconds. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops accepting events, sends or spools what the buffer holds, and waits up to {@code timeout} for Kafka's
     * acknowledgements; what Kafka has not acknowledged by then stays in the spool for the next start.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        if (collector != null) {
            collector.close();
        }
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            sender.stop(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // unacknowledged records fail their callbacks here, which spools them
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        try {
            spool.close();
        } catch (java.io.IOException e) {
            org.slf4j.LoggerFactory.getLogger(ChainPulseSdk.class).warn("closing the spool in {} failed: {}",
                    spool.directory(), e.getMessage());
        }
    }

    /** What happened to the events recorded so far. */
    public Stats stats() {
        return new Stats(counters.recorded.sum(), counters.sent.sum(), counters.spooled.sum(),
                counters.replayed.sum(), counters.droppedTotal(), bufferedEvents(), spoolBytes(), online(),
                corruptSpoolRecords());
    }

    /**
     * Counts since start, of events and resource samples together (they share the buffer, the spool and the reasons
     * to drop): {@code recorded} = calls to {@link Event#record()} / {@link #record(ProtocolEvent)} /
     * {@link #recordResources(NodeResourceSample)};
     * {@code sent} = acknowledged by Kafka, {@code replayed} from the spool included; {@code spooled} = written to the
     * spool; {@code dropped} = lost, all reasons. Once quiet: {@code recorded = (sent - replayed) + spooled + dropped}.
     * {@code corruptRecords} = corrupt records found in the spool when reading it back (a crash mid-write, a damaged
     * disk); the events in them are lost and are in no other count. 0 in normal operation, a full disk included.
     */
    public record Stats(long recorded, long sent, long spooled, long replayed, long dropped, long buffered,
                        long spoolBytes, boolean online, long corruptRecords) {}

    public String nodeId() {
        return nodeId;
    }

    /** The resource collector started by {@link Builder#collectResources}, or {@code null}. */
    ResourceCollector collector() {
        return collector;
    }

    Counters counters() {
        return counters;
    }

    int bufferedEvents() {
        return queue.size();
    }

    long spoolBytes() {
        return spool.bytes();
    }

    boolean online() {
        return sender.online();
    }

    long corruptSpoolRecords() {
        return spool.corruptRecords();
    }

    long epochNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    long nanoTime() {
        return System.nanoTime();
    }

    private static Map<String, Object> producerConfig(SdkConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(SdkConfig.BOOTSTRAP_SERVERS));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "chainpulse-sdk-" + config.nodeId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // the sender thread, not the node's, would wait: keep it short and spool instead
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 200);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        p.putAll(config.kafkaOverrides());
        return p;
    }

    private static String safeDirectoryName(String nodeId) {
        return nodeId.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Settings of a {@link ChainPulseSdk}; {@link #build()} checks them all at once and names every problem.
     * Required: node id, bootstrap servers, schema registry URL.
     */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();
        private ErrorListener errorListener = ErrorReporter.logging();
        private Clock clock = Clock.systemUTC();
        private Duration resourceInterval;
        private Path resourceDirectory;
        private java.util.function.Supplier<NodeGauges> resourceGauges;

        private Builder() {}

        public Builder nodeId(String nodeId) {
            return set(SdkConfig.NODE_ID, nodeId);
        }

        public Builder chainId(String chainId) {
            return set(SdkConfig.CHAIN_ID, chainId);
        }

        public Builder bootstrapServers(String servers) {
            return set(SdkConfig.BOOTSTRAP_SERVERS, servers);
        }

        public Builder schemaRegistryUrl(String url) {
            return set(SdkConfig.SCHEMA_REGISTRY_URL, url);
        }

        /** {@code user:password} for the registry's basic auth; never logged. */
        public Builder schemaRegistryBasicAuth(String userInfo) {
            return set(SdkConfig.SCHEMA_REGISTRY_USER_INFO, userInfo);
        }

        public Builder topic(String topic) {
            return set(SdkConfig.TOPIC, topic);
        }

        public Builder spoolDirectory(Path directory) {
            return set(SdkConfig.SPOOL_DIR, directory.toString());
        }

        public Builder spoolMaxBytes(long bytes) {
            return set(SdkConfig.SPOOL_MAX_BYTES, bytes);
        }

        public Builder bufferEvents(int events) {
            return set(SdkConfig.BUFFER_EVENTS, events);
        }

        public Builder stallTimeout(Duration timeout) {
            return set(SdkConfig.STALL_TIMEOUT_MS, timeout.toMillis());
        }

        /** Any Kafka producer setting, e.g. {@code kafka("security.protocol", "SSL")}; applied last. */
        public Builder kafka(String producerKey, Object value) {
            return set(SdkConfig.KAFKA_PREFIX + producerKey, value);
        }

        /** Any {@link SdkConfig} key, e.g. from a properties file. */
        public Builder set(String key, Object value) {
            values.put(key, value);
            return this;
        }

        /**
         * Samples this JVM's process and its host every {@code interval} on the SDK's own daemon thread and records
         * each sample ({@link #recordResources}): process and machine CPU %, RSS, heap, machine memory used and
         * available, the process's disk reads and writes and the network's bytes received and sent since the
         * previous sample, use % of the data directory's file system, open file descriptors, threads, and the
         * {@link #resourceGauges} of the node. The first sample comes one interval after {@link #build()} (the first
         * reading is the baseline of the deltas). A probe that fails is reported to the {@link ErrorListener} once
         * and the samples go out without it. See {@link ResourceCollector}.
         *
         * @param interval 1 s to 1 h; 5 s is a good default (it costs well under 1 % of a core)
         * @throws IllegalArgumentException naming the interval when it is out of range
         */
        public Builder collectResources(Duration interval) {
            this.resourceInterval = ResourceCollector.checkInterval(interval);
            return this;
        }

        /** The directory whose file system's use % is sampled (default: the spool directory). */
        public Builder resourceDataDirectory(Path directory) {
            this.resourceDirectory = java.util.Objects.requireNonNull(directory, "resourceDataDirectory");
            return this;
        }

        /**
         * Mempool size and peer count for each resource sample, read on the collector's thread: keep it cheap and
         * thread-safe. Without it, samples carry mempool size 0 and no peer count.
         */
        public Builder resourceGauges(java.util.function.Supplier<NodeGauges> gauges) {
            this.resourceGauges = java.util.Objects.requireNonNull(gauges, "resourceGauges");
            return this;
        }

        public Builder errorListener(ErrorListener listener) {
            this.errorListener = java.util.Objects.requireNonNull(listener, "errorListener");
            return this;
        }

        Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming every missing or invalid setting, or when the spool directory
         *     cannot be used
         */
        public ChainPulseSdk build() {
            SdkConfig config = SdkConfig.validated(values);
            ResourceCollector.Builder resources = null;
            if (resourceInterval != null) {
                resources = ResourceCollector.builder(config.nodeId(), resourceInterval);
                if (resourceGauges != null) {
                    resources.gauges(resourceGauges);
                }
            } else if (resourceGauges != null || resourceDirectory != null) {
                throw new IllegalArgumentException("resourceGauges and resourceDataDirectory need collectResources(interval)");
            }
            return new ChainPulseSdk(config, clock, errorListener, resources, resourceDirectory);
        }
    }
}
