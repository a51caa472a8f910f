package io.chainpulse.sdk.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.sdk.ChainPulseSdk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The collector's logic with a scripted probe: scheduling, gauges, failure isolation, the end of the process. */
class ResourceCollectorTest {
    private static final Duration FAST = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<NodeResourceSample> published = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    @ParameterizedTest
    @CsvSource({"PT0.999S, 999 ms", "PT0.1S, 100 ms", "PT0S, 0 ms", "PT-5S, -5000 ms", "PT1H0.001S, 3600001 ms",
        "PT2H, 7200000 ms"})
    void shouldRefuseAnIntervalOutOfRangeEchoingIt(Duration interval, String echoed) {
        String message = "resource sampling interval must be between 1 s and 1 h: " + echoed;
        assertThatThrownBy(() -> ResourceCollector.builder("v1", interval))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        assertThatThrownBy(() -> ChainPulseSdk.builder().collectResources(interval))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"PT1S", "PT5S", "PT1H"})
    void shouldAcceptAnIntervalInRange(Duration interval) {
        assertThat(ResourceCollector.checkInterval(interval)).isEqualTo(interval);
    }

    @Test
    void shouldPublishOneSampleAfterEachIntervalWithTheNodesGauges() {
        AtomicInteger mempool = new AtomicInteger();
        try (ResourceCollector collector = ResourceCollector.builderForTest("v1", FAST).chainId("testnet")
                .gauges(() -> new NodeGauges(mempool.addAndGet(10), 4))
                .start(new ScriptedProbe(), published::add)) {
            await(() -> published.size() >= 3);
            assertThat(collector.probeFailures()).isZero();
        }

        int after = published.size();
        // the baseline reading read the gauges first (10), then one reading per sample
        assertThat(published.subList(0, 3)).extracting(NodeResourceSample::getMempoolSize).containsExactly(20, 30, 40);
        assertThat(published).extracting(NodeResourceSample::getPeerCount).containsOnly(4);
        assertThat(published).extracting(NodeResourceSample::getNodeId).containsOnly("v1");
        assertThat(published).extracting(s -> s.getChainId()).containsOnly("testnet");
        // the scripted process burns 50 ms of CPU and reads 4,096 bytes between readings
        assertThat(published).extracting(NodeResourceSample::getDiskReadBytes).containsOnly(4_096L);
        assertThat(errors).isEmpty();
        sleep(Duration.ofMillis(400));
        assertThat(published).as("nothing after close").hasSize(after);
    }

    @Test
    void shouldPublishWhatWorkedCountEveryFailureAndReportEachFailingProbeOnce() {
        ScriptedProbe probe = new ScriptedProbe();
        probe.failing.set(true);
        ResourceCollector collector = ResourceCollector.builderForTest("v1", FAST)
                .gauges(() -> {
                    throw new IllegalStateException("mempool locked");
                })
                .errorListener((message, cause) -> {
                    errors.add(message);
                    throw new IllegalStateException("a faulty listener");
                })
                .start(probe, published::add);
        await(() -> published.size() >= 4);
        collector.close();

        // every reading failed its network probe: the baseline, then one per sample
        long readings = published.size() + 1;
        assertThat(collector.probeFailuresByProbe()).isEqualTo(Map.of("gauges", readings, "network", readings));
        assertThat(collector.probeFailures()).isEqualTo(2 * readings);
        assertThat(errors).containsExactly(
                "resource probe 'network' of node v1 failed: java.io.UncheckedIOException: "
                        + "java.io.IOException: /sys/class/net unreadable (samples go out without it; reported once "
                        + "until it works again)",
                "resource probe 'gauges' of node v1 failed: java.lang.IllegalStateException: mempool locked "
                        + "(samples go out without it; reported once until it works again)");
        assertThat(published).allSatisfy(s -> {
            assertThat(s.getNetRxBytes()).isZero();
            assertThat(s.getMempoolSize()).isZero();
            assertThat(s.getPeerCount()).isNull();
            assertThat(s.getDiskReadBytes()).isEqualTo(4_096L);
            assertThat(s.getRssBytes()).isEqualTo(64L << 20);
        });
    }

    @Test
    void shouldReportAProbeAgainWhenItFailsAfterWorking() {
        ScriptedProbe probe = new ScriptedProbe();
        probe.failing.set(true);
        try (ResourceCollector collector = ResourceCollector.builderForTest("v1", FAST)
                .errorListener((message, cause) -> errors.add(message)).start(probe, published::add)) {
            await(() -> published.size() >= 2);
            probe.failing.set(false);
            await(() -> published.stream().anyMatch(s -> s.getNetRxBytes() == 1_500L));
            probe.failing.set(true);
            int before = published.size();
            await(() -> published.size() >= before + 2);
        }

        assertThat(errors).hasSize(2).allMatch(m -> m.startsWith("resource probe 'network' of node v1 failed"));
    }

    @Test
    void shouldKeepSamplingWhenTheSinkThrows() {
        AtomicInteger calls = new AtomicInteger();
        try (ResourceCollector collector = ResourceCollector.builderForTest("v1", FAST)
                .errorListener((message, cause) -> errors.add(message))
                .start(new ScriptedProbe(), s -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("sink broken");
                })) {
            await(() -> calls.get() >= 3);
            assertThat(collector.probeFailuresByProbe()).containsOnlyKeys("sample");
        }
        assertThat(errors).containsExactly("resource probe 'sample' of node v1 failed: java.lang.IllegalStateException: "
                + "sink broken (samples go out without it; reported once until it works again)");
    }

    @Test
    void shouldStopAndTellOnceWhenTheProcessIsGone() {
        ScriptedProbe probe = new ScriptedProbe();
        AtomicInteger told = new AtomicInteger();
        try (ResourceCollector collector = ResourceCollector.builderForTest("v1", FAST).onProcessGone(told::incrementAndGet)
                .start(probe, published::add)) {
            await(() -> published.size() >= 2);
            probe.gone.set(true);
            await(collector::processGone);
            int after = published.size();
            sleep(Duration.ofMillis(400));
            assertThat(published).hasSize(after);
            assertThat(told).hasValue(1);
            assertThat(probe.reads.get()).isEqualTo(after + 2); // baseline, one per sample, the one that found it gone
        }
    }

    /** A process that uses 50 ms of CPU, reads 4 KiB and receives 1,500 bytes between two readings. */
    static final class ScriptedProbe implements Probe {
        final AtomicBoolean failing = new AtomicBoolean();
        final AtomicBoolean gone = new AtomicBoolean();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Reading read(Failures failures) {
            int k = reads.incrementAndGet();
            if (gone.get()) {
                return null;
            }
            Long net = 1_500L * k;
            if (failing.get()) {
                failures.failed("network", new java.io.UncheckedIOException(
                        new java.io.IOException("/sys/class/net unreadable")));
                net = null;
            }
            return new Reading(System.nanoTime(), System.currentTimeMillis() * 1_000_000L, 50_000_000L * k,
                    new long[] {k, 0, k, 2L * k, 0, 0, 0, 0}, 2, 64L << 20, 32L << 20, 1L << 30, 2L << 30,
                    4_096L * k, 0L, 12.5, net, net, 9, 3);
        }
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + WAIT);
            }
            sleep(Duration.ofMillis(10));
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
