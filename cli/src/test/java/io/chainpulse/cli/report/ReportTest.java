package io.chainpulse.cli.report;

import static io.chainpulse.cli.report.Kpis.W;
import static io.chainpulse.cli.report.Kpis.anomaly;
import static io.chainpulse.cli.report.Kpis.gauge;
import static io.chainpulse.cli.report.Kpis.latency;
import static io.chainpulse.cli.report.Kpis.rate;
import static io.chainpulse.cli.report.Kpis.repeat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final long T0 = 1_764_470_400_000L; // 2025-11-30T02:40:00Z, a window boundary
    /** Three windows before, three windows in. */
    private static final Period PERIOD = new Period(T0 + 3 * W, T0 + 6 * W);
    private static final String CONSENSUS = "consensus_latency_ms";

    private static Report.Result render(List<KpiWindow> kpis, List<Anomaly> anomalies) {
        return Report.builder("test", PERIOD).build().render(kpis, anomalies);
    }

    /** v1 and v2 steady at 40 ms; v3 at 40 ms, then at 120 ms in the period. 40 samples per window. */
    private static List<KpiWindow> slowV3() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long start = T0 + i * W;
            kpis.add(latency(CONSENSUS, "v1", start, repeat(40, 40)));
            kpis.add(latency(CONSENSUS, "v2", start, repeat(40, 40)));
            kpis.add(latency(CONSENSUS, "v3", start, repeat(i < 3 ? 40 : 120, 40)));
        }
        return kpis;
    }

    @Test
    void shouldFlagTheNodeWhoseP95TripledAndNoOther() {
        Report.Result result = render(slowV3(), List.of());

        // DDSketch answers with its bin's value, within 1%: 40 → 40.0, 120 → 120.3
        assertThat(result.regressions()).extracting(Report.Regression::line)
                .containsExactly("REGRESSION consensus_latency_ms p95 v3: 40.0 ms → 120.3 ms (+200%)");
        assertThat(result.markdown()).contains("## Regressions\n\n1 series with latency p95 up, or mean rate down, by "
                + "more than 20% against the previous period (latency series with at least 100 samples in both "
                + "periods):\n\n- REGRESSION consensus_latency_ms p95 v3: 40.0 ms → 120.3 ms (+200%)\n");
    }

    @Test
    void shouldSayThereAreNoRegressionsWhenNothingGotWorse() {
        List<KpiWindow> steady = slowV3().stream().filter(k -> !k.getNodeId().equals("v3")).toList();

        Report.Result result = render(steady, List.of());

        assertThat(result.regressions()).isEmpty();
        assertThat(result.markdown()).contains("## Regressions\n\nNone: no latency p95 up, or mean rate down, by more "
                + "than 20% against the previous period (latency series with at least 100 samples in both periods).\n");
    }

    @Test
    void shouldMergeTheWindowsSketchesForThePeriodPercentileInsteadOfAveragingWindowPercentiles() {
        // one window holds 1..100, the next 101..200: the period's p95 is the 190th of 200 values, 190 (nearest rank)
        KpiWindow low = latency(CONSENSUS, null, T0 + 3 * W, IntStream.rangeClosed(1, 100).asDoubleStream().toArray());
        KpiWindow high = latency(CONSENSUS, null, T0 + 4 * W, IntStream.rangeClosed(101, 200).asDoubleStream().toArray());

        Summary period = Summary.latency(List.of(low, high));

        assertThat(period.p95()).isCloseTo(190.0, Percentage.withPercentage(1));
        assertThat((low.getP95() + high.getP95()) / 2).as("what averaging would say").isLessThan(150.0);
        assertThat(period.count()).isEqualTo(200);
        assertThat(period.mean()).isCloseTo(100.5, within(1e-9));  // (100 × 50.5 + 100 × 150.5) / 200
        assertThat(period.max()).isEqualTo(200.0);
        assertThat(period.p50()).isCloseTo(100.0, Percentage.withPercentage(1));
        assertThat(period.p99()).isCloseTo(198.0, Percentage.withPercentage(1));
    }

    @Test
    void shouldLeaveOutPercentilesWhenAWindowHasNoSketch() {
        KpiWindow old = KpiWindow.newBuilder(latency(CONSENSUS, null, T0, 10, 20)).setSketch(null).build();

        Summary period = Summary.latency(List.of(old, latency(CONSENSUS, null, T0 + W, 30)));

        assertThat(period.p95()).isNull();
        assertThat(period.count()).isEqualTo(3);
        assertThat(period.mean()).isCloseTo(20.0, within(1e-9));
    }

    @Test
    void shouldFlagARateThatFellByMoreThanTheThresholdButNotOneThatFellByExactlyIt() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            kpis.add(rate("tps", null, T0 + i * W, i < 3 ? 100 : 79));
            kpis.add(rate("tps", "v1", T0 + i * W, i < 3 ? 100 : 80));
        }

        assertThat(render(kpis, List.of()).regressions()).extracting(Report.Regression::line)
                .containsExactly("REGRESSION tps rate network: 100.0/s → 79.0/s (-21%)");
    }

    @Test
    void shouldCountASlotWithoutARateWindowAsZero() {
        // v2 went silent for two of the period's three windows: its mean rate is a third, its minimum 0
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            kpis.add(rate("tx_ingress_tps", "v1", T0 + i * W, 30));
            if (i < 4) {
                kpis.add(rate("tx_ingress_tps", "v2", T0 + i * W, 30));
            }
        }

        Report.Result result = render(kpis, List.of());

        assertThat(result.regressions()).extracting(Report.Regression::line)
                .containsExactly("REGRESSION tx_ingress_tps rate v2: 30.0/s → 10.0/s (-67%)");
        assertThat(result.markdown()).contains("| v2 | 10.0/s | — | — | — | — | — | — |\n");
    }

    @Test
    void shouldFlagANodeWhoseRateWindowsStoppedAltogetherAsAFallToZero() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            kpis.add(rate("tx_ingress_tps", "v1", T0 + i * W, 30));
            if (i < 3) {
                kpis.add(rate("tx_ingress_tps", "v2", T0 + i * W, 30));
            }
        }

        assertThat(render(kpis, List.of()).regressions()).extracting(Report.Regression::line)
                .containsExactly("REGRESSION tx_ingress_tps rate v2: 30.0/s → 0.0/s (-100%)");
    }

    @Test
    void shouldJudgeRatiosOnTheirMeanInTheCatalogsDirectionAndIgnoreAMoveOfAFewPoints() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long start = T0 + i * W;
            // v1 fails 1 in 100 transactions, then 12 in 100: +11 points; v2 1 then 4: +300 % but 3 points
            kpis.add(latency("tx_failure_pct", "v1", start, failures(i < 3 ? 1 : 12, 100)));
            kpis.add(latency("tx_failure_pct", "v2", start, failures(i < 3 ? 1 : 4, 100)));
            // participation falls from 100 % to 75 % of the validators: lower is worse
            kpis.add(latency("vote_participation_pct", null, start, repeat(i < 3 ? 100 : 75, 100)));
            // round changes rise from 0.1/s to 0.3/s: a rate for which higher is worse
            kpis.add(rate("round_changes_per_min", null, start, i < 3 ? 0.1 : 0.3));
        }

        assertThat(render(kpis, List.of()).regressions()).extracting(Report.Regression::line).containsExactly(
                "REGRESSION round_changes_per_min rate network: 0.1/s → 0.3/s (+200%)",
                "REGRESSION tx_failure_pct mean v1: 1.0 % → 12.0 % (+1100%)",
                "REGRESSION vote_participation_pct mean network: 100.0 % → 75.0 % (-25%)");
    }

    /** {@code n} samples of a failure ratio, {@code failed} of them 100. */
    private static double[] failures(int failed, int n) {
        double[] samples = new double[n];
        for (int k = 0; k < failed; k++) {
            samples[k] = 100;
        }
        return samples;
    }

    @Test
    void shouldNotJudgeALatencySeriesWithFewerSamplesThanTheMinimum() {
        List<KpiWindow> kpis = List.of(latency(CONSENSUS, "v1", T0, repeat(40, 99)),
                latency(CONSENSUS, "v1", T0 + 3 * W, repeat(400, 99)));

        assertThat(render(kpis, List.of()).regressions()).isEmpty();
        assertThat(Report.builder("test", PERIOD).minSamples(99).build().render(kpis, List.of()).regressions())
                .hasSize(1);
    }

    @Test
    void shouldUseTheGivenThreshold() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            kpis.add(rate("tps", null, T0 + i * W, i < 3 ? 100 : 90));
        }

        assertThat(Report.builder("test", PERIOD).regressionThreshold(0.05).build().render(kpis, List.of())
                .regressions()).extracting(Report.Regression::line)
                .containsExactly("REGRESSION tps rate network: 100.0/s → 90.0/s (-10%)");
    }

    @Test
    void shouldCountOnlyFinalWindows() {
        List<KpiWindow> kpis = new ArrayList<>(slowV3().stream().filter(k -> !k.getNodeId().equals("v3")).toList());
        kpis.add(KpiWindow.newBuilder(latency(CONSENSUS, "v1", T0 + 4 * W, repeat(900, 50))).setFinal$(false).build());

        Report.Result result = render(kpis, List.of());

        assertThat(result.regressions()).isEmpty();
        assertThat(result.markdown()).doesNotContain("900").contains("- Windows: 6 final KPI windows in the period, "
                + "6 in the previous period\n");
    }

    @Test
    void shouldListTheWorstNodeWindowsByP99WithTheirTimeInUtc() {
        Report.Result result = Report.builder("test", PERIOD).top(2).build().render(slowV3(), List.of());

        assertThat(result.markdown()).contains("## Worst windows\n\nUp to 2 node windows with the highest p99, per "
                + "latency KPI.\n\n| metric | node | window start (UTC) | p99 | p95 | samples |\n"
                + "|---|---|---|---:|---:|---:|\n"
                + "| consensus_latency_ms | v3 | 2025-11-30T02:40:30Z | 120.3 ms | 120.3 ms | 40 |\n"
                + "| consensus_latency_ms | v3 | 2025-11-30T02:40:40Z | 120.3 ms | 120.3 ms | 40 |\n\n");
    }

    @Test
    void shouldLeaveDistributionsAndRatiosOutOfTheWorstWindows() {
        List<KpiWindow> kpis = new ArrayList<>(slowV3());
        kpis.add(latency("leader_share_pct", "v1", T0, 100, 0, 0));
        kpis.add(latency("block_size_bytes", "v2", T0, repeat(50_000, 3)));

        Report.Result result = Report.builder("test", PERIOD).top(2).build().render(kpis, List.of());

        assertThat(result.markdown()).contains("|---|---|---|---:|---:|---:|\n"
                + "| consensus_latency_ms | v3 | 2025-11-30T02:40:30Z | 120.3 ms | 120.3 ms | 40 |\n"
                + "| consensus_latency_ms | v3 | 2025-11-30T02:40:40Z | 120.3 ms | 120.3 ms | 40 |\n\n")
                .doesNotContain("| leader_share_pct | v1 |").doesNotContain("| block_size_bytes | v2 |");
    }

    @Test
    void shouldListIncidentsOverlappingThePeriodWithTheirSuggestedActionAndLeaveOutEarlierOnes() {
        String early = "peer_outlier|network_median_mad|consensus_latency_ms|node|v1|" + T0;
        String v3 = "peer_outlier|network_median_mad|consensus_latency_ms|node|v3|" + (T0 + 3 * W);
        String net = "static_rule|tps_floor|tps|network||" + (T0 + W);
        List<Anomaly> anomalies = List.of(
                anomaly(early, AnomalyState.FIRING, Severity.LOW, "v1", CONSENSUS, T0, T0, List.of("look")),
                anomaly(early, AnomalyState.RESOLVED, Severity.LOW, "v1", CONSENSUS, T0 + 2 * W, T0, List.of()),
                anomaly(net, AnomalyState.FIRING, Severity.MEDIUM, null, "tps", T0 + W, T0 + W, List.of("a|b")),
                anomaly(v3, AnomalyState.FIRING, Severity.HIGH, "v3", CONSENSUS, T0 + 3 * W, T0 + 3 * W,
                        List.of("check v3's CPU", "compare its version")),
                anomaly(v3, AnomalyState.RESOLVED, Severity.HIGH, "v3", CONSENSUS, T0 + 5 * W, T0 + 3 * W, List.of()));

        assertThat(render(slowV3(), anomalies).markdown()).endsWith("## Anomalies\n\n"
                + "| severity | node | metric | detector | started (UTC) | resolved (UTC) | suggested action |\n"
                + "|---|---|---|---|---|---|---|\n"
                + "| HIGH | v3 | consensus_latency_ms | peer_outlier | 2025-11-30T02:40:30Z | 2025-11-30T02:40:50Z | "
                + "check v3's CPU; compare its version |\n"
                + "| MEDIUM | network | tps | peer_outlier | 2025-11-30T02:40:10Z | ongoing | a\\|b |\n");
    }

    @Test
    void shouldWriteTheWholeReportForOneNodeAndTheNetwork() {
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long start = T0 + i * W;
            kpis.add(latency(CONSENSUS, "v1", start, repeat(i < 3 ? 40 : 50, 40)));
            kpis.add(latency(CONSENSUS, null, start, repeat(i < 3 ? 40 : 50, 40)));
            kpis.add(rate("tps", null, start, 100));
        }

        assertThat(render(kpis, List.of()).markdown()).isEqualTo("""
                # ChainPulse performance report

                - Source: test
                - Period: 2025-11-30T02:40:30Z → 2025-11-30T02:41:00Z (30s)
                - Previous period: 2025-11-30T02:40:00Z → 2025-11-30T02:40:30Z (30s)
                - Nodes: v1
                - Windows: 9 final KPI windows in the period, 9 in the previous period

                ## Regressions

                2 series with latency p95 up, or mean rate down, by more than 20% against the previous period \
                (latency series with at least 100 samples in both periods):

                - REGRESSION consensus_latency_ms p95 network: 40.0 ms → 49.9 ms (+25%)
                - REGRESSION consensus_latency_ms p95 v1: 40.0 ms → 49.9 ms (+25%)

                ## Network summary

                | metric | statistic | period | previous | change |
                |---|---|---:|---:|---:|
                | consensus_latency_ms | samples | 120 | 120 | +0% |
                |  | mean | 50.0 ms | 40.0 ms | +25% |
                |  | p50 | 49.9 ms | 40.0 ms | +25% |
                |  | p95 | 49.9 ms | 40.0 ms | +25% |
                |  | p99 | 49.9 ms | 40.0 ms | +25% |
                |  | max | 50.0 ms | 40.0 ms | +25% |
                | tps | mean rate | 100.0/s | 100.0/s | +0% |
                |  | min rate | 100.0/s | 100.0/s | +0% |

                ## Per node

                | node | tx ingress tps | tps | block time p95 | block execution p95 | consensus p95 | propagation p95 | tx validation p95 |
                |---|---:|---:|---:|---:|---:|---:|---:|
                | v1 | — | — | — | — | 49.9 ms | — | — |

                ## Worst windows

                Up to 5 node windows with the highest p99, per latency KPI.

                | metric | node | window start (UTC) | p99 | p95 | samples |
                |---|---|---|---:|---:|---:|
                | consensus_latency_ms | v1 | 2025-11-30T02:40:30Z | 49.9 ms | 49.9 ms | 40 |
                | consensus_latency_ms | v1 | 2025-11-30T02:40:40Z | 49.9 ms | 49.9 ms | 40 |
                | consensus_latency_ms | v1 | 2025-11-30T02:40:50Z | 49.9 ms | 49.9 ms | 40 |

                ## Anomalies

                No anomalies in the period.
                """);
    }

    @Test
    void shouldSummariseEachNodesResourceKpisOverThePeriodOnly() {
        long gib = 1L << 30;
        List<KpiWindow> kpis = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // the previous period: left out of the section
            long start = T0 + i * W;
            kpis.add(gauge("cpu_pct", "v1", start, 99, 99));
            kpis.add(gauge("rss_bytes", "v1", start, 8 * gib, 8 * gib));
            kpis.add(rate("net_rx_bytes_per_s", "v1", start, 1 << 20));
        }
        long w3 = T0 + 3 * W;
        long w4 = T0 + 4 * W;
        long w5 = T0 + 5 * W;
        kpis.add(gauge("cpu_pct", "v1", w3, 20, 30));                     // two samples a window, in time order
        kpis.add(gauge("cpu_pct", "v1", w4, 40, 90));
        kpis.add(gauge("cpu_pct", "v1", w5, 50, 60));                     // last: 60
        kpis.add(gauge("rss_bytes", "v1", w3, gib, gib));
        kpis.add(gauge("rss_bytes", "v1", w4, 1.25 * gib, 1.25 * gib));
        kpis.add(gauge("rss_bytes", "v1", w5, 2 * gib, 1.5 * gib));       // max 2 GiB, last 1.5 GiB
        kpis.add(rate("net_rx_bytes_per_s", "v1", w3, 1536));             // 1.5 KiB/s
        kpis.add(rate("net_rx_bytes_per_s", "v1", w4, 5120));             // 5 KiB/s
        kpis.add(rate("net_rx_bytes_per_s", "v1", w5, 2560));             // 2.5 KiB/s: last
        kpis.add(rate("net_rx_bytes_per_s", null, w5, 9999));             // the network's: no node's row
        for (long start : List.of(w3, w4, w5)) {
            kpis.add(gauge("cpu_pct", "v2", start, 5, 5));                // v2 reports CPU only
        }
        kpis.add(latency(CONSENSUS, "v1", w3, repeat(40, 40)));           // a protocol KPI: not a resource

        String md = render(kpis, List.of()).markdown();

        // cpu_pct v1: the six samples 20 30 40 90 50 60: mean 290 / 6 = 48.3, max 90, p95 at rank 0.95 × (6 − 1) =
        // 4.75 of 20 30 40 50 60 90, so 60: the sketch gives 59.7, within its 1%; rss_bytes v1: 1 1 1.25 1.25 2 1.5 GiB:
        // mean 8 / 6 = 1.3 GiB, p95 the fifth, 1.5 GiB; net_rx v1: mean (1.5 + 5 + 2.5) / 3 = 3 KiB/s, p95 the
        // nearest rank ⌈0.95 × 3⌉ = 3rd of 1.5 2.5 5
        assertThat(md.substring(md.indexOf("## Resources"), md.indexOf("## Worst windows"))).isEqualTo("""
                ## Resources

                Per node over the period, from its resource samples: the latest reading (a gauge's last sample, a \
                byte rate's last window), the mean and the maximum, and the p95 (of a gauge's samples, of a byte \
                rate's windows).

                ### v1

                | resource | last | mean | max | p95 |
                |---|---:|---:|---:|---:|
                | cpu_pct | 60.0 % | 48.3 % | 90.0 % | 59.7 % |
                | rss_bytes | 1.5 GiB | 1.3 GiB | 2.0 GiB | 1.5 GiB |
                | net_rx_bytes_per_s | 2.5 KiB/s | 3.0 KiB/s | 5.0 KiB/s | 5.0 KiB/s |

                ### v2

                | resource | last | mean | max | p95 |
                |---|---:|---:|---:|---:|
                | cpu_pct | 5.0 % | 5.0 % | 5.0 % | 5.0 % |
                | rss_bytes | — | — | — | — |
                | net_rx_bytes_per_s | — | — | — | — |

                """);
        assertThat(md.indexOf("## Resources")).as("after the per-node table").isGreaterThan(md.indexOf("## Per node"));
    }

    @Test
    void shouldWriteNoResourceSectionWithoutResourceWindowsInThePeriod() {
        List<KpiWindow> kpis = new ArrayList<>(slowV3());
        kpis.add(gauge("cpu_pct", "v1", T0, 50, 50)); // the previous period only

        assertThat(render(kpis, List.of()).markdown()).doesNotContain("Resources").contains("## Per node\n");
    }

    @Test
    void shouldRejectSettingsNamingTheValue() {
        Report.Builder builder = Report.builder("test", PERIOD);

        assertThatThrownBy(() -> builder.regressionThreshold(0)).hasMessage("regression threshold must be > 0: 0.0");
        assertThatThrownBy(() -> builder.top(0)).hasMessage("top must be >= 1: 0");
        assertThatThrownBy(() -> builder.minSamples(-1)).hasMessage("minSamples must be >= 0: -1");
    }

    /**
     * Chain beta beside the default chain, with the same node ids: v1 of beta slows from 40 to 120 ms in the period
     * (the default chain's v1 does not), beta's tps falls from 50/s to 20/s (the default chain's holds at 100/s).
     */
    private static List<KpiWindow> twoChains() {
        List<KpiWindow> kpis = new ArrayList<>(slowV3());
        for (int i = 0; i < 6; i++) {
            long start = T0 + i * W;
            kpis.add(beta(latency(CONSENSUS, "v1", start, repeat(i < 3 ? 40 : 120, 40))));
            kpis.add(beta(latency(CONSENSUS, "v3", start, repeat(40, 40))));
            kpis.add(rate("tps", null, start, 100));
            kpis.add(beta(rate("tps", null, start, i < 3 ? 50 : 20)));
        }
        return kpis;
    }

    private static KpiWindow beta(KpiWindow w) {
        w.setChainId("beta");
        return w;
    }

    @Test
    void shouldKeepChainsApartInRegressionsNodesAndNetworkRowsNamingTheChainOffTheDefault() {
        Anomaly onBeta = anomaly("a-beta", AnomalyState.FIRING, Severity.MEDIUM, "v1", CONSENSUS, T0 + 4 * W,
                T0 + 4 * W, List.of());
        onBeta.setChainId("beta");

        Report.Result result = render(twoChains(), List.of(onBeta));

        String md = result.markdown();
        // beta's v1 tripled, the default chain's v3 tripled; the default chain's v1 and beta's v3 held
        assertThat(result.regressions()).extracting(Report.Regression::line).containsExactly(
                "REGRESSION consensus_latency_ms p95 v3: 40.0 ms → 120.3 ms (+200%)",
                "REGRESSION consensus_latency_ms p95 v1 · beta: 40.0 ms → 120.3 ms (+200%)",
                "REGRESSION tps rate network · beta: 50.0/s → 20.0/s (-60%)");
        assertThat(md).contains("- Nodes: v1, v2, v3, v1 · beta, v3 · beta\n");
        assertThat(md).contains("| tps | mean rate | 100.0/s | 100.0/s | +0% |\n|  | min rate | 100.0/s | 100.0/s | +0% |\n"
                + "| tps · beta | mean rate | 20.0/s | 50.0/s | -60% |\n|  | min rate | 20.0/s | 50.0/s | -60% |\n");
        // the per-node table: consensus p95 is the only column with data
        assertThat(md.lines().filter(l -> l.startsWith("| v")).toList()).containsExactly(
                "| v1 | — | — | — | — | 40.0 ms | — | — |",
                "| v2 | — | — | — | — | 40.0 ms | — | — |",
                "| v3 | — | — | — | — | 120.3 ms | — | — |",
                "| v1 · beta | — | — | — | — | 120.3 ms | — | — |",
                "| v3 · beta | — | — | — | — | 40.0 ms | — | — |");
        assertThat(md).contains("| consensus_latency_ms | v1 · beta | 2025-11-30T02:40:30Z | 120.3 ms | 120.3 ms | 40 |\n"
                + "| consensus_latency_ms | v3 | 2025-11-30T02:40:30Z | 120.3 ms | 120.3 ms | 40 |\n");
        assertThat(md).contains("| MEDIUM | v1 · beta | consensus_latency_ms |");
    }

    @Test
    void shouldNameNoChainInAReportOfOneChainOnly() {
        // the simulator's recordings carry chain_id simnet on every event: one chain, the report as before chains
        List<KpiWindow> simnet = slowV3().stream().map(w -> KpiWindow.newBuilder(w).setChainId("simnet").build())
                .toList();

        Report.Result result = render(simnet, List.of());

        assertThat(result.markdown()).isEqualTo(render(slowV3(), List.of()).markdown());
        assertThat(result.regressions()).extracting(Report.Regression::line)
                .containsExactly("REGRESSION consensus_latency_ms p95 v3: 40.0 ms → 120.3 ms (+200%)");
    }
}
