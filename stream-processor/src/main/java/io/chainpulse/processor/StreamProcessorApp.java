package io.chainpulse.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Runs {@link KpiTopology} as a Kafka Streams application with {@code exactly_once_v2}: instances with the same
 * application id split the input partitions; state is backed by changelog topics, so an instance that dies is
 * replaced without loss or double counting.
 *
 * <pre>{@code
 * try (StreamProcessorApp app = new StreamProcessorApp(new ProcessorConfig(props))) {
 *     app.start();
 *     ... app.healthy() ...
 * }
 * }</pre>
 * A record that cannot be deserialized is logged with topic, partition and offset and skipped (Kafka Streams'
 * {@code LogAndContinueExceptionHandler}); it does not stop the application. A stream thread that dies is replaced
 * when its error was transient, otherwise the client stops and {@link #died()} completes ({@link FatalErrors}): the
 * process owning the app should then exit non-zero so that its supervisor restarts it.
 */
public final class StreamProcessorApp implements AutoCloseable {
    private final ProcessorConfig config;
    private final ProcessorCounters counters = new ProcessorCounters();
    private final KafkaStreams streams;
    private final FatalErrors fatal;

    public StreamProcessorApp(ProcessorConfig config) {
        this(config, Map.of());
    }

    /** With Kafka Streams settings on top of the processor's (tests shorten the session timeout to fail over fast). */
    StreamProcessorApp(ProcessorConfig config, Map<String, Object> streamsOverrides) {
        this.config = config;
        Properties props = streamsProperties(config);
        props.putAll(streamsOverrides);
        int partitions = ensureTopics();
        this.streams = new KafkaStreams(KpiTopology.build(KpiContext.of(config, counters, partitions)), props);
        this.fatal = FatalErrors.watch(streams, "processor");
    }

    static Properties streamsProperties(ProcessorConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ProcessorConfig.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.getList(ProcessorConfig.BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(ProcessorConfig.STREAM_THREADS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ProcessorConfig.STATE_DIR));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        return props;
    }

    public void start() {
        streams.start();
    }

    /**
     * Creates the output topics when missing (input must exist: its partition count is the operator's choice) and
     * returns the input's partition count, which the network windows wait for.
     */
    private int ensureTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", config.getList(ProcessorConfig.BOOTSTRAP_SERVERS))))) {
            String input = config.getString(ProcessorConfig.INPUT_TOPIC);
            Set<String> existing = admin.listTopics().names().get();
            if (!existing.contains(input)) {
                throw new IllegalStateException("input topic '" + input + "' does not exist at "
                        + config.getList(ProcessorConfig.BOOTSTRAP_SERVERS) + ": create it (./chainpulse up does)");
            }
            int partitions = admin.describeTopics(List.of(input)).allTopicNames().get().get(input).partitions().size();
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : List.of(config.getString(ProcessorConfig.KPI_TOPIC), config.getString(ProcessorConfig.LATE_TOPIC),
                    io.chainpulse.schema.DeadLetters.TOPIC)) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty()));
                }
            }
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            return partitions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check or create topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Running or rebalancing: the service's health. */
    public boolean healthy() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }

    /**
     * Completes, with the reason, when the Kafka Streams client is gone for good (ERROR, or stopped without
     * {@link #close()}); {@link #healthy()} is false from then on.
     */
    public java.util.concurrent.CompletionStage<String> died() {
        return fatal.died();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ProcessorCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        fatal.closing();
        streams.close(java.time.Duration.ofSeconds(30));
    }
}
