package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentGroupTest {
    private IncidentGroup group;
    private final List<Anomaly> published = new ArrayList<>();

    /** A detector's own transition on tx_failure_pct of v2, as the IncidentTracker makes it. */
    private static Anomaly t(AnomalyState state, Severity severity, String detector, String rule, int window,
                             int started) {
        return Anomaly.newBuilder().setAnomalyId(detector + '|' + rule + "|tx_failure_pct|node|v2|" + Kpi.w(started))
                .setState(state).setSeverity(severity).setSeverityLevel(severity.ordinal() + 1)
                .setDetector(detector).setRule(rule).setMetric("tx_failure_pct").setScope(KpiScope.node)
                .setNodeId("v2").setWindowStartMs(Kpi.w(window)).setDescription(detector + " says " + severity)
                .setStartedMs(Kpi.w(started)).build();
    }

    private void apply(Anomaly... transitions) {
        IncidentGroup.Step step = IncidentGroup.apply(group, List.of(transitions));
        group = step.state();
        published.addAll(step.transitions());
    }

    private List<String> lines() {
        return published.stream().map(a -> (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " "
                + a.getSeverity() + " " + a.getDetector() + " " + a.getCorroboratedBy() + " " + a.getDescription()
                + " id=" + a.getAnomalyId().substring(0, a.getAnomalyId().indexOf('|'))
                + " started=" + (a.getStartedMs() - Kpi.T0) / Kpi.WINDOW_MS).toList();
    }

    @Test
    void shouldPublishOneIncidentRaisedByALaterDetectorAndResolvedWithTheLast() {
        apply(t(AnomalyState.FIRING, Severity.MEDIUM, "static_rule", "tx_high", 3, 2));   // opens the group
        apply(t(AnomalyState.FIRING, Severity.HIGH, "peer_outlier", "mad", 4, 3));        // joins, raises: HIGH
        apply(t(AnomalyState.FIRING, Severity.MEDIUM, "baseline", "ewma_mean", 5, 4));    // joins silently
        apply(t(AnomalyState.RESOLVED, Severity.HIGH, "peer_outlier", "mad", 8, 3));      // others still fire
        apply(t(AnomalyState.RESOLVED, Severity.MEDIUM, "static_rule", "tx_high", 9, 2)); // the first goes too
        apply(t(AnomalyState.RESOLVED, Severity.MEDIUM, "baseline", "ewma_mean", 10, 4)); // the last: resolves

        assertThat(lines()).containsExactly(
                "3 FIRING MEDIUM static_rule [] static_rule says MEDIUM id=static_rule started=2",
                "4 FIRING HIGH static_rule [peer_outlier/mad] peer_outlier says HIGH (also flagged by static_rule/tx_high)"
                        + " id=static_rule started=2",
                // the severity published stays HIGH: no FIRING comes with the peers' resolution
                "10 RESOLVED HIGH static_rule [peer_outlier/mad, baseline/ewma_mean] baseline says MEDIUM"
                        + " id=static_rule started=2");
        assertThat(group).isNull();
    }

    @Test
    void shouldOpenWithTheMostSevereOfDetectorsFiringOnTheSameRecordAndLowerTheSeverityWhenOneFiresLower() {
        apply(t(AnomalyState.FIRING, Severity.MEDIUM, "static_rule", "tx_high", 3, 2),
                t(AnomalyState.FIRING, Severity.CRITICAL, "baseline", "ewma_mean", 3, 2));
        apply(t(AnomalyState.FIRING, Severity.HIGH, "baseline", "ewma_mean", 4, 2));       // the baseline eases

        assertThat(lines()).containsExactly(
                "3 FIRING CRITICAL baseline [static_rule/tx_high] baseline says CRITICAL (also flagged by "
                        + "static_rule/tx_high) id=baseline started=2",
                "4 FIRING HIGH baseline [static_rule/tx_high] baseline says HIGH (also flagged by static_rule/tx_high)"
                        + " id=baseline started=2");
    }

    @Test
    void shouldResolveAnIncidentThatFiredBeforeGroupsExistedAsItWas() {
        Anomaly older = t(AnomalyState.RESOLVED, Severity.MEDIUM, "peer_outlier", "mad", 7, 1);
        apply(older);                                                                      // no group: passes
        apply(t(AnomalyState.FIRING, Severity.MEDIUM, "static_rule", "tx_high", 8, 7));
        Anomaly olderBaseline = t(AnomalyState.RESOLVED, Severity.HIGH, "baseline", "ewma_mean", 9, 1);
        apply(olderBaseline);                                                              // not a member: passes

        assertThat(published).containsExactly(older, published.get(1), olderBaseline);
        assertThat(group.members()).containsOnlyKeys("static_rule/tx_high");
    }
}
