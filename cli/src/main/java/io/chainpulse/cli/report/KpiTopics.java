package io.chainpulse.cli.report;

import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a report's input from the KPI and anomaly topics: from the record timestamp where the previous period starts
 * (found with {@code offsetsForTimes}) up to the end offsets seen when reading starts. Assigned partitions, no
 * consumer group, nothing committed: a report never moves anybody's offsets.
 *
 * <pre>{@code
 * ReportInput input = new KpiTopics("127.0.0.1:9092", registryUrl, Map.of(), "chainpulse.kpis", "chainpulse.anomalies")
 *         .read(period);
 * }</pre>
 *
 * KPI records carry an event-time timestamp inside their window, so reading starts {@link #MARGIN} before the
 * previous period; only final windows whose start falls in the previous or the reported period are kept, the last
 * record per key winning (the topic is an upsert log). Anomalies are read from {@link #ANOMALY_LOOKBACK} before the
 * previous period so an incident that started earlier and is still firing shows with its start.
 */
public final class KpiTopics {
    static final Duration MARGIN = Duration.ofMinutes(10);
    static final Duration ANOMALY_LOOKBACK = Duration.ofDays(1);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final String bootstrapServers;
    private final String registryUrl;
    private final Map<String, ?> clientSettings;
    private final String kpiTopic;
    private final String anomalyTopic;
    private final DeadLetterCounter deadLetters = new DeadLetterCounter("report");

    /**
     * @param clientSettings Kafka client keys ({@code security.protocol}, {@code sasl.*}, {@code consumer.*}…) and the
     *     registry's credentials and TLS keys
     */
    public KpiTopics(String bootstrapServers, String registryUrl, Map<String, ?> clientSettings, String kpiTopic,
                     String anomalyTopic) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.clientSettings = Map.copyOf(clientSettings);
        this.kpiTopic = kpiTopic;
        this.anomalyTopic = anomalyTopic;
    }

    public ReportInput read(Period period) {
        Period previous = period.previous();
        Map<String, KpiWindow> latest = new LinkedHashMap<>();
        for (KpiWindow k : read(kpiTopic, KpiWindow.class, previous.fromMs() - MARGIN.toMillis())) {
            if (k.getFinal$() && k.getWindowStartMs() >= previous.fromMs()
                    && k.getWindowStartMs() < period.toMs()) {
                latest.put(k.getMetric() + "|" + k.getScope() + "|" + (k.getNodeId() == null ? "" : k.getNodeId())
                        + "|" + k.getWindowStartMs() + (k.getChainId() == null ? "" : "|" + k.getChainId()), k);
            }
        }
        List<Anomaly> anomalies = new ArrayList<>();
        for (Anomaly a : read(anomalyTopic, Anomaly.class, previous.fromMs() - ANOMALY_LOOKBACK.toMillis())) {
            if (a.getWindowStartMs() < period.toMs()) {
                anomalies.add(a);
            }
        }
        return new ReportInput("topics " + kpiTopic + " and " + anomalyTopic + " on " + bootstrapServers,
                List.copyOf(latest.values()), anomalies);
    }

    /** Records sent to the dead letters while reading, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /** The decoded values of {@code topic} from {@code fromTimestamp} to the end offsets; poison dead-lettered. */
    private <V extends org.apache.avro.specific.SpecificRecord> List<V> read(String topic, Class<V> type,
                                                                            long fromTimestamp) {
        Map<String, Object> props = ClientSettings.forClient(clientSettings, ClientSettings.CONSUMER);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // processor and detector write transactionally
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "chainpulse-report");
        List<V> records = new ArrayList<>();
        try (RegistryWait registryWait = RegistryWait.upTo(TIMEOUT);
             DeadLetterPublisher deadLetterPublisher = DeadLetterPublisher.create(bootstrapServers, clientSettings, deadLetters);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            RecordDecoder<V> decoder = new RecordDecoder<>(new AvroDeserializer<>(type,
                    AvroSerdeConfig.registryClient(registryUrl, clientSettings), registryWait), deadLetterPublisher);
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist on " + bootstrapServers);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, Math.max(0, fromTimestamp)));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp start = starts.get(p);
                if (start == null || start.offset() >= ends.get(p)) {
                    continue; // nothing at or after the timestamp
                }
                consumer.seek(p, start.offset());
                remaining.put(p, ends.get(p));
            }
            consumer.pause(partitions.stream().filter(p -> !remaining.containsKey(p)).toList());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " did not reach the end offsets " + ends
                            + " within " + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    TopicPartition p = new TopicPartition(r.topic(), r.partition());
                    Long end = remaining.get(p);
                    if (end != null && r.offset() < end) {
                        decoder.decode(r).ifPresent(records::add);
                    }
                }
                // position, not the last record: transaction markers take offsets too
                for (TopicPartition p : List.copyOf(remaining.keySet())) {
                    if (consumer.position(p) >= remaining.get(p)) {
                        remaining.remove(p);
                        consumer.pause(List.of(p));
                    }
                }
            }
        }
        return records;
    }
}
