package io.chainpulse.ingest;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.sdk.ChainPulseSdk;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/** The {@link Publisher}'s target in production: the producer SDK, plus an admin client for the topic's end offsets. */
final class SdkTarget implements Publisher.Target, AutoCloseable {
    private static final long TIMEOUT_MS = 10_000;

    private final ChainPulseSdk sdk;
    private final Admin admin;
    private final String topic;
    private List<TopicPartition> partitions;

    SdkTarget(ChainPulseSdk sdk, Admin admin, String topic) {
        this.sdk = sdk;
        this.admin = admin;
        this.topic = topic;
    }

    @Override
    public boolean record(ProtocolEvent event) {
        return sdk.recordWaiting(event);
    }

    @Override
    public boolean flush(Duration timeout) {
        return sdk.flush(timeout);
    }

    @Override
    public boolean accepting() {
        ChainPulseSdk.Stats stats = sdk.stats();
        return stats.online() && stats.spoolBytes() == 0;
    }

    @Override
    public long dropped() {
        return sdk.stats().dropped();
    }

    @Override
    public Map<Integer, Long> endOffsets() {
        try {
            if (partitions == null) {
                partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .get(topic).partitions().stream().map(TopicPartitionInfo::partition)
                        .map(p -> new TopicPartition(topic, p)).toList();
            }
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            partitions.forEach(p -> request.put(p, OffsetSpec.latest()));
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(request).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            partitions = null;
            throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end offsets of " + topic, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
