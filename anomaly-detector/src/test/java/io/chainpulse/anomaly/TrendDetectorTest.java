package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrendDetectorTest {
    private static final TrendDetector.Settings SETTINGS = new TrendDetector.Settings(List.of("tps"), 3, 360, 0.9,
            4, 0.3, 5, 1, 2);
    private final TrendDetector detector = new TrendDetector(SETTINGS);

    /** Feeds network TPS values from window 0; returns "window rule breached" for each verdict. */
    private List<String> run(double... tps) {
        TrendState state = null;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tps.length; i++) {
            TrendDetector.Outcome o = detector.evaluate(state, Kpi.rate("tps", null, i, tps[i]));
            state = o.state();
            for (Verdict v : o.verdicts()) {
                if (v.breached()) {
                    out.add(i + " " + v.key().rule() + " " + v.severity());
                }
            }
        }
        return out;
    }

    @Test
    void shouldFlagRecentAverageBelowNinetyPercentOfHistory() {
        // history 200; last three 170, 170, 170 -> avg 85%; two of three give (200+170+170)/3 = 180 = 90%: not below
        assertThat(run(200, 200, 200, 200, 200, 200, 200, 170, 170, 170))
                .containsExactly("9 below_history MEDIUM");
    }

    @Test
    void shouldFlagASteepDeclineOnItsSecondFallingWindow() {
        // window 7: last four 200, 200, 180, 140 -> slope -20/window, -60 over 3 windows = 30% of history 200;
        // last three average 173 < 90% of 200. Window 8: 200, 180, 140, 100 -> slope -34/window.
        assertThat(run(200, 200, 200, 200, 200, 200, 180, 140, 100))
                .containsExactly("7 below_history MEDIUM", "7 slope LOW", "8 below_history MEDIUM", "8 slope LOW");
    }

    @Test
    void shouldStayQuietOnSteadyNoisyThroughputAndDuringWarmUp() {
        assertThat(run(200, 205, 195, 200, 198, 203, 197, 201, 196, 204, 199)).containsExactly();
        assertThat(run(200, 200, 100, 100, 100)).containsExactly();
    }

    @Test
    void shouldComputeTheLeastSquaresSlope() {
        assertThat(TrendDetector.slope(List.of(200.0, 180.0, 140.0, 100.0))).isEqualTo(-34.0);
    }

    @Test
    void shouldIgnoreNodeScopeAndOtherMetrics() {
        assertThat(detector.evaluate(null, Kpi.rate("tps", "v1", 0, 1)).state()).isNull();
        assertThat(detector.evaluate(null, Kpi.rate("tx_ingress_tps", null, 0, 1)).state()).isNull();
    }
}
