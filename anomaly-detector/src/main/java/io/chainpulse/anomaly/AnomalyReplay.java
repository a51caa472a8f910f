package io.chainpulse.anomaly;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.serde.AvroSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Runs the production anomaly topology over recorded KPI windows, without Kafka: for {@code ./chainpulse analyze}
 * and tests. The result is exactly what the application would publish on the anomaly topic for the same input.
 *
 * <pre>{@code
 * List<Anomaly> transitions = AnomalyReplay.run(kpiWindows, Map.of());   // shipped defaults
 * Files.write(dir.resolve("anomalies.jsonl"), transitions.stream().map(AnomalyJson::write).toList());
 * }</pre>
 */
public final class AnomalyReplay {

    /** Wall-clock time passed when the input ends: longer than any wait of {@link ResourceWait}. */
    private static final java.time.Duration REPLAY_END = java.time.Duration.ofDays(1);

    private AnomalyReplay() {}

    /**
     * @param kpis     KPI windows in the order the KPI topic would hold them (live ones are ignored)
     * @param settings {@link AnomalyConfig} keys; bootstrap servers and registry are not needed
     */
    public static List<Anomaly> run(List<KpiWindow> kpis, Map<String, ?> settings) {
        Map<String, Object> values = new HashMap<>(settings);
        values.putIfAbsent(AnomalyConfig.BOOTSTRAP_SERVERS, "replay:9092");
        values.putIfAbsent(AnomalyConfig.SCHEMA_REGISTRY_URL, "mock://anomaly-replay-" + UUID.randomUUID());
        AnomalyConfig config = new AnomalyConfig(values);
        Map<String, Object> serdeConfig = Map.of("schema.registry.url", config.getString(AnomalyConfig.SCHEMA_REGISTRY_URL));
        AnomalyTopology.Topics topics = new AnomalyTopology.Topics(config.getString(AnomalyConfig.KPI_TOPIC),
                config.getString(AnomalyConfig.ANOMALY_TOPIC), config.getString(AnomalyConfig.ANOMALY_CURRENT_TOPIC),
                AvroSerde.of(KpiWindow.class, serdeConfig), AvroSerde.of(Anomaly.class, serdeConfig));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(AnomalyConfig.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay:9092");
        // a directory of its own: two replays at once (two analyze runs, parallel tests) would fight over locks
        Path stateDir = temporaryStateDir();
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                AnomalyTopology.build(config.detectors(), topics, AnomalyTopology.StoreKind.IN_MEMORY), props)) {
            TestInputTopic<String, KpiWindow> in = driver.createInputTopic(topics.kpis(), Serdes.String().serializer(),
                    topics.kpiSerde().serializer());
            TestOutputTopic<String, Anomaly> out = driver.createOutputTopic(topics.anomalies(),
                    Serdes.String().deserializer(), topics.anomalySerde().deserializer());
            for (KpiWindow kpi : kpis) {
                in.pipeInput(key(kpi), kpi, kpi.getWindowEndMs());
            }
            // the input ends: a transition still waiting for its node's resources goes out as after the service's
            // wall-clock bound (ResourceWait); the driver's wall clock stood still until now
            driver.advanceWallClockTime(REPLAY_END);
            return out.readValuesToList();
        } finally {
            deleteQuietly(stateDir);
        }
    }

    private static Path temporaryStateDir() {
        try {
            return Files.createTempDirectory("chainpulse-anomaly-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory for the anomaly replay", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /** The KPI topic's record key: {@code metric|scope|node_id|window_start_ms}, then {@code |chain_id} when set. */
    public static String key(KpiWindow kpi) {
        return kpi.getMetric() + '|' + kpi.getScope() + '|'
                + (kpi.getScope() == KpiScope.network || kpi.getNodeId() == null ? "" : kpi.getNodeId()) + '|'
                + kpi.getWindowStartMs() + (kpi.getChainId() == null ? "" : "|" + kpi.getChainId());
    }
}
