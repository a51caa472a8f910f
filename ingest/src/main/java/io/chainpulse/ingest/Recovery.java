package io.chainpulse.ingest;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a restart must not publish again: the event ids written to the events topic after the last checkpoint's
 * end offsets. Those are the events of lines after the checkpoint that Kafka acknowledged before the crash (and the
 * SDK's spool of the previous run, sent before this is called). Reads at most what the topic received during one
 * commit interval plus that spool — all producers' events, since ids are unique by contract.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private Recovery() {}

    static Set<String> publishedSince(Map<Integer, Long> from, String bootstrapServers, String topic,
                                      AvroDeserializer<ProtocolEvent> values, Map<String, Object> consumerOverrides,
                                      Duration timeout) {
        Set<String> ids = new HashSet<>();
        if (from.isEmpty()) {
            return ids;
        }
        Map<String, Object> config = new HashMap<>(consumerOverrides);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "chainpulse-ingest-recovery");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            from.keySet().forEach(p -> partitions.add(new TopicPartition(topic, p)));
            consumer.assign(partitions);
            from.forEach((p, offset) -> consumer.seek(new TopicPartition(topic, p), offset));
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            long deadline = System.nanoTime() + timeout.toNanos();
            long records = 0;
            while (true) {
                end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                if (end.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading back " + topic + " from the checkpoint's offsets " + from
                            + " did not reach " + end + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ProtocolEvent event = values.deserialize(topic, r.value());
                    if (event != null) {
                        ids.add(event.getEventId().toString());
                    }
                    records++;
                }
            }
            LOG.info("read back {} events published to {} since the checkpoint", records, topic);
        }
        return ids;
    }
}
