package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SinkEsConfigTest {

    @Test
    void shouldDefaultToTheLocalStackTopicsAndAliases() {
        SinkEsConfig config = new SinkEsConfig(Map.of());

        assertThat(config.getString(SinkEsConfig.TOPIC_KPIS)).isEqualTo("chainpulse.kpis");
        assertThat(config.getString(SinkEsConfig.TOPIC_ANOMALIES)).isEqualTo("chainpulse.anomalies");
        assertThat(config.getString(SinkEsConfig.TOPIC_DLQ)).isEqualTo("chainpulse.sink-es.dlq");
        assertThat(config.getString(SinkEsConfig.INDEX_KPIS)).isEqualTo("chainpulse-kpis");
        assertThat(config.getString(SinkEsConfig.ILM_POLICY)).isNull();
        assertThat(config.getInt(SinkEsConfig.BULK_MAX_ACTIONS)).isEqualTo(1000);
        assertThat(config.flushInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldNeverPrintAPasswordOrApiKey() {
        SinkEsConfig basic = new SinkEsConfig(Map.of(SinkEsConfig.ES_USERNAME, "sink",
                SinkEsConfig.ES_PASSWORD, "s3cr3t-pw"));
        SinkEsConfig apiKey = new SinkEsConfig(Map.of(SinkEsConfig.ES_API_KEY, "VnVhQ2ZHY0JDZGJrU"));

        assertThat(basic.toString()).contains("elasticsearch.username=sink")
                .contains("elasticsearch.password=[hidden]").doesNotContain("s3cr3t-pw");
        assertThat(apiKey.toString()).contains("elasticsearch.api.key=[hidden]").doesNotContain("VnVhQ2ZHY0JDZGJrU");
    }

    @Test
    void shouldReportEveryCrossKeyProblemAtOnce() {
        assertThatThrownBy(() -> new SinkEsConfig(Map.of(SinkEsConfig.ES_USERNAME, "sink",
                SinkEsConfig.ES_API_KEY, "k", SinkEsConfig.RETRY_BACKOFF_INITIAL_MS, "500",
                SinkEsConfig.RETRY_BACKOFF_MAX_MS, "100")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("elasticsearch.password is required when elasticsearch.username is set: sink; "
                        + "elasticsearch.username and elasticsearch.api.key exclude each other: use one; "
                        + "retry.backoff.max.ms must be >= retry.backoff.initial.ms: 100 < 500");
    }

    @Test
    void shouldTreatABlankUsernameAsNone() {
        SinkEsConfig config = new SinkEsConfig(Map.of(SinkEsConfig.ES_USERNAME, " ", SinkEsConfig.ES_API_KEY, "k"));

        assertThat(config.username()).isNull();
    }

    @Test
    void shouldRejectAnElasticsearchUrlWithoutHttpSchemeEchoingIt() {
        assertThatThrownBy(() -> new SinkEsConfig(Map.of(SinkEsConfig.ES_URLS, "ftp://es:9200")))
                .hasMessage("Invalid value ftp://es:9200 for configuration elasticsearch.urls: "
                        + "not an http:// or https:// URL with a host");
    }

    @Test
    void shouldRejectAnUppercaseIndexAliasEchoingIt() {
        assertThatThrownBy(() -> new SinkEsConfig(Map.of(SinkEsConfig.INDEX_KPIS, "ChainPulse")))
                .hasMessageStartingWith("Invalid value ChainPulse for configuration index.kpis: an index alias is "
                        + "lowercase letters");
    }

    @Test
    void shouldRejectAZeroBulkSizeEchoingIt() {
        assertThatThrownBy(() -> new SinkEsConfig(Map.of(SinkEsConfig.BULK_MAX_ACTIONS, "0")))
                .hasMessage("Invalid value 0 for configuration bulk.max.actions: Value must be at least 1");
    }
}
