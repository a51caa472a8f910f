package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * The two recipes of "Any node can emit" against the real broker and registry — the Python example (Confluent's
 * client, straight to Kafka) and the curl script (through {@code ./chainpulse ingest --http} with a token) — land each
 * of their events on the topic exactly once.
 */
@ExtendWith(RealStackExtension.class)
class IngestRecipesIT {
    @TempDir
    Path dir;

    @Test
    void shouldFindEveryEventOfThePythonAndCurlRecipesOnTheTopicOnce(RealStack stack) throws Exception {
        String topic = "ingest-recipes-" + UUID.randomUUID();
        stack.broker().createTopics(4, topic);
        int port = ChildProcess.freePort();
        Path token = dir.resolve("token");
        Files.writeString(token, "recipe-token-42\n");
        Path examples = Path.of(System.getProperty("chainpulse.home", "..")).resolve("examples");

        // Python first: on a fresh subject it registers its copy of the schema, which the SDK then shares
        Process python = new ProcessBuilder("/usr/bin/python3", examples.resolve("python/emit_events.py").toString(),
                "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.registryUrl(),
                "--topic", topic, "--node-id", "py-node-1", "--blocks", "10", "--start-ns", "1753784500000000000")
                .redirectErrorStream(true).start();
        String pythonOut = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor()).as(pythonOut).isZero();
        // the client prints "Schema not found:404" first when the subject is new
        assertThat(pythonOut).endsWith("\n50 events published to " + topic + " as node py-node-1\n");

        IngestSidecar sidecar = IngestSidecar.start(stack, topic, dir, Path.of("target", "ingest-recipes-" + topic + ".log"),
                List.of("--http", "127.0.0.1:" + port, "--token-file", token.toString()));
        try {
            ProcessBuilder curl = new ProcessBuilder("sh", examples.resolve("curl/post_events.sh").toString())
                    .redirectErrorStream(true);
            curl.environment().putAll(Map.of("CHAINPULSE_URL", "http://127.0.0.1:" + port,
                    "CHAINPULSE_TOKEN_FILE", token.toString(), "NODE_ID", "curl-node-1", "HEIGHT", "7",
                    "START_NS", "1753784500000000000"));
            Process run = curl.start();
            String curlOut = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor()).as(curlOut).isZero();
            assertThat(curlOut).isEqualTo("{\"accepted\":3}\n");

            ProcessBuilder unauthorized = new ProcessBuilder("sh", examples.resolve("curl/post_events.sh").toString())
                    .redirectErrorStream(true);
            unauthorized.environment().putAll(Map.of("CHAINPULSE_URL", "http://127.0.0.1:" + port));
            Process denied = unauthorized.start();
            String deniedOut = new String(denied.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(denied.waitFor()).isEqualTo(22);
            assertThat(deniedOut).contains("{\"error\":\"missing or wrong bearer token\"}");

            Set<String> expected = new HashSet<>(List.of("curl-node-1:7:exec-start", "curl-node-1:7:exec-done",
                    "curl-node-1:7:final"));
            for (int h = 1; h <= 10; h++) {
                for (String kind : List.of("tx-in", "tx-ok", "exec-start", "exec-done", "final")) {
                    expected.add("py-node-1:" + h + ":" + kind);
                }
            }
            Map<String, Integer> counts = IngestSidecar.eventIdCounts(stack, topic, expected.size());
            assertThat(counts.keySet()).isEqualTo(expected);
            assertThat(counts.values()).containsOnly(1);
        } finally {
            sidecar.process.stop();
        }
    }
}
