package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK publishing through a real broker whose only client listener is SASL_SSL (SCRAM-SHA-512, generated CA),
 * configured with nothing but Kafka's own client keys ({@code Builder.kafka}). The schema registry is the shared
 * stack's: it keeps its schemas in H2, not in Kafka, so it needs no broker credentials.
 */
@ExtendWith(RealStackExtension.class)
class SecuredBrokerSdkIT {
    private static final int EVENTS = 2_000;
    private static final String USER = "chainpulse-sdk";
    private static final String PASSWORD = "sdk-secret";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    private static KafkaBroker broker;

    @BeforeAll
    static void startSecuredBroker() {
        broker = KafkaBroker.inDirectory(dir.resolve("kafka")).withSaslSsl(USER, PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldPublishEveryEventOnceInOrderThroughSaslSslWithTheBrokersClientProperties(RealStack stack) {
        String topic = "sdk-secured";
        broker.createTopics(2, topic);

        try (ChainPulseSdk sdk = secured(sdk("v-secure", stack, topic, "spool-ok"), broker.clientProperties())
                .build()) {
            for (int i = 0; i < EVENTS; i++) {
                sdk.event(EventType.consensus_vote).height(i).metadata("seq", Integer.toString(i)).record();
            }
            assertThat(sdk.flush(Duration.ofSeconds(60))).isTrue();
            ChainPulseSdk.Stats stats = sdk.stats();
            assertThat(stats.sent()).as("stats %s", stats).isEqualTo(EVENTS);
            assertThat(stats.dropped()).isZero();
        }

        List<ProtocolEvent> events = readAll(stack, topic, EVENTS);
        Set<String> ids = new HashSet<>();
        List<Integer> sequence = new ArrayList<>();
        for (ProtocolEvent event : events) {
            ids.add(event.getEventId());
            sequence.add(Integer.valueOf(event.getMetadata().get("seq")));
        }
        // 2,000 of 2,000, each once, in record order (one node: one key, one partition)
        assertThat(events).hasSize(EVENTS);
        assertThat(ids).hasSize(EVENTS);
        assertThat(sequence).isSorted();
    }

    @Test
    void shouldNameTheRefusedLoginKeepEveryEventAndSendThemOnceWithTheRightPassword(RealStack stack)
            throws InterruptedException {
        String topic = "sdk-secured-refused";
        broker.createTopics(2, topic);
        int events = 100;
        List<String> errors = new CopyOnWriteArrayList<>();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        ChainPulseSdk.Stats stats;
        try (ChainPulseSdk sdk = secured(sdk("v-refused", stack, topic, "spool-refused"),
                broker.clientProperties(USER, "not-" + PASSWORD))
                .errorListener((message, cause) -> {
                    errors.add(message);
                    causes.add(cause);
                })
                .build()) {
            for (int i = 0; i < events; i++) {
                sdk.event(EventType.consensus_vote).height(i).metadata("seq", Integer.toString(i)).record();
            }
            // the first schema registration of a cold registry can take a while on a loaded machine
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                Thread.sleep(50);
                stats = sdk.stats();
            } while ((stats.spooled() < events || causes.stream().noneMatch(SaslAuthenticationException.class::isInstance))
                    && System.nanoTime() < deadline);
        }

        // A wrong password is the operator's to fix: every event waits in the spool, none is dropped.
        assertThat(stats.sent()).as("stats %s", stats).isZero();
        assertThat(stats.dropped()).as("stats %s", stats).isZero();
        assertThat(stats.spooled()).as("stats %s", stats).isEqualTo(events);
        // Whichever path meets the refusal first (a live send, the spool's connectivity check or a replay), the
        // listener is told it was the login, with Kafka's exact error and the settings to check.
        String refusal = java.util.regex.Pattern.quote("Kafka refused the SDK's credentials (Authentication failed"
                + " during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512); check"
                + " security.protocol, sasl.mechanism, sasl.jaas.config and the ssl.truststore settings");
        assertThat(errors).as("errors told to the listener").anySatisfy(message -> assertThat(message)
                .matches("(replaying the spool paused: )?" + refusal + "(; spooling events to .*)?"));
        assertThat(errors).as("errors told to the listener").noneSatisfy(message -> assertThat(message)
                .contains("unreachable"));
        assertThat(causes).hasAtLeastOneElementOfType(SaslAuthenticationException.class);

        // Restarted with the right password on the same spool: 100 of 100 arrive, each once, in order.
        try (ChainPulseSdk sdk = secured(sdk("v-refused", stack, topic, "spool-refused"), broker.clientProperties())
                .build()) {
            assertThat(sdk.flush(Duration.ofSeconds(60))).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sdk.stats().replayed() < events && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(sdk.stats().replayed()).as("stats %s", sdk.stats()).isEqualTo(events);
        }
        List<ProtocolEvent> delivered = readAll(stack, topic, events);
        assertThat(delivered.stream().map(e -> Integer.valueOf(e.getMetadata().get("seq"))).toList())
                .isEqualTo(java.util.stream.IntStream.range(0, events).boxed().toList());
    }

    private static ChainPulseSdk.Builder sdk(String node, RealStack stack, String topic, String spool) {
        return ChainPulseSdk.builder().nodeId(node).schemaRegistryUrl(stack.registryUrl()).topic(topic)
                .spoolDirectory(dir.resolve(spool));
    }

    /** The broker's client properties, the way an operator passes them: bootstrap servers, then Kafka keys. */
    private static ChainPulseSdk.Builder secured(ChainPulseSdk.Builder builder, Map<String, Object> client) {
        builder.bootstrapServers((String) client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        client.forEach((key, value) -> {
            if (!key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                builder.kafka(key, value);
            }
        });
        return builder;
    }

    /** Every event on {@code topic}, once {@code expected} arrived (or after 60 s), and whatever follows within 1 s. */
    private static List<ProtocolEvent> readAll(RealStack stack, String topic, int expected) {
        Map<String, Object> config = new HashMap<>(broker.clientProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-sdk-reader");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ProtocolEvent> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> out.add(record.value()));
            }
            // a little longer: duplicates would arrive after the expected count
            consumer.poll(Duration.ofSeconds(1)).forEach(record -> out.add(record.value()));
        }
        return out;
    }
}
