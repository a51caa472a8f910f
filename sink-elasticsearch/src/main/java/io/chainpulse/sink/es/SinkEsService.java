package io.chainpulse.sink.es;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.retry.Retry;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Elasticsearch sink service: its own consumer group reads the KPI and anomaly topics and writes every record
 * as a document with a deterministic id (see {@link Documents}), installing the index templates first.
 *
 * <p>Guarantees: offsets are committed only after Elasticsearch acknowledged the batch (and the dead-letter topic
 * every record rejected from it), so nothing is lost; ids make every write an upsert, so redelivery after a crash or
 * a replay from the start duplicates nothing. While Elasticsearch answers 429, 5xx or not at all, the batch is retried
 * with backoff and consumption is <em>paused</em>: the consumer keeps polling (it stays in its group) but fetches
 * nothing, so memory holds fewer than twice {@value SinkEsConfig#BULK_MAX_ACTIONS} records.
 *
 * <p>A record that cannot be decoded goes to {@code chainpulse.dead-letters} (shared headers, counted in
 * {@link #deadLetterCounter()}); one Elasticsearch rejects goes to the sink's own {@code topic.dlq}. While the schema
 * registry cannot be reached the sink waits the same way, consumer paused, {@link #waitingForRegistry()} true.
 *
 * <pre>{@code
 * try (SinkEsService sink = SinkEsService.create(config)) {
 *     new Thread(sink::run).start();   // until sink.close()
 * }
 * }</pre>
 */
public final class SinkEsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkEsService.class);
    /** Longest one poll blocks, so that a due flush or a close is noticed soon. */
    private static final Duration MAX_POLL_WAIT = Duration.ofMillis(200);
    /** Longest one commit attempt blocks; a commit that times out is retried from the poll loop. */
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final SinkEsConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final DeadLetters deadLetters;
    private final KafkaProducer<byte[], byte[]> dlqProducer;
    private final EsClient es;
    private final BulkWriter writer;
    private final Retry retry;
    private final SinkEsMetrics metrics;
    private final Deserializer<KpiWindow> kpis;
    private final Deserializer<Anomaly> anomalies;
    private final DeadLetterCounter deadLetterCounter = new DeadLetterCounter("sink-es");
    private final RegistryWait registryWait;
    private final RecordDecoder<KpiWindow> kpiDecoder;
    private final RecordDecoder<Anomaly> anomalyDecoder;
    private final String kpiTopic;
    private final String anomalyTopic;
    private final String kpiAlias;
    private final String anomalyAlias;
    private final int maxActions;
    private final Duration flushInterval;
    private final Clock clock = Clock.systemUTC();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<ConsumerRecord<byte[], byte[]>> buffer = new ArrayList<>();
    /** Offsets of written batches not yet committed (a commit timed out): retried until they are. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private boolean paused;
    private long firstBufferedAt;

    private SinkEsService(SinkEsConfig config, Map<String, ?> originals, SinkEsMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.kpiTopic = config.getString(SinkEsConfig.TOPIC_KPIS);
        this.anomalyTopic = config.getString(SinkEsConfig.TOPIC_ANOMALIES);
        this.kpiAlias = config.getString(SinkEsConfig.INDEX_KPIS);
        this.anomalyAlias = config.getString(SinkEsConfig.INDEX_ANOMALIES);
        this.maxActions = config.getInt(SinkEsConfig.BULK_MAX_ACTIONS);
        this.flushInterval = config.flushInterval();
        // the registry is waited for like Elasticsearch: polling the paused consumer, however long it takes
        this.registryWait = RegistryWait.untilBack(this::pollWhilePaused);
        var registry = new AvroSerdeConfig(originals).registryClient();
        this.kpis = new AvroDeserializer<>(KpiWindow.class, registry, registryWait);
        this.anomalies = new AvroDeserializer<>(Anomaly.class, registry, registryWait);
        this.consumer = new KafkaConsumer<>(consumerConfig(config), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.dlqProducer = new KafkaProducer<>(producerConfig(config), new ByteArraySerializer(),
                new ByteArraySerializer());
        this.deadLetters = new DeadLetters(dlqProducer, config.getString(SinkEsConfig.TOPIC_DLQ));
        DeadLetterPublisher poison = new DeadLetterPublisher(dlqProducer, deadLetterCounter);
        this.kpiDecoder = new RecordDecoder<>(kpis, poison);
        this.anomalyDecoder = new RecordDecoder<>(anomalies, poison);
        this.es = EsClient.connect(config);
        this.retry = new Retry(config.backoff(), clock, this::pollWhilePaused, new PauseOnRetry());
        this.writer = new BulkWriter(es, retry);
    }

    /** A sink configured from {@code originals} ({@link SinkEsConfig} keys plus the serde's). */
    public static SinkEsService create(Map<String, ?> originals) {
        return create(originals, new SinkEsMetrics());
    }

    public static SinkEsService create(Map<String, ?> originals, SinkEsMetrics metrics) {
        return new SinkEsService(new SinkEsConfig(originals), originals, metrics);
    }

    public SinkEsMetrics metrics() {
        return metrics;
    }

    /** Records sent to {@code chainpulse.dead-letters} because they could not be decoded, by source topic. */
    public DeadLetterCounter deadLetterCounter() {
        return deadLetterCounter;
    }

    /** True while the sink waits for an unreachable schema registry: the service is unhealthy meanwhile. */
    public boolean waitingForRegistry() {
        return registryWait.waiting();
    }

    /**
     * Installs the templates, then consumes and writes until {@link #close()}. Throws {@link SinkEsException} when it
     * cannot go on (e.g. Elasticsearch refuses its credentials); offsets of unwritten records stay uncommitted.
     */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("run() was already called: a SinkEsService runs once");
        }
        try {
            LOG.info("starting Elasticsearch sink: {}", config);
            installTemplates();
            consumer.subscribe(List.of(kpiTopic, anomalyTopic), new KeepPausedOnRebalance());
            while (!closing.get()) {
                Duration wait = buffer.isEmpty() ? MAX_POLL_WAIT
                        : min(MAX_POLL_WAIT, Duration.ofMillis(Math.max(0,
                                firstBufferedAt + flushInterval.toMillis() - clock.millis())));
                ConsumerRecords<byte[], byte[]> records = consumer.poll(wait);
                if (!uncommitted.isEmpty()) {
                    commitUncommitted();
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (buffer.isEmpty()) {
                        firstBufferedAt = clock.millis();
                    }
                    buffer.add(record);
                }
                if (buffer.size() >= maxActions
                        || !buffer.isEmpty() && clock.millis() >= firstBufferedAt + flushInterval.toMillis()) {
                    flush();
                }
            }
        } catch (WakeupException e) {
            if (!closing.get()) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly();
            stopped.countDown();
        }
    }

    /** Stops {@link #run()} (from any thread) and waits until it has closed its clients. Unflushed records are read again next time. */
    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            closeRequested.countDown();
            registryWait.close();
            consumer.wakeup();
        }
        if (started.compareAndSet(false, true)) {
            closeQuietly(); // never ran
            stopped.countDown();
            return;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void installTemplates() throws InterruptedException {
        IndexTemplates templates = IndexTemplates.of(config);
        // Not subscribed yet, so nothing to poll while waiting: sleep, but wake up for close().
        Retry beforeSubscribing = new Retry(config.backoff(), clock, delay -> {
            if (closeRequested.await(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new WakeupException();
            }
        }, (attempt, delay, reason) -> {
            metrics.retried(reason);
            LOG.warn("cannot reach Elasticsearch to install the index templates ({}); retry in {} ms", reason,
                    delay.toMillis());
        });
        beforeSubscribing.run(attempt -> {
            try {
                es.install(templates);
                return Retry.Step.done(null);
            } catch (IOException | RuntimeException e) {
                if (Failures.ofRequest(e) != Failures.Verdict.RETRIABLE) {
                    throw new SinkEsException("could not install index templates " + templates.templates().keySet()
                            + ": " + e.getMessage(), e);
                }
                return Retry.Step.retry(Failures.retryReason(0));
            }
        });
        LOG.info("index templates {} installed (ILM policy: {})", templates.templates().keySet(),
                templates.ilmPolicyName() == null ? "none" : templates.ilmPolicyName());
    }

    private void flush() throws InterruptedException {
        long started = clock.millis();
        List<IndexDoc> docs = new ArrayList<>(buffer.size());
        List<ConsumerRecord<byte[], byte[]>> origins = new ArrayList<>(buffer.size());
        for (ConsumerRecord<byte[], byte[]> record : buffer) {
            if (record.value() == null) {
                continue; // a tombstone: nothing to index
            }
            Optional<? extends SpecificRecord> decoded = record.topic().equals(kpiTopic)
                    ? kpiDecoder.decode(record) : anomalyDecoder.decode(record);
            if (decoded.isEmpty()) {
                metrics.deadLettered("undecodable"); // and counted on chainpulse.dead.letters
                continue;
            }
            try {
                docs.add(toDocument(decoded.get()));
                origins.add(record);
            } catch (RuntimeException e) {
                LOG.warn("dead-lettering undecodable record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
                deadLetters.send(record, 0, "undecodable: " + e.getMessage(), null);
                metrics.deadLettered("undecodable");
            }
        }
        for (int from = 0; from < docs.size(); from += maxActions) {
            int to = Math.min(docs.size(), from + maxActions);
            BulkWriter.Result result = writer.write(docs.subList(from, to));
            for (BulkWriter.Rejected rejected : result.rejected()) {
                IndexDoc doc = docs.get(from + rejected.position());
                LOG.warn("dead-lettering document {} for {}: status {} {}", doc.id(), doc.index(), rejected.status(),
                        rejected.reason());
                deadLetters.send(origins.get(from + rejected.position()), rejected.status(), rejected.reason(), doc);
                metrics.deadLettered("rejected");
            }
            countIndexed(origins.subList(from, to), result);
        }
        deadLetters.awaitAcknowledged();
        commit();
        buffer.clear();
        resume();
        metrics.batch(Duration.ofMillis(clock.millis() - started));
    }

    private IndexDoc toDocument(SpecificRecord value) {
        if (value instanceof KpiWindow kpi) {
            return Documents.kpi(kpi, kpiAlias);
        }
        return Documents.anomaly((Anomaly) value, anomalyAlias);
    }

    private void countIndexed(List<ConsumerRecord<byte[], byte[]>> origins, BulkWriter.Result result) {
        long kpiDocs = result.indexed().stream().filter(p -> origins.get(p).topic().equals(kpiTopic)).count();
        metrics.indexed("kpi", kpiDocs);
        metrics.indexed("anomaly", result.indexed().size() - kpiDocs);
    }

    /** Commits the next offset of every buffered partition this consumer still owns. */
    private void commit() {
        for (ConsumerRecord<byte[], byte[]> record : buffer) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            OffsetAndMetadata next = new OffsetAndMetadata(record.offset() + 1);
            uncommitted.merge(partition, next, (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        commitUncommitted();
    }

    /**
     * Commits {@link #uncommitted}. A timeout (broker or coordinator unreachable) keeps the offsets for the next
     * attempt from the poll loop, so the sink survives it; a commit refused after a rebalance drops them.
     */
    private void commitUncommitted() {
        // A partition lost in a rebalance mid-batch is not ours to commit; its new owner re-reads and
        // re-upserts those records, which the deterministic ids make harmless.
        uncommitted.keySet().retainAll(consumer.assignment());
        if (uncommitted.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(uncommitted, COMMIT_TIMEOUT);
            uncommitted.clear();
        } catch (TimeoutException | RetriableCommitFailedException e) {
            LOG.warn("offsets not committed yet ({}); retrying from the poll loop", e.getMessage());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            uncommitted.clear();
            LOG.warn("offsets not committed ({}); those records will be written again, to the same ids",
                    e.getMessage());
        }
    }

    /** The retry sleeper: poll the paused consumer for {@code delay}, which keeps its group membership alive. */
    private void pollWhilePaused(Duration delay) {
        long deadline = clock.millis() + delay.toMillis();
        do {
            ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(min(MAX_POLL_WAIT,
                    Duration.ofMillis(Math.max(0, deadline - clock.millis()))));
            // Only a partition assigned during this very poll could deliver; rewind it to be read after the pause.
            for (TopicPartition partition : unexpected.partitions()) {
                consumer.seek(partition, unexpected.records(partition).get(0).offset());
            }
            pauseAll();
        } while (clock.millis() < deadline && !closing.get());
        if (closing.get()) {
            throw new WakeupException();
        }
    }

    private void pauseAll() {
        consumer.pause(consumer.assignment());
        if (!paused) {
            paused = true;
            metrics.paused(true);
        }
    }

    private void resume() {
        if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
            metrics.paused(false);
            LOG.info("Elasticsearch accepts writes again: consumption resumed");
        }
    }

    private final class PauseOnRetry implements Retry.Listener {
        @Override
        public void onRetry(int attempt, Duration delay, String reason) {
            metrics.retried(reason);
            if (!paused) {
                LOG.warn("Elasticsearch cannot take writes ({}): consumption paused, retrying with backoff", reason);
            }
            LOG.debug("retry {} in {} ms ({})", attempt + 1, delay.toMillis(), reason);
            pauseAll();
        }

        @Override
        public void onRecovered(int retries, Duration outage) {
            LOG.info("bulk write succeeded after {} retries and {} ms", retries, outage.toMillis());
        }
    }

    private final class KeepPausedOnRebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Nothing to do: commit() only commits partitions still assigned.
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }
    }

    private static Map<String, Object> consumerConfig(SinkEsConfig config) {
        Map<String, Object> props = ClientSettings.forClient(config.originals(), ClientSettings.CONSUMER);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(SinkEsConfig.BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(SinkEsConfig.GROUP_ID));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The KPI and anomaly topics are written in transactions: records of an aborted one must never be indexed.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt(SinkEsConfig.BULK_MAX_ACTIONS));
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "chainpulse-sink-es");
        return props;
    }

    private static Map<String, Object> producerConfig(SinkEsConfig config) {
        Map<String, Object> props = ClientSettings.forClient(config.originals(), ClientSettings.PRODUCER);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(SinkEsConfig.BOOTSTRAP_SERVERS));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "chainpulse-sink-es-dlq");
        return props;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void closeQuietly() {
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.warn("error closing the consumer: {}", e.getMessage());
        }
        try {
            dlqProducer.close();
        } catch (RuntimeException e) {
            LOG.warn("error closing the dead-letter producer: {}", e.getMessage());
        }
        try {
            es.close();
        } catch (IOException e) {
            LOG.warn("error closing the Elasticsearch client: {}", e.getMessage());
        }
        kpis.close();
        anomalies.close();
    }
}
