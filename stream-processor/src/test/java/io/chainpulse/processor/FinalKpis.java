package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.RealStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The KPI records the processor's integration tests check, read from a KPI topic of the real broker. */
final class FinalKpis {
    private FinalKpis() {}

    /** {@code scope|node} (node empty for the network). */
    static String scopeAndNode(KpiWindow k) {
        return k.getScope() + "|" + (k.getScope() == KpiScope.node ? k.getNodeId() : "");
    }

    /** {@code scope|node|window start}. */
    /** {@code scope|node|window start}, then {@code |chain} for a window of a chain other than the default. */
    static String scopeNodeAndWindow(KpiWindow k) {
        return scopeAndNode(k) + "|" + k.getWindowStartMs() + (k.getChainId() == null ? "" : "|" + k.getChainId());
    }

    /**
     * The {@code wanted} records of {@code topic}, from its start, keyed by {@code key}, once at least {@code expected}
     * are there and 3 s passed without more (duplicates would show then), or after {@code timeout}. Read
     * {@code read_committed}, a second record for a key fails; {@code read_uncommitted} also sees aborted attempts, so
     * the last one wins. Assigned, not subscribed: no group to join, so a short read really reads.
     */
    static Map<String, KpiWindow> read(RealStack stack, String topic, String isolation, Predicate<KpiWindow> wanted,
                                       java.util.function.Function<KpiWindow, String> key, int expected,
                                       Duration timeout) {
        Map<String, KpiWindow> out = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new StringDeserializer(),
                new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (var record : consumer.poll(Duration.ofMillis(250))) {
                    KpiWindow k = record.value();
                    if (!wanted.test(k)) {
                        continue;
                    }
                    String id = key.apply(k);
                    KpiWindow before = out.put(id, k);
                    if (isolation.equals("read_committed")) {
                        assertThat(before).as("a second final result for %s", id).isNull();
                    }
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return out;
    }
}
