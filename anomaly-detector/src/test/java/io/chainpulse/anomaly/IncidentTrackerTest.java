package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentTrackerTest {
    private static final IncidentKey KEY = new IncidentKey("static_rule", "r", "consensus_latency_ms", KpiScope.node,
            "v3");

    private static Verdict breach(int window, Severity severity) {
        return Verdict.breach(KEY, Kpi.w(window), severity, 900.0 + window, 500.0, "slow at " + window,
                List.of("look"), 2, 2);
    }

    private static Verdict clean(int window) {
        return Verdict.clean(KEY, Kpi.w(window), 100.0, 500.0, 2, 2);
    }

    @Test
    void shouldResolveAFiringIncidentWithReasonExpiredWhenItsKeyIsForgotten() {
        IncidentState firing = IncidentTracker.apply(IncidentTracker.apply(null, breach(3, Severity.HIGH)).state(),
                breach(4, Severity.HIGH)).state();
        assertThat(firing.firing()).isTrue();

        IncidentTracker.Step step = IncidentTracker.expire(firing, clean(9), "expired: gone");

        assertThat(step.state()).isNull();
        Anomaly resolved = step.transition();
        assertThat(resolved.getState()).isEqualTo(io.chainpulse.schema.AnomalyState.RESOLVED);
        assertThat(resolved.getReason()).isEqualTo("expired");
        assertThat(resolved.getAnomalyId()).isEqualTo(KEY.id() + "|" + Kpi.w(3));
        assertThat(resolved.getWindowStartMs()).isEqualTo(Kpi.w(9));
        assertThat(resolved.getStartedMs()).isEqualTo(Kpi.w(4));
        assertThat(resolved.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(resolved.getDescription()).isEqualTo("expired: gone (was: slow at 4)");
        assertThat(resolved.getSuggestedActions()).isEmpty();
    }

    @Test
    void shouldForgetAPendingOrUnknownIncidentSilentlyWhenItsKeyExpires() {
        IncidentState pending = IncidentTracker.apply(null, breach(3, Severity.HIGH)).state();
        assertThat(pending.firing()).isFalse();

        assertThat(IncidentTracker.expire(pending, clean(9), "expired")).isEqualTo(new IncidentTracker.Step(null, null));
        assertThat(IncidentTracker.expire(null, clean(9), "expired")).isEqualTo(new IncidentTracker.Step(null, null));
    }

    @Test
    void shouldLeaveTheReasonNullOnUsualTransitions() {
        IncidentState state = null;
        List<Anomaly> transitions = new ArrayList<>();
        for (Verdict v : List.of(breach(1, Severity.HIGH), breach(2, Severity.HIGH), clean(3), clean(4))) {
            IncidentTracker.Step step = IncidentTracker.apply(state, v);
            state = step.state();
            if (step.transition() != null) {
                transitions.add(step.transition());
            }
        }
        assertThat(transitions).hasSize(2).extracting(Anomaly::getReason).containsOnlyNulls();
    }

    /** Runs verdicts through the tracker as a store would, returning "window STATE SEVERITY id-suffix" lines. */
    private static List<String> run(Verdict... verdicts) {
        IncidentState state = null;
        List<String> out = new ArrayList<>();
        for (Verdict v : verdicts) {
            IncidentTracker.Step step = IncidentTracker.apply(state, v);
            state = step.state();
            Anomaly a = step.transition();
            if (a != null) {
                out.add((a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " " + a.getSeverity()
                        + " started=" + (a.getStartedMs() - Kpi.T0) / Kpi.WINDOW_MS + " id=" + a.getAnomalyId());
            }
        }
        return out;
    }

    @Test
    void shouldFireOnceAfterConsecutiveWindowsUpdateOnSeverityChangeAndResolveAfterCleanWindows() {
        String id = "static_rule|r|consensus_latency_ms|node|v3|" + Kpi.w(2);
        assertThat(run(
                breach(0, Severity.HIGH),      // 1 of 2 needed
                clean(1),                      // streak broken
                breach(2, Severity.HIGH),      // 1 of 2 again; the incident's id starts here
                breach(3, Severity.HIGH),      // fires
                breach(4, Severity.HIGH),      // continues: no record
                breach(5, Severity.CRITICAL),  // severity changed: one FIRING update
                clean(6),                      // 1 of 2 clean
                breach(7, Severity.CRITICAL),  // clean count reset, same severity: no record
                clean(8),
                clean(9),                      // resolves
                clean(10)))                    // nothing left to resolve
                .containsExactly(
                        "3 FIRING HIGH started=3 id=" + id,
                        "5 FIRING CRITICAL started=3 id=" + id,
                        "9 RESOLVED CRITICAL started=3 id=" + id);
    }

    @Test
    void shouldStartANewIncidentIdAfterResolution() {
        assertThat(run(breach(0, Severity.HIGH), breach(1, Severity.HIGH), clean(2), clean(3),
                breach(4, Severity.LOW), breach(5, Severity.LOW)))
                .containsExactly(
                        "1 FIRING HIGH started=1 id=static_rule|r|consensus_latency_ms|node|v3|" + Kpi.w(0),
                        "3 RESOLVED HIGH started=1 id=static_rule|r|consensus_latency_ms|node|v3|" + Kpi.w(0),
                        "5 FIRING LOW started=5 id=static_rule|r|consensus_latency_ms|node|v3|" + Kpi.w(4));
    }

    @Test
    void shouldCarryValuesDescriptionAndActionsOfTheTransitionWindow() {
        IncidentTracker.Step first = IncidentTracker.apply(null, breach(0, Severity.HIGH));
        Anomaly fired = IncidentTracker.apply(first.state(), breach(1, Severity.HIGH)).transition();

        assertThat(fired.getSeverityLevel()).isEqualTo(4);
        assertThat(fired.getObserved()).isEqualTo(901.0);
        assertThat(fired.getExpected()).isEqualTo(500.0);
        assertThat(fired.getDescription()).isEqualTo("slow at 1");
        assertThat(fired.getSuggestedActions()).containsExactly("look");
        assertThat(fired.getNodeId()).isEqualTo("v3");
        assertThat(fired.getScope()).isEqualTo(KpiScope.node);
    }

    @Test
    void shouldDescribeResolutionWithTheLastFiringDescription() {
        IncidentState state = IncidentTracker.apply(null, breach(0, Severity.HIGH)).state();
        state = IncidentTracker.apply(state, breach(1, Severity.HIGH)).state();
        state = IncidentTracker.apply(state, clean(2)).state();
        IncidentTracker.Step resolved = IncidentTracker.apply(state, clean(3));

        assertThat(resolved.state()).isNull();
        assertThat(resolved.transition().getDescription()).isEqualTo("resolved after 2 clean windows (was: slow at 1)");
        assertThat(resolved.transition().getSuggestedActions()).isEmpty();
    }
}
