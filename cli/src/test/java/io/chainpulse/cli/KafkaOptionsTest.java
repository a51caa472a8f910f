package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.chainpulse.anomaly.AnomalyConfig;
import io.chainpulse.processor.ProcessorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class KafkaOptionsTest {
    @TempDir
    Path dir;

    /** The mixin of {@code args} as the real command line parses them, with {@code environment} as the process's. */
    private static KafkaOptions parsed(Map<String, String> environment, String... args) {
        Object command = ChainPulseCli.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
        KafkaOptions kafka = command instanceof ProcessCommand p ? p.kafka
                : command instanceof AnomalyCommand a ? a.kafka
                : command instanceof AlertsCommand al ? al.kafka : null;
        kafka.environment = environment;
        return kafka;
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void shouldLetFlagsWinOverSetOverEnvironmentOverFileOverDefaults() throws Exception {
        Path config = file("process.properties", """
                bootstrap.servers=file:9092
                window.size.ms=1000
                grace.ms=1000
                max.nodes=1000
                state.dir=/file
                """);
        Map<String, String> environment = Map.of(
                "CHAINPULSE_BOOTSTRAP_SERVER", "env:9092",
                "CHAINPULSE_SET_WINDOW_SIZE_MS", "2000",
                "CHAINPULSE_SET_GRACE_MS", "2000",
                "CHAINPULSE_SET_MAX_NODES", "2000",
                "HOME", "/root");                      // not ours: ignored

        KafkaOptions kafka = parsed(environment, "process", "--config", config.toString(),
                "--set", "window.size.ms=3000", "--set", "grace.ms=3000", "--set", "bootstrap.servers=set:9092",
                "--bootstrap-server", "flag:9092");

        assertThat(new TreeMap<>(kafka.settings(ProcessorConfig.CONFIG, Map.of()))).containsExactly(
                entry("bootstrap.servers", "flag:9092"),                              // flag > set > env > file
                entry("grace.ms", "3000"),                                            // --set > env > file
                entry("max.nodes", "2000"),                                           // env > file
                entry("schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7"), // default
                entry("state.dir", "/file"),                                          // file > ProcessorConfig's default
                entry("window.size.ms", "3000"));
    }

    @Test
    void shouldLetTheEnvironmentNameTheFileAndTheServersAndACommandFlagWinOverAll() throws Exception {
        Path config = file("notify.properties", "alertmanager.urls=http://file:9093\ntopic=from-file\n");
        NotifyCommand notify = (NotifyCommand) ChainPulseCli.commandLine()
                .parseArgs("notify", "--set", "topic=from-set", "--topic", "from-flag", "--bootstrap-servers", "old:9092")
                .subcommand().commandSpec().userObject();
        notify.kafka.environment = Map.of("CHAINPULSE_CONFIG", config.toString(),
                "CHAINPULSE_REGISTRY_URL", "https://registry.example/apis/ccompat/v7");

        assertThat(new TreeMap<>(notify.values())).containsExactly(
                entry("alertmanager.urls", "http://file:9093"),
                entry("bootstrap.servers", "old:9092"),                     // the old spelling of the flag still works
                entry("schema.registry.url", "https://registry.example/apis/ccompat/v7"),
                entry("topic", "from-flag"));
    }

    @Test
    void shouldGiveEveryClientKeyToTheStreamsAppsAndTheTools() {
        Map<String, String> none = Map.of();
        assertThat(parsed(none, "process", "--set", "streams.num.standby.replicas=1", "--set",
                "security.protocol=SASL_SSL", "--set", "sasl.mechanism=SCRAM-SHA-512", "--set", "admin.retries=3")
                .settings(ProcessorConfig.CONFIG, Map.of()))
                .containsEntry("streams.num.standby.replicas", "1").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("admin.retries", "3");
        assertThat(parsed(none, "anomaly", "--set", "streams.state.dir=/var/lib/chainpulse", "--set",
                "ssl.truststore.location=/etc/ca.p12", "--set", "bearer.auth.token=t0k")
                .settings(AnomalyConfig.configDef(), Map.of()))
                .containsEntry("streams.state.dir", "/var/lib/chainpulse")
                .containsEntry("ssl.truststore.location", "/etc/ca.p12").containsEntry("bearer.auth.token", "t0k");
    }

    @Test
    void shouldReadASecretFromAFileGivenWithAtInSetAndInTheEnvironment() throws Exception {
        Path jaas = file("jaas", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cp\" "
                + "password=\"s3cret\";\n");
        Path auth = file("auth", "registry-user:registry-pass\n");
        KafkaOptions kafka = parsed(Map.of("CHAINPULSE_SET_BASIC_AUTH_USER_INFO", "@" + auth), "alerts",
                "--set", "sasl.jaas.config=@" + jaas);

        assertThat(kafka.settings(null, Map.of()))
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"cp\" password=\"s3cret\";")
                .containsEntry("basic.auth.user.info", "registry-user:registry-pass");
    }

    @Test
    void shouldNameTheSecretFileThatCannotBeRead() {
        Path missing = dir.resolve("missing");
        KafkaOptions kafka = parsed(Map.of(), "alerts", "--set", "sasl.jaas.config=@" + missing);
        assertThatThrownBy(() -> kafka.settings(null, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--set sasl.jaas.config=@" + missing + ": cannot read " + missing);
    }

    @Test
    void shouldNameAnUnknownKeyAndWhereItCameFrom() throws Exception {
        String tail = ": unknown setting; or a registry key (auto.register.schemas, basic.auth.user.info, "
                + "bearer.auth.token, schema.registry.ssl.keystore.location, schema.registry.ssl.keystore.password, "
                + "schema.registry.ssl.keystore.type, schema.registry.ssl.truststore.location, "
                + "schema.registry.ssl.truststore.password, schema.registry.ssl.truststore.type, schema.registry.url), "
                + "a Kafka client key (security.protocol, sasl.*, ssl.*…), or any key starting with consumer., "
                + "producer., admin., streams.";
        assertThatThrownBy(() -> parsed(Map.of("CHAINPULSE_SET_SECURITY_PROTOCL", "SSL"), "alerts")
                .settings(null, Map.of())).hasMessage("CHAINPULSE_SET_SECURITY_PROTOCL security.protocl" + tail);
        Path config = file("bad.properties", "windw.size.ms=1\n");
        assertThatThrownBy(() -> parsed(Map.of(), "alerts", "--config", config.toString()).settings(null, Map.of()))
                .hasMessage("--config " + config + " windw.size.ms" + tail);
        assertThatThrownBy(() -> parsed(Map.of(), "alerts", "--set", "topic=x").settings(null, Map.of()))
                .hasMessage("--set topic" + tail);
    }

    @ParameterizedTest
    @CsvSource({"SASL_JAAS_CONFIG, sasl.jaas.config", "CONSUMER_MAX_POLL_RECORDS, consumer.max.poll.records",
            "WEBHOOK_URLS, webhook.urls", "STREAMS_STATE__DIR, streams.state_dir"})
    void shouldMapAnEnvironmentNameToItsKey(String name, String key) {
        assertThat(KafkaOptions.envKey(name)).isEqualTo(key);
    }

    @Test
    void shouldHideEverySecretWhenPrinting() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sasl.jaas.config", "ScramLoginModule required username=\"cp\" password=\"s3cret\";");
        settings.put("ssl.truststore.password", "changeit");
        settings.put("ssl.key.password", "k");
        settings.put("basic.auth.user.info", "u:p");
        settings.put("bearer.auth.token", "t0k");
        settings.put("schema.registry.ssl.keystore.password", "ks");
        settings.put("pushgateway.basic.auth.user.info", "pg:pw");
        settings.put("elasticsearch.password", "es");
        settings.put("elasticsearch.api.key", "api");
        settings.put("webhook.urls", "https://hooks.slack.com/services/T0/B0/secret");
        settings.put("producer.sasl.jaas.config", "x");
        settings.put("security.protocol", "SASL_SSL");
        settings.put("ssl.truststore.location", "/etc/ca.p12");
        settings.put("alertmanager.urls", "http://alertmanager:9093");

        assertThat(KafkaOptions.masked(settings)).containsExactly(
                entry("alertmanager.urls", "http://alertmanager:9093"),
                entry("basic.auth.user.info", "[hidden]"),
                entry("bearer.auth.token", "[hidden]"),
                entry("elasticsearch.api.key", "[hidden]"),
                entry("elasticsearch.password", "[hidden]"),
                entry("producer.sasl.jaas.config", "[hidden]"),
                entry("pushgateway.basic.auth.user.info", "[hidden]"),
                entry("sasl.jaas.config", "[hidden]"),
                entry("schema.registry.ssl.keystore.password", "[hidden]"),
                entry("security.protocol", "SASL_SSL"),
                entry("ssl.key.password", "[hidden]"),
                entry("ssl.truststore.location", "/etc/ca.p12"),
                entry("ssl.truststore.password", "[hidden]"),
                entry("webhook.urls", "[hidden]"));
    }

    @Test
    void shouldPrintTheResolvedSettingsWithTheirSourcesAndNoSecretThenExit() throws Exception {
        Path jaas = file("jaas", "ScramLoginModule required username=\"cp\" password=\"s3cret\";\n");
        StringWriter out = new StringWriter();
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out));

        int code = cli.execute("sink-pushgateway", "--print-config", "--set", "sasl.jaas.config=@" + jaas,
                "--set", "security.protocol=SASL_SSL", "--bootstrap-server", "kafka-1:9093",
                "--pushgateway-url", "http://pushgateway:9091");

        assertThat(code).isZero();
        assertThat(out.toString()).isEqualTo("""
                bootstrap.servers=kafka-1:9093   (--bootstrap-server)
                pushgateway.url=http://pushgateway:9091   (flag)
                sasl.jaas.config=[hidden]   (--set)
                schema.registry.url=http://127.0.0.1:8081/apis/ccompat/v7   (default)
                security.protocol=SASL_SSL   (--set)
                """);
    }

    @Test
    void shouldHandTheSdkItsProducerKeysUnderKafkaAndTheRegistryKeys() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", "kafka:9092");
        settings.put("schema.registry.url", "https://registry:8081");
        settings.put("security.protocol", "SASL_SSL");
        settings.put("producer.linger.ms", "20");
        settings.put("consumer.max.poll.records", "10");
        settings.put("bearer.auth.token", "t0k");
        settings.put("schema.registry.ssl.truststore.location", "/etc/ca.p12");

        assertThat(new TreeMap<>(KafkaOptions.sdkSettings(settings))).containsExactly(
                entry("bearer.auth.token", "t0k"),
                entry("kafka.linger.ms", "20"),
                entry("kafka.security.protocol", "SASL_SSL"),
                entry("schema.registry.ssl.truststore.location", "/etc/ca.p12"));
    }
}
