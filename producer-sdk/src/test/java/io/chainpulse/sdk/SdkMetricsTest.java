package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.EventType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdkMetricsTest {
    @TempDir
    Path spool;

    @Test
    void shouldExposeTheSdkCountersTaggedWithTheNodeAndRemoveThemOnClose() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ChainPulseSdk sdk = ChainPulseSdk.builder().nodeId("v9")
                .bootstrapServers("127.0.0.1:" + ChainPulseSdkTest.closedPort())
                .schemaRegistryUrl("mock://metrics-test").spoolDirectory(spool).errorListener((m, c) -> {}).build();
             SdkMetrics metrics = new SdkMetrics(sdk)) {
            metrics.bindTo(registry);
            for (int i = 0; i < 25; i++) {
                sdk.event(EventType.transaction_ingress).record();
            }
            sdk.close(Duration.ofSeconds(2));
            sdk.event(EventType.transaction_ingress).record(); // after close: dropped, reason closed

            assertThat(registry.get("chainpulse.sdk.events.recorded").tag("node", "v9").functionCounter().count()).isEqualTo(26);
            assertThat(registry.get("chainpulse.sdk.events.spooled").functionCounter().count()).isEqualTo(25);
            assertThat(registry.get("chainpulse.sdk.events.sent").functionCounter().count()).isZero();
            assertThat(registry.get("chainpulse.sdk.events.dropped").tag("reason", "closed").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("chainpulse.sdk.events.dropped").tag("reason", "spool_full").functionCounter().count()).isZero();
            assertThat(registry.get("chainpulse.sdk.events.dropped").tag("reason", "invalid_node_id").functionCounter().count()).isZero();
            assertThat(registry.get("chainpulse.sdk.spool.corrupt.records").tag("node", "v9").functionCounter().count()).isZero();
            assertThat(registry.get("chainpulse.sdk.online").gauge().value()).isZero();

            metrics.close();

            assertThat(registry.getMeters()).isEmpty();
        }
    }
}
