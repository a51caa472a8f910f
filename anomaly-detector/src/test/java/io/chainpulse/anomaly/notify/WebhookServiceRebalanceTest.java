package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The service's bookkeeping of revoked partitions, on a mock consumer (logic only; the real group is in
 * {@link WebhookServiceChaosIT}). Found there: a consumer that left its group (a commit blocked longer than
 * {@code max.poll.interval.ms} while the broker came back) rejoins, and the very poll that gives it its partition back
 * returns the partition's records. Those records are the new assignment's; skipping them as "revoked" moved the
 * position past them uncommitted, so nothing was committed until another transition arrived.
 */
class WebhookServiceRebalanceTest {
    private static final String TOPIC = "anomalies-test";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @Test
    void shouldHandleAndCommitTheRecordsOfThePollThatRevokedAndReassignedTheirPartition() throws Exception {
        ListenerKeepingConsumer consumer = new ListenerKeepingConsumer();
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        // first poll: the partition is assigned
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(PARTITION)));
        // second poll: an eager rebalance revokes the partition and assigns it again, then returns its record
        consumer.schedulePollTask(() -> {
            consumer.listener.onPartitionsRevoked(List.of(PARTITION));
            consumer.listener.onPartitionsAssigned(List.of(PARTITION));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0L, "incident-x".getBytes(), null)); // a tombstone
        });
        WebhookService service = new WebhookService(new NotifyConfig(Map.of(
                NotifyConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1",
                NotifyConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1",
                NotifyConfig.TOPIC, TOPIC,
                NotifyConfig.GROUP_ID, "notify-test",
                NotifyConfig.WEBHOOK_URLS, "http://127.0.0.1:1/hook")), consumer);
        Thread thread = new Thread(service::run, "notify-under-test");
        thread.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (committed(consumer) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(committed(consumer)).as("the record's offset + 1, committed").isEqualTo(1);
            assertThat(service.running()).isTrue();
        } finally {
            service.close();
            thread.join(10_000);
        }
    }

    private static long committed(MockConsumer<byte[], byte[]> consumer) {
        OffsetAndMetadata offset = consumer.committed(Set.of(PARTITION)).get(PARTITION);
        return offset == null ? 0 : offset.offset();
    }

    /** A mock consumer that hands out the service's rebalance listener, to play an eager rebalance with it. */
    private static final class ListenerKeepingConsumer extends MockConsumer<byte[], byte[]> {
        volatile ConsumerRebalanceListener listener;

        ListenerKeepingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
            this.listener = listener;
            super.subscribe(topics, listener);
        }
    }
}
