package io.chainpulse.anomaly;

import static io.chainpulse.anomaly.Gauges.gauge;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The race seen live (issue 16): a node's resource window closes up to a sample after its protocol window of the same
 * time, so v3's consensus latency of window 11 arrives before its CPU of window 11 — and its CPU of window 10, the
 * window the saturation began in, holds only samples from before it (3.1 %). The production topology in a
 * TopologyTestDriver, record by record: the firing transition waits for v3's resources of its window, and names the
 * cause they show.
 */
class ResourceWaitTopologyTest {
    private static final String[] NODES = {"v1", "v2", "v3", "v4"};
    private static final double GIB = 1L << 30;
    private static final String LATENCY = "consensus_latency_ms";

    private TopologyTestDriver driver;
    private TestInputTopic<String, KpiWindow> in;
    private TestOutputTopic<String, Anomaly> out;

    @BeforeEach
    void start() {
        Map<String, Object> serde = Map.of("schema.registry.url", "mock://resource-wait-test");
        AnomalyTopology.Topics topics = new AnomalyTopology.Topics("kpis", "anomalies", "current",
                AvroSerde.of(KpiWindow.class, serde), AvroSerde.of(Anomaly.class, serde));
        AnomalyConfig config = new AnomalyConfig(Map.of("bootstrap.servers", "x:1", "schema.registry.url", "mock://x"));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "resource-wait-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:1");
        driver = new TopologyTestDriver(AnomalyTopology.build(config.detectors(), topics,
                AnomalyTopology.StoreKind.IN_MEMORY), props);
        in = driver.createInputTopic("kpis", Serdes.String().serializer(), topics.kpiSerde().serializer());
        out = driver.createOutputTopic("anomalies", Serdes.String().deserializer(),
                topics.anomalySerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void pipe(KpiWindow kpi) {
        in.pipeInput(AnomalyReplay.key(kpi), kpi, kpi.getWindowEndMs());
    }

    /** Every node's consensus latency of window {@code w}: v3's 2600 ms from window 10, the others' about 400 ms. */
    private void latencies(int w) {
        for (int n = 0; n < NODES.length; n++) {
            pipe(Kpi.latency(LATENCY, NODES[n], w, NODES[n].equals("v3") && w >= 10 ? 2600 : 400 + 3 * n));
        }
    }

    /** {@code node}'s CPU (max {@code cpuMax}) and memory of window {@code w}. */
    private void resources(String node, int w, double cpuMax) {
        pipe(gauge("cpu_used_pct", node, w, cpuMax - 1, cpuMax));
        pipe(gauge("system_memory_used_bytes", node, w, 1.8 * GIB));
        pipe(gauge("system_memory_available_bytes", node, w, 14.2 * GIB));
    }

    /** Every node's resources of window {@code w}, v3's CPU at {@code v3CpuMax}. */
    private void resources(int w, double v3CpuMax) {
        for (int n = 0; n < NODES.length; n++) {
            resources(NODES[n], w, NODES[n].equals("v3") ? v3CpuMax : 2.5 + 0.1 * n);
        }
    }

    private List<String> published() {
        return out.readValuesToList().stream()
                .map(a -> (a.getWindowStartMs() - Kpi.T0) / Kpi.WINDOW_MS + " "
                + a.getState() + " " + a.getDetector() + " " + a.getNodeId() + ": " + a.getDescription()).toList();
    }

    @Test
    void shouldWaitForTheNodesResourcesOfTheWindowAndNameCpuAsTheCause() {
        for (int w = 0; w <= 10; w++) { // v3's CPU normal up to window 10: its samples came before the saturation
            latencies(w);
            resources(w, 3.1);
        }
        assertThat(published()).isEmpty();   // window 10 is v3's first slow one; the rule fires after 2

        latencies(11);                       // v3's second slow window: the rule fires — and waits for v3's resources
        assertThat(published()).isEmpty();
        resources("v1", 11, 2.5);
        resources("v2", 11, 2.6);
        assertThat(published()).isEmpty();
        pipe(gauge("cpu_used_pct", "v3", 11, 95.1, 96.1)); // v3's CPU of window 11; its memory still to come
        assertThat(published()).isEmpty();
        pipe(gauge("system_memory_used_bytes", "v3", 11, 1.8 * GIB));
        pipe(gauge("system_memory_available_bytes", "v3", 11, 14.2 * GIB));

        // CPU median of v1 2.5, v2 2.6 (window 11), v3 96.1 (11), v4 2.8 (10: within 3 windows) = (2.6 + 2.8) / 2
        assertThat(published()).containsExactly("11 FIRING static_rule v3: p95 consensus latency 2600 ms on v3,"
                + " above 2000 ms; CPU max 96.1 % (network median 2.7 %); memory available 14.2 GiB (network median"
                + " 14.2 GiB) → CPU-bound");

        resources("v4", 11, 2.8);
        latencies(12);
        resources(12, 96.4);
        assertThat(published()).isEmpty(); // the incident simply continues
    }

    @Test
    void shouldReleaseAHeldTransitionOnlyForItsOwnChainsResourcesOfTheNode() {
        for (int w = 0; w <= 10; w++) {
            latencies(w);
            resources(w, 3.1);
        }
        latencies(11); // v3 of the default chain fires and waits for its resources of window 11
        for (String node : NODES) { // a node of the same id on chain beta reports window 11, saturated
            for (KpiWindow kpi : List.of(gauge("cpu_used_pct", node, 11, 96.1),
                    gauge("system_memory_available_bytes", node, 11, 14.2 * GIB))) {
                kpi.setChainId("beta");
                pipe(kpi);
            }
        }
        assertThat(published()).isEmpty(); // not this v3's readings

        resources(11, 3.2);
        assertThat(published()).containsExactly("11 FIRING static_rule v3: p95 consensus latency 2600 ms on v3,"
                + " above 2000 ms; resources normal (CPU max 3.2 % (network median 2.7 %); memory available 14.2 GiB"
                + " (network median 14.2 GiB)) → look at peers and the network");
    }

    @Test
    void shouldWaitThroughABurstOfProtocolWindowsAsAfterARestart() {
        for (int w = 0; w <= 10; w++) {
            latencies(w);
            resources(w, 3.1);
        }
        // a processor that starts behind the nodes publishes protocol windows in a burst, resources after (live: 4)
        latencies(11);
        latencies(12);
        latencies(13);
        assertThat(published()).isEmpty();
        resources(11, 96.1);

        assertThat(published()).containsExactly("11 FIRING static_rule v3: p95 consensus latency 2600 ms on v3,"
                + " above 2000 ms; CPU max 96.1 % (network median 2.7 %); memory available 14.2 GiB (network median"
                + " 14.2 GiB) → CPU-bound");
        resources(12, 96.4);
        resources(13, 96.2);
        assertThat(published()).containsExactly("13 FIRING static_rule v3: p95 machine CPU use of all cores 96.2 %"
                + " on v3, above 90.0 % for 3 windows: the machine is CPU-bound"); // its own rule, not held
    }

    @Test
    void shouldPublishOnceOtherNodesResourcesAreTwoWindowsOnSayingTheNodesWereNotReported() {
        for (int w = 0; w <= 10; w++) {
            latencies(w);
            resources(w, 3.1);
        }
        latencies(11);
        latencies(12);
        for (String node : List.of("v1", "v2", "v4")) { // v3's resource collector stopped after window 10
            resources(node, 11, 2.5);
            resources(node, 12, 2.5);
        }
        assertThat(published()).isEmpty();

        pipe(gauge("cpu_used_pct", "v1", 13, 2.5)); // the resources are two windows past 11 without v3's

        // window 11: T0 + 110 s = 22:15:10 UTC
        assertThat(published()).containsExactly("11 FIRING static_rule v3: p95 consensus latency 2600 ms on v3,"
                + " above 2000 ms; resources of v3 for 22:15:10–22:15:20 UTC not reported");
    }

    @Test
    void shouldPublishAfterThreeWindowsOfWallClockWhenNoResourcesArriveAtAll() {
        for (int w = 0; w <= 10; w++) {
            latencies(w);
            resources(w, 3.1);
        }
        latencies(11); // fires: waits for v3's resources of window 11; then nothing arrives at all
        latencies(12);
        driver.advanceWallClockTime(Duration.ofSeconds(29));
        assertThat(published()).isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // three 10 s windows of wall-clock time

        assertThat(published()).containsExactly("11 FIRING static_rule v3: p95 consensus latency 2600 ms on v3,"
                + " above 2000 ms; resources of v3 for 22:15:10–22:15:20 UTC not reported");
    }

    @Test
    void shouldPublishWhatStillWaitsWhenAReplaysInputEnds() {
        List<KpiWindow> kpis = new java.util.ArrayList<>();
        for (int w = 0; w <= 11; w++) {
            for (int n = 0; n < NODES.length; n++) {
                kpis.add(Kpi.latency(LATENCY, NODES[n], w, NODES[n].equals("v3") && w >= 10 ? 2600 : 400 + 3 * n));
            }
            if (w <= 10) { // the recording's resources end a window before its events
                for (String node : NODES) {
                    kpis.add(gauge("cpu_used_pct", node, w, 2.5));
                }
            }
        }

        assertThat(AnomalyReplay.run(kpis, Map.of())).extracting(Anomaly::getDescription).containsExactly(
                "p95 consensus latency 2600 ms on v3, above 2000 ms; resources of v3 for 22:15:10–22:15:20 UTC not"
                        + " reported");
    }
}
