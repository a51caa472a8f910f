package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BaselineDetectorTest {
    private static final BaselineDetector.Settings SETTINGS = new BaselineDetector.Settings(0.1, 10, 4, 6, 10, 0.25,
            2, 3);
    private final BaselineDetector detector = new BaselineDetector(SETTINGS);

    /** Alternates 95 and 105 (mean 100, σ 5) for {@code n} windows from window 0. */
    private BaselineState warm(int n) {
        BaselineState state = null;
        for (int i = 0; i < n; i++) {
            state = detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", i, i % 2 == 0 ? 95 : 105))
                    .state();
        }
        return state;
    }

    @Test
    void shouldLearnTheExactMeanAndVarianceDuringWarmUpWithoutVerdicts() {
        BaselineState state = null;
        List<Optional<Verdict>> verdicts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            BaselineDetector.Outcome out = detector.evaluate(state,
                    Kpi.latency("consensus_latency_ms", "v1", i, i % 2 == 0 ? 95 : 105));
            state = out.state();
            verdicts.add(out.verdict());
        }

        assertThat(verdicts).allMatch(Optional::isEmpty);
        assertThat(state.count()).isEqualTo(10);
        assertThat(state.mean()).isEqualTo(100.0);
        assertThat(state.variance()).isEqualTo(25.0);
    }

    @Test
    void shouldFlagAValueMoreThanKSigmaAboveTheBaselineWithSeverityByK() {
        BaselineState state = warm(10);

        assertThat(verdict(state, 119).breached()).isFalse();            // 3.8 σ
        assertThat(verdict(state, 126).severity()).isEqualTo(Severity.MEDIUM);   // 5.2 σ
        assertThat(verdict(state, 131).severity()).isEqualTo(Severity.HIGH);     // 6.2 σ
        assertThat(verdict(state, 151).severity()).isEqualTo(Severity.CRITICAL); // 10.2 σ
        Verdict high = verdict(state, 131);
        assertThat(high.key().id()).isEqualTo("baseline|ewma_p95|consensus_latency_ms|node|v1");
        assertThat(high.description())
                .isEqualTo("p95 consensus latency 131 ms on v1, 6.2 σ above its baseline of 100 ms");
        assertThat(high.expected()).isEqualTo(100.0);
    }

    @Test
    void shouldNotFlagALatencyDropOrAChangeBelowTheMinimumRelativeChange() {
        BaselineState state = warm(10);

        assertThat(verdict(state, 10).breached()).isFalse();
        // σ tiny: 0.1 ms noise around 100 ms; 110 ms is 100 σ but only 10% away
        BaselineState tight = null;
        for (int i = 0; i < 10; i++) {
            tight = detector.evaluate(tight, Kpi.latency("consensus_latency_ms", "v1", i, i % 2 == 0 ? 99.9 : 100.1))
                    .state();
        }
        assertThat(verdict(tight, 110).breached()).isFalse();
        assertThat(verdict(tight, 126).breached()).isTrue();
    }

    @Test
    void shouldKeepFlaggedValuesOutOfTheBaseline() {
        BaselineState state = warm(10);
        BaselineDetector.Outcome outlier = detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", 10, 1000));

        assertThat(outlier.verdict().orElseThrow().breached()).isTrue();
        assertThat(outlier.state()).isEqualTo(state);
        // the very next normal-but-high value is judged against the untouched baseline
        assertThat(verdict(outlier.state(), 131).severity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void shouldClampASingleWarmUpOutlierSoItCannotWidenTheBand() {
        BaselineState state = null;
        for (int i = 0; i < 10; i++) {
            double v = i == 6 ? 10_000 : i % 2 == 0 ? 95 : 105;
            state = detector.evaluate(state, Kpi.latency("consensus_latency_ms", "v1", i, v)).state();
        }

        assertThat(Math.sqrt(state.variance())).isLessThan(12);
        assertThat(verdict(state, 200).breached()).isTrue();
    }

    @Test
    void shouldJudgeRateMetricsOnlyAtNetworkScopeAndFlagDrops() {
        BaselineState state = null;
        for (int i = 0; i < 10; i++) {
            state = detector.evaluate(state, Kpi.rate("tps", null, i, i % 2 == 0 ? 195 : 205)).state();
        }
        Verdict drop = detector.evaluate(state, Kpi.rate("tps", null, 10, 20)).verdict().orElseThrow();

        assertThat(drop.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(drop.description()).isEqualTo("TPS 20.0/s on the network, 36.0 σ below its baseline of 200/s");
        assertThat(detector.evaluate(state, Kpi.rate("tps", null, 10, 400)).verdict().orElseThrow().breached())
                .isFalse();
        assertThat(detector.evaluate(null, Kpi.rate("tps", "v1", 0, 200)).state()).isNull();
    }

    private Verdict verdict(BaselineState state, double p95) {
        KpiWindow w = Kpi.latency("consensus_latency_ms", "v1", 10, p95);
        return detector.evaluate(state, w).verdict().orElseThrow();
    }
}
