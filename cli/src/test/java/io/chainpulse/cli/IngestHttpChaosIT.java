package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./chainpulse ingest --http} in a JVM of its own against the real broker and registry: a 202 means Kafka
 * has the batch, so a SIGKILL right after it loses nothing.
 */
@ExtendWith(RealStackExtension.class)
class IngestHttpChaosIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static String event(String id, String node) {
        return "{\"event_id\": \"" + id + "\", \"event_type\": \"transaction_ingress\", \"timestamp_ns\": "
                + "1753784501635923000, \"node_id\": \"" + node + "\", \"metadata\": {\"tx_id\": \"0x" + id + "\"}}";
    }

    @Test
    void shouldLoseNothingAcceptedWhenKilledRightAfterThe202(RealStack stack) throws Exception {
        String topic = "ingest-http-kill-" + UUID.randomUUID();
        stack.broker().createTopics(4, topic);
        int port = ChildProcess.freePort();
        Path log = Path.of("target", "ingest-http-kill-" + topic + ".log");
        IngestSidecar sidecar = IngestSidecar.start(stack, topic, dir, log, List.of("--http", "127.0.0.1:" + port));
        Set<String> expected = new HashSet<>();
        try {
            for (int batch = 0; batch < 3; batch++) {
                StringBuilder body = new StringBuilder();
                for (int i = 0; i < 1_000; i++) {
                    String id = "k" + batch + "-" + i;
                    body.append(event(id, "v" + (i % 7))).append('\n');
                    expected.add(id);
                }
                HttpResponse<String> response = postRetryingWhileNothingWasTaken(port, body.toString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                assertThat(response.body()).isEqualTo("{\"accepted\":1000}");
                if (batch == 1) {
                    sidecar.process.kill();
                    sidecar = IngestSidecar.start(stack, topic, dir, log, List.of("--http", "127.0.0.1:" + port));
                }
            }
            sidecar.process.kill();

            Map<String, Integer> counts = IngestSidecar.eventIdCounts(stack, topic, expected.size());
            assertThat(counts.keySet()).isEqualTo(expected);
            assertThat(counts.values()).containsOnly(1);
        } finally {
            sidecar.process.stop();
        }
    }

    /** As a client should: a 503 that took nothing (Kafka unreachable on a loaded machine) is retried after a pause. */
    private static HttpResponse<String> postRetryingWhileNothingWasTaken(int port, String body) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 503 || !response.body().contains("nothing of the batch was accepted")
                    || System.nanoTime() > deadline) {
                return response;
            }
            Thread.sleep(500);
        }
    }
}
