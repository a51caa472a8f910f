package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's spool on a full file system (issue 14, point 8): a real 256 KiB tmpfs, so writes fail with "No space
 * left on device" part-way, as on a full disk. Nothing may be torn, re-written or lost beyond what is counted.
 */
@ExtendWith(RealStackExtension.class)
class SpoolFullDiskChaosIT {
    private static final long FILE_SYSTEM_BYTES = 256 * 1024;
    private static final int SEGMENT = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryAcceptedRecordWholeAndInOrderWhenTheFileSystemFillsUp() throws Exception {
        List<Integer> accepted = new ArrayList<>();
        int refused = 0;
        List<Integer> read = new ArrayList<>();
        try (SmallFileSystem fs = SmallFileSystem.mount(dir.resolve("small"), FILE_SYSTEM_BYTES);
             Spool spool = new Spool(fs.path().resolve("v1"), 1 << 20, SEGMENT, 0)) {
            int next = 0;
            for (int round = 0; round < 3; round++) {
                // fill the file system far beyond its size: the write buffer keeps what the disk refuses
                for (int i = 0; i < 3_000; i++, next++) {
                    try {
                        if (spool.append(record(next))) {
                            accepted.add(next);
                        } else {
                            refused++;
                        }
                        spool.flush();
                    } catch (IOException noSpace) {
                        assertThat(noSpace).hasMessageContaining("No space left on device");
                        if (accepted.isEmpty() || accepted.get(accepted.size() - 1) != next) {
                            refused++;
                        }
                    }
                }
                // the broker is back: read, acknowledge, read again until everything accepted so far came out
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (read.size() < accepted.size() && System.nanoTime() < deadline) {
                    Spool.Batch batch = spool.read(500);
                    assertThat(batch.corruptions()).isEmpty();
                    batch.entries().forEach(e -> read.add(ByteBuffer.wrap(e.data()).getInt()));
                    if (!batch.entries().isEmpty()) {
                        spool.commit(batch.entries().get(batch.entries().size() - 1).end());
                    }
                }
            }
            assertThat(spool.corruptRecords()).isZero();
            assertThat(spool.drained()).isTrue();
        }

        assertThat(refused).as("the file system must have filled up").isPositive();
        assertThat(accepted.size() + refused).isEqualTo(9_000);
        assertThat(read).containsExactlyElementsOf(accepted); // each accepted record once, in order, none torn
    }

    @Test
    void shouldSendEveryEventItDidNotCountAsSpoolFullOnceTheBrokerIsBack(RealStack stack) throws Exception {
        int total = 8_000;
        String topic = "sdk-full-disk-" + UUID.randomUUID();
        List<String> errors = new CopyOnWriteArrayList<>();
        // the broker is down from the start (its ports fixed, not started yet): a first start is much quicker than a
        // restart after SIGKILL, which the broker outage test of ProducerSdkIT already covers
        try (KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka"));
             SmallFileSystem fs = SmallFileSystem.mount(dir.resolve("small"), FILE_SYSTEM_BYTES)) {
            ChainPulseSdk.Stats stats;
            try (ChainPulseSdk sdk = ChainPulseSdk.builder().nodeId("v1").bootstrapServers(broker.bootstrapServers())
                    .schemaRegistryUrl(stack.registryUrl()).topic(topic).spoolDirectory(fs.path())
                    .set(SdkConfig.SPOOL_SEGMENT_BYTES, SEGMENT)
                    .errorListener((message, cause) -> errors.add(message)).build()) {
                for (int i = 0; i < total; i++) {
                    sdk.event(EventType.transaction_ingress).txId("0x" + i).metadata("seq", Integer.toString(i))
                            .record();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (sdk.stats().spooled() + sdk.stats().dropped() < total && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                long spoolFull = sdk.counters().dropped.get(Counters.DropReason.SPOOL_FULL).sum();
                assertThat(spoolFull).as("the file system must have filled up; stats %s", sdk.stats()).isPositive();

                broker.start();
                broker.createTopics(1, topic);
                assertThat(sdk.flush(Duration.ofSeconds(90))).as("stats %s", sdk.stats()).isTrue();
                stats = sdk.stats();
                assertThat(stats.sent() + spoolFull).as("sent + dropped{spool_full} = recorded; %s", stats)
                        .isEqualTo(total);
                assertThat(stats.dropped()).isEqualTo(spoolFull);
                assertThat(stats.corruptRecords()).isZero();
                assertThat(stats.recorded()).isEqualTo(total);
            }
            assertThat(errors).anyMatch(m -> m.startsWith("cannot write the spool in " + fs.path().resolve("v1")
                    + ": No space left on device"));
            assertThat(errors).noneMatch(m -> m.contains("corrupt"));

            List<Integer> sequence = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, ProtocolEvent> record : readAll(broker.bootstrapServers(), stack.registryUrl(),
                    topic, (int) stats.sent())) {
                ids.add(record.value().getEventId());
                sequence.add(Integer.parseInt(record.value().getMetadata().get("seq")));
            }
            assertThat(sequence).hasSize((int) stats.sent()).isSorted();
            assertThat(ids).hasSize((int) stats.sent());
        }
    }

    private static byte[] record(int seq) {
        return ByteBuffer.allocate(200).putInt(seq).array();
    }

    private static List<ConsumerRecord<String, ProtocolEvent>> readAll(String bootstrap, String registry, String topic,
                                                                      int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, ProtocolEvent>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(registry)))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // duplicates would come now
                }
            }
        }
        return out;
    }
}
