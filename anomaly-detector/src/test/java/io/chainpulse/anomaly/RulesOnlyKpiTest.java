package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A KPI only its rules judge ({@code conflicting_votes}: 0 on every healthy node, each vote above it proof of
 * equivocation) is left alone by the learned detectors' defaults and its alerts name no resource cause.
 */
class RulesOnlyKpiTest {
    private static final String CONFLICTING = io.chainpulse.schema.catalog.Kpi.CONFLICTING_VOTES.metric();

    @Test
    void shouldLeaveConflictingVotesToTheirRuleNotToTheBaselineOrTrendDefaults() {
        assertThat(BaselineDetector.appliesTo(Kpi.rate(CONFLICTING, "v4", 0, 0.3))).isFalse();
        assertThat(BaselineDetector.appliesTo(Kpi.rate("tps", "v4", 0, 0.3))).isTrue();
        assertThat(Metrics.RATE).doesNotContain(CONFLICTING).contains("tps", "round_changes_per_min");
        assertThat(Metrics.peerComparable()).doesNotContain(CONFLICTING);
        // a baseline of a series that was 0 for every warm-up window and then had 3 conflicting votes: nothing
        BaselineDetector baseline = new BaselineDetector(BaselineDetector.Settings.defaults());
        BaselineState state = null;
        for (int w = 0; w < 40; w++) {
            BaselineDetector.Outcome outcome = baseline.evaluate(state, Kpi.rate(CONFLICTING, "v4", w, w < 39 ? 0 : 0.3));
            assertThat(outcome.verdict()).as("window %d", w).isEmpty();
            state = outcome.state();
        }
    }

    @Test
    void shouldNotExplainAConflictingVoteByTheNodesResources() {
        Anomaly fired = Anomaly.newBuilder().setAnomalyId("static_rule|conflicting_votes|x").setState(AnomalyState.FIRING)
                .setSeverity(Severity.HIGH).setSeverityLevel(4).setDetector("static_rule").setRule("conflicting_votes")
                .setMetric(CONFLICTING).setScope(KpiScope.node).setNodeId("v4").setWindowStartMs(Kpi.w(7))
                .setObserved(3.0).setExpected(0.0).setStartedMs(Kpi.w(7)).setDescription("3 conflicting votes on v4")
                .setSuggestedActions(List.of()).build();
        assertThat(NodeResources.explains(fired)).isFalse();
        assertThat(NodeResources.explains(Anomaly.newBuilder(fired).setMetric("tps").build())).isTrue();
    }
}
