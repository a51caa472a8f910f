package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two chains in one KPI stream, with the same node ids and, window by window, the same values, except that chain
 * {@code beta}'s TPS collapses to 20 % in windows 46–51: the default chain (windows without {@code chain_id}) is
 * healthy. Detection state is per chain, so only beta's network raises an incident, and it names beta.
 */
class ChainsAnomalyTest {
    private static final String BETA = "beta";
    private static final String[] NODES = {"v1", "v2", "v3", "v4"};

    @Test
    void shouldFlagATpsCollapseOnTheChainItHappensOnOnlyAndNameThatChain() {
        List<Anomaly> transitions = AnomalyReplay.run(twoChains(), Map.of());

        assertThat(transitions).extracting(a -> a.getChainId() + " " + line(a)).containsExactly(
                "beta 46 FIRING MEDIUM trend tps network",
                "beta 47 FIRING CRITICAL trend tps network",
                "beta 56 RESOLVED CRITICAL trend tps network");
        Anomaly first = transitions.get(0);
        assertThat(first.getAnomalyId()).isEqualTo("trend|below_history|tps|network||beta|" + Kpi.w(46));
        assertThat(first.getDescription()).startsWith("chain beta: ");
        assertThat(transitions.get(2).getDescription()).startsWith("resolved after ").contains("(was: chain beta: ");
        assertThat(AnomalyJson.write(first)).contains("\"node_id\": null, \"chain_id\": \"beta\", \"window_start_ms\"");
        assertThat(AnomalyJson.parse(AnomalyJson.write(first)).getChainId()).isEqualTo(BETA);
    }

    @Test
    void shouldRaiseTheSameIncidentsOnEitherChainWhenTheCollapseIsOnTheDefaultChain() {
        // the mirror image: the default chain's incident is spelled exactly as before chains (no chain in id or text)
        List<Anomaly> transitions = AnomalyReplay.run(twoChains(null), Map.of());

        assertThat(transitions).extracting(a -> a.getChainId() + " " + line(a)).containsExactly(
                "null 46 FIRING MEDIUM trend tps network",
                "null 47 FIRING CRITICAL trend tps network",
                "null 56 RESOLVED CRITICAL trend tps network");
        assertThat(transitions.get(0).getAnomalyId()).isEqualTo("trend|below_history|tps|network||" + Kpi.w(46));
        assertThat(transitions.get(0).getDescription()).doesNotContain("chain");
    }

    private static List<KpiWindow> twoChains() {
        return twoChains(BETA);
    }

    /**
     * Windows 0–69 of node and network {@code tps} on the default chain and on beta, interleaved window by window; the
     * chain {@code collapsing} (null: the default) drops to 20 % in windows 46–51. Each chain draws the same noise.
     */
    private static List<KpiWindow> twoChains(String collapsing) {
        Random defaultNoise = new Random(42);
        Random betaNoise = new Random(42);
        List<KpiWindow> out = new ArrayList<>();
        for (int w = 0; w < 70; w++) {
            out.addAll(window(w, null, defaultNoise, collapsing == null));
            out.addAll(window(w, BETA, betaNoise, BETA.equals(collapsing)));
        }
        return out;
    }

    private static List<KpiWindow> window(int w, String chain, Random noise, boolean collapses) {
        double networkTps = 200 * (1 + 0.03 * noise.nextGaussian()) * (collapses && w >= 46 && w <= 51 ? 0.2 : 1);
        List<KpiWindow> out = new ArrayList<>();
        for (String node : NODES) {
            out.add(Kpi.rate("tps", node, w, networkTps * (1 + 0.01 * noise.nextGaussian())));
        }
        out.add(Kpi.rate("tps", null, w, networkTps));
        out.forEach(k -> k.setChainId(chain));
        return out;
    }

    private static String line(Anomaly a) {
        return (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " " + a.getState() + " " + a.getSeverity() + " "
                + a.getDetector() + " " + a.getMetric() + " " + (a.getNodeId() == null ? "network" : a.getNodeId());
    }
}
