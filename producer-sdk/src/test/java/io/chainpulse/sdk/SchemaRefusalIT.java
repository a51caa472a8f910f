package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.RestSchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaCompatibility;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a real registry that refuses its schema (HTTP 409 under the subject's compatibility level): the
 * subject and the registry's message reach the ErrorListener, every event waits in the spool, none is dropped, and
 * all go out once the problem is fixed.
 */
@ExtendWith(RealStackExtension.class)
class SchemaRefusalIT {
    /** What an older, foreign producer registered under the subject: today's ProtocolEvent cannot read it. */
    private static final Schema FOREIGN = SchemaBuilder.record("ProtocolEvent").namespace("io.chainpulse.schema")
            .fields().requiredString("legacy_id").endRecord();
    private static final int TOTAL = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "fixed by {0}")
    @ValueSource(strings = {"relaxing the compatibility", "deleting the subject"})
    void shouldKeepEveryEventInTheSpoolWhileTheRegistryRefusesTheSchemaAndSendThemAllOnceItAccepts(String fix,
            RealStack stack) throws Exception {
        String topic = "sdk-refused-" + UUID.randomUUID();
        String subject = topic + "-value";
        stack.broker().createTopics(1, topic);
        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.registryUrl(), null,
                Duration.ofSeconds(10));
        SchemaCompatibility.apply(stack.registryUrl(), List.of(topic));
        registry.register(subject, FOREIGN);
        List<String> errors = new CopyOnWriteArrayList<>();

        try (ChainPulseSdk sdk = ChainPulseSdk.builder().nodeId("v1").bootstrapServers(stack.bootstrapServers())
                .schemaRegistryUrl(stack.registryUrl()).topic(topic).spoolDirectory(dir)
                .errorListener((message, cause) -> errors.add(message)).build()) {
            for (int i = 0; i < TOTAL; i++) {
                sdk.event(EventType.consensus_vote).height(i).metadata("seq", Integer.toString(i)).record();
            }
            await(() -> sdk.stats().spooled() == TOTAL && errors.stream().anyMatch(m -> m.contains("refused")));

            ChainPulseSdk.Stats refused = sdk.stats();
            assertThat(refused.sent() + refused.spooled()).as("sent + spooled = recorded; %s", refused)
                    .isEqualTo(refused.recorded()).isEqualTo(TOTAL);
            assertThat(refused.sent()).isZero();
            assertThat(refused.dropped()).isZero();
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("the schema registry refused the schema of "
                    + "subject '" + subject + "' as incompatible; events are kept in the spool (" + dir.resolve("v1")
                    + ") until it is accepted. Registry: could not register schema under subject '" + subject
                    + "': registry at " + stack.registryUrl() + " answered HTTP 409 error 409: ")
                    .contains("Incompatible artifact: " + subject));

            if (fix.startsWith("relaxing")) {
                registry.setCompatibility(subject, "NONE");
            } else {
                // a soft delete is enough: the SDK, retrying from its spool, may register its schema again at
                // once (a permanent delete after that was refused with 409 "must be soft deleted first" in CI)
                delete(stack.registryUrl() + "/subjects/" + subject);
            }

            assertThat(sdk.flush(Duration.ofSeconds(60))).as("stats %s", sdk.stats()).isTrue();
            ChainPulseSdk.Stats fixed = sdk.stats();
            assertThat(fixed.sent()).isEqualTo(TOTAL);
            assertThat(fixed.replayed()).isEqualTo(TOTAL);
            assertThat(fixed.dropped()).isZero();
            assertThat(fixed.corruptRecords()).isZero();
        }

        List<Integer> sequence = new ArrayList<>();
        read(stack, topic, (key, event) -> sequence.add(Integer.parseInt(event.getMetadata().get("seq"))));
        assertThat(sequence).hasSize(TOTAL).isSorted().doesNotHaveDuplicates();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as("condition within 30 s").isTrue();
    }

    private static void delete(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static void read(RealStack stack, String topic, BiConsumer<String, ProtocolEvent> each) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        int seen = 0;
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new AvroDeserializer<>(
                ProtocolEvent.class, io.chainpulse.schema.registry.SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, ProtocolEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(record.key(), record.value());
                    seen++;
                }
                if (seen >= TOTAL && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos(); // duplicates would come now
                }
            }
        }
    }
}
