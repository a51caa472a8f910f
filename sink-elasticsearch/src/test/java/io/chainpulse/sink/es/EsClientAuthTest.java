package io.chainpulse.sink.es;

import io.chainpulse.schema.retry.Backoff;
import io.chainpulse.schema.retry.FakeTime;
import io.chainpulse.schema.retry.Retry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the client sends for each credential kind, and that a refusal stops the writer without echoing the secret.
 * The server is the JDK's, answering like a secured cluster that refuses everyone (the Maven Central node has no
 * security module).
 */
class EsClientAuthTest {
    private static final String REFUSAL = "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to "
            + "authenticate user\"},\"status\":401}";

    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void refuseEveryone() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization == null ? "(none)" : authorization);
            byte[] body = REFUSAL.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"security\"");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void shouldSendBasicCredentialsAndStopOnRefusalWithoutShowingThePassword() throws Exception {
        SinkEsConfig config = config(Map.of(SinkEsConfig.ES_USERNAME, "sink", SinkEsConfig.ES_PASSWORD, "pw-s3cret"));

        try (EsClient client = EsClient.connect(config)) {
            assertThatThrownBy(() -> writer(client).write(List.of(new IndexDoc("i", "a", Map.of("v", 1)))))
                    .isInstanceOf(SinkEsException.class)
                    .hasMessageStartingWith("Elasticsearch refused the bulk request of 1 documents: ")
                    .hasMessageNotContaining("pw-s3cret");
        }
        // Elasticsearch's REST client authenticates preemptively: no unauthenticated first request.
        assertThat(authorizations).containsExactly("Basic " + Base64.getEncoder()
                .encodeToString("sink:pw-s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSendTheApiKeyWithEveryRequest() throws Exception {
        SinkEsConfig config = config(Map.of(SinkEsConfig.ES_API_KEY, "a2V5LWlkOmtleQ=="));

        try (EsClient client = EsClient.connect(config)) {
            assertThatThrownBy(() -> writer(client).write(List.of(new IndexDoc("i", "a", Map.of("v", 1)))))
                    .isInstanceOf(SinkEsException.class).hasMessageNotContaining("a2V5LWlkOmtleQ==");
        }
        assertThat(authorizations).containsExactly("ApiKey a2V5LWlkOmtleQ==");
    }

    private SinkEsConfig config(Map<String, String> credentials) {
        Map<String, Object> config = new java.util.HashMap<>(credentials);
        config.put(SinkEsConfig.ES_URLS, "http://127.0.0.1:" + server.getAddress().getPort());
        return new SinkEsConfig(config);
    }

    private static BulkWriter writer(EsClient client) {
        FakeTime time = new FakeTime();
        return new BulkWriter(client, new Retry(new Backoff(Duration.ofMillis(1), Duration.ofMillis(1)), time.clock(),
                time::sleep, () -> 0.0, (attempt, delay, reason) -> {
                    throw new AssertionError("a refusal must not be retried: " + reason);
                }));
    }
}
