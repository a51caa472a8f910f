package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.chainpulse.schema.EventType;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.util.Map;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
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
            assertThat(errors).anyMatch(m -> m.startsWith("no answer from Kafka (Topic chainpulse.events not present in "
                    + "metadata after 200 ms.): is it up and reachable, and do security.protocol, sasl.* and ssl.* "
                    + "match its listener?"));
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

    @Test
    void shouldSpoolEventsAndResourceSamplesInRecordOrderEachWithItsKindKeyAndFields() throws Exception {
        ProtocolEvent replayed = ProtocolEvent.newBuilder().setEventId("e-1").setEventType(EventType.consensus_vote)
                .setTimestampNs(1_753_784_500_000_000_000L).setNodeId("v5").setHeight(7L).setMetadata(Map.of()).build();
        NodeResourceSample first = sample("v5", 1_753_784_505_000_000_000L, 12.5, 104_857_600L, 17);
        NodeResourceSample second = sample("v5", 1_753_784_510_000_000_000L, 37.25, 209_715_200L, 0);
        try (ChainPulseSdk sdk = unreachable("v5").chainId("testnet").build()) {
            sdk.record(replayed);
            sdk.recordResources(first);
            sdk.event(EventType.block_finalization).eventId("e-2").timestampNs(1_753_784_506_000_000_000L).height(8)
                    .record();
            sdk.recordResources(second);

            awaitSpooled(sdk, 4);
            assertThat(sdk.stats().recorded()).isEqualTo(4);
        }

        List<SpoolRecord> spooled;
        try (Spool left = new Spool(spool.resolve("v5"), 1 << 20, 64 << 10, 0)) {
            spooled = left.read(10).entries().stream().map(e -> SpoolRecord.decode(e.data())).toList();
        }

        assertThat(spooled).extracting(SpoolRecord::kind).containsExactly(SpoolRecord.Kind.EVENT,
                SpoolRecord.Kind.RESOURCE_SAMPLE, SpoolRecord.Kind.EVENT, SpoolRecord.Kind.RESOURCE_SAMPLE);
        assertThat(spooled).extracting(SpoolRecord::key).containsOnly("v5");
        assertThat(spooled).allSatisfy(r -> assertThat(r.value()[0]).as("Confluent magic byte").isZero());
        assertThat(decode(spooled.get(0), ProtocolEvent.class)).isEqualTo(replayed);
        assertThat(decode(spooled.get(1), NodeResourceSample.class)).isEqualTo(first);
        ProtocolEvent built = decode(spooled.get(2), ProtocolEvent.class);
        assertThat(built.getEventId()).isEqualTo("e-2");
        assertThat(built.getHeight()).isEqualTo(8L);
        assertThat(built.getChainId()).isEqualTo("testnet");
        assertThat(decode(spooled.get(3), NodeResourceSample.class)).isEqualTo(second);
    }

    @Test
    void shouldCountResourceSamplesRecordedAfterCloseAsDroppedWithoutThrowing() {
        ChainPulseSdk sdk = unreachable("v6").build();
        sdk.close(Duration.ofSeconds(2));

        sdk.recordResources(sample("v6", 1L, 1.0, 1L, 1));

        assertThat(sdk.stats().recorded()).isEqualTo(1);
        assertThat(sdk.counters().dropped.get(Counters.DropReason.CLOSED).sum()).isEqualTo(1);
    }

    @Test
    void shouldDropAndReportRecordsNamingAnInvalidNodeIdWithoutThrowingIntoTheNodesThread() {
        ProtocolEvent hostile = ProtocolEvent.newBuilder().setEventId("e-1").setEventType(EventType.consensus_vote)
                .setTimestampNs(1_753_784_500_000_000_000L).setNodeId("../../etc").setMetadata(Map.of()).build();
        ProtocolEvent peer = ProtocolEvent.newBuilder(hostile).setEventId("e-2").setNodeId("v7-peer").build();
        try (ChainPulseSdk sdk = unreachable("v7").build()) {
            assertTimeoutPreemptively(HANG, () -> {
                sdk.record(hostile);
                sdk.recordResources(sample("anomalies", 1L, 1.0, 1L, 1));
                sdk.record(peer); // another node's event with a valid id goes through
                sdk.event(EventType.block_finalization).height(1).record();
            });

            awaitSpooled(sdk, 2);
            ChainPulseSdk.Stats stats = sdk.stats();
            assertThat(stats.recorded()).isEqualTo(4);
            assertThat(stats.dropped()).isEqualTo(2);
            assertThat(sdk.counters().dropped.get(Counters.DropReason.INVALID_NODE_ID).sum()).isEqualTo(2);
            assertThat(errors).contains(
                    "an event was dropped (invalid_node_id): node id '../../etc' must start with a letter or digit "
                            + "and contain only A-Z a-z 0-9 . _ : -",
                    "a resource sample was dropped (invalid_node_id): node id 'anomalies' is reserved (reserved "
                            + "names: anomalies, network)");
        }
    }

    static NodeResourceSample sample(String node, long timestampNs, double processCpu, long heap, int mempool) {
        return NodeResourceSample.newBuilder().setNodeId(node).setChainId("testnet").setTimestampNs(timestampNs)
                .setCpuPercent(processCpu + 3.5).setProcessCpuPercent(processCpu).setHeapUsedBytes(heap)
                .setRssBytes(heap + 67_108_864L).setDiskReadBytes(4_096L).setDiskWriteBytes(65_536L)
                .setNetRxBytes(1_000_000L).setNetTxBytes(250_000L).setOpenFds(72).setMempoolSize(mempool).build();
    }

    private static <T> T decode(SpoolRecord record, Class<T> type) throws java.io.IOException {
        byte[] value = record.value();
        var decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
        return new SpecificDatumReader<>(type).read(null, decoder);
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
