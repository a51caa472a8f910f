package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of injected fault changes exactly the KPIs it should: the same network (same seed) is simulated with and
 * without the fault, both recordings go through the production KPI topology ({@link AnalyzeJob}), and the KPI series
 * (metric and node, or the network) whose windows differ are compared with the series the fault is about.
 */
class FaultKpiEffectTest {
    private static final long START_MS = 1_753_784_500_000L; // a window boundary
    private static final Duration FROM = Duration.ofSeconds(40);
    private static final Duration TO = Duration.ofSeconds(80);
    private static Map<String, KpiWindow> baseline;

    @TempDir
    static Path dir;

    private static Scenario scenario() {
        return new Scenario("effects", "simnet", 6, 100, Duration.ofSeconds(1), Duration.ofSeconds(120), 11, 0, List.of());
    }

    @BeforeAll
    static void analyseTheNetworkWithoutFaults() throws IOException {
        baseline = analyse(scenario(), "baseline");
    }

    private static final List<String> ALL = List.of("v1", "v2", "v3", "v4", "v5", "v6", "network");

    /** {@code metric node} for each node given ("network" for the network series). */
    private static Set<String> series(String metric, String... nodes) {
        Set<String> out = new TreeSet<>();
        for (String node : nodes) {
            out.add(metric + " " + node);
        }
        return out;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> out = new TreeSet<>();
        for (Set<String> set : sets) {
            out.addAll(set);
        }
        return out;
    }

