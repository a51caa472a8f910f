package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.Severity;
import org.junit.jupiter.api.Test;

class LivenessDetectorTest {
    private final LivenessDetector detector = new LivenessDetector(3);

    @Test
    void shouldFlagANodeSilentForThreeWindowsOfStreamTime() {
        long lastEnd = Kpi.w(5);

        assertThat(detector.evaluate("v7", lastEnd, Kpi.w(7), Kpi.WINDOW_MS).breached()).isFalse();
        Verdict silent = detector.evaluate("v7", lastEnd, Kpi.w(8), Kpi.WINDOW_MS);
        assertThat(silent.breached()).isTrue();
        assertThat(silent.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(silent.windowStartMs()).isEqualTo(Kpi.w(7));
        assertThat(silent.key().id()).isEqualTo("liveness|node_silent|kpis|node|v7");
        assertThat(silent.description()).isEqualTo("no KPIs from v7 for 3 windows (30 s of stream time); node_silent");
        assertThat(silent.observed()).isEqualTo(3.0);
    }

    @Test
    void shouldRejectZeroWindows() {
        assertThatThrownBy(() -> new LivenessDetector(0)).hasMessage("silentWindows must be >= 1: 0");
    }
}
