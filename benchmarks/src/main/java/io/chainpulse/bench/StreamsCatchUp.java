package io.chainpulse.bench;

import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.processor.StreamProcessorApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Catch-up runs over a pre-loaded topic: the ChainPulse processor (all KPI topologies) and a bare Kafka Streams floor
 * ({@code groupByKey} + 10 s tumbling {@code count} over the raw bytes, same guarantee, same threads). Each run is
 * timed from {@code start()} until the application's committed offsets reach the end of the input (start-up and the
 * first rebalance included), and its processing part alone: from the moment every input partition has a committed
 * offset to the end ({@link CatchUp}). Shared by {@link ProcessorCatchUpHarness} and {@link BenchRun}.
 *
 * <p>Catch-up is an application coming back to a backlog: each one is {@linkplain #provision provisioned} first, on
 * the still empty input (its internal topics created, its stores opened once), then stopped while the load is written.
 * A brand-new application's first start is timed there and reported apart.
 */
final class StreamsCatchUp {
    private StreamsCatchUp() {}

    /** Starts a Kafka Streams application; the caller times it and closes it. */
    interface Starter {
        KafkaStreams start() throws Exception;
    }

    /** The ChainPulse processor over {@code topic}, KPIs to {@code kpiTopic}, with application id {@code appId}. */
    static Starter processor(String appId, String bootstrap, String registryUrl, String topic, String kpiTopic,
                             int threads, Path stateDir) {
        return processor(appId, bootstrap, registryUrl, topic, kpiTopic, threads, stateDir,
                List.of(ProcessorConfig.ALL_KPIS));
    }

    /** The same, computing only {@code kpis} (catalog metric names: the processor's {@code kpis} key). */
    static Starter processor(String appId, String bootstrap, String registryUrl, String topic, String kpiTopic,
                             int threads, Path stateDir, List<String> kpis) {
        return () -> {
            Map<String, Object> values = new HashMap<>();
            values.put(ProcessorConfig.APPLICATION_ID, appId);
            values.put(ProcessorConfig.BOOTSTRAP_SERVERS, bootstrap);
            values.put(ProcessorConfig.SCHEMA_REGISTRY_URL, registryUrl);
            values.put(ProcessorConfig.INPUT_TOPIC, topic);
            values.put(ProcessorConfig.KPI_TOPIC, kpiTopic);
            values.put(ProcessorConfig.LATE_TOPIC, kpiTopic + ".late");
            values.put(ProcessorConfig.STREAM_THREADS, threads);
            values.put(ProcessorConfig.STATE_DIR, stateDir.toString());
            values.put(ProcessorConfig.KPIS, String.join(",", kpis));
            StreamProcessorApp app = new StreamProcessorApp(new ProcessorConfig(values));
            app.start();
            return app.streams();
        };
    }

    /** The bare floor: {@code groupByKey} + 10 s tumbling {@code count} over raw bytes, exactly-once. */
    static Starter floor(String appId, String bootstrap, String topic, int threads, Path stateDir) {
        return () -> {
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(topic, Consumed.with(Serdes.Bytes(), Serdes.Bytes()))
                    .groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                    .count(Materialized.<Bytes, Long, WindowStore<Bytes, byte[]>>as("floor-counts"));
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            KafkaStreams streams = new KafkaStreams(builder.build(), props);
            streams.start();
            return streams;
        };
    }

    /**
     * One catch-up run of {@code events} events.
     *
     * @param seconds          from {@code start()} until the committed offsets reached the end of the input
     * @param startUpSeconds   from {@code start()} until every input partition had a committed offset: creating the
     *                         internal topics, the first rebalance, opening the state stores, the first transaction
     * @param committedAtStart events committed at that moment
     */
    record CatchUp(String app, long events, double seconds, double startUpSeconds, long committedAtStart) {
        /** End to end, start-up included. */
        double eventsPerSecond() {
            return events / seconds;
        }

        /**
         * Once running: the events after the start-up over the time after it; NaN (not measured) when the first commit
         * already covered the whole input, as a small run's does (committed offsets count transaction markers too, so
         * the difference can even be negative).
         */
        double processingEventsPerSecond() {
            if (events - committedAtStart <= 0 || seconds <= startUpSeconds) {
                return Double.NaN;
            }
            return (events - committedAtStart) / (seconds - startUpSeconds);
        }
    }

    /**
     * Starts application {@code appId} on the still empty input, waits until it runs (internal topics created, state
     * stores created), stops it, and returns how long the first start took.
     */
    static double provision(String appId, Starter starter) throws Exception {
        long started = System.nanoTime();
        KafkaStreams streams = starter.start();
        try {
            long deadline = started + Duration.ofMinutes(5).toNanos();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
                    throw new IllegalStateException(appId + " did not start within 5 min: " + streams.state());
                }
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("%s: first start (internal topics and stores created) %.1f s%n", appId, seconds);
            return seconds;
        } finally {
            // leaving the group, as an instance stopped for longer than the session timeout has: the timed start
            // must not wait for a member that is gone
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
    }

    /**
     * {@link #provision Provisions} the bare floor, then deletes its local state directory {@code stateDir}. The
     * provisioning run saw no record, so its windowed store is empty, but the store's directory exists and no
     * changelog offset was ever checkpointed for it (nothing was written to its changelog): under exactly-once Kafka
     * Streams cannot tell such a store from one holding uncommitted writes, so the timed restart found every task
     * corrupted ({@code State store floor-counts did not find checkpoint offsets while stores are not empty},
     * {@code TaskCorruptedException}), closed them dirty, wiped them and re-bootstrapped mid-run. Without the empty
     * directory the restart simply creates the store: what a floor with nothing to restore costs. (The processor's
     * restarts were never reported corrupted.)
     */
    static double provisionFloor(String appId, Starter floor, Path stateDir) throws Exception {
        double seconds = provision(appId, floor);
        TempDirs.delete(stateDir);
        return seconds;
    }

    /** Times application {@code appId} from {@code start()} until its committed offsets reach the end of {@code topic}. */
    static CatchUp run(String appId, Admin admin, String topic, long events, Starter starter) throws Exception {
        Map<TopicPartition, Long> end = endOffsets(admin, topic);
        long started = System.nanoTime();
        KafkaStreams streams = starter.start();
        double[] startUp = {-1};
        long[] committedAtStart = {0};
        try {
            watchCommitted(admin, appId, topic, end, Duration.ofMinutes(30), Duration.ofMillis(100), committed -> {
                if (startUp[0] < 0 && reached(end, committed, false)) {
                    startUp[0] = (System.nanoTime() - started) / 1e9;
                    committedAtStart[0] = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
                }
            });
            // the close that follows is not part of the catch-up
            CatchUp run = new CatchUp(appId, events, (System.nanoTime() - started) / 1e9, startUp[0],
                    committedAtStart[0]);
            System.out.printf("%s: %,d events in %.1f s (%,.0f/s); start-up %.1f s, then %,d events at %,.0f/s%n",
                    appId, events, run.seconds(), run.eventsPerSecond(), run.startUpSeconds(),
                    events - run.committedAtStart(), run.processingEventsPerSecond());
            return run;
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
    }

    /** Records of {@code topic} that consumer group {@code group} has not committed yet. */
    static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, Long> end = endOffsets(admin, topic);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        return end.entrySet().stream().mapToLong(e -> e.getValue()
                - (committed.get(e.getKey()) == null ? 0 : committed.get(e.getKey()).offset())).sum();
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Waits until consumer group {@code group} has committed the end offset of every partition of {@code topic}. */
    static void awaitCommittedToEnd(Admin admin, String group, String topic, Duration timeout) throws Exception {
        watchCommitted(admin, group, topic, endOffsets(admin, topic), timeout, Duration.ofMillis(200), committed -> {});
    }

    /**
     * Reads {@code group}'s committed offsets every {@code every}, handing each reading to {@code eachReading}, until
     * they reach {@code end} (the end offsets of {@code topic}); fails after {@code timeout}.
     */
    private static void watchCommitted(Admin admin, String group, String topic, Map<TopicPartition, Long> end,
                                       Duration timeout, Duration every,
                                       Consumer<Map<TopicPartition, OffsetAndMetadata>> eachReading) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            eachReading.accept(committed);
            if (reached(end, committed, true)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " did not reach the end of " + topic + " within "
                        + timeout.toMinutes() + " min: committed " + committed + ", end " + end);
            }
            Thread.sleep(every.toMillis());
        }
    }

    /** Every non-empty partition has a committed offset ({@code toEnd}: at its end offset). */
    private static boolean reached(Map<TopicPartition, Long> end, Map<TopicPartition, OffsetAndMetadata> committed,
                                   boolean toEnd) {
        return end.keySet().stream().allMatch(p -> end.get(p) == 0 || committed.get(p) != null
                && (!toEnd || committed.get(p).offset() >= end.get(p)));
    }
}
