package io.chainpulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamProcessorAppTest {

    /**
     * BrokerOutageChaosIT's finding: with the default 60 s, a 75 s broker outage timed a stream thread's commit out,
     * and that thread's tasks (two of the four nodes' windows) stopped for the rest of the run.
     */
    @Test
    void shouldLetEveryStreamThreadsProducerWaitFiveMinutesForTheBroker() {
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://app"));

        Map<String, Object> producer = new StreamsConfig(StreamProcessorApp.streamsProperties(config))
                .getProducerConfigs("chainpulse-processor-StreamThread-1-producer");

        assertThat(String.valueOf(producer.getOrDefault(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000))).as("max.block.ms").isEqualTo("300000");
    }

    @Test
    void shouldNotIdleTasksForTheRarelyUsedReKeyTopic() {
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://app"));

        assertThat(new StreamsConfig(StreamProcessorApp.streamsProperties(config))
                .getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(-1L);
    }

    /** Issue 17: a secured cluster's keys reach every client of the Streams app; streams.* keys reach Streams. */
    @Test
    void shouldHandTheSecurityKeysToEveryStreamsClientAndStreamsKeysToStreams() {
        ProcessorConfig config = new ProcessorConfig(Map.of(ProcessorConfig.SCHEMA_REGISTRY_URL, "mock://app",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "streams.num.standby.replicas", "1", "streams.consumer.max.poll.records", "50"));
        StreamsConfig streams = new StreamsConfig(StreamProcessorApp.streamsProperties(config));

        Map<String, Object> producer = streams.getProducerConfigs("p");
        Map<String, Object> consumer = streams.getMainConsumerConfigs("g", "c", 0);
        Map<String, Object> admin = streams.getAdminConfigs("a");
        for (Map<String, Object> client : java.util.List.of(producer, consumer, admin)) {
            assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism",
                    "SCRAM-SHA-512");
        }
        assertThat(consumer).containsEntry("max.poll.records", "50");
        assertThat(streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
    }
}
