package io.chainpulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAScenarioWithFaults() throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, """
                name: incident
                validators: 7
                tps: 200
                block_interval: 1s
                duration: 4m
                seed: 42
                faults:
                  - {kind: slow_validator, node: v3, start: 60s, end: 120s, magnitude: 3}
                  - {kind: tps_collapse, start: 2m, end: 3m, magnitude: 0.1}
                  - {kind: failure_burst, node: v5, start: 150s, end: 210s, magnitude: 0.3}
                """);

        Scenario s = ScenarioFile.load(file);

        assertThat(s.name()).isEqualTo("incident");
        assertThat(s.validators()).isEqualTo(7);
        assertThat(s.duration()).isEqualTo(Duration.ofMinutes(4));
        assertThat(s.faults()).containsExactly(
                new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(60), Duration.ofSeconds(120), 3),
                new Fault(Fault.Kind.TPS_COLLAPSE, null, Duration.ofMinutes(2), Duration.ofMinutes(3), 0.1),
                new Fault(Fault.Kind.FAILURE_BURST, "v5", Duration.ofSeconds(150), Duration.ofSeconds(210), 0.3));
    }

    @Test
    void shouldReportEveryProblemWithFileAndLine() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                name: bad
                validators: seven
                duration: 4 minutes
                colour: red
                faults:
                  - {kind: slow_validator, node: v3, start: 60s, end: 120s, magnitude: 3}
                  - {kind: meteor, node: v1, start: 1s, end: 2s}
                  - {kind: silent_node, node: v2, start: 10s}
                  - {kind: failure_burst, node: v1, start: 1s, end: 2s, magnitude: 30}
                """);

        assertThatThrownBy(() -> ScenarioFile.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(String.join("\n",
                        file + ":2: validators must be a number, got 'seven'",
                        file + ":3: duration: '4 minutes' is not a duration: use a whole number with ms, s, m or h",
                        file + ":4: unknown key 'colour'; known: block_interval, byzantine_fraction, chain_id, duration, faults, name, seed, tps, validators",
                        file + ":7: fault: unknown kind 'meteor'",
                        file + ":8: fault: kind, start and end are required",
                        file + ":9: fault: fault failure_burst magnitude must be a probability in [0, 1]: 30.0"));
    }
}
