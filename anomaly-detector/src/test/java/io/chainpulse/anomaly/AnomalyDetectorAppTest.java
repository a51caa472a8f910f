package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class AnomalyDetectorAppTest {
    private static final String PRODUCER = "chainpulse-anomaly-detector-StreamThread-1-producer";

    /** A commit that timed out after the default 60 s of a 75 s broker outage left the detector rebalancing. */
    @Test
    void shouldLetEveryStreamThreadsProducerWaitFiveMinutesForTheBroker() {
        AnomalyConfig config = new AnomalyConfig(Map.of("bootstrap.servers", "x:1", "schema.registry.url", "mock://x"));

        Map<String, Object> producer = new StreamsConfig(AnomalyDetectorApp.streamsProperties(config))
                .getProducerConfigs(PRODUCER);

        assertThat(String.valueOf(producer.getOrDefault(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000))).as("max.block.ms").isEqualTo("300000");
    }

    @Test
    void shouldKeepAnOperatorsStreamsSettingOverTheOutageWait() {
        AnomalyConfig config = new AnomalyConfig(Map.of("bootstrap.servers", "x:1", "schema.registry.url", "mock://x",
                "streams.producer.max.block.ms", "90000"));

        Map<String, Object> producer = new StreamsConfig(AnomalyDetectorApp.streamsProperties(config))
                .getProducerConfigs(PRODUCER);

        assertThat(String.valueOf(producer.getOrDefault(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000))).as("max.block.ms").isEqualTo("90000");
    }

    /** Issue 17: a secured cluster's keys reach every client of the detector's Streams app. */
    @Test
    void shouldHandTheSecurityKeysToEveryStreamsClient() {
        AnomalyConfig config = new AnomalyConfig(Map.of("bootstrap.servers", "x:1", "schema.registry.url", "mock://x",
                "security.protocol", "SSL", "ssl.truststore.location", "/etc/chainpulse/ca.p12"));
        StreamsConfig streams = new StreamsConfig(AnomalyDetectorApp.streamsProperties(config));

        for (Map<String, Object> client : java.util.List.of(streams.getProducerConfigs(PRODUCER),
                streams.getMainConsumerConfigs("g", "c", 0), streams.getAdminConfigs("a"))) {
            assertThat(client).containsEntry("security.protocol", "SSL")
                    .containsEntry("ssl.truststore.location", "/etc/chainpulse/ca.p12");
        }
    }
}
