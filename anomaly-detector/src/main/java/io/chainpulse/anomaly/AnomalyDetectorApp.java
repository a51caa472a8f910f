package io.chainpulse.anomaly;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.streams.BrokerOutages;
import io.chainpulse.schema.streams.FatalErrors;
import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterHandler;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.serde.AvroSerde;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anomaly detector as a running Kafka Streams application: builds {@link AnomalyTopology} from an
 * {@link AnomalyConfig}, runs it with {@code exactly_once_v2} and closes it on shutdown.
 *
 * <pre>{@code
 * try (AnomalyDetectorApp app = AnomalyDetectorApp.start(Map.of("bootstrap.servers", "127.0.0.1:9092",
 *         "schema.registry.url", registryUrl))) { ... }
 * }</pre>
 * From the command line: {@code java io.chainpulse.anomaly.AnomalyDetectorApp anomaly.properties}.
 *
 * <p>A KPI record that cannot be decoded or processed goes to {@link DeadLetters#TOPIC} ({@link DeadLetterHandler}) and
 * detection goes on; a schema registry that cannot be reached is waited for (up to {@code registry.wait.max.ms},
 * {@link #healthy()} false meanwhile), never skipped. A stream thread that dies is replaced when its error was
 * transient, otherwise the client stops and {@link #died()} completes ({@link FatalErrors}): the process owning the
 * app should then exit non-zero so that its supervisor restarts it ({@code ./chainpulse anomaly} and {@link #main} do).
 */
public final class AnomalyDetectorApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnomalyDetectorApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** Exit code of {@link #main} when the Kafka Streams client died (sysexits' EX_SOFTWARE). */
    static final int DIED = 70;

    private final KafkaStreams streams;
    private final FatalErrors fatal;
    private final DeadLetterCounter deadLetters;
    private final RegistryWait registryWait;

    private AnomalyDetectorApp(KafkaStreams streams, FatalErrors fatal, DeadLetterCounter deadLetters,
                               RegistryWait registryWait) {
        this.streams = streams;
        this.fatal = fatal;
        this.deadLetters = deadLetters;
        this.registryWait = registryWait;
    }

    /** Validates {@code settings} (rules file included) and starts the application. */
    public static AnomalyDetectorApp start(Map<String, ?> settings) {
        AnomalyConfig config = new AnomalyConfig(settings);
        RegistryWait registryWait = RegistryWait.upTo(Duration.ofMillis(config.getLong(AnomalyConfig.REGISTRY_WAIT_MAX_MS)));
        DeadLetterCounter deadLetters = new DeadLetterCounter("anomaly-detector");
        Map<String, Object> serdeConfig = AvroSerdeConfig.registryKeys(config.originals()); // credentials, TLS
        serdeConfig.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, config.getString(AnomalyConfig.SCHEMA_REGISTRY_URL));
        serdeConfig.put(AvroSerdeConfig.REGISTRY_WAIT, registryWait);
        AnomalyTopology.Topics topics = new AnomalyTopology.Topics(config.getString(AnomalyConfig.KPI_TOPIC),
                config.getString(AnomalyConfig.ANOMALY_TOPIC), config.getString(AnomalyConfig.ANOMALY_CURRENT_TOPIC),
                AvroSerde.of(KpiWindow.class, serdeConfig), AvroSerde.of(Anomaly.class, serdeConfig));
        Topology topology = AnomalyTopology.build(config.detectors(), topics);
        Properties props = streamsProperties(config);
        DeadLetterHandler.streamsConfig(deadLetters).forEach(props::putIfAbsent); // streams.* settings win
        KafkaStreams streams = new KafkaStreams(topology, props);
        FatalErrors fatal = FatalErrors.watch(streams, "anomaly detector"); // owns the client's state listener
        streams.start();
        return new AnomalyDetectorApp(streams, fatal, deadLetters, registryWait);
    }

    static Properties streamsProperties(AnomalyConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(AnomalyConfig.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.getList(AnomalyConfig.BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putAll(BrokerOutages.streamsConfig());
        // security.protocol, sasl.*, ssl.*… for every client of the Streams app, then streams.* (which win)
        props.putAll(ClientSettings.forClient(config.originals(), ClientSettings.STREAMS));
        return props;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Running or rebalancing, and not waiting for the schema registry: the service's health. */
    public boolean healthy() {
        KafkaStreams.State state = streams.state();
        return (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING)
                && !registryWait.waiting();
    }

    /** Records sent to the dead letters, by source topic. */
    public DeadLetterCounter deadLetters() {
        return deadLetters;
    }

    /**
     * Completes, with the reason, when the Kafka Streams client is gone for good (ERROR, or stopped without
     * {@link #close()}); {@link #healthy()} is false from then on.
     */
    public java.util.concurrent.CompletionStage<String> died() {
        return fatal.died();
    }

    @Override
    public void close() {
        fatal.closing();
        registryWait.close();
        streams.close(CLOSE_TIMEOUT);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: AnomalyDetectorApp FILE.properties (keys: see ./chainpulse config)");
            System.exit(2);
        }
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(args[0]))) {
            file.load(reader);
        }
        Map<String, Object> settings = new HashMap<>();
        file.forEach((k, v) -> settings.put(String.valueOf(k), v));
        AnomalyDetectorApp app = start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "anomaly-detector-shutdown"));
        String reason = app.died().toCompletableFuture().join(); // a stop by signal ends the JVM through the hook
        LOG.error("anomaly detector: {}; exiting with {} so that the supervisor restarts it", reason, DIED);
        System.exit(DIED);
    }
}
