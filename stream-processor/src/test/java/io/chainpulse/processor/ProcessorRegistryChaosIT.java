package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import io.chainpulse.stack.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The schema registry SIGKILLed for 30 s while the processor restarts: it waits, then counts everything exactly. */
class ProcessorRegistryChaosIT extends DeadLetterFixture {

    /**
     * Issue 13 point 3 / issue 14 point 4: the processor restarted (SIGKILL, then a new JVM, so nothing is cached)
     * while the registry has been SIGKILLed for 30 s. It waits — /health 503 — and once the registry is back with its
     * schemas (kept on disk, as any production registry keeps them) every window is exact, nothing is dead-lettered,
     * nothing set aside as late.
     */
    @Test
    void shouldWaitForTheRegistryWhenRestartedDuringItsOutageAndSkipNothing(RealStack stack) throws Exception {
        SchemaRegistry registry = SchemaRegistry.inDirectory(dir.resolve("registry")).start();
        try {
            stack.broker().createTopics(1, input);
            ProcessorConfig config = config(stack.bootstrapServers(), registry.url());
            try (KafkaProducer<String, ProtocolEvent> events = events(stack.bootstrapServers(), registry.url())) {
                ChildProcess first = instance(config, "first", ProcessorInstance.RUNNING);
                try {
                    long last = sendWindows(events, 0, 2, () -> { });
                    // the first instance closes window 0 of every node, then dies with window 1 open
                    awaitCount(() -> nodeWindows(stack.broker()::readCommitted, registry.url()), NODES);
                    assertThat(last).isLessThan(20_000);
                } finally {
                    first.kill();
                }
                registry.kill();
                long outageStarted = System.nanoTime();
                // producers keep writing from their cached schema id
                long last = sendWindows(events, 2, WINDOWS + 2, () -> { });
                // ready once its stream thread waits for the registry
                ChildProcess second = instance(config, "second", "waiting for it (up to 240 s), nothing is skipped");
                try {
                    assertThat(lastHealth(second)).isEqualTo("DOWN");
                    long left = Duration.ofSeconds(30).toNanos() - (System.nanoTime() - outageStarted);
                    if (left > 0) {
                        Thread.sleep(left / 1_000_000); // the outage lasts 30 s, as in the issue
                    }
                    assertThat(nodeWindows(stack.broker()::readCommitted, registry.url())).isEqualTo(NODES);
                    registry.start();
                    flush(events, config, last, stack.broker()::readCommitted, NODES * (WINDOWS + 2));

                    assertExactCounts(awaitKpis(stack.broker()::readCommitted, registry.url(), (NODES + 1) * (WINDOWS + 2)),
                            0, WINDOWS + 2);
                    assertThat(lastHealth(second)).isEqualTo("UP");
                } finally {
                    second.kill();
                }
            }
            assertThat(deadLetters(stack.broker()::readCommitted)).isEmpty();
            assertThat(stack.broker().readCommitted(late)).isEmpty();
        } finally {
            registry.close();
        }
    }
}
