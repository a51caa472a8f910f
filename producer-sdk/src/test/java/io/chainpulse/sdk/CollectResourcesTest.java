package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.sdk.resources.NodeGauges;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code collectResources}: the builder line, with nothing listening on the broker port (samples go to the spool). */
class CollectResourcesTest {
    @TempDir
    Path spool;

    private ChainPulseSdk.Builder unreachable() {
        return ChainPulseSdk.builder().nodeId("v7").chainId("testnet")
                .bootstrapServers("127.0.0.1:" + ChainPulseSdkTest.closedPort())
                .schemaRegistryUrl("mock://collect-test").spoolDirectory(spool);
    }

    @Test
    void shouldRecordSamplesOfThisJvmWithTheNodesGaugesOnItsOwnThreadUntilClosed() throws Exception {
        AtomicInteger peers = new AtomicInteger(3);
        long recordedAtClose;
        try (ChainPulseSdk sdk = unreachable().collectResources(Duration.ofSeconds(1))
                .resourceGauges(() -> new NodeGauges(250, peers.incrementAndGet())).build()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (sdk.stats().spooled() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            new SdkMetrics(sdk).bindTo(registry);
            assertThat(registry.get("chainpulse.sdk.resource.samples").tag("node", "v7").functionCounter().count())
                    .isGreaterThanOrEqualTo(3);
            assertThat(registry.get("chainpulse.sdk.resource.probe.failures").functionCounter().count()).isZero();
            assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(t -> {
                assertThat(t.getName()).isEqualTo("chainpulse-resources-v7");
                assertThat(t.isDaemon()).isTrue();
            });
            sdk.close();
            recordedAtClose = sdk.stats().recorded();
            Thread.sleep(500);
            assertThat(sdk.stats().recorded()).as("nothing after close").isEqualTo(recordedAtClose);
            assertThat(sdk.stats().dropped()).isZero();
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("chainpulse-resources-v7"));

        List<NodeResourceSample> samples;
        try (Spool left = new Spool(spool.resolve("v7"), 1 << 30, 64 << 10, 0)) {
            samples = left.read(100).entries().stream().map(e -> SpoolRecord.decode(e.data())).map(r -> {
                byte[] v = r.value();
                try {
                    return new SpecificDatumReader<>(NodeResourceSample.class)
                            .read(null, DecoderFactory.get().binaryDecoder(v, 5, v.length - 5, null));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(samples).hasSize((int) recordedAtClose).hasSizeGreaterThanOrEqualTo(3);
        long heapMax = Runtime.getRuntime().maxMemory();
        for (int i = 0; i < samples.size(); i++) {
            NodeResourceSample s = samples.get(i);
            assertThat(s.getNodeId()).isEqualTo("v7");
            assertThat(s.getChainId()).isEqualTo("testnet");
            assertThat(s.getMempoolSize()).isEqualTo(250);
            // the baseline reading took peer count 4
            assertThat(s.getPeerCount()).isEqualTo(5 + i);
            assertThat(s.getHeapUsedBytes()).isPositive().isLessThanOrEqualTo(heapMax);
            assertThat(s.getRssBytes()).isGreaterThan(s.getHeapUsedBytes() / 2);
            assertThat(s.getThreads()).isGreaterThan(5);
            assertThat(s.getOpenFds()).isGreaterThan(3);
            assertThat(s.getDiskUsedPercent()).isBetween(0.0, 100.0);
            assertThat(s.getSystemMemoryAvailableBytes()).isPositive();
            assertThat(s.getSampleIntervalNs()).isGreaterThanOrEqualTo(500_000_000L);
        }
    }

    @Test
    void shouldRefuseGaugesOrADataDirectoryWithoutCollectResources() {
        assertThatThrownBy(() -> unreachable().resourceGauges(() -> new NodeGauges(0, 0)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resourceGauges and resourceDataDirectory need collectResources(interval)");
    }

    @Test
    void shouldRefuseNegativeGauges() {
        assertThatThrownBy(() -> new NodeGauges(-1, 0)).hasMessage("mempoolSize must be >= 0: -1");
        assertThatThrownBy(() -> new NodeGauges(0, -2)).hasMessage("peerCount must be >= 0: -2");
    }
}
