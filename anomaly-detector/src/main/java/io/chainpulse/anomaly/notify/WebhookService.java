package io.chainpulse.anomaly.notify;

import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.retry.Retry;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.Severity;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the anomaly topic in its own consumer group ({@code read_committed}) and posts each transition through a
 * {@link WebhookNotifier} to webhooks and Alertmanagers alike, never losing one:
 * <ul>
 *   <li>a transition is retried until delivered (connection errors, timeouts, 408, 429, 5xx), with exponential
 *   backoff and full jitter ({@link Retry}); meanwhile every partition is <em>paused</em> and the consumer keeps
 *   polling, so it stays in its group however long the webhook is down;</li>
 *   <li>records are handled one at a time in partition order, so the transitions of one incident (one key, one
 *   partition) arrive in order; an offset is committed only once its transition was delivered or dead-lettered;</li>
 *   <li>a transition refused for good (another 4xx), or still undeliverable {@code max.age.ms} after it was written,
 *   goes to the dead-letter topic (service {@value #SERVICE}) and is counted;</li>
 *   <li>a commit that times out is retried; one refused after a rebalance means the new owner posts those transitions
 *   again, with the same {@code Idempotency-Key};</li>
 *   <li>transitions below {@code min.severity} are skipped per incident ({@link ActiveIncidents}), committed and
 *   counted;</li>
 *   <li>with Alertmanagers, every firing alert is posted again each {@code alertmanager.resend.interval.ms} on a
 *   thread of its own, so Alertmanager neither times it out nor loses it in a restart; the firing set is rebuilt at
 *   start from the compacted current-anomalies topic.</li>
 * </ul>
 * {@link #run()} throws when the service cannot go on (e.g. its consumer fenced for good); {@link #running()} turns
 * false.
 *
 * <pre>{@code
 * WebhookService service = WebhookService.create(Map.of(NotifyConfig.WEBHOOK_URLS, "https://hooks.example/x"));
 * new Thread(service::run).start();   // until service.close()
 * }</pre>
 */
public final class WebhookService implements AutoCloseable {
    static final String SERVICE = "notify";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookService.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(30);

    private enum Disposition { DELIVERED, DEAD_LETTERED, REVOKED }

    private final Consumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    /** Decodes outside {@code poll()}: a record it cannot decode goes to the dead letters, counted in {@link #deadLetters}. */
    private final RecordDecoder<Anomaly> decoder;
    private final DeadLetterCounter deadLetters = new DeadLetterCounter(SERVICE);
    private final RegistryWait registryWait;
    private final WebhookNotifier notifier;
    private final ActiveIncidents active;
    private final AlertmanagerAlerts alerts;
    private final List<URI> alertmanagers;
    private final Duration resendInterval;
    private final String currentTopic;
    private final Map<String, Object> consumerProps;
    private final ScheduledExecutorService resender;
    private final Retry retry;
    private final Clock clock = Clock.systemUTC();
    private final String topic;
    private final String deadLetterTopic;
    private final long maxAgeMs;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    /**
     * Partitions revoked since the records in hand were polled: those records belong to the partition's next owner
     * (or, reassigned here, are read again from the committed offset). Records a poll returns are all of the
     * assignment that poll ended with, so the set is cleared after each poll of the main loop, never before it.
     */
    private final Set<TopicPartition> revoked = new HashSet<>();
    private boolean paused;
    private volatile boolean started;
    private volatile Throwable failure;
    final LongAdder deadLettered = new LongAdder();
    final LongAdder assignments = new LongAdder();
    final LongAdder filtered = new LongAdder();
    final LongAdder resent = new LongAdder();
    final LongAdder resendFailures = new LongAdder();

    private WebhookService(NotifyConfig config) {
        this(config, null);
    }

    /** With {@code injected} instead of a {@link KafkaConsumer} built from the configuration: for tests. */
    WebhookService(NotifyConfig config, Consumer<byte[], byte[]> injected) {
        this.topic = config.getString(NotifyConfig.TOPIC);
        this.deadLetterTopic = config.getString(NotifyConfig.DEAD_LETTER_TOPIC);
        this.maxAgeMs = config.maxAge().toMillis();
        this.active = new ActiveIncidents(config.minSeverity());
        this.alerts = new AlertmanagerAlerts(config.getString(NotifyConfig.ALERTMANAGER_CHAIN), config.dashboardUrl());
        this.alertmanagers = config.alertmanagerUrls().stream().map(WebhookNotifier::alertsEndpoint).toList();
        this.resendInterval = config.resendInterval();
        this.currentTopic = config.getString(NotifyConfig.CURRENT_TOPIC);
        List<WebhookNotifier.Target> targets = new ArrayList<>();
        boolean slack = config.getBoolean(NotifyConfig.WEBHOOK_SLACK);
        config.urls().forEach(url -> targets.add(WebhookNotifier.Target.webhook(url, slack)));
        config.alertmanagerUrls().forEach(url -> targets.add(WebhookNotifier.Target.alertmanager(url, alerts, active)));
        this.notifier = new WebhookNotifier(targets);
        this.resender = alertmanagers.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "chainpulse-notify-alertmanager-resend");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, Object> consumerProps = ClientSettings.forClient(config.originals(), ClientSettings.CONSUMER);
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(NotifyConfig.BOOTSTRAP_SERVERS));
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(NotifyConfig.GROUP_ID));
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "chainpulse-notify");
        this.consumerProps = Map.copyOf(consumerProps);
        this.consumer = injected != null ? injected
                : new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerProps = ClientSettings.forClient(config.originals(), ClientSettings.PRODUCER);
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(NotifyConfig.BOOTSTRAP_SERVERS));
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "chainpulse-notify-dlq");
        this.deadLetterProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        // an unreachable registry is waited for, polling the paused consumer so it stays in its group (before it
        // subscribes, while the firing set is rebuilt, a plain sleep does); never poison
        RegistryWait.Sleeper pollingPaused = RegistryWait.pollingPaused(consumer);
        this.registryWait = RegistryWait.untilBack(delay -> {
            if (consumer.subscription().isEmpty()) {
                Thread.sleep(delay.toMillis());
            } else {
                pollingPaused.sleep(delay);
            }
        });
        this.decoder = new RecordDecoder<>(new AvroDeserializer<>(Anomaly.class,
                AvroSerdeConfig.registryClient(config.getString(NotifyConfig.SCHEMA_REGISTRY_URL), config.originals()), registryWait),
                new DeadLetterPublisher(deadLetterProducer, deadLetters));
        this.retry = new Retry(config.backoff(), clock, this::pollWhilePaused, new PauseOnRetry());
    }

    /** A service configured from {@code originals} ({@link NotifyConfig} keys, {@code consumer.*}, {@code producer.*}). */
    public static WebhookService create(Map<String, ?> originals) {
        return new WebhookService(new NotifyConfig(originals));
    }

    /** Until {@link #close()}; throws when it cannot go on, with nothing undelivered committed. */
    public void run() {
        if (started) {
            throw new IllegalStateException("run() was already called: a WebhookService runs once");
        }
        started = true;
        try {
            if (!alertmanagers.isEmpty() || active.minSeverity() != Severity.INFO) {
                if (!restoreFiring()) {
                    return; // closed while restoring
                }
            }
            if (resender != null) {
                long every = resendInterval.toMillis();
                resender.scheduleWithFixedDelay(this::resendFiring, every, every, TimeUnit.MILLISECONDS);
            }
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!closed.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                // a partition revoked and assigned again within this poll delivers these records: keep them
                revoked.clear();
                commitUncommitted();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                failure = e;
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            try {
                if (failure == null) {
                    commitUncommitted();
                }
            } catch (RuntimeException e) {
                LOG.warn("could not commit on the way out ({}); those transitions will be posted again", e.toString());
            }
            closeQuietly();
            stopped.countDown();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (revoked.contains(partition)) {
            return;
        }
        Disposition disposition = Disposition.DELIVERED;
        java.util.Optional<Anomaly> decoded = decoder.decode(record); // empty: a tombstone, or dead-lettered poison
        if (decoded.isPresent() && !active.passes(decoded.get())) {
            filtered.increment();
        } else if (decoded.isPresent() && !notifier.alreadyDelivered(decoded.get())) {
            Anomaly anomaly = decoded.get();
            disposition = retry.run(attempt -> attempt(record, partition, anomaly));
            if (disposition != Disposition.REVOKED) {
                active.delivered(anomaly);
            }
        } else if (decoded.isPresent()) {
            active.delivered(decoded.get());
        }
        if (disposition != Disposition.REVOKED) {
            uncommitted.put(partition, new OffsetAndMetadata(record.offset() + 1));
            commitUncommitted();
        }
        resumeIfPaused();
    }

    private Retry.Step<Disposition> attempt(ConsumerRecord<byte[], byte[]> record, TopicPartition partition,
                                            Anomaly anomaly) throws InterruptedException {
        if (closed.get()) {
            throw new WakeupException();
        }
        if (revoked.contains(partition)) {
            return Retry.Step.done(Disposition.REVOKED);
        }
        WebhookNotifier.Result result = notifier.deliver(anomaly);
        switch (result.outcome()) {
            case DELIVERED:
                return Retry.Step.done(Disposition.DELIVERED);
            case REJECTED:
                return deadLetter(record, "rejected: " + result.reason());
            default:
                long age = clock.millis() - record.timestamp();
                if (age >= maxAgeMs) {
                    return deadLetter(record, "undeliverable for " + age + " ms (max.age.ms " + maxAgeMs + "): "
                            + result.reason());
                }
                return Retry.Step.retry(result.reason());
        }
    }

    private Retry.Step<Disposition> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason)
            throws InterruptedException {
        try {
            deadLetterProducer.send(new ProducerRecord<>(deadLetterTopic, null, null, record.key(), record.value(),
                    DeadLetters.headers(record.topic(), record.partition(), record.offset(), SERVICE, reason)))
                    .get(DEAD_LETTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return Retry.Step.retry("dead-letter topic " + deadLetterTopic + " unreachable: " + e.getMessage());
        }
        deadLettered.increment();
        LOG.warn("dead-lettered transition {}-{}@{} to {}: {}", record.topic(), record.partition(), record.offset(),
                deadLetterTopic, reason);
        return Retry.Step.done(Disposition.DEAD_LETTERED);
    }

    /**
     * Reads the compacted current-anomalies topic from its beginning to its end into {@link #active}: the incidents
     * firing now, so neither a notifier restart nor an Alertmanager restart loses one. False if closed meanwhile.
     */
    private boolean restoreFiring() {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG); // no group: every start reads the whole topic
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, consumerProps.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-current");
        try (KafkaConsumer<byte[], byte[]> current = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty()) {
                if (closed.get()) {
                    return false;
                }
                partitions = current.partitionsFor(currentTopic).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                if (partitions.isEmpty()) {
                    LOG.warn("topic {} does not exist yet; waiting for it", currentTopic);
                    Thread.sleep(1_000);
                }
            }
            current.assign(partitions);
            current.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = current.endOffsets(partitions); // read_committed: the last stable offsets
            int records = 0;
            while (partitions.stream().anyMatch(p -> current.position(p) < end.get(p))) {
                if (closed.get()) {
                    return false;
                }
                for (ConsumerRecord<byte[], byte[]> record : current.poll(POLL)) {
                    records++;
                    if (record.key() == null) {
                        continue;
                    }
                    String id = new String(record.key(), StandardCharsets.UTF_8);
                    if (record.value() == null) {
                        active.restore(id, null);
                    } else {
                        decoder.decode(record).ifPresent(a -> active.restore(id, a));
                    }
                }
            }
            LOG.info("{} incident(s) firing at or above {}, rebuilt from {} records of {}", active.size(),
                    active.minSeverity(), records, currentTopic);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Posts every firing alert to each Alertmanager again; a failure is only logged and counted: the next round retries. */
    private void resendFiring() {
        List<Anomaly> firing = active.firing();
        if (firing.isEmpty()) {
            return;
        }
        String body = alerts.firing(firing);
        for (URI alertmanager : alertmanagers) {
            try {
                WebhookNotifier.Result result = notifier.postOnce(alertmanager, body);
                if (result.outcome() == WebhookNotifier.Outcome.DELIVERED) {
                    resent.add(firing.size());
                } else {
                    resendFailures.increment();
                    LOG.warn("re-sending {} firing alert(s) failed: {}; next try in {} ms", firing.size(),
                            result.reason(), resendInterval.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                resendFailures.increment();
                LOG.warn("re-sending {} firing alert(s) to {} failed: {}", firing.size(), alertmanager, e.toString());
            }
        }
    }

    /** Commits what was delivered; a timeout keeps the offsets for the next try, a rebalance drops them. */
    private void commitUncommitted() {
        uncommitted.keySet().retainAll(consumer.assignment());
        if (uncommitted.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(uncommitted, COMMIT_TIMEOUT);
            uncommitted.clear();
        } catch (TimeoutException | RetriableCommitFailedException e) {
            LOG.warn("offsets not committed yet ({}); retrying", e.getMessage());
        } catch (CommitFailedException | RebalanceInProgressException e) {
            uncommitted.clear();
            LOG.warn("offsets not committed ({}); the partition's new owner posts those transitions again, with the "
                    + "same Idempotency-Key", e.getMessage());
        }
    }

    /** The retry sleeper: polls the paused consumer for {@code delay}, which keeps it in its group. */
    private void pollWhilePaused(Duration delay) {
        long deadline = clock.millis() + delay.toMillis();
        do {
            ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(min(POLL,
                    Duration.ofMillis(Math.max(0, deadline - clock.millis()))));
            // Only a partition assigned during this very poll can deliver: rewind it, to be read after the pause.
            for (TopicPartition partition : unexpected.partitions()) {
                consumer.seek(partition, unexpected.records(partition).get(0).offset());
            }
            pauseAll();
            commitUncommitted();
        } while (clock.millis() < deadline && !closed.get());
        if (closed.get()) {
            throw new WakeupException();
        }
    }

    private void pauseAll() {
        consumer.pause(consumer.assignment());
        paused = true;
    }

    private void resumeIfPaused() {
        if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
            LOG.info("destinations reachable again: consumption resumed");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private final class PauseOnRetry implements Retry.Listener {
        @Override
        public void onRetry(int attempt, Duration delay, String reason) {
            if (!paused) {
                LOG.warn("delivery failed ({}): consumption paused, retrying with backoff", reason);
            }
            LOG.debug("retry {} in {} ms ({})", attempt + 1, delay.toMillis(), reason);
            pauseAll();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commitUncommitted();
            } catch (RuntimeException e) {
                LOG.warn("could not commit before the rebalance ({}); those transitions will be posted again",
                        e.toString());
            }
            revoked.addAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignments.increment();
            if (paused) {
                consumer.pause(partitions);
            }
        }
    }

    public WebhookNotifier notifier() {
        return notifier;
    }

    /** True while consuming: the service's health. False once {@link #run()} failed or the service was closed. */
    public boolean running() {
        return started && !closed.get() && failure == null && stopped.getCount() > 0;
    }

    /** Consuming and not waiting for the schema registry: what {@code /health} answers. */
    public boolean healthy() {
        return running() && !registryWait.waiting();
    }

    /** Records that could not be decoded, sent to the dead letters, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /** Why {@link #run()} stopped, if it failed. */
    public Throwable failure() {
        return failure;
    }

    /** Transitions posted to a webhook (one per URL). */
    public long delivered() {
        return notifier.delivered.sum();
    }

    /** Failed delivery attempts that were retried. */
    public long retries() {
        return notifier.retries.sum();
    }

    /** Transitions sent to the dead-letter topic, undeliverable within max.age.ms or refused for good. */
    public long deadLettered() {
        return deadLettered.sum();
    }

    /** Transitions below min.severity (whose incident never passed it), skipped and committed. */
    public long filtered() {
        return filtered.sum();
    }

    /** Alerts posted again to an Alertmanager (one per firing incident per Alertmanager and round). */
    public long resent() {
        return resent.sum();
    }

    /** Resend rounds an Alertmanager did not accept (retried at the next round). */
    public long resendFailures() {
        return resendFailures.sum();
    }

    /** The incidents firing now that passed min.severity. */
    public ActiveIncidents active() {
        return active;
    }

    /** Redelivered transitions skipped because every URL already had them. */
    public long duplicates() {
        return notifier.duplicates.sum();
    }

    /** Stops {@link #run()} from any thread and waits (up to 30 s) until it committed and closed its clients. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registryWait.close(); // a wait for the registry gives up now rather than after its backoff
            consumer.wakeup();
        }
        if (!started) {
            started = true;
            closeQuietly();
            stopped.countDown();
            return;
        }
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        if (resender != null) {
            resender.shutdownNow();
        }
        try {
            consumer.close();
        } catch (RuntimeException e) {
            LOG.warn("error closing the consumer: {}", e.getMessage());
        }
        deadLetterProducer.close(Duration.ofSeconds(5));
    }
}