    static List<Object[]> faults() {
        String[] all = ALL.toArray(String[]::new);
        String[] nodes = ALL.stream().filter(n -> !n.equals("network")).toArray(String[]::new);
        return List.of(
                // v3 validates and votes 3x slower: its consensus and validation times and its votes' delay after
                // the proposal, and the network's; its votes come later, so its vote-to-commit time shrinks
                new Object[] {new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", FROM, TO, 3), union(
                        series("consensus_latency_ms", "v3", "network"), series("tx_validation_ms", "v3", "network"),
                        series("vote_to_commit_ms", "v3", "network"), series("proposal_to_vote_ms", "v3", "network"))},
                // blocks reach v5 400 ms late: its propagation delay; it also finalizes 400 ms later, so its block
                // times change where the fault starts and ends; it commits late, so its vote-to-commit time grows
                new Object[] {new Fault(Fault.Kind.LATE_BLOCKS, "v5", FROM, TO, 400), union(
                        series("propagation_delay_ms", "v5", "network"), series("block_time_ms", "v5", "network"),
                        series("vote_to_commit_ms", "v5", "network"))},
                // a fifth of the transactions: everything that depends on load, at every node (the failure ratio's
                // sample counts; shorter executions move votes and commits across window edges, and move each
                // proposal and its votes, so their difference changes in the last nanosecond) — but not consensus,
                // which depends on votes, not on block size, nor packing, a fixed step, nor leader shares (a block a
                // second, as before)
                new Object[] {new Fault(Fault.Kind.TPS_COLLAPSE, null, FROM, TO, 0.2), union(
                        series("tx_ingress_tps", all), series("tps", all), series("tx_validation_ms", all),
                        series("block_creation_ms", all), series("block_execution_ms", all),
                        series("block_time_ms", all), series("propagation_delay_ms", all),
                        series("tx_failure_pct", all), series("validation_failure_pct", nodes),
                        series("vote_to_commit_ms", all), series("gas_per_s", all),
                        series("block_gas_used", all), series("block_size_bytes", all),
                        series("proposal_to_vote_ms", all))},
                // v2's clock 250 ms ahead: every receiver's propagation delay and proposal-to-vote time of blocks v2
                // proposes (cross-node deltas), and v2's own timestamps where the skew starts and ends (ingress
                // windows, validation and block time across the edge); its same-node latencies in between are untouched
                new Object[] {new Fault(Fault.Kind.CLOCK_SKEW, "v2", FROM, TO, 250), union(
                        series("propagation_delay_ms", all), series("proposal_to_vote_ms", all),
                        series("block_time_ms", "v2", "network"),
                        series("tx_ingress_tps", "v2", "network"), series("tx_validation_ms", "v2", "network"),
                        series("tx_failure_pct", "v2", "network"), series("validation_failure_pct", "v2"))},
                // v4 misses or contradicts votes and forces extra rounds when it leads: consensus, block time and
                // proposal-to-vote time at every node (and the number of consensus validations, each still a
                // success), block creation of the blocks v4 proposes, v4's vote-to-commit time (its missed votes),
                // the network's rounds, round changes and participation; and v4's conflicting votes, 0 before: every
                // vote it casts is for another block than the proposal's
                new Object[] {new Fault(Fault.Kind.BYZANTINE, "v4", FROM, TO, 0.5), union(
                        series("consensus_latency_ms", all), series("block_time_ms", all),
                        series("consensus_failure_pct", all), series("validation_failure_pct", nodes),
                        series("block_creation_ms", "v4", "network"),
                        series("vote_to_commit_ms", "v4", "network"), series("proposal_to_vote_ms", all),
                        series("consensus_rounds", "network"), series("round_changes_per_min", "network"),
                        series("vote_participation_pct", "network"), series("conflicting_votes", "v4"))},
                // v1 casts no vote but validates, commits and finalizes: its proposal-to-vote and vote-to-commit
                // samples, its windows of conflicting votes (0: it casts none) and the network's participation, nothing
                // else (the commit quorum does not wait for its vote)
                new Object[] {new Fault(Fault.Kind.STOP_VOTING, "v1", FROM, TO, 0), union(
                        series("proposal_to_vote_ms", "v1", "network"), series("vote_to_commit_ms", "v1", "network"),
                        series("vote_participation_pct", "network"), series("conflicting_votes", "v1"))},
                // v6 sends nothing: every KPI of v6 (and the network's, which include it) and every receiver's
                // propagation delay and proposal-to-vote time of the blocks v6 proposes; network tps, gas and block
                // distributions are unchanged — each block is counted once, at its earliest finalization, which the
                // other validators still report — and so is v6's leader share: their finalizations still name v6
                // leader of its blocks; so is participation: a silent node is not active (the fault starts and ends
                // on window edges)
                new Object[] {new Fault(Fault.Kind.SILENT_NODE, "v6", FROM, TO, 0), union(
                        series("block_creation_ms", "v6", "network"), series("block_execution_ms", "v6", "network"),
                        series("block_time_ms", "v6", "network"), series("consensus_latency_ms", "v6", "network"),
                        series("propagation_delay_ms", all), series("proposal_to_vote_ms", all), series("tps", "v6"),
                        series("gas_per_s", "v6"), series("block_gas_used", "v6"), series("block_size_bytes", "v6"),
                        series("tx_ingress_tps", "v6", "network"), series("tx_validation_ms", "v6", "network"),
                        series("block_packing_ms", "v6", "network"), series("vote_to_commit_ms", "v6", "network"),
                        series("tx_failure_pct", "v6", "network"), series("consensus_failure_pct", "v6", "network"),
                        series("validation_failure_pct", "v6"), series("conflicting_votes", "v6"))},
                // v1's validations fail with probability 0.4: its failure ratios and the network's; its failed
                // transactions never reach a block, so everything that depends on load changes as in a (small)
                // collapse of arrivals
                new Object[] {new Fault(Fault.Kind.FAILURE_BURST, "v1", FROM, TO, 0.4), union(
                        series("tx_failure_pct", "v1", "network"), series("consensus_failure_pct", "v1", "network"),
                        series("validation_failure_pct", "v1"), series("tps", all), series("block_creation_ms", all), series("block_execution_ms", all),
                        series("block_time_ms", all), series("propagation_delay_ms", all),
                        series("vote_to_commit_ms", all), series("gas_per_s", all),
                        series("block_gas_used", all), series("block_size_bytes", all),
                        series("proposal_to_vote_ms", all))});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void shouldChangeExactlyTheKpisTheFaultIsAbout(Fault fault, Set<String> expected) throws IOException {
        Map<String, KpiWindow> faulted = analyse(scenario().withFault(fault), fault.kind().id());

        Set<String> changed = new TreeSet<>();
        Set<String> keys = new TreeSet<>(baseline.keySet());
        keys.addAll(faulted.keySet());
        for (String key : keys) {
            if (!Objects.equals(baseline.get(key), faulted.get(key))) {
                changed.add(key.substring(0, key.lastIndexOf('|')).replace('|', ' '));
            }
        }
        assertThat(changed).as("KPI series changed by %s", fault).containsExactlyInAnyOrderElementsOf(expected);
        // an honest vote is for the proposal of its height and round, whatever the fault: only a byzantine node's
        // votes conflict, and only while its fault lasts
        Map<String, Long> conflicting = new TreeMap<>();
        faulted.forEach((key, window) -> {
            if (window.getMetric().equals(Kpi.CONFLICTING_VOTES.metric()) && window.getCount() > 0) {
                boolean during = window.getWindowStartMs() >= START_MS + FROM.toMillis()
                        && window.getWindowStartMs() <= START_MS + TO.toMillis(); // a vote lands after its block
                conflicting.merge(window.getNodeId() + (during ? " during the fault" : " outside it"),
                        window.getCount(), Long::sum);
            }
        });
        assertThat(baseline.values()).filteredOn(w -> w.getMetric().equals(Kpi.CONFLICTING_VOTES.metric()))
                .as("conflicting votes of the healthy network").isNotEmpty().allMatch(w -> w.getCount() == 0);
        assertThat(conflicting.keySet()).as("nodes with conflicting votes under %s", fault)
                .isEqualTo(fault.kind() == Fault.Kind.BYZANTINE ? Set.of("v4 during the fault") : Set.of());
    }

    /** Final KPI windows keyed {@code metric|node-or-network|window start}. */
    private static Map<String, KpiWindow> analyse(Scenario scenario, String name) throws IOException {
        Path events = Recordings.write(scenario, START_MS, dir.resolve(name + ".jsonl"));
        AnalyzeJob.Result result = AnalyzeJob.run(events, Map.of(), problem -> {
            throw new AssertionError(problem);
        });
        Map<String, KpiWindow> out = new HashMap<>();
        for (KpiWindow k : result.kpis()) {
            out.put(k.getMetric() + "|" + (k.getNodeId() == null ? "network" : k.getNodeId()) + "|"
                    + k.getWindowStartMs(), k);
        }
        return out;
    }
}
