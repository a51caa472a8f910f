package io.chainpulse.schema.streams;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka Streams settings that let a ChainPulse Streams app (the KPI processor, the anomaly detector) wait out a broker
 * outage of up to {@link #RIDE_THROUGH} where it is, instead of failing its transaction.
 *
 * <p>Why: under {@code exactly_once_v2} a stream thread's producer blocks in {@code send} (waiting for metadata) and
 * in {@code commitTransaction} for at most {@code max.block.ms}, 60 s by default. A broker gone longer turns the wait
 * into a {@code TimeoutException}: Kafka Streams marks the thread's tasks corrupted and closes them dirty, with the
 * producer in an error state. BrokerOutageChaosIT's 75 s outage showed both outcomes (the second with a 3 s commit
 * interval, which makes it reproducible): the revived tasks could not read their committed offsets and stayed
 * stopped to the end of the run (two of four nodes' windows never closed again, while the client said RUNNING), or
 * the thread died on its next commit and was replaced ({@link FatalErrors}), the replacement waiting ~45 s for the
 * dead thread's group membership to expire. With the producer willing to wait, the commit completes — or is fenced,
 * if the broker aborted the transaction — once the broker is back: paths Kafka Streams recovers from by itself,
 * without closing a task dirty.
 *
 * <p>{@link #RIDE_THROUGH} equals Kafka Streams' own patience elsewhere ({@code task.timeout.ms} and
 * {@code max.poll.interval.ms}, both 5 min by default): a longer outage still goes through the paths above.
 *
 * <pre>{@code
 * props.putAll(BrokerOutages.streamsConfig());   // before the app's own overrides
 * }</pre>
 */
public final class BrokerOutages {
    /** The longest broker outage a stream thread waits out in a blocking producer call. */
    public static final Duration RIDE_THROUGH = Duration.ofMinutes(5);

    private BrokerOutages() {}

    /** The Streams properties: the stream threads' producers block up to {@link #RIDE_THROUGH}. */
    public static Map<String, Object> streamsConfig() {
        return Map.of(StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG), RIDE_THROUGH.toMillis());
    }
}
