package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes final KPI values and active anomalies to a Prometheus Pushgateway.
 *
 * <pre>{@code
 * try (PushgatewaySink sink = new PushgatewaySink(new PushgatewaySinkConfig(props))) {
 *     sink.run(); // until close() from another thread
 * }
 * }</pre>
 *
 * <p>The consumer thread only updates {@link PrometheusState}; a separate pusher thread PUTs <em>every</em> group
 * every {@code push.interval.ms} and deletes the groups of silent nodes, so a slow or failing Pushgateway never blocks
 * consumption. A failed push is counted and retried at the next interval (the latest values win, older ones are
 * never queued). Pushing every group each round, not only changed ones, is how a restarted Pushgateway (which keeps
 * series in memory by default) gets all of them back within one interval; it costs one small PUT per node and round.
 *
 * <p>State survives a restart of the sink: the active anomalies come from the compacted current-anomalies topic
 * ({@code anomaly.topic}), read from its beginning at every start without a consumer group, and the first push
 * happens only after that read reached the topic's end — so a restarted sink never pushes an anomaly group missing
 * incidents that are still firing. KPI offsets (its consumer group) are committed only for records whose groups
 * have been pushed. Both topics are read {@code read_committed}: nothing of an aborted transaction is pushed.
 * Gauges are idempotent: replaying the topics pushes the same values again, never duplicates.
 */
