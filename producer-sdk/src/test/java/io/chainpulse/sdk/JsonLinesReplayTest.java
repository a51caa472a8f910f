package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesReplayTest {
    @TempDir
    Path dir;

    @Test
    void shouldReportBadLinesWithFileAndLineAndPublishTheRest() throws IOException {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"event_id\": \"e1\", \"event_type\": \"transaction_ingress\", \"timestamp_ns\": 1753784501635923000, \"node_id\": \"v1\", \"metadata\": {\"tx_id\": \"0xab\", \"amount\": 100}}",
                "{\"event_id\": \"e2\", \"event_type\": \"transaction_ingress\", \"timestamp_ns\": 17537845",
                "",
                "{\"event_id\": \"e3\", \"event_type\": \"block_finalization\", \"timestamp_ns\": 1753784501735923000, \"metadata\": {\"height\": 5}}",
                "{\"event_id\": \"e4\", \"event_type\": \"block_finalization\", \"timestamp_ns\": 1753784501835923000, \"node_id\": \"v2\", \"metadata\": {\"height\": 5, \"tx_count\": 12}}",
                "{\"event_id\": \"e5\", \"event_type\": \"block_finalization\", \"timestamp_ns\": 1753784501935923000, \"node_id\": \"../v2\", \"metadata\": {\"height\": 6}}",
                ""));
        List<String> problems = new ArrayList<>();

        try (ChainPulseSdk sdk = ChainPulseSdk.builder().nodeId("replay")
                .bootstrapServers("127.0.0.1:" + ChainPulseSdkTest.closedPort())
                .schemaRegistryUrl("mock://replay-test").spoolDirectory(dir.resolve("spool"))
                .errorListener((m, c) -> {}).build()) {

            JsonLinesReplay.Report report = JsonLinesReplay.publish(file, sdk, problems::add);

            assertThat(report.lines()).isEqualTo(5);
            assertThat(report.published()).isEqualTo(2);
            assertThat(report.badLines()).isEqualTo(3);
            assertThat(report.problems()).containsExactlyElementsOf(problems).containsExactly(
                    file + ":2: not valid JSON: Unexpected end-of-input: expected close marker for Object",
                    file + ":4: missing required field node_id",
                    file + ":6: node id '../v2' must start with a letter or digit and contain only A-Z a-z 0-9 . _ : -");
            assertThat(sdk.stats().recorded()).isEqualTo(2);
        }
    }
}
