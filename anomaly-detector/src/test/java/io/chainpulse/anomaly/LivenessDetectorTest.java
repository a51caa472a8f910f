package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.Severity;
import org.junit.jupiter.api.Test;

class LivenessDetectorTest {
    private final LivenessDetector detector = new LivenessDetector(3, 3);

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
    void shouldWaitForTheNodesLearnedLagOnTopOfTheSilentWindows() {
        long lastEnd = Kpi.w(5);

        // v7's KPIs have been arriving two windows behind: three silent windows are not enough any more, five are
        assertThat(detector.evaluate("v7", lastEnd, Kpi.w(8), Kpi.WINDOW_MS, 2).breached()).isFalse();
        assertThat(detector.evaluate("v7", lastEnd, Kpi.w(9), Kpi.WINDOW_MS, 2).breached()).isFalse();
        Verdict silent = detector.evaluate("v7", lastEnd, Kpi.w(10), Kpi.WINDOW_MS, 2);
        assertThat(silent.breached()).isTrue();
        assertThat(silent.description()).isEqualTo("no KPIs from v7 for 5 windows (50 s of stream time; its KPIs "
                + "have been arriving up to 2 windows behind the other nodes'); node_silent");
        // the lag never stretches the threshold by more than maxLagWindows (3)
        assertThat(detector.evaluate("v7", lastEnd, Kpi.w(11), Kpi.WINDOW_MS, 9).breached()).isTrue();
    }

    @Test
    void shouldLearnHowFarBehindANodesWindowsArriveAndForgetItOneWindowAtATime() {
        // a window ending at w(4) arrives when stream time is w(7): three windows behind
        assertThat(detector.lagAfter(0, Kpi.w(4), Kpi.w(7), Kpi.WINDOW_MS)).isEqualTo(3);
        // never more than maxLagWindows
        assertThat(detector.lagAfter(0, Kpi.w(1), Kpi.w(9), Kpi.WINDOW_MS)).isEqualTo(3);
        // on time again: the lag shrinks by one per window, not at once
        assertThat(detector.lagAfter(3, Kpi.w(8), Kpi.w(8), Kpi.WINDOW_MS)).isEqualTo(2);
        assertThat(detector.lagAfter(1, Kpi.w(9), Kpi.w(9), Kpi.WINDOW_MS)).isZero();
    }

    @Test
    void shouldRejectZeroWindowsAndNegativeLag() {
        assertThatThrownBy(() -> new LivenessDetector(0, 3)).hasMessage("silentWindows must be >= 1: 0");
        assertThatThrownBy(() -> new LivenessDetector(3, -1)).hasMessage("maxLagWindows must be >= 0: -1");
        assertThatThrownBy(() -> new LivenessDetector(3, 3, 0)).hasMessage("nodeExpiryMs must be >= 1: 0");
    }

    @Test
    void shouldExpireANodeSilentForTheNodeExpiryOfStreamTimeAndNotAMillisecondBefore() {
        LivenessDetector oneMinute = new LivenessDetector(3, 3, 60_000);
        long lastEnd = Kpi.w(5);

        assertThat(oneMinute.expired(lastEnd, Kpi.w(11) - 1)).isFalse();
        assertThat(oneMinute.expired(lastEnd, Kpi.w(11))).isTrue();
        assertThat(detector.expired(lastEnd, Kpi.w(364))).as("default: one hour").isFalse();
        assertThat(detector.expired(lastEnd, Kpi.w(365))).isTrue();

        Verdict expiry = oneMinute.expiry("v7", lastEnd, Kpi.w(11), Kpi.WINDOW_MS);
        assertThat(expiry.breached()).isFalse();
        assertThat(expiry.key().id()).isEqualTo("liveness|node_silent|kpis|node|v7");
        assertThat(expiry.windowStartMs()).isEqualTo(Kpi.w(10));
        assertThat(expiry.observed()).isEqualTo(6.0);
        assertThat(expiry.expected()).isEqualTo(6.0);
        assertThat(oneMinute.expiryDescription("v7", lastEnd, Kpi.w(11))).isEqualTo("expired: no KPIs from v7 for "
                + "60 s of stream time (node.expiry.ms = 60000); v7 is forgotten until it reports again");
    }
}