public final class PushgatewaySink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushgatewaySink.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final PushgatewaySinkConfig config;
    private final PrometheusState state;
    private final PushgatewayClient client;
    private final ScheduledExecutorService pusher;
    private final KafkaConsumer<byte[], byte[]> kpiConsumer;
    private final KafkaConsumer<byte[], byte[]> anomalyConsumer;
    /** Decode outside {@code poll()}: a record they cannot decode goes to the dead letters, counted in {@link #deadLetters}. */
    private final RecordDecoder<KpiWindow> kpiReader;
    private final RecordDecoder<Anomaly> anomalyReader;
    private final RegistryWait registryWait;
    private final DeadLetterCounter deadLetters = new DeadLetterCounter("sink-pushgateway");
    private final DeadLetterPublisher deadLetterPublisher;
    private final String kpiTopic;
    private final String anomalyTopic;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Next offset per KPI partition of the records applied to {@link #state}; guarded by {@code state}. */
    private final Map<TopicPartition, OffsetAndMetadata> applied = new HashMap<>();
    /** Offsets whose records are all in the Pushgateway: set by the pusher, committed by the consumer thread. */
    private final AtomicReference<Map<TopicPartition, OffsetAndMetadata>> pushed = new AtomicReference<>(Map.of());
    private Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
    private volatile boolean started;
    private volatile boolean restored;
    private volatile Throwable failure;
    final LongAdder pushes = new LongAdder();
    final LongAdder pushFailures = new LongAdder();
    final LongAdder groupsDeleted = new LongAdder();
    final LongAdder unreadable = new LongAdder();

    public PushgatewaySink(PushgatewaySinkConfig config) {
        this.config = config;
        this.state = new PrometheusState(config.getLong(PushgatewaySinkConfig.NODE_EXPIRY_MS));
        this.client = new PushgatewayClient(config.getString(PushgatewaySinkConfig.PUSHGATEWAY_URL),
                config.getString(PushgatewaySinkConfig.PUSHGATEWAY_JOB), config.userInfo());
        SchemaRegistryClient registry = AvroSerdeConfig.registryClient(
                config.getString(PushgatewaySinkConfig.SCHEMA_REGISTRY_URL), config.originals());
        this.kpiTopic = config.getString(PushgatewaySinkConfig.KPI_TOPIC);
        this.anomalyTopic = config.getString(PushgatewaySinkConfig.ANOMALY_TOPIC);
        String group = config.getString(PushgatewaySinkConfig.GROUP_ID);
        Map<String, Object> kpiProps = consumerProps(config, group);
        kpiProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        this.kpiConsumer = new KafkaConsumer<>(kpiProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // No group: every start reads the whole compacted topic, whatever was committed before.
        Map<String, Object> anomalyProps = consumerProps(config, group + "-anomalies");
        anomalyProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        anomalyProps.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.anomalyConsumer = new KafkaConsumer<>(anomalyProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // An unreachable registry is waited for, never poison: the group's consumer polls paused meanwhile, so it keeps
        // its partitions (before it subscribes, while the anomalies are rebuilt, a plain sleep does).
        this.registryWait = RegistryWait.untilBack(delay -> {
            if (kpiConsumer.subscription().isEmpty()) {
                sleep(delay);
            } else {
                RegistryWait.pollingPaused(kpiConsumer).sleep(delay);
            }
        });
        this.deadLetterPublisher = DeadLetterPublisher.create(config.getList(PushgatewaySinkConfig.BOOTSTRAP_SERVERS),
                config.originals(), deadLetters);
        this.kpiReader = new RecordDecoder<>(new AvroDeserializer<>(KpiWindow.class, registry, registryWait),
                deadLetterPublisher);
        this.anomalyReader = new RecordDecoder<>(new AvroDeserializer<>(Anomaly.class, registry, registryWait),
                deadLetterPublisher);
        this.pusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chainpulse-pushgateway-pusher");
            t.setDaemon(true);
            return t;
        });
    }

    private static Map<String, Object> consumerProps(PushgatewaySinkConfig config, String clientId) {
        Map<String, Object> props = ClientSettings.forClient(config.originals(), ClientSettings.CONSUMER);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(PushgatewaySinkConfig.BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    /**
     * Rebuilds the active anomalies, then consumes until {@link #close()}; pushes on its own thread meanwhile.
     * Throws when it cannot go on (e.g. its consumer was fenced for good); {@link #running()} is false from then on.
     */
    public void run() {
        started = true;
        try {
            List<TopicPartition> anomalyPartitions = restoreAnomalies();
            if (anomalyPartitions == null) {
                return; // closed while restoring
            }
            long interval = config.getLong(PushgatewaySinkConfig.PUSH_INTERVAL_MS);
            pusher.scheduleWithFixedDelay(this::pushSafely, 0, interval, TimeUnit.MILLISECONDS);
            kpiConsumer.subscribe(List.of(kpiTopic));
            while (!closed.get()) {
                for (ConsumerRecord<byte[], byte[]> record : kpiConsumer.poll(POLL)) {
                    synchronized (state) {
                        apply(record);
                        applied.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                    }
                }
                for (ConsumerRecord<byte[], byte[]> record : anomalyConsumer.poll(POLL)) {
                    apply(record);
                }
                commitPushed();
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                failure = e;
                throw e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            closeQuietly(kpiConsumer);
            closeQuietly(anomalyConsumer);
            deadLetterPublisher.close();
            stopped.countDown();
        }
    }

    /** Reads the anomaly topic from its beginning to its (committed) end; null if closed meanwhile. */
    private List<TopicPartition> restoreAnomalies() {
        List<TopicPartition> partitions = List.of();
        while (partitions.isEmpty()) {
            if (closed.get()) {
                return null;
            }
            partitions = anomalyConsumer.partitionsFor(anomalyTopic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                LOG.warn("anomaly topic {} does not exist yet; waiting for it", anomalyTopic);
                sleep(Duration.ofSeconds(1));
            }
        }
        anomalyConsumer.assign(partitions);
        anomalyConsumer.seekToBeginning(partitions);
        // read_committed: the end offsets are the last stable offsets, what a restore can reach.
        Map<TopicPartition, Long> end = anomalyConsumer.endOffsets(partitions);
        int records = 0;
        while (partitions.stream().anyMatch(p -> anomalyConsumer.position(p) < end.get(p))) {
            if (closed.get()) {
                return null;
            }
            for (ConsumerRecord<byte[], byte[]> record : anomalyConsumer.poll(POLL)) {
                apply(record);
                records++;
            }
        }
        restored = true;
        LOG.info("rebuilt the active anomalies from {} records of {}", records, anomalyTopic);
        return partitions;
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            if (record.topic().equals(anomalyTopic) && record.key() != null) {
                // the compacted topic's tombstone: the incident resolved
                state.onTombstone(new String(record.key(), StandardCharsets.UTF_8));
            }
            return;
        }
        if (record.topic().equals(kpiTopic)) {
            kpiReader.decode(record).ifPresentOrElse(state::onKpi, unreadable::increment);
        } else {
            anomalyReader.decode(record).ifPresentOrElse(state::onAnomaly, unreadable::increment);
        }
    }

    /** Commits the offsets the pusher has pushed, if they moved; a failed commit is tried again next loop. */
    private void commitPushed() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(pushed.get());
        offsets.keySet().retainAll(kpiConsumer.assignment());
        offsets.entrySet().removeIf(e -> e.getValue().equals(committed.get(e.getKey())));
        if (offsets.isEmpty()) {
            return;
        }
        try {
            kpiConsumer.commitSync(offsets, COMMIT_TIMEOUT);
            Map<TopicPartition, OffsetAndMetadata> now = new HashMap<>(committed);
            now.putAll(offsets);
            committed = now;
        } catch (TimeoutException | RetriableCommitFailedException e) {
            LOG.warn("KPI offsets not committed yet ({}); retrying", e.getMessage());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // Re-reading those records after the rebalance pushes the same values again: harmless.
            LOG.warn("KPI offsets not committed ({}); their records will be read again", e.getMessage());
        }
    }

    private void pushSafely() {
        try {
            pushOnce();
        } catch (RuntimeException e) {
            LOG.warn("push round failed: {}", e.toString());
        }
    }

    /**
     * One push round: every group is PUT, expired ones DELETEd; failures are tried again next round. When every PUT
     * succeeded, the KPI offsets applied before the round may be committed.
     */
    void pushOnce() {
        if (!restored) {
            return; // an anomaly group pushed now could miss incidents still firing
        }
        Map<String, String> groups;
        Map<TopicPartition, OffsetAndMetadata> offsets;
        synchronized (state) {
            groups = state.all();
            offsets = Map.copyOf(applied);
        }
        boolean allPushed = true;
        for (Map.Entry<String, String> group : groups.entrySet()) {
            try {
                client.put(group.getKey(), group.getValue());
                pushes.increment();
            } catch (IOException e) {
                pushFailures.increment();
                allPushed = false;
                LOG.warn("{}; retrying at the next interval", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (allPushed) {
            pushed.set(offsets);
        }
        for (String group : state.takeExpired()) {
            try {
                client.delete(group);
                groupsDeleted.increment();
                LOG.info("node {} silent for more than {} ms of stream time: deleted its Pushgateway group", group,
                        config.getLong(PushgatewaySinkConfig.NODE_EXPIRY_MS));
            } catch (IOException e) {
                pushFailures.increment();
                state.retryDelete(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state.retryDelete(group);
                return;
            }
        }
    }

    /** True while consuming: the service's health. False once {@link #run()} failed or the sink was closed. */
    public boolean running() {
        return started && !closed.get() && failure == null && stopped.getCount() > 0;
    }

    /** Consuming and not waiting for the schema registry: what {@code /health} answers. */
    public boolean healthy() {
        return running() && !registryWait.waiting();
    }

    /** Records sent to the dead letters, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /** Why {@link #run()} stopped, if it failed. */
    public Throwable failure() {
        return failure;
    }

    PrometheusState state() {
        return state;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registryWait.close(); // a wait for the registry gives up now rather than after its backoff
            kpiConsumer.wakeup();
            anomalyConsumer.wakeup();
            pusher.shutdown();
            try {
                pusher.awaitTermination(10, TimeUnit.SECONDS);
                if (started) {
                    stopped.await(15, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure == null) {
                pushSafely(); // the last values
            }
            if (!started) {
                closeQuietly(kpiConsumer);
                closeQuietly(anomalyConsumer);
                deadLetterPublisher.close();
            }
        }
    }

    private static void closeQuietly(KafkaConsumer<?, ?> consumer) {
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.warn("error closing a consumer: {}", e.getMessage());
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }
}
