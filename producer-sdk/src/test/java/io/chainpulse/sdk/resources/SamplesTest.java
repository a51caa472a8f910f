package io.chainpulse.sdk.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.NodeResourceSample;
import org.junit.jupiter.api.Test;

/** Rates and deltas between two readings, computed by hand. */
class SamplesTest {
    private static final long T0 = 1_753_784_500_000_000_000L;

    // ticks: user, nice, system, idle, iowait, irq, softirq, steal
    private static final Reading PREVIOUS = new Reading(1_000_000_000L, T0, 10_000_000_000L,
            new long[] {1_000, 0, 500, 8_000, 100, 0, 0, 0}, 2, 100L << 20, 50L << 20, 3_000_000_000L,
            5_000_000_000L, 1_000L, 2_000L, 41.5, 10_000L, 20_000L, 30, 12);
    // 5 s later: 2.5 s more process CPU; ticks +300 user, +100 system, +500 idle, +100 iowait
    private static final Reading CURRENT = new Reading(6_000_000_000L, T0 + 5_000_000_000L, 12_500_000_000L,
            new long[] {1_300, 0, 600, 8_500, 200, 0, 0, 0}, 2, 120L << 20, 60L << 20, 3_200_000_000L,
            4_800_000_000L, 6_000L, 2_000L, 41.75, 15_000L, 23_000L, 31, 13, 1_024L);

    @Test
    void shouldComputePercentagesAndDeltasBetweenTwoReadings() {
        NodeResourceSample s = Samples.between("v1", "testnet", PREVIOUS, CURRENT, new NodeGauges(17, 5));

        assertThat(s.getNodeId()).isEqualTo("v1");
        assertThat(s.getChainId()).isEqualTo("testnet");
        assertThat(s.getTimestampNs()).isEqualTo(T0 + 5_000_000_000L);
        assertThat(s.getSampleIntervalNs()).isEqualTo(5_000_000_000L);
        // 2.5 s of CPU in 5 s of wall time
        assertThat(s.getProcessCpuPercent()).isCloseTo(50.0, within(1e-9));
        // ticks: total +1000, idle + iowait +600 → 40 % busy × 2 logical CPUs
        assertThat(s.getCpuPercent()).isCloseTo(80.0, within(1e-9));
        assertThat(s.getRssBytes()).isEqualTo(120L << 20);
        assertThat(s.getHeapUsedBytes()).isEqualTo(60L << 20);
        assertThat(s.getSystemMemoryUsedBytes()).isEqualTo(3_200_000_000L);
        assertThat(s.getSystemMemoryAvailableBytes()).isEqualTo(4_800_000_000L);
        assertThat(s.getDiskReadBytes()).isEqualTo(5_000L);
        assertThat(s.getDiskWriteBytes()).isZero();
        assertThat(s.getNetRxBytes()).isEqualTo(5_000L);
        assertThat(s.getNetTxBytes()).isEqualTo(3_000L);
        assertThat(s.getDiskUsedPercent()).isEqualTo(41.75);
        assertThat(s.getOpenFds()).isEqualTo(31);
        assertThat(s.getThreads()).isEqualTo(13);
        assertThat(s.getMempoolSize()).isEqualTo(17);
        assertThat(s.getPeerCount()).isEqualTo(5);
        assertThat(s.getCpuCores()).isEqualTo(2);
        assertThat(s.getOpenFdsLimit()).isEqualTo(1_024L);
    }

    @Test
    void shouldReportZeroForACounterThatWentBackwards() {
        // an interface that went away: the machine's byte count drops
        Reading reset = new Reading(11_000_000_000L, T0 + 10_000_000_000L, 12_500_000_000L,
                new long[] {1_300, 0, 600, 9_500, 200, 0, 0, 0}, 2, 120L << 20, null, null, null, 6_000L, 2_000L,
                null, 4_000L, 24_000L, 31, 13);

        NodeResourceSample s = Samples.between("v1", null, CURRENT, reset, null);

        assertThat(s.getNetRxBytes()).isZero();
        assertThat(s.getNetTxBytes()).isEqualTo(1_000L);
        assertThat(s.getProcessCpuPercent()).isZero();
        assertThat(s.getCpuPercent()).isZero(); // only idle ticks passed
    }

    @Test
    void shouldLeaveZeroInRequiredAndNullInOptionalFieldsForMissingProbesAndGauges() {
        Reading blind = new Reading(11_000_000_000L, T0 + 10_000_000_000L, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);

        NodeResourceSample s = Samples.between("v1", null, CURRENT, blind, null);

        assertThat(s.getCpuPercent()).isZero();
        assertThat(s.getProcessCpuPercent()).isZero();
        assertThat(s.getRssBytes()).isZero();
        assertThat(s.getHeapUsedBytes()).isZero();
        assertThat(s.getDiskReadBytes()).isZero();
        assertThat(s.getNetRxBytes()).isZero();
        assertThat(s.getOpenFds()).isZero();
        assertThat(s.getMempoolSize()).isZero();
        assertThat(s.getPeerCount()).isNull();
        assertThat(s.getSystemMemoryUsedBytes()).isNull();
        assertThat(s.getSystemMemoryAvailableBytes()).isNull();
        assertThat(s.getDiskUsedPercent()).isNull();
        assertThat(s.getThreads()).isNull();
        assertThat(s.getSampleIntervalNs()).isEqualTo(5_000_000_000L);
    }

    @Test
    void shouldHaveNoSystemCpuWithoutTicksOrWhenNoTickPassed() {
        long[] ticks = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThat(Samples.systemCpuPercent(ticks, ticks, 2)).isNull();
        assertThat(Samples.systemCpuPercent(null, ticks, 2)).isNull();
        assertThat(Samples.systemCpuPercent(ticks, new long[] {1, 2, 3}, 2)).isNull();
        assertThat(Samples.processCpuPercent(1L, 2L, 0)).isNull();
    }
}
