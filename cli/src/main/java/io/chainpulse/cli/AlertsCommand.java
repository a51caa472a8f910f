package io.chainpulse.cli;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterPublisher;
import io.chainpulse.schema.deadletter.RecordDecoder;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.serde.AvroDeserializer;
import java.util.Map;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./chainpulse alerts [--min-severity HIGH]}: tail the anomaly topic, one line per transition. */
@Command(name = "alerts",
        mixinStandardHelpOptions = true,
        description = {"Tail the anomaly topic: one line per FIRING or RESOLVED transition, severity first, until "
                + "Ctrl-C. Reads no consumer group offsets: it starts at the end (or the beginning with --from-beginning).",
                "A record that cannot be decoded goes to " + Topics.Names.DEAD_LETTERS + "; while the schema registry cannot be "
                        + "reached, alerts waits for it."})
final class AlertsCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    @Option(names = "--min-severity", defaultValue = "INFO",
            description = "Show transitions of at least this severity: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Severity minSeverity;

    @Option(names = "--from-beginning", description = "Print the whole topic first, then follow it.")
    boolean fromBeginning;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--topic", defaultValue = Topics.Names.ANOMALIES, description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        String bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> props = ClientSettings.forClient(settings, ClientSettings.CONSUMER);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // the detector writes transactionally
        RegistryWait registryWait = RegistryWait.untilBack();
        try (DeadLetterPublisher deadLetters = DeadLetterPublisher.create(bootstrapServers, settings,
                new DeadLetterCounter("alerts"));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            RecordDecoder<Anomaly> decoder = new RecordDecoder<>(new AvroDeserializer<>(Anomaly.class,
                    AvroSerdeConfig.registryClient(registryUrl, settings), registryWait), deadLetters);
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                registryWait.close();
                consumer.wakeup();
                try {
                    main.join(POLL.toMillis() * 4);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "alerts-shutdown"));
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    decoder.decode(record).filter(a -> a.getSeverity().compareTo(minSeverity) >= 0)
                            .ifPresent(a -> out.println(line(a)));
                }
                out.flush();
            }
        } catch (WakeupException | io.chainpulse.schema.registry.RegistryUnavailableException e) {
            return 0; // Ctrl-C, also while waiting for the registry
        }
    }

    /** {@code HIGH     FIRING   2023-11-14T22:13:30Z v3 consensus_latency_ms peer_outlier: description  [id]}. */
    static String line(Anomaly a) {
        return String.format("%-8s %-8s %s %s %s %s: %s  [%s]", a.getSeverity(),
                a.getState() == AnomalyState.FIRING ? "FIRING" : "RESOLVED",
                Instant.ofEpochMilli(a.getWindowStartMs()), a.getNodeId() == null ? "network" : a.getNodeId(),
                a.getMetric(), a.getDetector(), a.getDescription(), a.getAnomalyId());
    }
}
