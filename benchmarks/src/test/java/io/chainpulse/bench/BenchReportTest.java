package io.chainpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.bench.BenchResult.Live;
import io.chainpulse.bench.BenchResult.Machine;
import io.chainpulse.bench.BenchResult.Percentiles;
import io.chainpulse.bench.BenchResult.Setup;
import io.chainpulse.bench.BenchResult.Throughput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
    private static final BenchResult RESULT = new BenchResult(
            new Setup("high-load", 2_000_000, 100, 131, 4, 2, 10_000, 5_000, 512),
            new Throughput(246_234.44, 247_893.0, 88_526.0, 940_862.0, 338_199.0, 9.24, 141_207.5, 2.11, 372_010.0),
            new Live(50_000, 49_871.26, 60.0, 2_992_276, 124_500, 3.84, 4_812, new Percentiles(9_100, 14_200, 15_900, 16_800),
                    new Percentiles(5_400, 6_100, 6_900, 7_300), new Percentiles(5_900, 6_500, 7_100, 7_300), 4_812, 0, new Percentiles(6_300, 7_200, 7_950, 8_400),
                    402.25, 96.44, 731.61),
            new Machine(2, "Intel(R) Xeon(R) CPU @ 2.20GHz", 24_049, "Eclipse Adoptium 17.0.15+6", "Linux 6.8 amd64",
                    List.of(1.42, 2.07)),
            "./chainpulse bench --json bench.json", "2026-11-30T05:00:00Z");

    @Test
    void shouldWriteEveryContractFieldWithItsExactValue() throws Exception {
        JsonNode json = new ObjectMapper().readTree(BenchReport.json(RESULT));

        assertThat(json.get("sdk_events_per_s").decimalValue()).isEqualByComparingTo("246234.4");
        assertThat(json.get("producer_perf_events_per_s").decimalValue()).isEqualByComparingTo("247893.0");
        assertThat(json.get("processor_events_per_s").decimalValue()).isEqualByComparingTo("88526.0");
        assertThat(json.get("consumer_perf_events_per_s").decimalValue()).isEqualByComparingTo("940862.0");
        assertThat(json.get("streams_floor_events_per_s").decimalValue()).isEqualByComparingTo("338199.0");
        assertThat(json.get("processor_to_floor_ratio").decimalValue()).isEqualByComparingTo("0.262");
        assertThat(json.get("processor_to_consumer_ratio").decimalValue()).isEqualByComparingTo("0.094");
        assertThat(json.get("kpi_latency_p99_ms").longValue()).isEqualTo(15_900);
        assertThat(json.get("es_visible_latency_p99_ms").longValue()).isEqualTo(7_950);
        assertThat(json.get("processor_heap_max_mb").decimalValue()).isEqualByComparingTo("402.3");
        assertThat(json.get("processor_start_up_s").decimalValue()).isEqualByComparingTo("9.2");
        assertThat(json.get("processor_processing_events_per_s").decimalValue()).isEqualByComparingTo("141207.5");
        assertThat(json.get("streams_floor_start_up_s").decimalValue()).isEqualByComparingTo("2.1");
        assertThat(json.get("streams_floor_processing_events_per_s").decimalValue()).isEqualByComparingTo("372010.0");
        // 141,207.5 / 372,010 = 0.37958…
        assertThat(json.get("processor_to_floor_processing_ratio").decimalValue()).isEqualByComparingTo("0.380");
    }

    @Test
    void shouldWriteTheExtraFiguresInAFixedOrder() throws Exception {
        JsonNode json = new ObjectMapper().readTree(BenchReport.json(RESULT));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);

        assertThat(names).containsExactly("sdk_events_per_s", "producer_perf_events_per_s", "processor_events_per_s",
                "consumer_perf_events_per_s", "streams_floor_events_per_s", "processor_to_floor_ratio",
                "processor_to_consumer_ratio", "sdk_to_producer_perf_ratio", "processor_start_up_s",
                "processor_processing_events_per_s", "streams_floor_start_up_s",
                "streams_floor_processing_events_per_s", "processor_to_floor_processing_ratio", "kpi_latency_p50_ms",
                "kpi_latency_p95_ms", "kpi_latency_p99_ms", "kpi_latency_max_ms", "kpi_latency_target_ms",
                "kpi_window_close_latency_p50_ms", "kpi_window_close_latency_p95_ms",
                "kpi_window_close_latency_p99_ms", "kpi_network_window_close_latency_p99_ms", "es_visible_latency_p50_ms", "es_visible_latency_p95_ms",
                "es_visible_latency_p99_ms", "processor_heap_max_mb", "processor_heap_after_gc_mb",
                "processor_rss_max_mb", "processor_xmx_mb", "scenario", "events", "nodes", "record_size_bytes",
                "partitions", "stream_threads", "window_size_ms", "grace_ms", "live_rate_target_per_s",
                "live_rate_achieved_per_s", "live_duration_s", "live_events", "live_processor_lag_at_end_events",
                "live_drain_s", "live_final_kpi_records",
                "es_documents", "es_documents_missing", "machine", "command", "started_at");
        assertThat(json.get("kpi_latency_target_ms").longValue()).isEqualTo(17_000);
        assertThat(json.get("sdk_to_producer_perf_ratio").decimalValue()).isEqualByComparingTo("0.993");
        assertThat(json.get("processor_rss_max_mb").decimalValue()).isEqualByComparingTo("731.6");
        assertThat(json.get("machine").toString()).isEqualTo("{\"cores\":2,\"cpu_model\":\"Intel(R) Xeon(R) CPU @ "
                + "2.20GHz\",\"memory_mb\":24049,\"java\":\"Eclipse Adoptium 17.0.15+6\",\"os\":\"Linux 6.8 amd64\","
                + "\"load_average_1m\":[1.42,2.07]}");
    }

    @Test
    void shouldRefuseAFigureThatIsNotANumber() {
        BenchResult broken = new BenchResult(RESULT.setup(), new Throughput(1, 1, 1, 1, 0, 1, 1, 1, 1), RESULT.live(),
                RESULT.machine(), RESULT.command(), RESULT.startedAt());

        assertThatThrownBy(() -> BenchReport.json(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bench figure is not a finite number: Infinity");
    }

    @Test
    void shouldWriteNullForTheOnceRunningRatesOfARunThatEndedAtItsFirstCommit() throws Exception {
        // bench --quick: 20,000 events, and the first commit (its offsets counting transaction markers) covered them all
        StreamsCatchUp.CatchUp small = new StreamsCatchUp.CatchUp("bench-catch-up", 20_000, 7.3, 6.9, 20_213);
        assertThat(small.processingEventsPerSecond()).isNaN();
        assertThat(new StreamsCatchUp.CatchUp("bench-floor", 20_000, 1.6, 1.6, 20_000).processingEventsPerSecond())
                .isNaN();
        assertThat(new StreamsCatchUp.CatchUp("bench-floor", 20_000, 2.0, 1.5, 15_000).processingEventsPerSecond())
                .isEqualTo(10_000.0);
        BenchResult quick = new BenchResult(RESULT.setup(),
                new Throughput(1, 1, 1, 1, 1, 6.9, small.processingEventsPerSecond(), 1.6, Double.NaN), RESULT.live(),
                RESULT.machine(), RESULT.command(), RESULT.startedAt());

        JsonNode json = new ObjectMapper().readTree(BenchReport.json(quick));

        assertThat(json.get("processor_processing_events_per_s").isNull()).isTrue();
        assertThat(json.get("streams_floor_processing_events_per_s").isNull()).isTrue();
        assertThat(json.get("processor_to_floor_processing_ratio").isNull()).isTrue();
        assertThat(json.get("processor_start_up_s").decimalValue()).isEqualByComparingTo("6.9");
    }

    @Test
    void shouldTabulateFiguresRatiosTargetsAndTheMachineInMarkdown() {
        String md = BenchReport.markdown(RESULT);

        assertThat(md).contains("Command: `./chainpulse bench --json bench.json`\n");
        assertThat(md).contains("Machine: 2 cores, Intel(R) Xeon(R) CPU @ 2.20GHz, 24,049 MiB, Java Eclipse Adoptium "
                + "17.0.15+6, Linux 6.8 amd64; 1-minute load average 1.42 at start, 2.07 at the end");
        assertThat(md).contains("| ChainPulse SDK, record → acknowledged by the broker | 246,234 |\n"
                + "| Kafka ProducerPerformance, same record count and size (lz4, linger 5 ms, acks=all) | 247,893 |\n"
                + "| ChainPulse processor catch-up, all KPI topologies | 88,526 |\n"
                + "| bare Kafka Streams floor (groupByKey + 10 s count) | 338,199 |\n"
                + "| Kafka ConsumerPerformance | 940,862 |\n");
        assertThat(md).contains("| SDK / ProducerPerformance | 0.99 |\n| processor / Streams floor | 0.26 |\n"
                + "| processor / ConsumerPerformance | 0.09 |\n");
        assertThat(md).contains("When the paced load ended the processor was 124,500 events behind (2.5 s of load at "
                + "the achieved rate); it had committed all of its input 3.8 s later.");
        assertThat(md).contains("| event timestamp → final KPI record (over the samples of each window) | 9,100 ms "
                + "| 14,200 ms | 15,900 ms | 16,800 ms |\n");
        assertThat(md).contains("| window end → final network-scope KPI record | 5,900 ms | 6,500 ms | 7,100 ms "
                + "| 7,300 ms |\n");
        assertThat(md).contains("| window end → KPI document searchable in Elasticsearch | 6,300 ms | 7,200 ms "
                + "| 7,950 ms | 8,400 ms |\n");
        assertThat(md).contains("Target: event → final KPI p99 ≤ window + grace + 2 s = 17,000 ms: **met** (15,900 ms).");
        assertThat(md).contains("| heap used, max of 1 s samples (garbage included) | 402.3 |\n");
        assertThat(md).contains("| resident set size, peak (VmHWM) | 731.6 |\n");
        assertThat(md).contains("Target: heap ≤ 512 MiB with 100 nodes: **met**.");
    }

    @Test
    void shouldWriteReportChartsAndJsonFiles(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/figures.json");

        BenchReport.write(RESULT, dir.resolve("results"), json);

        for (String file : List.of("report.md", "bench.json", "throughput.png", "throughput.svg", "latency.png",
                "latency.svg")) {
            assertThat(dir.resolve("results").resolve(file)).isNotEmptyFile();
        }
        assertThat(Files.readAllBytes(dir.resolve("results/throughput.png"))).startsWith(0x89, 'P', 'N', 'G');
        assertThat(Files.readString(dir.resolve("results/latency.svg"))).contains("<svg");
        assertThat(Files.readString(json)).isEqualTo(BenchReport.json(RESULT));
    }

    @Test
    void shouldSumTheHeapPoolsOfPrometheusText() {
        String exposition = """
                # HELP jvm_memory_used_bytes The amount of used memory
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space",service="processor"} 4.194304E7
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen",service="processor"} 1.048576E8
                jvm_memory_used_bytes{area="heap",id="G1 Survivor Space",service="processor"} 2097152.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace",service="processor"} 5.0E7
                jvm_memory_max_bytes{area="heap",id="G1 Old Gen",service="processor"} 5.36870912E8
                """;

        assertThat(ProcessorChild.heapUsedBytes(exposition)).isEqualTo(148_897_792.0);
    }

    @Test
    void shouldReportEveryBadOptionAtOnce() {
        assertThatThrownBy(() -> new BenchRun.Options("high-load", 10, 0, 50, Duration.ofSeconds(20), 10_000, 5_000,
                List.of(), "cmd")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--events must be >= 1000: 10; --nodes must be >= 1: 0; --live-rate must be >= 100 "
                        + "events/s: 50; --live-duration must be at least 3 × (window + grace) = 45 s, so that "
                        + "windows close during it: 20 s");
    }

    /** RESULT with three cost runs: the eight at 150,000 and 156,000 events/s once running, eight + gas_per_s 140,000. */
    private static BenchResult withCosts() {
        List<String> eight = KpiCosts.EIGHT.stream().map(io.chainpulse.schema.catalog.Kpi::metric).toList();
        List<String> gas = new ArrayList<>(eight);
        gas.add("gas_per_s");
        return new BenchResult(RESULT.setup(), RESULT.throughput(), RESULT.live(), RESULT.machine(),
                "./chainpulse bench --kpi-costs", RESULT.startedAt(), List.of(
                        new BenchResult.KpiCost("eight, run 1", true, eight, 120_000.04, 4.25, 150_000.0),
                        new BenchResult.KpiCost("eight + gas_per_s", false, gas, 110_000.0, 4.0, 140_000.0),
                        new BenchResult.KpiCost("eight, run 2", true, eight, 125_000.0, 3.5, 156_000.0)));
    }

    @Test
    void shouldTabulateEachKpisCostAgainstTheMeanOfTheEightsRunsWithTheirSpreadAsNoise() {
        String md = BenchReport.markdown(withCosts());

        // baseline (150,000 + 156,000) / 2 = 153,000; noise 6,000 / 153,000 = 3.9 %; gas 13,000 / 153,000 = 8.5 %;
        // all KPIs (the main catch-up, 141,207.5 once running) 11,792.5 / 153,000 = 7.7 %
        assertThat(md).contains("## What each KPI costs (processor catch-up, same events, same run)\n\n"
                + "| configuration | events/s, start-up included | start-up s | events/s once running "
                + "| cost, % of the eight's throughput |\n|---|---:|---:|---:|---:|\n"
                + "| eight, run 1 | 120,000 | 4.3 | 150,000 | (baseline) |\n"
                + "| eight + gas_per_s | 110,000 | 4.0 | 140,000 | 8.5 % |\n"
                + "| eight, run 2 | 125,000 | 3.5 | 156,000 | (baseline) |\n"
                + "| all KPIs | 88,526 | 9.2 | 141,208 | 7.7 % |\n"
                + "| bare Kafka Streams floor | 338,199 | 2.1 | 372,010 | |\n"
                + "| Kafka ConsumerPerformance | 940,862 | | | |\n\n"
                + "The eight: tx_ingress_tps, tps, block_time_ms, block_creation_ms, block_execution_ms, "
                + "consensus_latency_ms, propagation_delay_ms, tx_validation_ms. Baseline: the mean of the eight's runs, "
                + "153,000 events/s (once running where measured); noise: those runs differ by 3.9 % of it, so a cost "
                + "within that is not told apart from none.");
        assertThat(BenchReport.markdown(RESULT)).doesNotContain("What each KPI costs");
    }

    @Test
    void shouldWriteTheCostsAfterEveryExistingFieldOnlyWhenMeasured() throws Exception {
        JsonNode json = new ObjectMapper().readTree(BenchReport.json(withCosts()));
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);

        assertThat(names.subList(names.size() - 4, names.size())).containsExactly("started_at",
                "kpi_cost_baseline_events_per_s", "kpi_cost_noise_pct", "kpi_costs");
        assertThat(json.get("kpi_cost_baseline_events_per_s").decimalValue()).isEqualByComparingTo("153000.0");
        assertThat(json.get("kpi_cost_noise_pct").decimalValue()).isEqualByComparingTo("3.9");
        assertThat(json.get("kpi_costs")).hasSize(4);
        assertThat(json.get("kpi_costs").get(1).toString()).isEqualTo("{\"configuration\":\"eight + gas_per_s\","
                + "\"baseline\":false,\"kpis\":[\"tx_ingress_tps\",\"tps\",\"block_time_ms\",\"block_creation_ms\","
                + "\"block_execution_ms\",\"consensus_latency_ms\",\"propagation_delay_ms\",\"tx_validation_ms\","
                + "\"gas_per_s\"],\"events_per_s\":110000.0,\"start_up_s\":4.0,\"processing_events_per_s\":140000.0,"
                + "\"cost_pct\":8.5}");
        assertThat(json.get("kpi_costs").get(3).get("configuration").textValue()).isEqualTo("all KPIs");
        assertThat(json.get("kpi_costs").get(3).get("cost_pct").decimalValue()).isEqualByComparingTo("7.7");
        assertThat(new ObjectMapper().readTree(BenchReport.json(RESULT)).has("kpi_costs")).isFalse();
    }

    @Test
    void shouldCompareEachConfigurationWithTheRunsOfTheEightNextToItInTime() {
        List<String> eight = KpiCosts.EIGHT.stream().map(io.chainpulse.schema.catalog.Kpi::metric).toList();
        BenchResult.KpiCost x = new BenchResult.KpiCost("eight + x", false, eight, 1.0, 1.0, 90_000.0);
        BenchResult.KpiCost y = new BenchResult.KpiCost("eight + y", false, eight, 1.0, 1.0, 150_000.0);
        BenchResult r = new BenchResult(RESULT.setup(), RESULT.throughput(), RESULT.live(), RESULT.machine(),
                "./chainpulse bench --kpi-costs", RESULT.startedAt(), List.of(
                        new BenchResult.KpiCost("eight, run 1", true, eight, 1.0, 1.0, 100_000.0), x,
                        new BenchResult.KpiCost("eight, run 2", true, eight, 1.0, 1.0, 200_000.0), y,
                        new BenchResult.KpiCost("eight, run 3", true, eight, 1.0, 1.0, 200_000.0)));

        // x against (100,000 + 200,000) / 2 = 150,000: 40 %; y against (200,000 + 200,000) / 2: 25 %; noise 100,000
        // of the mean 166,666.7 = 60 %
        assertThat(r.kpiCostPct(x)).isCloseTo(40.0, within(1e-9));
        assertThat(r.kpiCostPct(y)).isCloseTo(25.0, within(1e-9));
        assertThat(r.kpiCostNoisePct()).isCloseTo(60.0, within(1e-9));
    }

    @Test
    void shouldRunTheEightTheEightWithEachNewerKpiAndTheEightAgain() {
        // the newer KPIs in catalog order (derived from it: a KPI added to the catalog is measured too)
        assertThat(KpiCosts.names()).containsExactly("eight, run 1", "eight + vote_to_commit_ms",
                "eight, run 2", "eight + block_packing_ms", "eight, run 3", "eight + tx_failure_pct", "eight, run 4",
                "eight + consensus_failure_pct", "eight, run 5", "eight + validation_failure_pct", "eight, run 6",
                "eight + gas_per_s", "eight, run 7", "eight + block_gas_used", "eight, run 8",
                "eight + block_size_bytes", "eight, run 9", "eight + leader_share_pct", "eight, run 10",
                "eight + proposal_to_vote_ms", "eight, run 11", "eight + consensus_rounds + round_changes_per_min",
                "eight, run 12", "eight + vote_participation_pct", "eight, run 13", "eight + conflicting_votes",
                "eight, run 14", "eight + the resource KPIs (17)", "eight, run 15");
        // every KPI of the catalog is in the eight or in one added group, once
        List<io.chainpulse.schema.catalog.Kpi> covered = new ArrayList<>(KpiCosts.EIGHT);
        KpiCosts.ADDED.forEach(covered::addAll);
        assertThat(covered).containsExactlyInAnyOrder(io.chainpulse.schema.catalog.Kpi.values());
    }
}
