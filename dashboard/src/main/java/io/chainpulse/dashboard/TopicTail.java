package io.chainpulse.dashboard;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the recent tail of the KPI and anomaly topics into a {@link DashboardView}: every partition assigned (no
 * consumer group, nothing committed), so each dashboard sees the same recent past and none slows the pipeline's
 * consumers.
 *
 * <p>Where reading starts, per partition: the first record of the last {@code history} of wall-clock time, but never
 * more than {@link #KPI_BACKLOG} KPI records or {@link #ANOMALY_BACKLOG} anomaly records before the end. When no
 * record is that recent (a replay of an old file), the record bound alone decides, so the page still shows the
 * latest windows, with their age. Partitions and topics that appear later are picked up every
 * {@link #ASSIGNMENT_REFRESH}.
 *
 * <p>A record that cannot be decoded goes to {@code chainpulse.dead-letters} and is counted; while the schema registry
 * cannot be reached, reading waits for it (no group, so nothing to keep alive).
 */
final class TopicTail implements Runnable, AutoCloseable {
    /** KPI records read per partition at most on start: 15 min of 10-s windows of 8 KPIs for ~200 nodes. */
    static final long KPI_BACKLOG = 20_000;
    /** Anomaly records read per partition at most on start: the view keeps {@value DashboardView#MAX_ANOMALIES}. */
    static final long ANOMALY_BACKLOG = DashboardView.MAX_ANOMALIES;
    static final Duration ASSIGNMENT_REFRESH = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);

    private final String kpiTopic;
    private final String anomalyTopic;
    private final Duration history;
    private final DashboardView view;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RegistryWait registryWait = RegistryWait.untilBack();
    private final DeadLetterCounter deadLetters;
    private final DeadLetterPublisher deadLetterPublisher;
    private final RecordDecoder<KpiWindow> kpiReader;
    private final RecordDecoder<Anomaly> anomalyReader;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<TopicPartition> assigned = new HashSet<>();
    private long nextAssignmentCheckMs;
    private volatile long unreadable;
    private String lastAssignmentProblem;

    TopicTail(String bootstrapServers, Map<String, ?> clientSettings, SchemaRegistryClient registry, String kpiTopic, String anomalyTopic,
              Duration history, DashboardView view, Clock clock, DeadLetterCounter deadLetters) {
        this.kpiTopic = kpiTopic;
        this.anomalyTopic = anomalyTopic;
        this.history = history;
        this.view = view;
        this.clock = clock;
        this.deadLetters = deadLetters;
        this.deadLetterPublisher = DeadLetterPublisher.create(bootstrapServers, clientSettings, deadLetters);
        this.kpiReader = new RecordDecoder<>(new AvroDeserializer<>(KpiWindow.class, registry, registryWait),
                deadLetterPublisher);
        this.anomalyReader = new RecordDecoder<>(new AvroDeserializer<>(Anomaly.class, registry, registryWait),
                deadLetterPublisher);
        Map<String, Object> props = ClientSettings.forClient(clientSettings, ClientSettings.CONSUMER);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "chainpulse-dashboard");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // a missing broker must not hold the loop for the default minute: the next check retries
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASSIGNMENT_REFRESH.toMillis());
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Consumes until {@link #close()}. */
    @Override
    public void run() {
        try {
            while (!closed.get()) {
                if (clock.millis() >= nextAssignmentCheckMs) {
                    refreshAssignment();
                    nextAssignmentCheckMs = clock.millis() + ASSIGNMENT_REFRESH.toMillis();
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(POLL.toMillis());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            if (!closed.get()) {
                throw e;
            }
        } catch (AuthenticationException | AuthorizationException e) {
            String refused = e instanceof AuthenticationException
                    ? "Kafka refused the dashboard's credentials (" + e.getMessage() + "): check security.protocol, "
                            + "sasl.*, ssl.*"
                    : "Kafka denied the dashboard's principal access (" + e.getMessage() + "): it needs READ and "
                            + "DESCRIBE on " + kpiTopic + " and " + anomalyTopic;
            LOG.error("{}; the dashboard stops consuming", refused);
            throw new IllegalStateException(refused, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
            deadLetterPublisher.close();
        }
    }

    /** Records that could not be decoded and went to the dead letters. */
    long unreadable() {
        return unreadable;
    }

    boolean waitingForRegistry() {
        return registryWait.waiting();
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: nothing to show
        }
        if (record.topic().equals(kpiTopic)) {
            kpiReader.decode(record).ifPresentOrElse(view::onKpi, () -> unreadable++);
        } else {
            anomalyReader.decode(record).ifPresentOrElse(view::onAnomaly, () -> unreadable++);
        }
    }

    private void refreshAssignment() {
        List<TopicPartition> found = new ArrayList<>();
        try {
            for (String topic : List.of(kpiTopic, anomalyTopic)) {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic);
                if (partitions != null) {
                    partitions.forEach(p -> found.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
        } catch (WakeupException e) {
            throw e;
        } catch (AuthenticationException | AuthorizationException e) {
            throw e; // the operator's to fix, in the settings or the ACLs: retrying every 5 s would only hide it
        } catch (KafkaException e) {
            String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!problem.equals(lastAssignmentProblem)) { // once per change, not every 5 s while Kafka is away
                LOG.warn("cannot list the partitions of {} and {} yet ({}); retrying every {} s", kpiTopic,
                        anomalyTopic, problem, ASSIGNMENT_REFRESH.toSeconds());
                lastAssignmentProblem = problem;
            }
            return;
        }
        lastAssignmentProblem = null;
        List<TopicPartition> added = found.stream().filter(tp -> !assigned.contains(tp)).toList();
        if (added.isEmpty()) {
            return;
        }
        assigned.addAll(added);
        consumer.assign(assigned);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(added);
        Map<TopicPartition, Long> end = consumer.endOffsets(added);
        Map<TopicPartition, Long> since = new HashMap<>();
        added.forEach(tp -> since.put(tp, clock.millis() - history.toMillis()));
        Map<TopicPartition, OffsetAndTimestamp> recent = consumer.offsetsForTimes(since);
        for (TopicPartition tp : added) {
            long backlog = tp.topic().equals(kpiTopic) ? KPI_BACKLOG : ANOMALY_BACKLOG;
            long start = startOffset(begin.get(tp), end.get(tp), recent.get(tp) == null ? null : recent.get(tp).offset(), backlog);
            consumer.seek(tp, start);
        }
        LOG.info("reading {} from the recent past of their partitions", added);
    }

    /**
     * The first offset to read of a partition holding {@code [begin, end)}: the first record of the last history
     * ({@code recent}, null when no record is that recent), but at most {@code backlog} records before the end.
     */
    static long startOffset(long begin, long end, Long recent, long backlog) {
        long start = Math.max(begin, end - backlog);
        return recent == null ? start : Math.max(start, recent);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registryWait.close();
            consumer.wakeup();
        }
    }
}
