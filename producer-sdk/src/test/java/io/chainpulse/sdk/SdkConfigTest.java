package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SdkConfigTest {

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
                        + "linger.ms: unknown setting (Kafka producer settings take the prefix 'kafka.')");
    }

    @Test
    void shouldNeverEchoTheRegistryPassword() {
        assertThatThrownBy(() -> ChainPulseSdk.builder()
                .nodeId("").bootstrapServers("127.0.0.1:9").schemaRegistryUrl("mock://config-test")
                .schemaRegistryBasicAuth("user:s3cret")
                .build())
                .hasMessage("invalid ChainPulse SDK configuration: "
                        + "node.id: Invalid value  for configuration node.id: String must be non-empty")
                .message().doesNotContain("s3cret");
    }
}
