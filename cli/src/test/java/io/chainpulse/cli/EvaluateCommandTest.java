package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The detection floor as a build check: {@code ./chainpulse evaluate --quick} (each ladder's target step and the
 * three-window TPS dip, 2 seeds, 4 nodes, a 1-hour healthy run — through the production topologies) must meet the
 * bars below, so a detector change that loses recall or adds false alarms fails the build. Deterministic: the same
 * seeds give the same table on every machine; it is not timed.
 */
class EvaluateCommandTest {
    /**
     * Trials caught within two windows, of two, per target row, as measured when this test was written. A detector
     * change that catches fewer fails the build; one that catches more should raise these numbers.
     */
    private static final Map<String, Integer> CAUGHT_IN_TIME = new LinkedHashMap<>();

    static {
        CAUGHT_IN_TIME.put("slow_validator ×1.5", 2); // the location test over 2 windows: after 1 and 1 (was 1 of 2)
        CAUGHT_IN_TIME.put("late_blocks +200 ms", 2);
        CAUGHT_IN_TIME.put("tps_collapse to 60 %", 2);
        CAUGHT_IN_TIME.put("tps_collapse to 50 % for 3 windows", 2);
        CAUGHT_IN_TIME.put("silent_node 40 s", 2);   // liveness.silent.windows 2: caught after 2
        CAUGHT_IN_TIME.put("byzantine p=0.2", 2);    // conflicting_votes: caught in the onset's window
        CAUGHT_IN_TIME.put("clock_skew +50 ms", 2);
        CAUGHT_IN_TIME.put("failure_burst p=0.2", 2); // two windows pooled: after 1 and 1 (p=0.1 was 1 of 2)
        // one of four stops voting: participation 75 %, above the 67 % quorum rule, below the 90 % rule
        // (vote_participation_degraded, two windows)
        CAUGHT_IN_TIME.put("stop_voting 40 s", 2);
    }

    /**
     * The false-alarm ceiling of the quick healthy run (1 hour, 4 nodes: 3.98 node-hours), as --fail-under checks it:
     * none today (the peer outlier on propagation delay at 3030 s, 2.51 per 10 node-hours, is gone since TailGate), and
     * the goal of issue 19 is at most 1 per 10 node-hours: one incident (2.51) fails the build.
     */
    static final String BARS = "false-per-10-node-hours=1";

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run evaluate(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("evaluate"));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldMeetTheCiBarsOnTheQuickSweepAndWriteTableJsonAndChart() throws Exception {
        Path json = dir.resolve("evaluate.json");
        Path chart = dir.resolve("recall.png");

        Run run = evaluate("--quick", "--json", json.toString(), "--chart", chart.toString(), "--fail-under", BARS);

        assertThat(run.code()).as("exit code; stderr:%n%s%nstdout:%n%s", run.err(), run.out()).isZero();
        System.out.println(run.out()); // this build's table, for the README's Detection floor
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        Map<String, Integer> caughtInTime = new LinkedHashMap<>();
        doc.get("rows").forEach(r -> {
            assertThat(r.get("trials").asInt()).as(r.get("label").asText()).isEqualTo(2);
            assertThat(r.get("target").asBoolean()).isTrue();
            caughtInTime.put(r.get("fault").asText() + " " + r.get("label").asText(),
                    (int) Math.round(2 * r.get("recall_within_2_windows").asDouble()));
        });
        assertThat(caughtInTime.keySet()).containsExactlyElementsOf(CAUGHT_IN_TIME.keySet());
        CAUGHT_IN_TIME.forEach((row, expected) -> assertThat(caughtInTime.get(row))
                .as("trials of %s caught within 2 windows", row).isGreaterThanOrEqualTo(expected));
        assertThat(doc.get("node_hours").asDouble()).isGreaterThanOrEqualTo(3.9);
        assertThat(run.out()).contains("| fault | magnitude | trials | recall | caught ≤ 2 windows |",
                "| tps_collapse | to 50 % for 3 windows (target) | 2 | 100 % | 100 % |",
                "**Detection floor**", "**Healthy runs**");
        BufferedImage image = ImageIO.read(chart.toFile());
        assertThat(image.getWidth()).isEqualTo(3 * 420);
        assertThat(image.getHeight()).isEqualTo(3 * 300); // eight ladders, three a row
    }

    @Test
    void shouldCatchTheSevenNodeSlowValidatorWithinTwoWindowsByBothItsValidationTimes() {
        // 7 nodes, seed 1: v2 1.5× slower from 157 s. Its first two windows rank at P = 6.1e-04 (transactions) and
        // 9.4e-05 (consensus): judged one metric at a time (peer.location.validation.alpha no looser than
        // peer.location.alpha), it is caught after 5 windows; judged together, after 2
        Run together = evaluate("--quick", "--faults", "slow_validator", "--seeds", "1", "--nodes", "7",
                "--healthy-hours", "0", "--threads", "1", "--fail-under", "recall-2w=1");
        Run apart = evaluate("--quick", "--faults", "slow_validator", "--seeds", "1", "--nodes", "7",
                "--healthy-hours", "0", "--threads", "1", "--set", "peer.location.validation.alpha=1e-5");

        assertThat(together.code()).as("stderr:%n%s", together.err()).isZero();
        assertThat(together.out()).contains("| slow_validator | ×1.5 (target) | 1 | 100 % | 100 % | 2 | 2 | 100 % |");
        assertThat(apart.code()).as("stderr:%n%s", apart.err()).isZero();
        assertThat(apart.out()).contains("| slow_validator | ×1.5 (target) | 1 | 100 % | 0 % | 5 | 5 | 100 % |");
    }

    @Test
    void shouldExitWithThreeAndNameTheBarThatWasNotMet() {
        Run run = evaluate("--quick", "--faults", "late_blocks", "--seeds", "1", "--healthy-hours", "0",
                "--fail-under", "recall=1.0,false-per-10-node-hours=1");

        assertThat(run.code()).isEqualTo(EvaluateCommand.FELL_SHORT);
        assertThat(run.err()).contains("evaluate: fell short of --fail-under recall=1.0,false-per-10-node-hours=1:\n"
                + "  false-per-10-node-hours: no healthy runs to measure it (--healthy-hours 0)\n");
        assertThat(run.out()).contains("| late_blocks | +200 ms (target) | 1 | 100 % | 100 % |");
    }

    @Test
    void shouldRejectBadOptionsBeforeRunningAnything() {
        assertThat(evaluate("--faults", "meteor_strike")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(ChainPulseCli.USAGE_ERROR);
            assertThat(r.err()).contains("chainpulse evaluate: --faults: unknown fault kind 'meteor_strike' (known: "
                    + "slow_validator, late_blocks, tps_collapse, silent_node, byzantine, clock_skew, failure_burst, stop_voting)");
        });
        assertThat(evaluate("--set", "baseline.warmup.windowz=5")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(ChainPulseCli.USAGE_ERROR);
            assertThat(r.err()).contains("chainpulse evaluate: --set: unknown anomaly detector setting(s) "
                    + "[baseline.warmup.windowz] (./chainpulse config lists them)");
        });
        assertThat(evaluate("--fail-under", "recall=2")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(ChainPulseCli.USAGE_ERROR);
            assertThat(r.err()).contains("chainpulse evaluate: --fail-under recall=2: recall must be in [0, 1]: 2");
        });
        assertThat(evaluate("--nodes", "3")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(ChainPulseCli.USAGE_ERROR);
            assertThat(r.err()).contains("chainpulse evaluate: network sizes must be >= 4 validators (a peer "
                    + "comparison needs three healthy nodes): [3]");
        });
    }
}
