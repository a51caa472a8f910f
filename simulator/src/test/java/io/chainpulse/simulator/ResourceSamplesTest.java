package io.chainpulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.ProtocolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator's resource samples: one per validator every 5 s, deterministic, changed by a fault only where it should. */
class ResourceSamplesTest {
    private static final long START_MS = 1_753_784_500_000L;
    /** baseline: v1 … v4, 100 TPS, 1 s blocks; 60 s give 12 samples per validator, at 5 s … 60 s. */
    private static final Scenario BASELINE = Scenario.builtIn("baseline");
    private static final Duration FROM = Duration.ofSeconds(20);
    private static final Duration TO = Duration.ofSeconds(40);

    @Test
    void shouldSampleEveryValidatorEveryFiveSecondsTheSameForTheSameSeedAndOtherwiseForAnother() {
        List<NodeResourceSample> samples = samples(BASELINE);

        assertThat(samples).hasSize(4 * 12);
        assertThat(samples).filteredOn(s -> s.getNodeId().equals("v3")).extracting(ResourceSamplesTest::atMs)
                .containsExactly(5_000L, 10_000L, 15_000L, 20_000L, 25_000L, 30_000L, 35_000L, 40_000L, 45_000L,
                        50_000L, 55_000L, 60_000L);
        assertThat(samples).extracting(NodeResourceSample::getChainId).containsOnly((String) null); // the default chain
        assertThat(samples(BASELINE)).isEqualTo(samples);
        assertThat(samples(BASELINE.withSeed(99))).isNotEqualTo(samples);
    }

    @Test
    void shouldLeaveTheEventsAsTheyWereAndInterleaveSamplesInTimestampOrder() {
        List<ProtocolEvent> alone = new ArrayList<>();
        new NetworkSimulator(BASELINE, START_MS).run(alone::add);
        List<ProtocolEvent> events = new ArrayList<>();
        List<Long> timestamps = new ArrayList<>();
        new NetworkSimulator(BASELINE, START_MS).run(e -> {
            events.add(e);
            timestamps.add(e.getTimestampNs());
        }, s -> timestamps.add(s.getTimestampNs()));

        assertThat(events).isEqualTo(alone);
        assertThat(timestamps).hasSize(alone.size() + 48).isSorted();
    }

    @Test
    void shouldShowPlausibleBaselineValues() {
        NodeResourceSample sample = samples(BASELINE).get(0);

        assertThat(sample.getProcessCpuPercent()).isBetween(5.0, 12.0);
        assertThat(sample.getCpuPercent()).isBetween(sample.getProcessCpuPercent() + 2, sample.getProcessCpuPercent() + 5);
        assertThat(sample.getRssBytes()).isGreaterThan(sample.getHeapUsedBytes());
        assertThat(sample.getMempoolSize()).isBetween(50, 150); // 100 TPS, 1 s blocks
        assertThat(sample.getOpenFds()).isBetween(70, 77);
        assertThat(sample.getCpuCores()).isEqualTo(4);
        assertThat(sample.getOpenFdsLimit()).isEqualTo(1_024L);
        assertThat(sample.getNetRxBytes()).isPositive();
        assertThat(sample.getDiskWriteBytes()).isPositive();
    }

    @Test
    void shouldMultiplyTheSlowValidatorsProcessCpuDuringTheFaultAndChangeNothingElse() {
        Fault slow = new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", FROM, TO, 3.0);
        Map<String, NodeResourceSample> baseline = byNodeAndTime(samples(BASELINE));
        Map<String, NodeResourceSample> faulted = byNodeAndTime(samples(BASELINE.withFault(slow)));

        assertThat(faulted.keySet()).containsExactlyElementsOf(baseline.keySet());
        double before = faulted.get("v3@20000").getProcessCpuPercent();
        for (String key : List.of("v3@25000", "v3@30000", "v3@35000", "v3@40000")) {
            NodeResourceSample normal = baseline.get(key);
            NodeResourceSample during = faulted.get(key);
            assertThat(during.getProcessCpuPercent()).as(key).isEqualTo(3 * normal.getProcessCpuPercent())
                    .isGreaterThanOrEqualTo(2 * before);
            assertThat(during.getCpuPercent() - during.getProcessCpuPercent()).as(key)
                    .isCloseTo(normal.getCpuPercent() - normal.getProcessCpuPercent(), within(1e-9));
            assertThat(withCpu(during, normal)).as(key).isEqualTo(normal);
        }
        assertUnchangedExcept(baseline, faulted, List.of("v3@25000", "v3@30000", "v3@35000", "v3@40000"));
    }

