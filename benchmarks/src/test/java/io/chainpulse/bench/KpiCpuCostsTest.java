package io.chainpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.catalog.Kpi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class KpiCpuCostsTest {
    private static final List<String> EIGHT = KpiCosts.EIGHT.stream().map(Kpi::metric).toList();

    @Test
    void shouldGiveTheMeanAndItsNinetyFivePercentIntervalByStudentsT() {
        // mean 13, sample sd √(20/3) = 2.58199, t(3) = 3.182: 3.182 × 2.58199 / 2 = 4.10794
        Stats.Interval i = Stats.mean(new double[] {10, 12, 14, 16});

        assertThat(i.mean()).isEqualTo(13.0);
        assertThat(i.halfWidth()).isCloseTo(4.107944, within(1e-6));
        assertThat(Stats.t95(1)).isEqualTo(12.706);
        assertThat(Stats.t95(30)).isEqualTo(2.042);
        assertThat(Stats.t95(35)).isEqualTo(2.042);
        assertThat(Stats.t95(500)).isEqualTo(1.980);
        assertThatThrownBy(() -> Stats.mean(new double[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a confidence interval needs at least two values: 1");
    }

    @Test
    void shouldPairEachRoundWithTheEightOfTheSameRound() {
        KpiCpuCosts.Configuration gas = new KpiCpuCosts.Configuration("eight + gas_per_s",
                Stream.concat(KpiCosts.EIGHT.stream(), Stream.of(Kpi.GAS_PER_S)).toList());

        KpiCpuCosts.Cost cost = KpiCpuCosts.cost(gas, new double[] {110, 120, 130}, new double[] {100, 100, 120});

        assertThat(cost.cpuNsPerEvent()).isEqualTo(120.0);
        assertThat(cost.cpuNsPerEventCi()).isCloseTo(24.843382, within(1e-6)); // sd 10, t(2) 4.303: 4.303 × 10 / √3
        // differences 10, 20, 10: mean 13.333, sd 5.7735 → ± 4.303 × 5.7735 / √3 = 14.3433
        assertThat(cost.overEightNs()).isCloseTo(13.333333, within(1e-6));
        assertThat(cost.overEightNsCi()).isCloseTo(14.343333, within(1e-6));
        // ratios 10 %, 20 %, 8.333 %: mean 12.778 ± 15.676
        assertThat(cost.overEightPct()).isCloseTo(12.777778, within(1e-6));
        assertThat(cost.overEightPctCi()).isCloseTo(15.675921, within(1e-6));
        assertThat(cost.kpis()).endsWith("gas_per_s").hasSize(9);

        KpiCpuCosts.Cost eight = KpiCpuCosts.cost(new KpiCpuCosts.Configuration("eight", KpiCosts.EIGHT),
                new double[] {100, 100, 120}, new double[] {100, 100, 120});
        assertThat(eight.overEightNs()).isNaN();
        assertThat(eight.overEightPct()).isNaN();
    }

    @Test
    void shouldMeasureTheEightEachNewerKpiAndAllDerivedFromTheCatalog() {
        List<String> names = KpiCpuCosts.configurations().stream().map(KpiCpuCosts.Configuration::name).toList();

        assertThat(names).containsExactly("eight", "eight + vote_to_commit_ms", "eight + block_packing_ms",
                "eight + tx_failure_pct", "eight + consensus_failure_pct", "eight + validation_failure_pct",
                "eight + gas_per_s", "eight + block_gas_used", "eight + block_size_bytes", "eight + leader_share_pct",
                "eight + proposal_to_vote_ms", "eight + consensus_rounds + round_changes_per_min",
                "eight + vote_participation_pct", "eight + conflicting_votes", "eight + the resource KPIs (17)",
                "all KPIs");
        assertThat(KpiCpuCosts.configurations().get(names.size() - 1).kpis()).containsExactly(Kpi.values());
        // every KPI of the catalog is in the eight or in exactly one added group
        List<Kpi> covered = new ArrayList<>(KpiCosts.EIGHT);
        KpiCosts.ADDED.forEach(covered::addAll);
        assertThat(covered).containsExactlyInAnyOrder(Kpi.values());
    }

    @Test
    void shouldWriteTheTableAndTheJsonFieldsWithTheirExactValues() throws Exception {
        KpiCpuCosts.Result result = new KpiCpuCosts.Result("baseline", 4, 123_456, 144, 10, 2, "rocksdb", List.of(
                new KpiCpuCosts.Cost("eight", EIGHT, 2_345.67, 40.04, Double.NaN, Double.NaN, Double.NaN, Double.NaN),
                new KpiCpuCosts.Cost("eight + gas_per_s", List.of("gas_per_s"), 2_500.0, 38.25, 154.33, 12.06,
                        6.58, 0.54),
                new KpiCpuCosts.Cost("all KPIs", List.of("tps"), 3_100.5, 51.0, 754.83, 30.55, 32.18, 1.04)));

        assertThat(KpiCpuCosts.markdown(result)).isEqualTo("""
                | configuration | CPU ns/event | over the eight, ns/event | over the eight, % |
                |---|---:|---:|---:|
                | eight | 2,346 ± 40 | (baseline) | (baseline) |
                | eight + gas_per_s | 2,500 ± 38 | 154 ± 12 | 6.6 ± 0.5 |
                | all KPIs | 3,101 ± 51 | 755 ± 31 | 32.2 ± 1.0 |

                In process, no broker: the production KPI topology (rocksdb stores) in a TopologyTestDriver, fed the \
                same 123,456 events and 144 resource samples (scenario `baseline`, 4 nodes); CPU time of the thread \
                running it, per event, from the first event to the last window flushed. 10 rounds, each configuration \
                once per round in a rotated order, after 2 warm-up rounds; ± is the 95 % confidence interval of the \
                mean over the rounds, the costs paired with the eight of the same round. The driver runs the \
                topology as one task and commits after every record, flushing every selected store: the absolute \
                figures are above the service's, and a store-heavy KPI's cost is an upper bound; compare them with \
                one another.
                """);

        JsonNode json = new ObjectMapper().valueToTree(BenchReport.cpuCosts(result));
        assertThat(json.get("events").longValue()).isEqualTo(123_456);
        assertThat(json.get("resource_samples").longValue()).isEqualTo(144);
        assertThat(json.get("rounds").intValue()).isEqualTo(10);
        assertThat(json.get("state_stores").textValue()).isEqualTo("rocksdb");
        JsonNode eight = json.get("configurations").get(0);
        assertThat(eight.get("cpu_ns_per_event").decimalValue()).isEqualByComparingTo("2345.7");
        assertThat(eight.get("cpu_ns_per_event_ci").decimalValue()).isEqualByComparingTo("40.0");
        assertThat(eight.get("over_eight_pct").isNull()).isTrue();
        JsonNode gas = json.get("configurations").get(1);
        assertThat(gas.get("configuration").textValue()).isEqualTo("eight + gas_per_s");
        assertThat(gas.get("over_eight_ns_per_event").decimalValue()).isEqualByComparingTo("154.3");
        assertThat(gas.get("over_eight_ns_per_event_ci").decimalValue()).isEqualByComparingTo("12.1");
        assertThat(gas.get("over_eight_pct").decimalValue()).isEqualByComparingTo("6.6");
        assertThat(gas.get("over_eight_pct_ci").decimalValue()).isEqualByComparingTo("0.5");
    }

    @Test
    void shouldNameEveryBadOption() {
        assertThatThrownBy(() -> new KpiCpuCosts.Options("baseline", 0, Duration.ofSeconds(5), 1, -1, "disk"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodes must be >= 1: 0; seconds must be >= 10: 5; rounds must be >= 2 (a confidence "
                        + "interval needs two): 1; warmUps must be >= 0: -1; stores must be rocksdb or in_memory: disk");
    }
}
