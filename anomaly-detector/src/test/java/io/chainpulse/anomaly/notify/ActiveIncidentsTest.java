package io.chainpulse.anomaly.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActiveIncidentsTest {

    private static Anomaly transition(AnomalyState state, Severity severity, long windowStartMs) {
        Anomaly a = WebhookNotifierTest.anomaly(state, severity);
        a.setWindowStartMs(windowStartMs);
        return a;
    }

    /** What a notifier with {@code min} posts of {@code transitions}, in order: "STATE SEVERITY" each. */
    private static List<String> posted(Severity min, List<Anomaly> transitions) {
        ActiveIncidents active = new ActiveIncidents(min);
        List<String> posted = new ArrayList<>();
        for (Anomaly a : transitions) {
            if (active.passes(a)) {
                posted.add(a.getState() + " " + a.getSeverity());
                active.delivered(a);
            }
        }
        return posted;
    }

    @Test
    void shouldPostAnIncidentFromItsEscalationAboveTheMinimumToItsResolution() {
        List<Anomaly> incident = List.of(
                transition(AnomalyState.FIRING, Severity.MEDIUM, 0),       // below HIGH: skipped
                transition(AnomalyState.FIRING, Severity.HIGH, 10_000),    // escalated: posted
                transition(AnomalyState.FIRING, Severity.MEDIUM, 20_000),  // back down: posted, receivers follow it
                transition(AnomalyState.RESOLVED, Severity.MEDIUM, 30_000)); // its FIRING passed: posted

        assertThat(posted(Severity.HIGH, incident)).containsExactly("FIRING HIGH", "FIRING MEDIUM", "RESOLVED MEDIUM");
        assertThat(posted(Severity.INFO, incident)).containsExactly("FIRING MEDIUM", "FIRING HIGH", "FIRING MEDIUM",
                "RESOLVED MEDIUM");
    }

    @Test
    void shouldSkipAnIncidentThatNeverReachedTheMinimumResolutionIncluded() {
        assertThat(posted(Severity.HIGH, List.of(transition(AnomalyState.FIRING, Severity.MEDIUM, 0),
                transition(AnomalyState.RESOLVED, Severity.MEDIUM, 10_000)))).isEmpty();
    }

    @Test
    void shouldJudgeTheResolutionOfAnIncidentItNeverSawByItsLastSeverity() {
        // a restart between FIRING and RESOLVED, the incident already gone from the current-anomalies topic
        assertThat(posted(Severity.HIGH, List.of(transition(AnomalyState.RESOLVED, Severity.CRITICAL, 0))))
                .containsExactly("RESOLVED CRITICAL");
        assertThat(posted(Severity.HIGH, List.of(transition(AnomalyState.RESOLVED, Severity.MEDIUM, 0)))).isEmpty();
    }

    @Test
    void shouldRebuildTheFiringSetFromTheCurrentTopicAtOrAboveTheMinimum() {
        ActiveIncidents active = new ActiveIncidents(Severity.HIGH);
        Anomaly high = transition(AnomalyState.FIRING, Severity.HIGH, 0);
        Anomaly medium = transition(AnomalyState.FIRING, Severity.MEDIUM, 0);
        medium.setAnomalyId("other");

        active.restore(high.getAnomalyId(), high);
        active.restore("other", medium);
        active.restore("gone", transition(AnomalyState.FIRING, Severity.CRITICAL, 0));
        active.restore("gone", null); // its tombstone

        assertThat(active.firing()).containsExactly(high);
        assertThat(active.passes(transition(AnomalyState.RESOLVED, Severity.HIGH, 10_000))).isTrue();
        Anomaly mediumResolved = transition(AnomalyState.RESOLVED, Severity.MEDIUM, 10_000);
        mediumResolved.setAnomalyId("other");
        assertThat(active.passes(mediumResolved)).isFalse();
    }

    @Test
    void shouldKeepTheNewerFiringWhenAnOlderOneIsReplayedAndForgetAResolvedIncident() {
        ActiveIncidents active = new ActiveIncidents(Severity.INFO);
        Anomaly critical = transition(AnomalyState.FIRING, Severity.CRITICAL, 10_000);
        active.delivered(critical);
        active.delivered(transition(AnomalyState.FIRING, Severity.HIGH, 0));

        assertThat(active.previous(critical.getAnomalyId())).isSameAs(critical);

        active.delivered(transition(AnomalyState.RESOLVED, Severity.CRITICAL, 20_000));
        assertThat(active.firing()).isEmpty();
        assertThat(active.previous(critical.getAnomalyId())).isNull();
    }
}
