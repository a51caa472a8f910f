package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.serde.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class AnomalyTopologyTest {
    /** A fault must fire within this many windows of its first faulty window. */
    private static final int DETECTION_WINDOWS = 2;
    /**
     * ...and resolve within resolve.windows (3) + 2 windows after its last: the trend rule judges a 3-window
     * average, which needs 2 more windows to forget the fault.
     */
    private static final int RESOLUTION_WINDOWS = 5;

    private static int index(long windowStartMs) {
        return (int) ((windowStartMs - Kpi.T0) / Kpi.WINDOW_MS);
    }

    private static boolean about(Anomaly a, Scenario.Fault f) {
        return a.getMetric().equals(f.metric()) && Objects.equals(a.getNodeId(), f.node())
                && (f.node() == null) == (a.getScope() == KpiScope.network);
    }

    private static String line(Anomaly a) {
        return index(a.getWindowStartMs()) + " " + a.getState() + " " + a.getSeverity() + " " + a.getDetector() + " "
                + a.getMetric() + " " + (a.getNodeId() == null ? "network" : a.getNodeId());
    }

    @Test
    void shouldDetectEveryInjectedFaultOnTheRightNodeAndMetricAndNothingElse() {
        List<Anomaly> transitions = AnomalyReplay.run(Scenario.kpis(), Map.of());
        List<Anomaly> firing = transitions.stream().filter(a -> a.getState() == AnomalyState.FIRING).toList();

        int detected = 0;
        for (Scenario.Fault fault : Scenario.FAULTS) {
            List<Anomaly> hits = firing.stream().filter(a -> about(a, fault)).toList();
            assertThat(hits).as("anomalies for %s", fault.name()).isNotEmpty();
            int firstWindow = hits.stream().mapToInt(a -> index(a.getWindowStartMs())).min().orElseThrow();
            assertThat(firstWindow - fault.from()).as("detection lag of %s", fault.name())
                    .isBetween(0, DETECTION_WINDOWS);
            for (Anomaly hit : hits) {
                assertThat(transitions).as("%s resolves", hit.getAnomalyId())
                        .anySatisfy(r -> {
                            assertThat(r.getAnomalyId()).isEqualTo(hit.getAnomalyId());
                            assertThat(r.getState()).isEqualTo(AnomalyState.RESOLVED);
                            assertThat(index(r.getWindowStartMs())).isBetween(fault.to() + 1,
                                    fault.to() + RESOLUTION_WINDOWS);
                        });
            }
            detected++;
        }
        List<String> unexplained = firing.stream()
                .filter(a -> Scenario.FAULTS.stream().noneMatch(f -> about(a, f)))
                .map(AnomalyTopologyTest::line).toList();

        assertThat(unexplained).as("anomalies on healthy nodes or metrics").isEmpty();
        assertThat(detected).isEqualTo(Scenario.FAULTS.size());
        // what each fault raised, for NOTES-anomaly.md
        System.out.println(transitions.stream().map(AnomalyTopologyTest::line).collect(Collectors.joining("\n")));
    }

    @Test
    void shouldFlagSlowValidatorThreeTimesItsPeersWithinTwoWindowsAndResolveAfterItEnds() {
        List<String> lines = AnomalyReplay.run(Scenario.kpis(), Map.of()).stream()
                .filter(a -> "v3".equals(a.getNodeId())).map(a -> line(a) + " " + a.getCorroboratedBy()).toList();

        // one incident: the peer comparison agrees from the same window, once the window is complete, and joins
        assertThat(lines).containsExactly(
                "26 FIRING CRITICAL baseline consensus_latency_ms v3 []",  // 2nd slow window (fire after 2); ~50 σ
                // 3 clean windows: 32, 33, 34 (the peer comparison's 2 came first)
                "34 RESOLVED CRITICAL baseline consensus_latency_ms v3 [peer_outlier/network_median_mad]");
    }

    @Test
    void shouldDescribeThePeerOutlierWithNodeValueAndRatio() {
        // the baseline, which flags v3 first and would carry the incident, never leaves its warm-up here
        Anomaly peer = AnomalyReplay.run(Scenario.kpis(), Map.of("baseline.warmup.windows", 1000)).stream()
                .filter(a -> a.getDetector().equals("peer_outlier") && a.getState() == AnomalyState.FIRING)
                .findFirst().orElseThrow();

        assertThat(peer.getDescription()).matches("p95 consensus latency \\d+ ms on v3, [23]\\.\\d× the network median "
                + "of \\d+ ms");
        assertThat(peer.getAnomalyId()).isEqualTo("peer_outlier|network_median_mad|consensus_latency_ms|node|v3|"
                + Kpi.w(25));
    }

    @Test
    void shouldGiveHealthyNodesNoAnomalyAfterWarmUp() {
        List<KpiWindow> healthy = Scenario.kpis().stream()
                .filter(k -> k.getWindowStartMs() < Kpi.w(25)).toList();

        assertThat(AnomalyReplay.run(healthy, Map.of())).isEmpty();
    }

    /** The lag and expiry cases below were worked out with three silent windows (the default until 2 was measured). */
    private static final Map<String, Object> THREE_SILENT_WINDOWS = Map.of("liveness.silent.windows", 3);

    @Test
    void shouldFlagSilentNodeOnStreamTimeAndResolveWhenItReportsAgain() {
        List<String> lines = AnomalyReplay.run(Scenario.kpis(), Map.of()).stream()
                .filter(a -> a.getDetector().equals("liveness")).map(AnomalyTopologyTest::line).toList();

        // v8's last window is 55 (ends at 56); at stream time end(57) it has missed 56 and 57: two silent windows.
        assertThat(lines).containsExactly("57 FIRING CRITICAL liveness kpis v8", "61 RESOLVED CRITICAL liveness kpis v8");
    }

    @Test
    void shouldFlagANodeWhoseKpisStartArrivingThreeWindowsLateOnceAndNotFlapWindowAfterWindow() {
        // v1, v3, v4 on time for windows 0..29; v2 on time up to window 9, then each of its windows arrives three
        // windows late (its partition of the processor fell behind) — alive all along.
        List<KpiWindow> arrivals = new ArrayList<>();
        for (int step = 0; step < 30; step++) {
            for (String node : List.of("v1", "v3", "v4")) {
                arrivals.add(Kpi.rate("tx_ingress_tps", node, step, 100));
            }
            int v2Window = step < 10 ? step : step - 3;
            if (step < 10 || v2Window >= 10) {
                arrivals.add(Kpi.rate("tx_ingress_tps", "v2", v2Window, 100));
            }
        }

        List<String> lines = AnomalyReplay.run(arrivals, THREE_SILENT_WINDOWS).stream()
                .filter(a -> a.getDetector().equals("liveness")).map(AnomalyTopologyTest::line).toList();

        // at stream time end(12) v2 has missed 10, 11, 12: flagged once; its late window 10, arriving with window 13,
        // resolves it and teaches the detector its lag of three windows, so the steady lag raises nothing more
        assertThat(lines).containsExactly("12 FIRING CRITICAL liveness kpis v2", "13 RESOLVED CRITICAL liveness kpis v2");
    }

    @Test
    void shouldFlagASilentNodeWhoseLeaderShareOthersStillReport() {
        // v1 and v2 report tx_ingress_tps for windows 0..12; v2 stops after window 5, but the other validators'
        // finalizations still name it leader, so its leader_share_pct goes on: that does not make it alive
        List<KpiWindow> arrivals = new ArrayList<>();
        for (int w = 0; w <= 12; w++) {
            arrivals.add(Kpi.rate("tx_ingress_tps", "v1", w, 100));
            if (w <= 5) {
                arrivals.add(Kpi.rate("tx_ingress_tps", "v2", w, 100));
            }
            for (String node : List.of("v1", "v2")) {
                KpiWindow share = Kpi.latency("leader_share_pct", node, w, 50);
                share.setMean(50.0);
                arrivals.add(share);
            }
        }

        List<String> lines = AnomalyReplay.run(arrivals, THREE_SILENT_WINDOWS).stream()
                .filter(a -> a.getDetector().equals("liveness")).map(AnomalyTopologyTest::line).toList();

        // v2's last own window is 5 (ends at 6): at stream time end(8) it has missed 6, 7, 8
        assertThat(lines).containsExactly("8 FIRING CRITICAL liveness kpis v2");
    }

    @Test
    void shouldForgetANodeSilentForTheNodeExpiryResolvingItsIncidentWithReasonExpired() {
        // v1 reports windows 0..20; v2 reports 0..5, is silent, sends a straggler for window 2 after it was forgotten,
        // comes back for window 15 only, and is silent again
        List<KpiWindow> arrivals = new ArrayList<>();
        for (int w = 0; w <= 20; w++) {
            arrivals.add(Kpi.rate("tx_ingress_tps", "v1", w, 100));
            if (w <= 5 || w == 15) {
                arrivals.add(Kpi.rate("tx_ingress_tps", "v2", w, 100));
            }
            if (w == 13) {
                arrivals.add(Kpi.rate("tx_ingress_tps", "v2", 2, 100));
            }
        }

        List<Anomaly> liveness = AnomalyReplay.run(arrivals, Map.of("node.expiry.ms", 60_000L, "liveness.silent.windows", 3)).stream()
                .filter(a -> a.getDetector().equals("liveness")).toList();

        // v2's last window ends at end(5) = w(6): silent for 3 windows at stream time w(9) (window 8), silent for
        // 60 s = node.expiry.ms at w(12) (window 11): forgotten, its incident resolved as expired. The straggler for
        // window 2 is older than the expiry: ignored. Back for window 15, silent again from w(16): fires at w(19).
        assertThat(liveness).extracting(a -> line(a) + " reason=" + a.getReason()).containsExactly(
                "8 FIRING CRITICAL liveness kpis v2 reason=null",
                "11 RESOLVED CRITICAL liveness kpis v2 reason=expired",
                "18 FIRING CRITICAL liveness kpis v2 reason=null");
        assertThat(liveness.get(1).getAnomalyId()).isEqualTo(liveness.get(0).getAnomalyId());
        assertThat(liveness.get(1).getDescription()).isEqualTo("expired: no KPIs from v2 for 60 s of stream time "
                + "(node.expiry.ms = 60000); v2 is forgotten until it reports again (was: no KPIs from v2 for 5 "
                + "windows (50 s of stream time); node_silent)");
        assertThat(liveness.get(2).getAnomalyId()).isNotEqualTo(liveness.get(0).getAnomalyId());
    }

    @Test
    void shouldFlagTpsCollapseAtNetworkScopeOnly() {
        List<String> lines = AnomalyReplay.run(Scenario.kpis(), Map.of()).stream()
                .filter(a -> a.getMetric().equals("tps")).map(AnomalyTopologyTest::line).toList();

        // the trend rule fires first; the baseline agrees a window later, more severe: the same incident, raised
        assertThat(lines).containsExactly("46 FIRING MEDIUM trend tps network", "47 FIRING CRITICAL trend tps network",
                "56 RESOLVED CRITICAL trend tps network");
    }

    @Test
    void shouldRaiseOneIncidentWhenStaticRuleBaselineAndPeersAgreeOnANodesFailures() {
        // four nodes, 50 transactions a window each, 0 or 1 failed (the healthy 1 %); v2 fails 10 of 50 (20 %) in
        // windows 14..17: the static rule (> 5 %, two windows), the baseline (warm after 12 windows, ~19 σ) and the
        // peer comparison (∞× the median of 1 %) all flag it, in the same windows
        List<KpiWindow> arrivals = new ArrayList<>();
        for (int w = 0; w <= 24; w++) {
            for (String node : List.of("v1", "v2", "v3", "v4")) {
                int failed = node.equals("v2") && w >= 14 && w <= 17 ? 10 : (w + node.hashCode()) % 2;
                arrivals.add(Kpi.ratio("tx_failure_pct", node, w, failed, 50));
            }
        }

        List<Anomaly> out = AnomalyReplay.run(arrivals, Map.of());

        assertThat(out).extracting(a -> line(a) + " " + a.getCorroboratedBy()).containsExactly(
                // v2's window 15: the static rule (MEDIUM) and the baseline (CRITICAL) fire on the same record; the
                // more severe opens the incident and names the other
                "15 FIRING CRITICAL baseline tx_failure_pct v2 [static_rule/tx_failure_pct_node_high]",
                // the peer comparison fires when window 15 is complete (window 16 appeared) and joins silently;
                // it resolves first (2 clean windows: 18, 19), the static rule and the baseline after 3 (18..20)
                "20 RESOLVED CRITICAL baseline tx_failure_pct v2 [static_rule/tx_failure_pct_node_high, "
                        + "peer_outlier/network_median_mad]");
        assertThat(out).extracting(Anomaly::getAnomalyId).containsOnly(
                "baseline|ewma_mean|tx_failure_pct|node|v2|" + Kpi.w(14));
        assertThat(out.get(0).getDescription()).isEqualTo("mean transaction failure rate 20.0 % on v2, 19.0 σ above "
                + "its baseline of 1.0 % (also flagged by static_rule/tx_failure_pct_node_high)");
    }

    @Test
    void shouldKeepOnlyActiveIncidentsInTheCompactedTopicAndIgnoreLiveWindows() {
        Map<String, Object> serde = Map.of("schema.registry.url", "mock://anomaly-topology-test");
        AnomalyTopology.Topics topics = new AnomalyTopology.Topics("kpis", "anomalies", "current",
                AvroSerde.of(KpiWindow.class, serde), AvroSerde.of(io.chainpulse.schema.Anomaly.class, serde));
        AnomalyConfig config = new AnomalyConfig(Map.of("bootstrap.servers", "x:1", "schema.registry.url", "mock://x"));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "anomaly-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:1");
        try (TopologyTestDriver driver = new TopologyTestDriver(AnomalyTopology.build(config.detectors(), topics), props)) {
            TestInputTopic<String, KpiWindow> in = driver.createInputTopic("kpis", Serdes.String().serializer(),
                    topics.kpiSerde().serializer());
            TestOutputTopic<String, Anomaly> current = driver.createOutputTopic("current",
                    Serdes.String().deserializer(), topics.anomalySerde().deserializer());
            KpiWindow live = Kpi.latency("consensus_latency_ms", "v1", 0, 99_999);
            live.setFinal$(false);
            in.pipeInput(AnomalyReplay.key(live), live);
            in.pipeInput(AnomalyReplay.key(live), Kpi.latency("consensus_latency_ms", "v1", 0, 2500));
            in.pipeInput(AnomalyReplay.key(live), Kpi.latency("consensus_latency_ms", "v1", 1, 2500));
            for (int w = 2; w <= 4; w++) {
                in.pipeInput(AnomalyReplay.key(live), Kpi.latency("consensus_latency_ms", "v1", w, 300));
            }
            List<KeyValue<String, Anomaly>> records = new ArrayList<>(current.readKeyValuesToList());
            String id = "static_rule|consensus_latency_p95_high|consensus_latency_ms|node|v1|" + Kpi.w(0);

            assertThat(records).extracting(kv -> kv.key + " " + (kv.value == null ? "tombstone" : kv.value.getState()))
                    .containsExactly(id + " FIRING", id + " tombstone");
        }
    }

    @Test
    void shouldRankANodesSamplesOfTwoWindowsInARowTogetherAcrossRecords() {
        // ten consensus validations a window on four nodes, v4's 1.25× its peers' in windows 0–2: window 0 alone is
        // chance (P = 1.1e-04), window 1 with window 0 is not (P = 6.7e-08, PeerOutlierDetectorTest) and fires; the
        // window before comes from the store, since each window is judged when the next one's records arrive
        double[] peer = java.util.stream.IntStream.range(0, 10).mapToDouble(i -> 40 + 2 * i).toArray();
        double[] slower = java.util.Arrays.stream(peer).map(x -> 1.25 * x).toArray();
        List<KpiWindow> windows = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (String node : List.of("v1", "v2", "v3")) {
                windows.add(Kpi.latency("consensus_latency_ms", node, w, 58.0, peer));
            }
            windows.add(Kpi.latency("consensus_latency_ms", "v4", w, 72.5, slower));
            windows.add(Kpi.latency("consensus_latency_ms", null, w, 60.0));
        }

        List<Anomaly> out = AnomalyReplay.run(windows, Map.of());

        assertThat(out).extracting(AnomalyTopologyTest::line)
                .containsExactly("1 FIRING MEDIUM peer_outlier consensus_latency_ms v4");
        assertThat(out.get(0).getDescription()).contains("20 of its 20 samples of its latest 2 windows")
                .endsWith("rank-sum P = 6.7e-08)");
    }

    /**
     * Windows 0–2 of four nodes' consensus validations (ten a window, 20–65 ms; v4's 1.45× slower) and transaction
     * validations (twelve a window, 2–7.5 ms; v4's 1.4× slower) of chain {@code consensusChain} and
     * {@code txChain}: each alone is chance at peer.location.alpha, both together are not
     * (PeerOutlierDetectorTest).
     */
    private static List<KpiWindow> slowValidations(String consensusChain, String txChain) {
        double[] consensus = java.util.stream.IntStream.range(0, 10).mapToDouble(i -> 20 + 5 * i).toArray();
        double[] tx = java.util.stream.IntStream.range(0, 12).mapToDouble(i -> 2 + 0.5 * i).toArray();
        List<KpiWindow> windows = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            for (String node : List.of("v1", "v2", "v3", "v4")) {
                double factor = node.equals("v4") ? 1.45 : 1;
                windows.add(inChain(consensusChain, Kpi.latency("consensus_latency_ms", node, w, 60.0 * factor,
                        java.util.Arrays.stream(consensus).map(x -> factor * x).toArray())));
            }
            windows.add(inChain(consensusChain, Kpi.latency("consensus_latency_ms", null, w, 60.0)));
            for (String node : List.of("v1", "v2", "v3", "v4")) {
                double factor = node.equals("v4") ? 1.4 : 1;
                windows.add(inChain(txChain, Kpi.latency("tx_validation_ms", node, w, 7.0 * factor,
                        java.util.Arrays.stream(tx).map(x -> factor * x).toArray())));
            }
            windows.add(inChain(txChain, Kpi.latency("tx_validation_ms", null, w, 7.0)));
        }
        return windows;
    }

    private static KpiWindow inChain(String chain, KpiWindow kpi) {
        kpi.setChainId(chain);
        return kpi;
    }

    @Test
    void shouldJudgeANodesValidationTimesTogetherAcrossRecordsInOneTask() {
        // each window's consensus is judged first and keeps its evidence; the transactions of the same window, judged
        // next, find it and fire: from window 1, when 2 windows are in
        List<Anomaly> out = AnomalyReplay.run(slowValidations(null, null), Map.of());

        assertThat(out).extracting(AnomalyTopologyTest::line)
                .containsExactly("1 FIRING MEDIUM peer_outlier tx_validation_ms v4");
        assertThat(out.get(0).getDescription()).contains("rank-sum P = 5.8e-04), and its consensus latency of the "
                + "same windows too (rank-sum P = 3.3e-04): it validates slowly");
        // the same windows, v4's consensus on one chain and its transactions on another: two nodes, nothing
        assertThat(AnomalyReplay.run(slowValidations("alpha", "beta"), Map.of())).isEmpty();
        // a node's validation times meet in one task of the metric repartition
        assertThat(Metrics.partitionKey("tx_validation_ms")).isEqualTo("consensus_latency_ms+tx_validation_ms")
                .isEqualTo(Metrics.partitionKey("consensus_latency_ms"));
        assertThat(Metrics.partitionKey("proposal_to_vote_ms")).isEqualTo("proposal_to_vote_ms");
    }
}
