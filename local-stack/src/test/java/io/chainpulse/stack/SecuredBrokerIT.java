package io.chainpulse.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real broker with a SASL_SSL (SCRAM-SHA-512) listener and a generated CA: who gets in, and how others fail.
 * The restart comes last so that a slow restart on a loaded machine cannot eat into the other tests' time bounds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredBrokerIT {
    private static final int RECORDS = 1_000;
    private static final String USER = "chainpulse";
    private static final String PASSWORD = "s3cret-pw";
    private static final String INVALID_CREDENTIALS =
            "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512";
    /** Longest a refused client may take to fail; a refusal must not look like a hang. */
    private static final Duration REFUSAL_BOUND = Duration.ofSeconds(20);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run leaves the broker's log and config to read
    static Path dir;
    private static KafkaBroker broker;

    @BeforeAll
    static void startSecuredBroker() {
        broker = KafkaBroker.inDirectory(dir).withSaslSsl(USER, PASSWORD).start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldRoundTripExactlyEveryRecordForTheUserWithItsCredentials() throws Exception {
        String topic = "secured-round-trip";
        try (Admin admin = Admin.create(broker.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions()).hasSize(3);
        }

        Map<String, Object> producerConfig = new HashMap<>(broker.clientProperties());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "key-" + i, Integer.toString(i))));
            }
            for (var send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }

        Map<String, Object> consumerConfig = new HashMap<>(broker.clientProperties());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "secured-reader");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Integer> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (values.size() < RECORDS && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(Integer.valueOf(record.value())));
            }
            consumer.commitSync();
        }

        // 1,000 of 1,000, each once; and the log holds nothing else
        assertThat(values).hasSize(RECORDS)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, RECORDS).boxed().toList());
        assertThat(broker.readCommitted(topic)).hasSize(RECORDS);
    }

    @Test
    void shouldRefuseAWrongPasswordWithTheSaslAuthenticationErrorInAdminProducerAndConsumer() {
        Map<String, Object> wrong = new HashMap<>(broker.clientProperties(USER, "not-" + PASSWORD));
        wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        wrong.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);

        Refusal admin = refusal(() -> {
            try (Admin client = Admin.create(wrong)) {
                client.listTopics().names().get(15, TimeUnit.SECONDS);
            }
        });
        Refusal producer = refusal(() -> {
            try (var client = new KafkaProducer<>(wrong, new StringSerializer(), new StringSerializer())) {
                client.send(new ProducerRecord<>("secured-refused", "k", "v")).get(15, TimeUnit.SECONDS);
            }
        });
        Map<String, Object> consumerConfig = new HashMap<>(wrong);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "refused-reader");
        Refusal consumer = refusal(() -> {
            try (var client = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
                client.subscribe(List.of("secured-refused"));
                long deadline = System.nanoTime() + REFUSAL_BOUND.toNanos();
                while (System.nanoTime() < deadline) {
                    client.poll(Duration.ofMillis(500));
                }
            }
        });

        for (Refusal refused : List.of(admin, producer, consumer)) {
            assertThat(refused.error()).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessage(INVALID_CREDENTIALS);
            assertThat(refused.took()).isLessThan(REFUSAL_BOUND);
        }
        assertThat(brokerLog()).contains("(" + INVALID_CREDENTIALS + ")");
    }

    @Test
    void shouldRefuseAnUnknownUserWithTheSameError() {
        Refusal refused = refusal(() -> {
            try (Admin client = Admin.create(broker.clientProperties("mallory", PASSWORD))) {
                client.listTopics().names().get(15, TimeUnit.SECONDS);
            }
        });

        assertThat(refused.error()).isInstanceOf(SaslAuthenticationException.class).hasMessage(INVALID_CREDENTIALS);
        assertThat(refused.took()).isLessThan(REFUSAL_BOUND);
    }

    @Test
    void shouldRefuseASaslSslClientWithoutCredentialsBeforeItConnects() {
        Map<String, Object> noCredentials = new HashMap<>(broker.clientProperties());
        noCredentials.remove("sasl.jaas.config");

        Refusal refused = refusal(() -> Admin.create(noCredentials).close());

        assertThat(refused.error()).isInstanceOf(KafkaException.class)
                .hasMessage("Failed to create new KafkaAdminClient")
                .rootCause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Could not find a 'KafkaClient' entry in the JAAS configuration. "
                        + "System property 'java.security.auth.login.config' is not set");
    }

    @Test
    void shouldGiveAPlaintextClientNothingButATimeoutWhileTheBrokerLogsTheFailedHandshake() {
        Map<String, Object> plaintext = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_500);

        Refusal refused = refusal(() -> {
            try (Admin client = Admin.create(plaintext)) {
                client.listTopics().names().get(15, TimeUnit.SECONDS);
            }
        });

        // A PLAINTEXT client cannot tell a TLS port from a dead one: the broker drops it at the handshake, the client
        // retries until its API timeout. The broker's log is where the reason shows.
        assertThat(refused.error()).isInstanceOf(TimeoutException.class)
                .hasMessage("Timed out waiting for a node assignment. Call: listTopics");
        assertThat(refused.took()).isBetween(Duration.ofSeconds(3), REFUSAL_BOUND);
        assertThat(brokerLog()).containsPattern(
                "Failed authentication with /127\\.0\\.0\\.1 \\(channelId=[^)]+\\) \\(SSL handshake failed\\)");
    }

    @Test
    void shouldRefuseAClientThatDoesNotTrustTheGeneratedCa() {
        Map<String, Object> untrusting = new HashMap<>(broker.clientProperties());
        untrusting.remove(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
        untrusting.remove(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
        untrusting.remove(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG);

        Refusal refused = refusal(() -> {
            try (Admin client = Admin.create(untrusting)) {
                client.listTopics().names().get(15, TimeUnit.SECONDS);
            }
        });

        assertThat(refused.error()).isInstanceOf(SslAuthenticationException.class).hasMessage("SSL handshake failed")
                .cause().isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unable to find valid certification path to requested target");
        assertThat(refused.took()).isLessThan(REFUSAL_BOUND);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void shouldKeepItsCertificatesAndUsersAcrossARestart() throws Exception {
        String truststoreBefore = (String) broker.clientProperties().get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
        byte[] caBefore = Files.readAllBytes(broker.caCertificate());

        broker.stop();
        broker.start();

        assertThat(Files.readAllBytes(broker.caCertificate())).isEqualTo(caBefore);
        assertThat(broker.clientProperties().get(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG))
                .isEqualTo(truststoreBefore);
        try (Admin admin = Admin.create(broker.clientProperties())) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }
        Refusal wrongPassword = refusal(() -> {
            try (Admin client = Admin.create(broker.clientProperties(USER, "not-" + PASSWORD))) {
                client.listTopics().names().get(30, TimeUnit.SECONDS);
            }
        });
        assertThat(wrongPassword.error()).isInstanceOf(SaslAuthenticationException.class)
                .hasMessage(INVALID_CREDENTIALS);
    }

    private static String brokerLog() {
        try {
            return Files.readString(broker.log());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What a client call threw (unwrapped from a future's ExecutionException) and how long it took to throw it. */
    private record Refusal(Throwable error, Duration took) {}

    private interface ClientCall {
        void run() throws Exception;
    }

    private static Refusal refusal(ClientCall call) {
        long start = System.nanoTime();
        Throwable error = catchThrowable(call::run);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(error).as("the client call should have failed").isNotNull();
        return new Refusal(error instanceof ExecutionException ? error.getCause() : error, took);
    }
}