    @Test
    void shouldCutTheBytesReceivedByANodeBehindALateLinkAndChangeNothingElse() {
        Fault late = new Fault(Fault.Kind.LATE_BLOCKS, "v2", FROM, TO, 800);
        Map<String, NodeResourceSample> baseline = byNodeAndTime(samples(BASELINE));
        Map<String, NodeResourceSample> faulted = byNodeAndTime(samples(BASELINE.withFault(late)));

        List<String> during = List.of("v2@25000", "v2@30000", "v2@35000", "v2@40000");
        for (String key : during) {
            NodeResourceSample normal = baseline.get(key);
            NodeResourceSample slowLink = faulted.get(key);
            // 1 s blocks arriving 0.8 s late: the link carries 1000/1800 of the usual bytes
            assertThat((double) slowLink.getNetRxBytes()).as(key)
                    .isCloseTo(normal.getNetRxBytes() * 1000.0 / 1800.0, within(1.0));
            slowLink.setNetRxBytes(normal.getNetRxBytes());
            assertThat(slowLink).as(key).isEqualTo(normal);
        }
        assertUnchangedExcept(baseline, faulted, during);
    }

    @Test
    void shouldTakeNoSamplesFromASilentNodeDuringItsFault() {
        Fault silent = new Fault(Fault.Kind.SILENT_NODE, "v2", FROM, TO, 0);
        Map<String, NodeResourceSample> baseline = byNodeAndTime(samples(BASELINE));
        Map<String, NodeResourceSample> faulted = byNodeAndTime(samples(BASELINE.withFault(silent)));

        List<String> missing = List.of("v2@20000", "v2@25000", "v2@30000", "v2@35000");
        Map<String, NodeResourceSample> expected = new LinkedHashMap<>(baseline);
        missing.forEach(expected::remove);
        assertThat(faulted).isEqualTo(expected);
    }

    @Test
    void shouldShrinkEveryMempoolDuringATpsCollapseAndChangeNothingOutsideIt() {
        Fault collapse = new Fault(Fault.Kind.TPS_COLLAPSE, null, FROM, TO, 0.1);
        Map<String, NodeResourceSample> baseline = byNodeAndTime(samples(BASELINE));
        Map<String, NodeResourceSample> faulted = byNodeAndTime(samples(BASELINE.withFault(collapse)));

        List<String> during = new ArrayList<>();
        for (String node : List.of("v1", "v2", "v3", "v4")) {
            for (long ms = 25_000; ms <= 40_000; ms += 5_000) {
                String key = node + "@" + ms;
                during.add(key);
                NodeResourceSample normal = baseline.get(key);
                NodeResourceSample collapsed = faulted.get(key);
                assertThat(collapsed.getMempoolSize()).as(key).isBetween(
                        (int) Math.floor(normal.getMempoolSize() * 0.1) - 1, (int) Math.ceil(normal.getMempoolSize() * 0.1) + 1);
                assertThat(collapsed.getProcessCpuPercent()).as(key).isLessThan(normal.getProcessCpuPercent());
                assertThat(collapsed.getNetRxBytes()).as(key).isLessThan(normal.getNetRxBytes() / 5);
                assertThat(collapsed.getHeapUsedBytes()).as(key).isLessThan(normal.getHeapUsedBytes());
            }
        }
        assertUnchangedExcept(baseline, faulted, during);
    }

    @Test
    void shouldHoldASaturatedNodesMachineCpuAt95To100PercentOfItsCoresAndChangeNothingElse() {
        Fault saturation = new Fault(Fault.Kind.CPU_SATURATION, "v3", FROM, TO, 3.0);
        Map<String, NodeResourceSample> baseline = byNodeAndTime(samples(BASELINE));
        Map<String, NodeResourceSample> faulted = byNodeAndTime(samples(BASELINE.withFault(saturation)));

        // samples describe the 5 s before them: 25 s … 40 s lie inside the fault (20 s–40 s)
        List<String> during = List.of("v3@25000", "v3@30000", "v3@35000", "v3@40000");
        for (String key : during) {
            NodeResourceSample normal = baseline.get(key);
            NodeResourceSample saturated = faulted.get(key);
            assertThat(saturated.getCpuPercent()).as(key).isBetween(380.0, 400.0); // 4 cores
            // the rest of the machine uses what it did; the node's process takes the remainder
            assertThat(saturated.getCpuPercent() - saturated.getProcessCpuPercent()).as(key)
                    .isCloseTo(normal.getCpuPercent() - normal.getProcessCpuPercent(), within(1e-9));
            assertThat(withCpu(saturated, normal)).as(key).isEqualTo(normal);
        }
        assertThat(during).extracting(key -> faulted.get(key).getCpuPercent()).doesNotHaveDuplicates();
        assertUnchangedExcept(baseline, faulted, during);
        assertThat(samples(BASELINE.withFault(saturation))).isEqualTo(samples(BASELINE.withFault(saturation)));
    }

