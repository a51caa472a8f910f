package io.chainpulse.cli.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.simulator.Fault;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailUnderTest {
    private static final Sweep.Settings SETTINGS = new Sweep.Settings(List.of(4), 2, 1, 20, Duration.ofSeconds(60), 1,
            true, EnumSet.of(Fault.Kind.SLOW_VALIDATOR), 1, Map.of());
    private static final FaultLadder SLOW = FaultLadder.of(Fault.Kind.SLOW_VALIDATOR);
    private static final Sweep.Case TARGET = new Sweep.Case(SLOW, 1.5, Duration.ofSeconds(60), true);

    /** Two trials of slow ×1.5: seed 1 caught after {@code delay1} windows (null: missed), seed 2 after 1. */
    private static Evaluation evaluation(Integer delay1, boolean firstRight1, int falseIncidents) {
        List<Sweep.TrialResult> trials = List.of(
                new Sweep.TrialResult(new Sweep.Trial(TARGET, 4, 1), delay1, firstRight1, 0),
                new Sweep.TrialResult(new Sweep.Trial(TARGET, 4, 2), 1, true, 0));
        List<io.chainpulse.schema.Anomaly> incidents = java.util.Collections.nCopies(falseIncidents,
                io.chainpulse.schema.Anomaly.newBuilder().setAnomalyId("x").setState(
                        io.chainpulse.schema.AnomalyState.FIRING).setSeverity(io.chainpulse.schema.Severity.MEDIUM)
                        .setSeverityLevel(3).setDetector("d").setRule("r").setMetric("tps")
                        .setScope(io.chainpulse.schema.KpiScope.network).setWindowStartMs(0).setDescription("")
                        .setStartedMs(0).build());
        return Evaluation.of(new Sweep.Results(SETTINGS, trials, List.of(new Sweep.HealthyResult(4, 1, 5.0, incidents))));
    }

    @Test
    void shouldPassWhenEveryTargetRowMeetsEveryBar() {
        FailUnder bars = FailUnder.parse("recall=1.0,recall-2w=1,named-right=1.0,false-per-10-node-hours=1");

        assertThat(bars.bars()).isEqualTo(Map.of("recall", 1.0, "recall-2w", 1.0, "named-right", 1.0,
                "false-per-10-node-hours", 1.0));
        assertThat(bars.check(evaluation(2, true, 2))).isEmpty(); // 2 false incidents in 20 node-hours: 1.0
    }

    @Test
    void shouldNameEveryBarThatFellShort() {
        FailUnder bars = FailUnder.parse("recall=1.0,recall-2w=1.0,named-right=1.0,false-per-10-node-hours=1");

        assertThat(bars.check(evaluation(3, false, 3))).containsExactly(
                "recall-2w of slow_validator ×1.5 0.50 < 1",
                "named-right of slow_validator ×1.5 0.50 < 1",
                "false-per-10-node-hours 1.50 > 1 (3 false incidents in 20.0 node-hours)");
        assertThat(bars.check(evaluation(null, false, 0))).containsExactly(
                "recall of slow_validator ×1.5 0.50 < 1 (missed nodes/seed: 4/1)",
                "recall-2w of slow_validator ×1.5 0.50 < 1 (missed nodes/seed: 4/1)",
                "named-right of slow_validator ×1.5 0.50 < 1 (missed nodes/seed: 4/1)");
    }

    @Test
    void shouldRejectUnknownKeysAndBadValuesAllAtOnce() {
        assertThatThrownBy(() -> FailUnder.parse("recal=1,recall=2,false-per-10-node-hours=x,named-right"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--fail-under recal=1,recall=2,false-per-10-node-hours=x,named-right: unknown key 'recal' "
                        + "(known: recall, recall-2w, named-right, false-per-10-node-hours); recall must be in [0, 1]: 2; "
                        + "false-per-10-node-hours must be a number: 'x'; 'named-right' is not key=value");
    }

    @Test
    void shouldReadTheFloorAsTheWeakestStepFromWhichEveryStrongerStepIsPerfect() {
        List<Sweep.TrialResult> trials = new java.util.ArrayList<>();
        // ×1.25 caught late, ×1.5 missed once, ×2 and ×3 caught after 1 window: the floor is ×2
        Integer[][] delays = {{4, 4}, {1, null}, {1, 1}, {1, 1}};
        for (int i = 0; i < 4; i++) {
            Sweep.Case c = new Sweep.Case(SLOW, SLOW.magnitudes().get(i), Duration.ofSeconds(60), i == 1);
            for (int s = 0; s < 2; s++) {
                trials.add(new Sweep.TrialResult(new Sweep.Trial(c, 4, s + 1), delays[i][s], delays[i][s] != null, 0));
            }
        }
        Evaluation evaluation = Evaluation.of(new Sweep.Results(SETTINGS, trials, List.of()));

        assertThat(evaluation.floor()).containsExactly(new Evaluation.Floor("slow_validator", "×2", 2.0));
        assertThat(evaluation.rows()).extracting(Evaluation.Row::label, Evaluation.Row::caught,
                        Evaluation.Row::caughtInTime, Evaluation.Row::delayMedian, Evaluation.Row::delayMax)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("×1.25", 2, 0, 4.0, 4),
                        org.assertj.core.groups.Tuple.tuple("×1.5", 1, 1, 1.0, 1),
                        org.assertj.core.groups.Tuple.tuple("×2", 2, 2, 1.0, 1),
                        org.assertj.core.groups.Tuple.tuple("×3", 2, 2, 1.0, 1));
        assertThat(evaluation.falsePer10NodeHours()).isNaN();
    }

    @Test
    void shouldGiveEveryFaultKindALadderWhoseSecondStepIsTwiceTheFirstsDeparture() {
        assertThat(FaultLadder.all()).extracting(FaultLadder::kind).containsExactly(java.util.Arrays
                .stream(Fault.Kind.values()).filter(k -> k != Fault.Kind.CPU_SATURATION && k != Fault.Kind.MEMORY_LEAK)
                .toArray(Fault.Kind[]::new));
        for (FaultLadder ladder : FaultLadder.all()) {
            double healthy = switch (ladder.kind()) {
                case SLOW_VALIDATOR, TPS_COLLAPSE -> 1; // a factor: 1 is healthy
                default -> 0;                          // ms, seconds, probability: 0 is healthy
            };
            assertThat(ladder.magnitudes().get(1) - healthy).as(ladder.id())
                    .isCloseTo(2 * (ladder.magnitudes().get(0) - healthy), org.assertj.core.data.Offset.offset(1e-9));
        }
    }
}
