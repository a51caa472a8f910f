package io.chainpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/events} against the real broker and registry: every answer, with its exact body. */
@ExtendWith(RealStackExtension.class)
class HttpIngestIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String TOKEN = "s3cret-t0ken";

    @TempDir
    Path dir;

    private static String event(String id, String node) {
        return "{\"event_id\": \"" + id + "\", \"event_type\": \"block_finalization\", \"timestamp_ns\": "
                + "1753784501635923000, \"node_id\": \"" + node + "\", \"metadata\": {\"height\": 7, \"tx_count\": 3}}";
    }

    private Ingest start(String bootstrap, String registry, String topic, int maxBytes, int maxInFlight) {
        return Ingest.builder().bootstrapServers(bootstrap).schemaRegistryUrl(registry).topic(topic)
                .spoolDirectory(dir.resolve("spool-" + UUID.randomUUID())).http(new InetSocketAddress("127.0.0.1", 0))
                .bearerToken(TOKEN).httpMaxBytes(maxBytes).httpMaxInFlight(maxInFlight)
                .ackTimeout(Duration.ofSeconds(30)).start();
    }

    private static HttpResponse<String> post(int port, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerEveryStatusWithItsExactBodyAndPublishOnlyAcceptedBatches(RealStack stack) throws Exception {
        String topic = "ingest-http-" + UUID.randomUUID();
        stack.broker().createTopics(2, topic);
        try (Ingest ingest = start(stack.bootstrapServers(), stack.registryUrl(), topic, 2048, 1)) {
            int port = ingest.httpPort();

            HttpResponse<String> accepted = post(port, TOKEN, event("h1", "v1") + "\n\n" + event("h2", "v2") + "\n");
            assertThat(accepted.statusCode()).isEqualTo(202);
            assertThat(accepted.body()).isEqualTo("{\"accepted\":2}");

            HttpResponse<String> array = post(port, TOKEN, "[" + event("h3", "v1") + ", " + event("h4", "v3") + "]");
            assertThat(array.statusCode()).isEqualTo(202);
            assertThat(array.body()).isEqualTo("{\"accepted\":2}");

            HttpResponse<String> invalid = post(port, TOKEN, event("x1", "v1") + "\n{\"event_id\": \"x2\"}\n"
                    + event("x3", "v1").replace("block_finalization", "block_finalisation") + "\nnot json\n");
            assertThat(invalid.statusCode()).isEqualTo(400);
            assertThat(invalid.body()).startsWith("{\"error\":\"3 of 4 events are invalid; none of the batch was "
                    + "accepted\",\"invalid\":[{\"line\":2,\"reason\":\"missing required field event_type\"},"
                    + "{\"line\":3,\"reason\":\"unknown event_type 'block_finalisation'; expected one of ");
            assertThat(invalid.body()).contains("{\"line\":4,\"reason\":\"");

            HttpResponse<String> invalidElement = post(port, TOKEN, "[" + event("y1", "v1") + ", 42]");
            assertThat(invalidElement.statusCode()).isEqualTo(400);
            assertThat(invalidElement.body()).isEqualTo("{\"error\":\"1 of 2 events are invalid; none of the batch "
                    + "was accepted\",\"invalid\":[{\"element\":2,\"reason\":\"expected a JSON object, got NUMBER\"}]}");

            HttpResponse<String> empty = post(port, TOKEN, "\n\n");
            assertThat(empty.statusCode()).isEqualTo(400);
            assertThat(empty.body()).isEqualTo("{\"error\":\"no events in the request body\"}");

            HttpResponse<String> noToken = post(port, null, event("z1", "v1"));
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.body()).isEqualTo("{\"error\":\"missing or wrong bearer token\"}");
            assertThat(noToken.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"chainpulse\"");
            HttpResponse<String> wrongToken = post(port, "guess", event("z2", "v1"));
            assertThat(wrongToken.statusCode()).isEqualTo(401);

            HttpResponse<String> tooLarge = post(port, TOKEN, (event("big", "v1") + "\n").repeat(20));
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(tooLarge.body()).isEqualTo("{\"error\":\"request body larger than 2048 bytes; send smaller batches\"}");

            HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/v1/events")).header("Authorization", "Bearer " + TOKEN).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.body()).isEqualTo("{\"error\":\"use POST /v1/events\"}");

            // one batch in flight (its body still arriving) is the maximum configured here: the next one gets 429
            try (Socket slow = new Socket("127.0.0.1", port)) {
                OutputStream out = slow.getOutputStream();
                out.write(("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                HttpResponse<String> busy = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    busy = post(port, TOKEN, event("w1", "v1"));
                    if (busy.statusCode() == 429) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertThat(busy.statusCode()).isEqualTo(429);
                assertThat(busy.body()).isEqualTo("{\"error\":\"1 batches are being published already; retry after 1 s\"}");
                assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            }

            List<ConsumerRecord<String, ProtocolEvent>> records = read(stack, topic, 4);
            assertThat(records).extracting(r -> r.value().getEventId().toString())
                    .containsExactlyInAnyOrder("h1", "h2", "h3", "h4");
            assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getNodeId().toString()));
        }
    }

    @Test
    void shouldAnswer503WithRetryAfterAndTakeNothingWhileKafkaIsUnreachable(RealStack stack) throws Exception {
        String nowhere = "127.0.0.1:" + ChildProcess.freePort();
        try (Ingest ingest = start(nowhere, stack.registryUrl(), "ingest-http-down", 1 << 20, 4)) {
            HttpResponse<String> down = post(ingest.httpPort(), TOKEN, event("d1", "v1"));

            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"error\":\"Kafka is unreachable; nothing of the batch was accepted, "
                    + "retry after 5 s\"}");
            assertThat(down.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(ingest.sdk().stats().recorded()).isZero();
        }
    }

    static List<ConsumerRecord<String, ProtocolEvent>> read(RealStack stack, String topic, int expected) {
        List<ConsumerRecord<String, ProtocolEvent>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new AvroDeserializer<>(ProtocolEvent.class, SchemaRegistryClients.forUrl(stack.registryUrl())))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // anything beyond the expected would show up within another second
            consumer.poll(Duration.ofSeconds(1)).forEach(out::add);
        }
        return out;
    }
}