    @Test
    void shouldGrowALeakingNodesHeapAndRssByTheMagnitudePerMinuteAndShrinkItsMachinesAvailableMemory() {
        Fault leak = new Fault(Fault.Kind.MEMORY_LEAK, "v2", FROM, TO, 60); // 60 MiB a minute: 5 MiB every 5 s
        Map<String, NodeResourceSample> baseline = byNodeAndTime(samples(BASELINE));
        Map<String, NodeResourceSample> faulted = byNodeAndTime(samples(BASELINE.withFault(leak)));

        // at 20 s the leak has just begun (0 bytes); at 40 s the fault is over (the node restarted)
        Map<String, Long> leaked = Map.of("v2@25000", 5L << 20, "v2@30000", 10L << 20, "v2@35000", 15L << 20);
        leaked.forEach((key, bytes) -> {
            NodeResourceSample normal = baseline.get(key);
            NodeResourceSample leaking = faulted.get(key);
            assertThat(leaking.getHeapUsedBytes()).as(key).isEqualTo(normal.getHeapUsedBytes() + bytes);
            assertThat(leaking.getRssBytes()).as(key).isEqualTo(normal.getRssBytes() + bytes);
            assertThat(leaking.getSystemMemoryUsedBytes()).as(key).isEqualTo(normal.getSystemMemoryUsedBytes() + bytes);
            assertThat(leaking.getSystemMemoryAvailableBytes()).as(key)
                    .isEqualTo(normal.getSystemMemoryAvailableBytes() - bytes);
            assertThat(NodeResourceSample.newBuilder(leaking).setHeapUsedBytes(normal.getHeapUsedBytes())
                    .setRssBytes(normal.getRssBytes()).setSystemMemoryUsedBytes(normal.getSystemMemoryUsedBytes())
                    .setSystemMemoryAvailableBytes(normal.getSystemMemoryAvailableBytes()).build()).as(key)
                    .isEqualTo(normal);
        });
        assertUnchangedExcept(baseline, faulted, List.copyOf(leaked.keySet()));
    }

    @Test
    void shouldReportEachMachinesMemoryAsTheRssPlusOneGibibyteOfSixteen() {
        for (NodeResourceSample sample : samples(BASELINE)) {
            assertThat(sample.getSystemMemoryUsedBytes()).isEqualTo(sample.getRssBytes() + (1L << 30));
            assertThat(sample.getSystemMemoryUsedBytes() + sample.getSystemMemoryAvailableBytes()).isEqualTo(16L << 30);
        }
    }

    @Test
    void shouldLeaveAByzantineNodesSamplesUnchanged() {
        Fault byzantine = new Fault(Fault.Kind.BYZANTINE, "v4", FROM, TO, 0.5);

        assertThat(samples(BASELINE.withFault(byzantine))).isEqualTo(samples(BASELINE));
    }

    @Test
    void shouldStampASkewedNodesSamplesWithItsClock() {
        Fault skew = new Fault(Fault.Kind.CLOCK_SKEW, "v1", FROM, TO, 750);
        List<NodeResourceSample> baseline = samples(BASELINE);
        List<NodeResourceSample> skewed = samples(BASELINE.withFault(skew));

        assertThat(skewed).filteredOn(s -> s.getNodeId().equals("v1")).extracting(ResourceSamplesTest::atMs)
                .containsExactly(5_000L, 10_000L, 15_000L, 20_750L, 25_750L, 30_750L, 35_750L, 40_000L, 45_000L,
                        50_000L, 55_000L, 60_000L);
        assertThat(skewed).filteredOn(s -> !s.getNodeId().equals("v1"))
                .isEqualTo(baseline.stream().filter(s -> !s.getNodeId().equals("v1")).toList());
    }

    private static void assertUnchangedExcept(Map<String, NodeResourceSample> baseline,
                                              Map<String, NodeResourceSample> faulted, List<String> changed) {
        assertThat(faulted.keySet()).containsExactlyElementsOf(baseline.keySet());
        baseline.forEach((key, sample) -> {
            if (!changed.contains(key)) {
                assertThat(faulted.get(key)).as(key).isEqualTo(sample);
            }
        });
    }

    /** {@code during} with the CPU figures of {@code normal}: equal to {@code normal} when nothing else changed. */
    private static NodeResourceSample withCpu(NodeResourceSample during, NodeResourceSample normal) {
        return NodeResourceSample.newBuilder(during).setCpuPercent(normal.getCpuPercent())
                .setProcessCpuPercent(normal.getProcessCpuPercent()).build();
    }

    private static long atMs(NodeResourceSample sample) {
        return sample.getTimestampNs() / 1_000_000L - START_MS;
    }

    private static Map<String, NodeResourceSample> byNodeAndTime(List<NodeResourceSample> samples) {
        Map<String, NodeResourceSample> out = new LinkedHashMap<>();
        samples.forEach(s -> out.put(s.getNodeId() + "@" + atMs(s), s));
        return out;
    }

    private static List<NodeResourceSample> samples(Scenario scenario) {
        List<NodeResourceSample> out = new ArrayList<>();
        new NetworkSimulator(scenario, START_MS).run(e -> {}, out::add);
        return out;
    }
}
