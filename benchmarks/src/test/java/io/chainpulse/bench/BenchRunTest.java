package io.chainpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchRunTest {

    @Test
    void shouldSizeTheScenarioToTheRequestedEventRate() throws Exception {
        Scenario base = BenchRun.scenario("high-load", 100);
        BenchRun.RateModel model = BenchRun.RateModel.calibrate(base);

        Scenario sized = model.sized(base, 20_000, Duration.ofSeconds(10));
        long[] events = {0};
        new NetworkSimulator(sized, 0).run(e -> events[0]++);

        assertThat(sized.validators()).isEqualTo(100);
        assertThat(events[0] / 10.0).isBetween(19_400.0, 20_600.0);
    }

    @Test
    void shouldKeepTheScenarioButUseTheRequestedNodes() throws Exception {
        Scenario partition = BenchRun.scenario("partition", 100);

        assertThat(partition.validators()).isEqualTo(100);
        assertThat(partition.faults()).isEqualTo(Scenario.builtIn("partition").faults());
    }

    @Test
    void shouldMeasureTheKpiCpuCostsInFullUnlessTheCatchUpsAreASmokeRun() {
        List<String> process = List.of("io.chainpulse.cli.ChainPulseCli", "process");

        assertThat(BenchRun.cpuCostOptions(BenchRun.defaults(false, process, "bench")))
                .isEqualTo(new KpiCpuCosts.Options("baseline", 4, Duration.ofMinutes(2), 8, 2, "in_memory"));
        assertThat(BenchRun.cpuCostOptions(BenchRun.defaults(true, process, "bench --quick")))
                .isEqualTo(new KpiCpuCosts.Options("baseline", 4, Duration.ofSeconds(30), 2, 1, "in_memory"));
    }

    @Test
    void shouldNameAnUnknownScenarioAndTheBuiltInOnes() {
        assertThatThrownBy(() -> BenchRun.scenario("heavy", 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--scenario 'heavy' is neither a built-in scenario (baseline, byzantine, high-load, "
                        + "partition) nor a YAML file");
    }
}
