package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.processor.AnalyzeJob;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consensus KPIs on simulated networks, through the production KPI topology ({@link AnalyzeJob}): what the
 * simulator's faults mean for them, window by window. Six validators, 1 s blocks (ten heights per 10 s window, each
 * voted and finalized a fraction of a second after its block starts), faults on window edges.
 */
class ConsensusKpisSimulatedTest {
    private static final long START_MS = 1_753_784_500_000L; // a window boundary
    private static final Duration FROM = Duration.ofSeconds(40);
    private static final Duration TO = Duration.ofSeconds(80);

    @TempDir
    Path dir;

    private static Scenario network(Fault fault) {
        return new Scenario("consensus", "simnet", 6, 50, Duration.ofSeconds(1), Duration.ofSeconds(120), 11, 0,
                List.of(fault));
    }

    @Test
    void shouldLowerParticipationToFiveSixthsWhileOneOfSixValidatorsStopsVotingAndNothingElse() throws IOException {
        Map<String, KpiWindow> kpis = analyse(network(new Fault(Fault.Kind.STOP_VOTING, "v1", FROM, TO, 0)));

        for (long window = 10; window <= 100; window += 10) {
            KpiWindow participation = kpis.get("vote_participation_pct|network|" + window);
            boolean stopped = window >= 40 && window < 80;
            assertThat(participation.getCount()).as("heights finalized in window %d s", window).isEqualTo(10);
            // one sample per height: 5 of 6 active validators voted (500/6 = 83.333333, exact to 1e-6 per sample)
            assertThat(participation.getMean()).as("participation in window %d s", window)
                    .isCloseTo(stopped ? 500.0 / 6 : 100.0, within(1e-6));
            assertThat(participation.getMin()).isEqualTo(participation.getMax());
            assertThat(kpis.get("consensus_rounds|network|" + window).getMean()).isEqualTo(1.0);
            assertThat(kpis.get("round_changes_per_min|network|" + window).getRatePerS()).isEqualTo(0.0);
            // v1 has no votes to measure while it is stopped; the others' delays are unchanged
            assertThat(kpis.containsKey("proposal_to_vote_ms|v1|" + window)).as("v1 in window %d s", window)
                    .isEqualTo(!stopped);
            assertThat(kpis.get("proposal_to_vote_ms|v2|" + window).getCount()).isEqualTo(10);
        }
    }

    @Test
    void shouldCountTheExtraRoundsAndMissedVotesOfAByzantineValidator() throws IOException {
        Map<String, KpiWindow> kpis = analyse(network(new Fault(Fault.Kind.BYZANTINE, "v4", FROM, TO, 1.0)));

        for (long window = 10; window <= 100; window += 10) {
            boolean faulty = window >= 40 && window < 80;
            // v4 leads heights 4, 10, 16 …: with probability 1 each of those inside the fault needs a second round —
            // 40 and 46, 52 and 58, 64, 70 and 76
            KpiWindow rounds = kpis.get("consensus_rounds|network|" + window);
            KpiWindow changes = kpis.get("round_changes_per_min|network|" + window);
            assertThat(rounds.getCount()).isEqualTo(10);
            assertThat(rounds.getMax()).isEqualTo(faulty ? 2.0 : 1.0);
            assertThat(rounds.getMean()).isCloseTo(1.0 + changes.getCount() / 10.0, within(1e-9));
            assertThat(changes.getRatePerS()).isCloseTo(changes.getCount() / 10.0, within(1e-9));
            assertThat(changes.getCount()).as("round changes in window %d s", window).isEqualTo(Map.of(40L, 2L, 50L, 2L, 60L, 1L, 70L, 2L).getOrDefault(window, 0L));
            // and it misses every vote: 5 of 6
            assertThat(kpis.get("vote_participation_pct|network|" + window).getMean())
                    .as("participation in window %d s", window).isCloseTo(faulty ? 500.0 / 6 : 100.0, within(1e-6));
        }
    }

    /** Final KPI windows keyed {@code metric|node-or-network|window start in seconds of the run}. */
    private Map<String, KpiWindow> analyse(Scenario scenario) throws IOException {
        Path events = Recordings.write(scenario, START_MS, dir.resolve("events.jsonl"));
        AnalyzeJob.Result result = AnalyzeJob.run(events, Map.of(), problem -> {
            throw new AssertionError(problem);
        });
        Map<String, KpiWindow> out = new TreeMap<>();
        for (KpiWindow k : result.kpis()) {
            out.put(k.getMetric() + "|" + (k.getNodeId() == null ? "network" : k.getNodeId()) + "|"
                    + (k.getWindowStartMs() - START_MS) / 1000, k);
        }
        return out;
    }
}
