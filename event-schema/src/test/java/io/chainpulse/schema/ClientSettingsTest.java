package io.chainpulse.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {
    private static final Map<String, Object> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("bootstrap.servers", "kafka:9093");       // set by each service itself
        SETTINGS.put("client.id", "x");                        // per client, never shared
        SETTINGS.put("security.protocol", "SASL_SSL");
        SETTINGS.put("sasl.mechanism", "SCRAM-SHA-512");
        SETTINGS.put("ssl.truststore.location", "/etc/ca.p12");
        SETTINGS.put("consumer.max.poll.records", "10");
        SETTINGS.put("consumer.security.protocol", "SSL");     // the consumer's own wins
        SETTINGS.put("producer.linger.ms", "5");
        SETTINGS.put("streams.num.standby.replicas", "1");
        SETTINGS.put("window.size.ms", "5000");                // a service key: no client's
        SETTINGS.put("basic.auth.user.info", "u:p");           // the registry's: no client's
    }

    @Test
    void shouldGiveEveryClientTheCommonKeysAndEachKindItsPrefixedOnes() {
        assertThat(new TreeMap<>(ClientSettings.forClient(SETTINGS, ClientSettings.CONSUMER))).containsExactly(
                entry("max.poll.records", "10"),
                entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("security.protocol", "SSL"),
                entry("ssl.truststore.location", "/etc/ca.p12"));
        assertThat(new TreeMap<>(ClientSettings.forClient(SETTINGS, ClientSettings.PRODUCER))).containsExactly(
                entry("linger.ms", "5"),
                entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("security.protocol", "SASL_SSL"),
                entry("ssl.truststore.location", "/etc/ca.p12"));
        assertThat(new TreeMap<>(ClientSettings.forClient(SETTINGS, ClientSettings.STREAMS))).containsExactly(
                entry("num.standby.replicas", "1"),
                entry("sasl.mechanism", "SCRAM-SHA-512"),
                entry("security.protocol", "SASL_SSL"),
                entry("ssl.truststore.location", "/etc/ca.p12"));
    }

    @Test
    void shouldKnowTheSecurityKeysOfEveryClientButNotBootstrapNorClientId() {
        assertThat(ClientSettings.COMMON).contains("security.protocol", "sasl.jaas.config", "sasl.mechanism",
                "ssl.truststore.location", "ssl.keystore.password", "client.dns.lookup")
                .doesNotContain("bootstrap.servers", "client.id", "group.id", "acks");
    }
}
