package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StaticRuleDetectorTest {
    private final StaticRuleDetector detector = new StaticRuleDetector(RulesFile.defaults());

    private List<Anomaly> run(List<KpiWindow> windows) {
        return transitions(detector, windows);
    }

    /** The incident transitions {@code detector}'s verdicts on {@code windows} make, in order (ResourceRulesTest too). */
    static List<Anomaly> transitions(StaticRuleDetector detector, List<KpiWindow> windows) {
        Map<String, IncidentState> store = new HashMap<>();
        Kept<RuleWindows> memory = Kept.in(new HashMap<>());
        List<Anomaly> out = new ArrayList<>();
        for (KpiWindow w : windows) {
            for (Verdict v : detector.evaluate(w, null, memory)) {
                IncidentTracker.Step step = IncidentTracker.apply(store.get(v.key().id()), v);
                if (step.state() == null) {
                    store.remove(v.key().id());
                } else {
                    store.put(v.key().id(), step.state());
                }
                if (step.transition() != null) {
                    out.add(step.transition());
                }
            }
        }
        return out;
    }

    private static final Rule POOLED = new Rule("pooled", "tx_failure_pct", io.chainpulse.schema.KpiScope.node,
            Statistic.MEAN, Comparison.GT, 5, io.chainpulse.schema.Severity.HIGH, 1, 1, "{observed} ({pooled})",
            List.of(), 2);

    private static String pooledVerdict(StaticRuleDetector rules, KpiWindow window, Kept<RuleWindows> memory) {
        Verdict v = rules.evaluate(window, null, memory).get(0);
        return v.breached() ? "breach " + v.description() : String.format(java.util.Locale.ROOT, "clean %.2f",
                v.observed());
    }

    @Test
    void shouldPoolAWindowWithTheSeriesPreviousOneOnlyAndKeepTheNewestForTheNext() {
        StaticRuleDetector rules = new StaticRuleDetector(List.of(POOLED));
        Map<String, RuleWindows> kept = new HashMap<>();
        Kept<RuleWindows> memory = Kept.in(kept);

        assertThat(pooledVerdict(rules, Kpi.ratio("tx_failure_pct", "v1", 0, 4, 40), memory))
                .isEqualTo("clean 10.00");                                   // 4 of 40: P = 6.9e-4 > 1e-4
        assertThat(pooledVerdict(rules, Kpi.ratio("tx_failure_pct", "v1", 1, 3, 40), memory))
                .isEqualTo("breach 8.8 % (7 failed of 80 in its latest 2 windows)"); // P = 1.6e-5
        assertThat(kept.get("static_rule|pooled|tx_failure_pct|node|v1").windows())
                .containsExactly(new RuleWindows.Window(Kpi.w(1), 40, 3));
        // another node's series is its own; a window after a gap is judged alone
        assertThat(pooledVerdict(rules, Kpi.ratio("tx_failure_pct", "v2", 1, 3, 40), memory))
                .isEqualTo("clean 7.50");
        assertThat(pooledVerdict(rules, Kpi.ratio("tx_failure_pct", "v1", 3, 6, 40), memory))
                .isEqualTo("breach 15.0 % (6 failed of 40 in its latest window)"); // P = 2.9e-6
        // a late window is pooled with the kept windows before it (none left: window 1 made way for 3) and leaves
        // the newest kept
        assertThat(pooledVerdict(rules, Kpi.ratio("tx_failure_pct", "v1", 2, 0, 40), memory))
                .isEqualTo("clean 0.00");
        assertThat(kept.get("static_rule|pooled|tx_failure_pct|node|v1").windows())
                .containsExactly(new RuleWindows.Window(Kpi.w(3), 40, 6));
    }

    @Test
    void shouldJudgeAPooledRuleOnTheWindowAloneWithoutAMemory() {
        StaticRuleDetector rules = new StaticRuleDetector(List.of(POOLED));
        assertThat(rules.evaluate(Kpi.ratio("tx_failure_pct", "v1", 1, 3, 40), null)).extracting(Verdict::breached)
                .containsExactly(false);
        assertThat(pooledVerdict(rules, Kpi.ratio("tx_failure_pct", "v1", 1, 6, 40), Kept.nothing()))
                .isEqualTo("breach 15.0 % (6 failed of 40 in its latest window)");
    }

    @Test
    void shouldFlagSlowValidatorWhenP95AboveThresholdForTwoWindowsAndResolveAfterThreeClean() {
        List<Anomaly> out = run(List.of(
                Kpi.latency("consensus_latency_ms", "v3", 0, 2500),   // 1 of 2
                Kpi.latency("consensus_latency_ms", "v3", 1, 2600),   // fires
                Kpi.latency("consensus_latency_ms", "v3", 2, 2700),   // continues
                Kpi.latency("consensus_latency_ms", "v3", 3, 400),
                Kpi.latency("consensus_latency_ms", "v3", 4, 400),
                Kpi.latency("consensus_latency_ms", "v3", 5, 400)));  // resolves

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getWindowStartMs())
                .containsExactly("FIRING HIGH " + Kpi.w(1), "RESOLVED HIGH " + Kpi.w(5));
        Anomaly fired = out.get(0);
        assertThat(fired.getAnomalyId())
                .isEqualTo("static_rule|consensus_latency_p95_high|consensus_latency_ms|node|v3|" + Kpi.w(0));
        assertThat(fired.getDescription()).isEqualTo("p95 consensus latency 2600 ms on v3, above 2000 ms");
        assertThat(fired.getObserved()).isEqualTo(2600.0);
        assertThat(fired.getExpected()).isEqualTo(2000.0);
        assertThat(fired.getSuggestedActions()).hasSize(2);
    }

    @Test
    void shouldFlagTpsBelowFloorOnlyAtNetworkScope() {
        List<Anomaly> out = run(List.of(
                Kpi.rate("tps", "v1", 0, 0.5), Kpi.rate("tps", "v1", 1, 0.5), Kpi.rate("tps", "v1", 2, 0.5),
                Kpi.rate("tps", null, 0, 0.5), Kpi.rate("tps", null, 1, 0.2), Kpi.rate("tps", null, 2, 0.0)));

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getNodeId() + " "
                + a.getDescription())
                .containsExactly("FIRING CRITICAL null TPS 0.0/s on the network, below the floor of 1.0/s");
    }

    @Test
    void shouldFlagFailureRatesAboveFivePercentAtNodeAndNetworkScope() {
        // node windows of 40 samples (5 and 12 failures), network windows of 200 (8, 15, 11, 12 failures): all far
        // beyond the healthy 1 % (P(X >= 11 | 200, 1 %) = 7e-6)
        List<Anomaly> out = run(List.of(
                Kpi.ratio("tx_failure_pct", "v3", 0, 12.5), Kpi.ratio("tx_failure_pct", null, 0, 8, 200),
                Kpi.ratio("tx_failure_pct", "v3", 1, 30.0), Kpi.ratio("tx_failure_pct", null, 1, 15, 200), // v3 fires
                Kpi.ratio("tx_failure_pct", "v3", 2, 5.0), Kpi.ratio("tx_failure_pct", null, 2, 11, 200),  // v3 clean, network fires
                Kpi.ratio("tx_failure_pct", null, 3, 12, 200),                                             // continues
                Kpi.ratio("consensus_failure_pct", "v1", 0, 10.0), Kpi.ratio("consensus_failure_pct", "v1", 1, 20.0),
                Kpi.ratio("consensus_failure_pct", null, 0, 2.5), Kpi.ratio("consensus_failure_pct", null, 1, 5.0)));

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getRule() + " "
                + a.getDescription())
                .containsExactly(
                        "FIRING MEDIUM tx_failure_pct_node_high transaction failure rate 30.0 % on v3, above 5.0 %",
                        "FIRING HIGH tx_failure_pct_network_high transaction failure rate 5.5 % on the network, above 5.0 %",
                        "FIRING HIGH consensus_failure_pct_node_high consensus failure rate 20.0 % on v1, above 5.0 %");
        assertThat(out.get(0).getSuggestedActions()).hasSize(2);
    }

    @Test
    void shouldFireAFailureRateOnlyWhenItsFailuresAreUnlikelyAtTheHealthyShare() {
        // no network share known: the floor of 1 %; P(X >= k | n, 1 %) must be below 0.01
        List<Anomaly> out = run(List.of(
                Kpi.ratio("tx_failure_pct", "v4", 0, 1, 17),   // 5.9 %: P = 0.157, clean
                Kpi.ratio("tx_failure_pct", "v4", 1, 2, 19),   // 10.5 %: two failures, P = 0.0153, clean
                Kpi.ratio("tx_failure_pct", "v4", 2, 2, 28),   // 7.1 %: P = 0.0318, clean
                Kpi.ratio("tx_failure_pct", "v4", 3, 3, 28),   // 10.7 %: P = 0.00272, 1 of 2
                Kpi.ratio("tx_failure_pct", "v4", 4, 4, 50),   // 8.0 %: P = 0.00160, fires
                Kpi.ratio("tx_failure_pct", "v1", 0, 3, 50),   // 6.0 %: P = 0.0138, clean
                Kpi.ratio("tx_failure_pct", "v1", 1, 3, 50)));

        assertThat(out).extracting(a -> (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " " + a.getSeverity() + " "
                + a.getRule() + " " + a.getDescription())
                .containsExactly(
                        "4 FIRING MEDIUM tx_failure_pct_node_high transaction failure rate 8.0 % on v4, above 5.0 %");
    }

    @Test
    void shouldJudgeAFailureRatioAgainstTheNetworksLearnedShareWhenKnown() {
        StaticRuleDetector detector = new StaticRuleDetector(RulesFile.defaults());
        KpiWindow fourOfFifty = Kpi.ratio("tx_failure_pct", "v4", 0, 4, 50);

        assertThat(detector.evaluate(fourOfFifty, 1.0)).extracting(Verdict::breached).containsExactly(true);   // 0.0016
        assertThat(detector.evaluate(fourOfFifty, 3.0)).extracting(Verdict::breached).containsExactly(false);  // 0.0628
        assertThat(detector.evaluate(fourOfFifty, 0.1)).extracting(Verdict::breached).containsExactly(true);   // floored
        assertThat(new StaticRuleDetector(RulesFile.defaults(), new FailureGate(0.001, 1.0)).evaluate(fourOfFifty, 1.0))
                .extracting(Verdict::breached).containsExactly(false);                                         // 0.0016 >= 0.001
    }

    @Test
    void shouldFlagVoteParticipationBelowTwoThirdsOfTheActiveValidators() {
        List<Anomaly> out = run(List.of(
                Kpi.mean("vote_participation_pct", null, 0, 75.0),
                Kpi.mean("vote_participation_pct", null, 1, 66.5),   // 1 of 2
                Kpi.mean("vote_participation_pct", null, 2, 50.0),   // fires
                Kpi.mean("vote_participation_pct", null, 3, 67.0),   // not below: clean 1 of 3
                Kpi.mean("vote_participation_pct", null, 4, 100.0),
                Kpi.mean("vote_participation_pct", null, 5, 100.0))); // resolves

        // below 90 % from the first window: the MEDIUM rule fires at the second and is not yet resolved after two
        // clean windows (it needs three); below 67 % the HIGH one fires at the third and resolves at the sixth
        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getRule() + " "
                + a.getWindowStartMs() + " " + a.getNodeId() + " " + a.getObserved())
                .containsExactly("FIRING MEDIUM vote_participation_degraded " + Kpi.w(1) + " null 66.5",
                        "FIRING HIGH vote_participation_low " + Kpi.w(2) + " null 50.0",
                        "RESOLVED HIGH vote_participation_low " + Kpi.w(5) + " null 100.0");
        assertThat(out.get(1).getDescription()).isEqualTo(DESCRIBED_PARTICIPATION);
        assertThat(out.get(0).getDescription())
                .isEqualTo("vote participation 66.5 % on the network, below 90.0 %: some active validators do not vote");
    }

    @Test
    void shouldFlagConsensusRoundsWhenTheMeanHeightNeedsMoreThanOneRoundForTwoWindows() {
        List<Anomaly> out = run(List.of(
                Kpi.mean("consensus_rounds", null, 0, 1.0),      // every height in one round: exactly 1
                Kpi.mean("consensus_rounds", null, 1, 1.2),      // 1 of 2
                Kpi.mean("consensus_rounds", null, 2, 1.0),      // clean: the count starts again
                Kpi.mean("consensus_rounds", null, 3, 1.1),
                Kpi.mean("consensus_rounds", null, 4, 1.5)));    // fires

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getWindowStartMs())
                .containsExactly("FIRING MEDIUM " + Kpi.w(4));
        assertThat(out.get(0).getDescription()).isEqualTo(DESCRIBED_ROUNDS);
    }

    @Test
    void shouldFlagTheFirstConflictingVoteOfANodeAtOnceAsEquivocation() {
        List<Anomaly> out = run(List.of(
                Kpi.rate("conflicting_votes", "v1", 0, 0.0), Kpi.rate("conflicting_votes", "v4", 0, 0.0), // votes agree
                Kpi.rate("conflicting_votes", "v1", 1, 0.0), Kpi.rate("conflicting_votes", "v4", 1, 0.3), // 3: fires
                Kpi.rate("conflicting_votes", "v4", 2, 0.1),                                              // continues
                Kpi.rate("conflicting_votes", "v4", 3, 0.0),
                Kpi.rate("conflicting_votes", "v4", 4, 0.0),
                Kpi.rate("conflicting_votes", "v4", 5, 0.0)));                                            // resolves

        assertThat(out).extracting(a -> a.getState() + " " + a.getSeverity() + " " + a.getNodeId() + " "
                + a.getWindowStartMs()).containsExactly("FIRING HIGH v4 " + Kpi.w(1), "RESOLVED HIGH v4 " + Kpi.w(5));
        Anomaly fired = out.get(0);
        assertThat(fired.getAnomalyId()).isEqualTo("static_rule|conflicting_votes|conflicting_votes|node|v4|" + Kpi.w(1));
        assertThat(fired.getDescription()).isEqualTo("3 conflicting votes on v4: votes for another block than the"
                + " leader's proposal of their height and round (equivocation)");
        assertThat(fired.getObserved()).isEqualTo(3.0);
        assertThat(fired.getExpected()).isEqualTo(0.0);
        assertThat(fired.getSuggestedActions()).hasSize(2);
        assertThat(fired.getSuggestedActions().get(0)).startsWith("The validator signs conflicting votes: a byzantine"
                + " or misconfigured validator, or its key signing on two machines");
    }

    private static final String DESCRIBED_PARTICIPATION =
            "vote participation 50.0 % on the network, below 67.0 %: fewer than two thirds of the active validators vote";
    private static final String DESCRIBED_ROUNDS =
            "mean consensus rounds per height 1.5 rounds on the network, above 1.0 rounds: heights need round changes";

    @Test
    void shouldIgnoreWindowsOfOtherMetricsAndStatisticsTheWindowLacks() {
        assertThat(detector.evaluate(Kpi.latency("block_execution_ms", "v1", 0, 99_999))).isEmpty();
        assertThat(detector.evaluate(Kpi.rate("tx_ingress_tps", null, 0, 0))).isEmpty();
    }
}
