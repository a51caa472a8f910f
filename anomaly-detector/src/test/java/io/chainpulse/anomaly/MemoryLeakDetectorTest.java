package io.chainpulse.anomaly;

import static io.chainpulse.anomaly.Gauges.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class MemoryLeakDetectorTest {
    private static final double MIB = 1 << 20;
    private static final MemoryLeakDetector.Available AVAILABLE = new MemoryLeakDetector.Available(8e9, Kpi.w(0));
    private final MemoryLeakDetector detector = new MemoryLeakDetector(MemoryLeakDetector.Settings.defaults());

    /** The verdict of every window from 0 to {@code windows} − 1, null where none was given. */
    private List<Verdict> run(String metric, int windows, IntToDoubleFunction mib, Double availableBytes) {
        return run(detector, metric, windows, mib, availableBytes);
    }

    private static List<Verdict> run(MemoryLeakDetector detector, String metric, int windows, IntToDoubleFunction mib,
                                     Double availableBytes) {
        MemoryLeakDetector.State state = null;
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            // available memory read at the window's end
            MemoryLeakDetector.Outcome out = detector.evaluate(state, gauge(metric, "v2", i, mib.applyAsDouble(i) * MIB),
                    availableBytes == null ? null : new MemoryLeakDetector.Available(availableBytes, Kpi.w(i + 1)));
            state = out.state();
            verdicts.add(out.verdict().orElse(null));
        }
        return verdicts;
    }

    @Test
    void shouldFlagSteadyGrowthAfterTheHorizonWithTheTimeUntilAvailableMemoryRunsOut() {
        // 1 GiB + 100 MiB a window (600 MiB a minute); 6 GiB available: gone in 10.24 minutes
        List<Verdict> verdicts = run("rss_bytes", 18, i -> 1024 + 100 * i, 6 * 1024 * MIB);

        assertThat(verdicts.subList(0, 17)).containsOnlyNulls(); // 18 windows before anything is judged
        Verdict v = verdicts.get(17);
        assertThat(v.breached()).isTrue();
        assertThat(v.key().id()).isEqualTo("memory_leak|memory_growth|rss_bytes|node|v2");
        assertThat(v.severity()).isEqualTo(Severity.CRITICAL); // within 15 minutes
        assertThat(v.observed()).isCloseTo(600 * MIB, org.assertj.core.data.Offset.offset(1.0));
        // window 17 ends at T0 + 180 s = 22:16:20 UTC; + 614.4 s
        assertThat(v.description()).isEqualTo("resident memory of v2 grew 1.7 GiB in 3 min (+600 MiB/min, fit R² 1.00"
                + " over 18 windows); at this rate the machine's 6.0 GiB of available memory runs out in 10 min"
                + " (about 22:26:34 UTC)");
        assertThat(v.suggestedActions()).hasSize(2);
        assertThat(v.fireAfter()).isEqualTo(1);
        assertThat(v.resolveAfter()).isEqualTo(3);
    }

    @Test
    void shouldProjectALeakThatBeganInsideTheHorizonFromItsRiseNotFromTheLineThroughTheFlatPointsBeforeIt() {
        // flat at 800 MiB to window 8, then + 200 MiB a window (1.2 GiB a minute): the line through all 18 windows
        // (R² 0.82) rises 650 MiB a minute, which leaves 12,345 MiB for 19 minutes (HIGH); the rise since window 8
        // fits exactly (the hinge's residual 0 against the line's: F-test p = 0) and leaves them for 10.3 (CRITICAL)
        List<Verdict> verdicts = run("rss_bytes", 18, i -> 800 + 200 * Math.max(0, i - 8), 12_345 * MIB);

        Verdict v = verdicts.get(17);
        assertThat(v.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(v.observed()).isCloseTo(1200 * MIB, org.assertj.core.data.Offset.offset(1.0));
        // window 17 ends at T0 + 180 s = 22:16:20 UTC; + 12,345 / 1,200 minutes = 617.25 s
        assertThat(v.description()).isEqualTo("resident memory of v2 grew 1.8 GiB in 90 s (+1.2 GiB/min, fit R² 1.00"
                + " over 18 windows); at this rate the machine's 12.1 GiB of available memory runs out in 10 min"
                + " (about 22:26:37 UTC)");
    }

    @Test
    void shouldKeepTheLineForALeakSteadyOverTheWholeHorizonEvenWithNoise() {
        // + 100 MiB a window from window 0, ± 20 MiB: no bend fits significantly better than the line
        int[] noise = {7, -13, 19, -4, 11, -18, 2, 15, -9, 5, -16, 13, -1, 18, -7, 9, -12, 4};
        Verdict v = run("rss_bytes", 18, i -> 1024 + 100 * i + noise[i], 6 * 1024 * MIB).get(17);

        MemoryLeakDetector.Fit line = MemoryLeakDetector.Fit.of(
                java.util.stream.IntStream.range(0, 18).mapToObj(Kpi::w).toList(),
                java.util.stream.IntStream.range(0, 18).mapToObj(i -> (1024 + 100 * i + noise[i]) * MIB).toList());
        assertThat(v.breached()).isTrue();
        assertThat(v.observed()).isEqualTo(line.slopePerMs() * 60_000);
        assertThat(v.description()).startsWith("resident memory of v2 grew 1.7 GiB in 3 min (+600 MiB/min, ");
    }

    @Test
    void shouldGradeTheSeverityByTheTimeLeftAndSaySoWhenAvailableMemoryIsUnknown() {
        // 60 MiB a minute: 6 GiB last 102 minutes (HIGH), 60 GiB 17 hours (MEDIUM)
        assertThat(run("heap_bytes", 18, i -> 512 + 10 * i, 6 * 1024 * MIB).get(17).severity()).isEqualTo(Severity.HIGH);
        assertThat(run("heap_bytes", 18, i -> 512 + 10 * i, 60 * 1024 * MIB).get(17).description())
                .endsWith("runs out in 17 h 04 min (about 15:20:20 UTC)");
        Verdict unknown = run("heap_bytes", 18, i -> 512 + 10 * i, null).get(17);
        assertThat(unknown.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(unknown.description()).isEqualTo("heap in use of v2 grew 170 MiB in 3 min (+60 MiB/min, fit R² 1.00"
                + " over 18 windows); the machine's available memory is not known, so no time until it runs out");
    }

    @Test
    void shouldNotFlagNoiseASawToothSlowGrowthOrAFlatSeries() {
        // ± 40 MiB around 800 MiB, the simulator's heap noise
        int[] noise = {31, -12, 40, -38, 5, 22, -29, 17, -3, 38, -40, 11, -25, 29, -8, 36, -17, 2, 14, -33};
        assertThat(run("rss_bytes", 20, i -> 800 + noise[i], 8e9).subList(17, 20))
                .allSatisfy(v -> assertThat(v.breached()).isFalse());
        // a collected heap: up 60 MiB a window for 5 windows, then back down
        assertThat(run("heap_bytes", 24, i -> 600 + 60 * (i % 6), 8e9).subList(17, 24))
                .allSatisfy(v -> assertThat(v.breached()).isFalse());
        // a perfect line, but 17 MiB on 1 GiB (1.7 %) is below memory.leak.min.growth.pct (10 %)
        assertThat(run("rss_bytes", 18, i -> 1024 + i, 8e9).get(17).breached()).isFalse();
        assertThat(run("rss_bytes", 18, i -> 1024, 8e9).get(17).breached()).isFalse();
    }

    @Test
    void shouldNotFlagNoiseThatLooksLikeALineOverAShortHorizonButStillASteepLeak() {
        MemoryLeakDetector six = new MemoryLeakDetector(new MemoryLeakDetector.Settings(6, 0.8, 10));
        MemoryLeakDetector r2Only = new MemoryLeakDetector(new MemoryLeakDetector.Settings(6, 0.8, 10, 1));
        // 50 s of a healthy node's RSS: the fitted line rises 90 MiB/min, 10.1 % of its start, R² 0.88 — but points
        // this scattered around it give such a slope by chance with p = 0.0029 (t = 5.4 with 4 df)
        double[] healthy = {740, 768, 752, 790, 805, 815};

        assertThat(run(r2Only, "rss_bytes", 6, i -> healthy[i], 8e9).get(5).breached()).isTrue(); // the gate before
        assertThat(run(six, "rss_bytes", 6, i -> healthy[i], 8e9).get(5).breached()).isFalse();
        // 1,200 MiB a minute (the demo's leak) with the same ± 20 MiB: t = 72, a leak at any horizon
        Verdict leak = run(six, "rss_bytes", 6, i -> 740 + 200 * i + (healthy[i] - 740 - 15 * i), 8e9).get(5);
        assertThat(leak.breached()).isTrue();
        assertThat(leak.description()).startsWith("resident memory of v2 grew 1000 MiB in 50 s (+1.2 GiB/min, fit R²"
                + " 1.00 over 6 windows)");
    }

    @Test
    void shouldFlagNoneOfAnHourOfTheSimulatorsHealthyHeapNoiseAtSixWindows() {
        // the simulator's heap: 512 MiB × lognormal(σ 0.05) a sample, two samples a window; 2,160 windows = 6 node-hours
        java.util.Random random = new java.util.Random(16);
        double[] heap = new double[2160];
        for (int i = 0; i < heap.length; i++) {
            heap[i] = 512 * (Math.exp(0.05 * random.nextGaussian()) + Math.exp(0.05 * random.nextGaussian())) / 2;
        }
        MemoryLeakDetector six = new MemoryLeakDetector(new MemoryLeakDetector.Settings(6, 0.8, 10));
        MemoryLeakDetector r2Only = new MemoryLeakDetector(new MemoryLeakDetector.Settings(6, 0.8, 10, 1));

        long before = run(r2Only, "heap_bytes", heap.length, i -> heap[i], 8e9).stream()
                .filter(v -> v != null && v.breached()).count();
        long after = run(six, "heap_bytes", heap.length, i -> heap[i], 8e9).stream()
                .filter(v -> v != null && v.breached()).count();
        assertThat(before).isEqualTo(5); // R² ≥ 0.8 and 10 % alone
        assertThat(after).isZero();
    }

    @Test
    void shouldResolveOnceTheGrowthStopsAndIgnoreAStragglerWindow() {
        MemoryLeakDetector.State state = null;
        for (int i = 0; i < 18; i++) {
            state = detector.evaluate(state, gauge("rss_bytes", "v2", i, (1024 + 100 * i) * MIB), AVAILABLE).state();
        }
        MemoryLeakDetector.Outcome straggler = detector.evaluate(state, gauge("rss_bytes", "v2", 3, 1e12), AVAILABLE);
        assertThat(straggler.state()).isEqualTo(state);
        assertThat(straggler.verdict()).isEmpty();
        // flat at 2,824 MiB from window 18: the line over the last 18 windows flattens as the ramp leaves it
        List<Boolean> breached = new ArrayList<>();
        for (int i = 18; i < 40; i++) {
            MemoryLeakDetector.Outcome out = detector.evaluate(state, gauge("rss_bytes", "v2", i, 2824 * MIB), AVAILABLE);
            state = out.state();
            breached.add(out.verdict().orElseThrow().breached());
        }
        assertThat(state.values()).hasSize(18);
        assertThat(breached.subList(breached.size() - 5, breached.size())).containsOnly(false);
    }

    @Test
    void shouldRefuseSettingsOutOfRangeNamingTheValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MemoryLeakDetector.Settings(4, 0.8, 10))
                .hasMessage("windows must be >= 5 (a line through fewer window means cannot be told from noise): 4");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MemoryLeakDetector.Settings(18, 0.8, 10, 0))
                .hasMessage("alpha must be above 0 and at most 1: 0.0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MemoryLeakDetector.Settings(18, 1.5, 10))
                .hasMessage("minR2 must be between 0 and 1: 1.5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MemoryLeakDetector.Settings(18, 0.8, -1))
                .hasMessage("minGrowthPct must be >= 0: -1.0");
    }
}
