package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.chainpulse.schema.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK with nothing listening on the broker port: the contract must hold without Kafka. */
class ChainPulseSdkTest {
    private static final Duration HANG = Duration.ofSeconds(10);

    @TempDir
    Path spool;

    private final List<String> errors = new CopyOnWriteArrayList<>();

    private ChainPulseSdk.Builder unreachable(String node) {
        return ChainPulseSdk.builder()
                .nodeId(node)
                .bootstrapServers("127.0.0.1:" + closedPort())
                .schemaRegistryUrl("mock://sdk-test")
                .spoolDirectory(spool)
                .errorListener((message, cause) -> errors.add(message));
    }

    @Test
    void shouldNeitherThrowNorBlockAndSpoolEverythingWhenKafkaIsUnreachable() {
        try (ChainPulseSdk sdk = unreachable("v1").build()) {
            assertTimeoutPreemptively(HANG, () -> {
                for (int i = 0; i < 10_000; i++) {
                    sdk.event(EventType.transaction_ingress).txId("0x" + i).record();
                }
            });

            awaitSpooled(sdk, 10_000);
            ChainPulseSdk.Stats stats = sdk.stats();
            assertThat(stats.recorded()).isEqualTo(10_000);
            assertThat(stats.dropped()).isZero();
            assertThat(stats.sent()).isZero();
            assertThat(stats.online()).isFalse();
            assertThat(stats.spoolBytes()).isPositive();
            long deadline = System.nanoTime() + HANG.toNanos();
            while (errors.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(errors).anyMatch(m -> m.startsWith("Kafka unreachable"));
        }
    }

    @Test
    void shouldCountEveryEventItCouldNotBufferAsDropped() {
        int calls = 200_000;
        try (ChainPulseSdk sdk = unreachable("v2").bufferEvents(1_024).build()) {
            for (int i = 0; i < calls; i++) {
                sdk.event(EventType.consensus_vote).height(i).record();
            }
            long dropped = sdk.counters().dropped.get(Counters.DropReason.BUFFER_FULL).sum();
            awaitSpooled(sdk, calls - dropped);

            ChainPulseSdk.Stats stats = sdk.stats();
            assertThat(stats.recorded()).isEqualTo(calls);
            assertThat(stats.spooled() + stats.dropped()).isEqualTo(calls);
            assertThat(stats.dropped()).isEqualTo(dropped);
        }
    }

    @Test
    void shouldCountEventsRecordedAfterCloseAsDroppedWithoutThrowing() {
        ChainPulseSdk sdk = unreachable("v3").build();
        sdk.close(Duration.ofSeconds(2));

        sdk.event(EventType.block_finalization).height(7).record();

        assertThat(sdk.stats().recorded()).isEqualTo(1);
        assertThat(sdk.counters().dropped.get(Counters.DropReason.CLOSED).sum()).isEqualTo(1);
    }

    @Test
    void shouldRefuseASecondSdkOnTheSameSpoolDirectory() {
        try (ChainPulseSdk first = unreachable("v4").build()) {
            assertThatThrownBy(() -> unreachable("v4").build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("spool directory " + spool.resolve("v4") + " is in use by another ChainPulse SDK "
                            + "(two SDKs with the same node id and spool directory?)");
        }
    }

    /** A port nothing listens on: bound once to find it, then released. */
    static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitSpooled(ChainPulseSdk sdk, long expected) {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (sdk.stats().spooled() < expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(sdk.stats().spooled()).isEqualTo(expected);
    }
}
