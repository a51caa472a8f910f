package io.chainpulse.sink.prometheus;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * <p>The consumer thread only updates {@link PrometheusState}; a separate pusher thread pushes changed groups every
 * {@code push.interval.ms} and deletes the groups of silent nodes, so a slow or failing Pushgateway never blocks
 * consumption. A failed push is counted and retried at the next interval (the latest values win, older ones are
 * never queued). Gauges are idempotent: replaying the topics pushes the same values again, never duplicates.
 *
 * <p>A record that cannot be decoded goes to {@code chainpulse.dead-letters} and is counted; while the schema registry
 * cannot be reached the consumer waits for it, polling with its partitions paused, and {@link #running()} is false.
 */
public final class PushgatewaySink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushgatewaySink.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final PushgatewaySinkConfig config;
    private final PrometheusState state;
    private final PushgatewayClient client;
    private final ScheduledExecutorService pusher;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RegistryWait registryWait;
    private final DeadLetterCounter deadLetters = new DeadLetterCounter("sink-pushgateway");
    private final DeadLetterPublisher deadLetterPublisher;
    private final RecordDecoder<KpiWindow> kpiReader;
    private final RecordDecoder<Anomaly> anomalyReader;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean started;
    final LongAdder pushes = new LongAdder();
    final LongAdder pushFailures = new LongAdder();
    final LongAdder groupsDeleted = new LongAdder();
    final LongAdder unreadable = new LongAdder();

    public PushgatewaySink(PushgatewaySinkConfig config) {
        this.config = config;
        this.state = new PrometheusState(config.getLong(PushgatewaySinkConfig.NODE_EXPIRY_MS));
        this.client = new PushgatewayClient(config.getString(PushgatewaySinkConfig.PUSHGATEWAY_URL),
                config.getString(PushgatewaySinkConfig.PUSHGATEWAY_JOB), config.userInfo());
        SchemaRegistryClient registry = SchemaRegistryClients.forUrl(config.getString(PushgatewaySinkConfig.SCHEMA_REGISTRY_URL));
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getList(PushgatewaySinkConfig.BOOTSTRAP_SERVERS));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(PushgatewaySinkConfig.GROUP_ID));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.getString(PushgatewaySinkConfig.GROUP_ID));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.registryWait = RegistryWait.untilBack(delay -> RegistryWait.pollingPaused(consumer).sleep(delay));
        this.deadLetterPublisher = DeadLetterPublisher.create(config.getList(PushgatewaySinkConfig.BOOTSTRAP_SERVERS),
                deadLetters);
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

    /** Consumes until {@link #close()}; pushes on its own thread meanwhile. */
    public void run() {
        started = true;
        long interval = config.getLong(PushgatewaySinkConfig.PUSH_INTERVAL_MS);
        pusher.scheduleWithFixedDelay(this::pushSafely, interval, interval, TimeUnit.MILLISECONDS);
        String kpiTopic = config.getString(PushgatewaySinkConfig.KPI_TOPIC);
        String anomalyTopic = config.getString(PushgatewaySinkConfig.ANOMALY_TOPIC);
        consumer.subscribe(List.of(kpiTopic, anomalyTopic));
        try {
            while (!closed.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue; // a compacted-topic tombstone: the incident is gone
                    }
                    if (record.topic().equals(kpiTopic)) {
                        kpiReader.decode(record).ifPresentOrElse(state::onKpi, unreadable::increment);
                    } else {
                        anomalyReader.decode(record).ifPresentOrElse(state::onAnomaly, unreadable::increment);
                    }
                }
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                throw e;
            }
        } finally {
            consumer.close();
            deadLetterPublisher.close();
        }
    }

    private void pushSafely() {
        try {
            pushOnce();
        } catch (RuntimeException e) {
            LOG.warn("push round failed: {}", e.toString());
        }
    }

    /** One push round: changed groups are PUT, expired ones DELETEd; failures stay queued for the next round. */
    void pushOnce() {
        for (Map.Entry<String, String> group : state.takeDirty().entrySet()) {
            try {
                client.put(group.getKey(), group.getValue());
                pushes.increment();
            } catch (IOException e) {
                pushFailures.increment();
                state.retry(group.getKey());
                LOG.warn("{}; retrying at the next interval", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state.retry(group.getKey());
                return;
            }
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

    /** True while consuming and not waiting for the schema registry: the service's health. */
    public boolean running() {
        return started && !closed.get() && !registryWait.waiting();
    }

    /** Records sent to the dead letters, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    PrometheusState state() {
        return state;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registryWait.close();
            consumer.wakeup();
            pusher.shutdown();
            try {
                pusher.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pushSafely(); // the last values
            if (!started) {
                consumer.close();
                deadLetterPublisher.close();
            }
        }
    }
}
