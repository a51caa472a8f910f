package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdkConfigTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseANodeIdThatWouldEscapeTheSpoolDirectoryBeforeAnyFileIsCreated() throws Exception {
        Path spool = dir.resolve("spool");

        assertThatThrownBy(() -> ChainPulseSdk.builder()
                .nodeId("../../escape").bootstrapServers("127.0.0.1:9").schemaRegistryUrl("mock://config-test")
                .spoolDirectory(spool)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid ChainPulse SDK configuration: node.id: node id '../../escape' must start with "
                        + "a letter or digit and contain only A-Z a-z 0-9 . _ : -");

        try (Stream<Path> created = Files.walk(dir)) {
            assertThat(created).containsExactly(dir); // not the spool directory, not ../escape, nothing
        }
        assertThat(dir.getParent().resolve("escape")).doesNotExist();
    }

    @Test
    void shouldNameAnInvalidNodeIdTogetherWithTheOtherProblems() {
        assertThatThrownBy(() -> ChainPulseSdk.builder()
                .nodeId("Network").bootstrapServers("127.0.0.1:9").schemaRegistryUrl("mock://config-test")
                .spoolDirectory(dir)
                .bufferEvents(10)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid ChainPulse SDK configuration: "
                        + "node.id: node id 'Network' is reserved (reserved names: anomalies, network); "
                        + "buffer.events: Invalid value 10 for configuration buffer.events: Value must be at least 1024");
    }

    @Test
    void shouldRefuseANodeIdLongerThan128Characters() {
        String longId = "v".repeat(129);
        assertThatThrownBy(() -> ChainPulseSdk.builder()
                .nodeId(longId).bootstrapServers("127.0.0.1:9").schemaRegistryUrl("mock://config-test")
                .spoolDirectory(dir)
                .build())
                .hasMessage("invalid ChainPulse SDK configuration: node.id: node id '" + "v".repeat(40)
                        + "…' is 129 characters long; at most 128 are allowed");
    }

    @Test
    void shouldNameEveryMissingRequiredSettingAtOnce() {
        assertThatThrownBy(() -> ChainPulseSdk.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid ChainPulse SDK configuration: "
                        + "node.id: Missing required configuration \"node.id\" which has no default value.; "
                        + "bootstrap.servers: Missing required configuration \"bootstrap.servers\" which has no default value.; "
                        + "schema.registry.url: Missing required configuration \"schema.registry.url\" which has no default value.");
    }

    @Test
    void shouldEchoInvalidValuesAndRejectUnknownKeys() {
        assertThatThrownBy(() -> ChainPulseSdk.builder()
                .nodeId("v1").bootstrapServers("127.0.0.1:9").schemaRegistryUrl("mock://config-test")
                .bufferEvents(10)
                .spoolMaxBytes(5)
                .set("linger.ms", 5)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid ChainPulse SDK configuration: "
                        + "buffer.events: Invalid value 10 for configuration buffer.events: Value must be at least 1024; "
                        + "spool.max.bytes: Invalid value 5 for configuration spool.max.bytes: Value must be at least 1048576; "
                        + "linger.ms: unknown setting (Kafka producer settings take the prefix 'kafka.'; the registry also "
                        + "takes bearer.auth.token and schema.registry.ssl.*)");
    }

    @Test
    void shouldNeverEchoTheRegistryPassword() {
        assertThatThrownBy(() -> ChainPulseSdk.builder()
                .nodeId("").bootstrapServers("127.0.0.1:9").schemaRegistryUrl("mock://config-test")
                .schemaRegistryBasicAuth("user:s3cret")
                .build())
                .hasMessage("invalid ChainPulse SDK configuration: "
                        + "node.id: node id is missing or empty")
                .message().doesNotContain("s3cret");
    }
}
