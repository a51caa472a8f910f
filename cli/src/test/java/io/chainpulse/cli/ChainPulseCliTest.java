package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChainPulseCliTest {
    private final CliRun cli = new CliRun();

    @Test
    void shouldExitWithTwoAndNameAnUnknownCommand() {
        assertThat(cli.run("launch")).isEqualTo(2);
        assertThat(cli.err()).startsWith("Unmatched argument at index 0: 'launch'");
    }

    @Test
    void shouldExitWithTwoAndNameAnUnknownFlag() {
        assertThat(cli.run("up", "--kafka-prot", "1")).isEqualTo(2);
        assertThat(cli.err()).startsWith("Unknown options: '--kafka-prot', '1'");
    }

    @Test
    void shouldExitWithTwoWithoutACommand() {
        assertThat(cli.run()).isEqualTo(2);
        assertThat(cli.err()).startsWith("a command is required");
    }

    @Test
    void shouldPrintHelpForEachCommand() {
        assertThat(cli.run("up", "--help")).isZero();
        assertThat(cli.out()).contains("Usage: chainpulse up").contains("--kafka-port");
    }

    @Test
    void shouldPrintEveryCommandsHelpWithoutAFormatWarning() {
        // picocli formats descriptions as format strings: a bare '%' ("CPU %") printed "[picocli WARN] Could not
        // format …" on stderr and the raw text, with its %n line breaks unreplaced
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        String collect;
        try {
            picocli.CommandLine root = ChainPulseCli.commandLine();
            root.getUsageMessage();
            root.getSubcommands().values().forEach(picocli.CommandLine::getUsageMessage);
            collect = root.getSubcommands().get("collect").getUsageMessage();
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).isEmpty();
        assertThat(collect).contains("Sample a running node process (CPU %, RSS,");
    }

    @Test
    void shouldPrintTheDashboardsHelpWithItsFlagsAndDefaults() {
        assertThat(cli.run("dashboard", "--help")).isZero();
        assertThat(cli.out()).contains("Usage: chainpulse dashboard")
                .contains("--bootstrap-server, --bootstrap-servers=HOST:PORT[,...]", "default: 127.0.0.1:9092")
                .contains("--registry-url=URL", "CHAINPULSE_REGISTRY_URL")  // picocli wraps the default URL
                .contains("--config=FILE", "--set=KEY=VALUE", "--print-config")
                .contains("--port=<port>", "default: 8088");
    }

    @Test
    void shouldRejectABadDashboardPortAsAUsageErrorNamingIt() {
        assertThat(cli.run("dashboard", "--port", "70000")).isEqualTo(2);
        assertThat(cli.err()).isEqualTo("chainpulse dashboard: invalid dashboard settings: "
                + "port must be in 0..65535: 70000" + System.lineSeparator());
    }

    @Test
    void shouldRefuseBenchSizesThatCannotMeasureAnythingBeforeStartingAStack() {
        assertThat(cli.run("bench", "--events", "10", "--live-duration", "10s")).isEqualTo(2);
        assertThat(cli.err()).isEqualTo("chainpulse bench: --events must be >= 1000: 10; --live-duration must be "
                + "at least 3 × (window + grace) = 45 s, so that windows close during it: 10 s" + System.lineSeparator());
    }

    @Test
    void shouldRejectAnUnknownSetSettingNamingItAndTheKnownOnes() {
        assertThat(cli.run("process", "--set", "window.size=5000")).isEqualTo(2);
        assertThat(cli.err()).isEqualTo("chainpulse process: --set window.size: unknown setting; known: "
                + "application.id, bootstrap.servers, grace.ms, input.topic, kpi.topic, kpis, late.topic, max.future.skew.ms, "
                + "max.latency.ms, max.nodes, num.stream.threads, pairing.timeout.ms, registry.wait.max.ms, "
                + "resources.topic, schema.registry.url, state.dir, state.stores, window.size.ms; or a registry key (auto.register.schemas, "
                + "basic.auth.user.info, bearer.auth.token, schema.registry.ssl.keystore.location, "
                + "schema.registry.ssl.keystore.password, schema.registry.ssl.keystore.type, "
                + "schema.registry.ssl.truststore.location, schema.registry.ssl.truststore.password, "
                + "schema.registry.ssl.truststore.type, schema.registry.url), a Kafka client key (security.protocol, "
                + "sasl.*, ssl.*…), or any key starting with consumer., producer., admin., streams."
                + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "10s, 10000", "5m, 300000", "1h, 3600000"})
    void shouldReadDurations(String text, long millis) {
        assertThat(new DurationConverter().convert(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void shouldRejectABadDurationNamingIt() {
        assertThat(cli.run("up", "--duration", "ten")).isEqualTo(2);
        assertThat(cli.err()).contains("'ten' is not a duration: use a whole number with ms, s, m or h, e.g. 10s");
    }

    @Test
    void shouldRejectABadSinkSettingAsAUsageErrorNamingTheKey() {
        assertThat(cli.run("sink-es", "--set", "bulk.max.actions=0")).isEqualTo(2);
        assertThat(cli.err()).contains("chainpulse sink-es: Invalid value 0 for configuration bulk.max.actions: "
                + "Value must be at least 1");
    }

    @Test
    void shouldLetSinkFlagsWinOverTheConfigFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("sink.properties");
        java.nio.file.Files.writeString(file, "elasticsearch.urls=http://file:9200\nbulk.max.actions=500\n");
        SinkEsCommand command = new SinkEsCommand();
        command.kafka.configFile = file;
        command.kafka.environment = java.util.Map.of();
        command.esUrl = "http://flag:9200";

        java.util.Map<String, Object> config = command.config();

        assertThat(config).containsEntry("elasticsearch.urls", "http://flag:9200")
                .containsEntry("bulk.max.actions", "500").containsEntry("bootstrap.servers", "127.0.0.1:9092")
                .containsEntry("schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
    }
}
