package io.chainpulse.processor;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.streams.BrokerOutages;
import io.chainpulse.schema.streams.FatalErrors;
import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.deadletter.DeadLetterCounter;
import io.chainpulse.schema.deadletter.DeadLetterHandler;
import io.chainpulse.schema.registry.RegistryWait;
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
 * A record that cannot be decoded or processed goes to the dead letters ({@link DeadLetterHandler}: original bytes,
 * source topic, partition, offset and reason), counted in {@link #deadLetters()}, in the same transaction as the
 * offset that passes it. A schema registry that cannot be reached is not poison: the stream thread waits for it with
 * backoff up to {@code registry.wait.max.ms} while {@link #healthy()} is false, and skips nothing. A stream thread
 * that dies is replaced when its error was transient, otherwise the client stops and {@link #died()} completes
 * ({@link FatalErrors}): the process owning the app should then exit non-zero so that its supervisor restarts it.
 */
public final class StreamProcessorApp implements AutoCloseable {
    private final ProcessorConfig config;
    private final ProcessorCounters counters = new ProcessorCounters();
    private final DeadLetterCounter deadLetters = new DeadLetterCounter("processor");
    private final RegistryWait registryWait;
    private final KafkaStreams streams;
    private final FatalErrors fatal;

    public StreamProcessorApp(ProcessorConfig config) {
        this(config, Map.of());
    }

    /** With Kafka Streams settings on top of the processor's (tests shorten the session timeout to fail over fast). */
    StreamProcessorApp(ProcessorConfig config, Map<String, Object> streamsOverrides) {
        this.config = config;
        this.registryWait = RegistryWait.upTo(config.registryWaitMax());
        Properties props = streamsProperties(config);
        props.putAll(DeadLetterHandler.streamsConfig(deadLetters));
        props.putAll(streamsOverrides);
        int[] partitions = ensureTopics();
        this.streams = new KafkaStreams(KpiTopology.build(KpiContext.of(config, counters, partitions[0], registryWait)
                .withResourcePartitions(partitions[1])), props);
        this.fatal = FatalErrors.watch(streams, "processor");
    }

    static Properties streamsProperties(ProcessorConfig config) {
        Properties props = new Properties();
        props.putAll(BrokerOutages.streamsConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ProcessorConfig.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.getList(ProcessorConfig.BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(ProcessorConfig.STREAM_THREADS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ProcessorConfig.STATE_DIR));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // The events task reads two topics: chainpulse.events and events-by-node (the gate's re-keyed records,
        // almost always empty). With task idling on (0, the default), Kafka Streams 4.3 checks the empty partition
        // before every record and formats three log strings doing so, logged or not: a quarter of the stream
        // threads' CPU in ProcessorCatchUpHarness's profile. Idling only orders records across the two topics, and
        // every stage is order-invariant within the grace (OrderInvarianceTest): off.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // security.protocol, sasl.*, ssl.*… for every client of the Streams app, then streams.* (which win)
        props.putAll(ClientSettings.forClient(config.originals(), ClientSettings.STREAMS));
        return props;
    }

    public void start() {
        streams.start();
    }

    /**
     * Creates the output topics when missing (input must exist: its partition count is the operator's choice), and
     * the resources topic (its catalog retention, the input's partition count: a processor never fails for want of
     * resource samples); returns the input's and the resources topic's partition counts, which the network windows
     * wait for.
     */
    private int[] ensureTopics() {
        Map<String, Object> adminProps = ClientSettings.forClient(config.originals(), ClientSettings.ADMIN);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", config.getList(ProcessorConfig.BOOTSTRAP_SERVERS)));
        try (Admin admin = Admin.create(adminProps)) {
            String input = config.getString(ProcessorConfig.INPUT_TOPIC);
            Set<String> existing = admin.listTopics().names().get();
            if (!existing.contains(input)) {
                throw new IllegalStateException("input topic '" + input + "' does not exist at "
                        + config.getList(ProcessorConfig.BOOTSTRAP_SERVERS) + ": create it (./chainpulse up does)");
            }
            int partitions = admin.describeTopics(List.of(input)).allTopicNames().get().get(input).partitions().size();
            String resources = config.getString(ProcessorConfig.RESOURCES_TOPIC);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(resources)) {
                missing.add(new NewTopic(resources, java.util.Optional.of(partitions), java.util.Optional.empty())
                        .configs(Topics.RESOURCES.configs()));
            }
            for (String topic : List.of(config.getString(ProcessorConfig.KPI_TOPIC), config.getString(ProcessorConfig.LATE_TOPIC),
                    DeadLetters.TOPIC)) {
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
            int resourcePartitions = !existing.contains(resources) ? partitions
                    : admin.describeTopics(List.of(resources)).allTopicNames().get().get(resources).partitions().size();
            return new int[] {partitions, resourcePartitions};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException) {
                throw new IllegalStateException("Kafka refused the processor's credentials (" + e.getCause().getMessage()
                        + "): check security.protocol, sasl.*, ssl.*", e.getCause());
            }
            throw new IllegalStateException("cannot check or create topics: " + e.getCause().getMessage(), e.getCause());
        }
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

    public KafkaStreams streams() {
        return streams;
    }

    public ProcessorCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        fatal.closing();
        registryWait.close(); // a thread waiting for the registry gives up now rather than after its backoff
        streams.close(java.time.Duration.ofSeconds(30));
    }
}
