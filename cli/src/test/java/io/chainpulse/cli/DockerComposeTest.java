package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/** docker/docker-compose.yml is valid and runs ChainPulse commands that exist, with options they accept. */
class DockerComposeTest {
    private static final Path COMPOSE = Path.of(System.getProperty("chainpulse.home", "..")).resolve("docker/docker-compose.yml");

    @Test
    void shouldBeAValidComposeFile() throws Exception {
        Process process = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "--quiet")
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRunOnlyChainPulseCommandsAndOptionsThatExist() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        List<String> checked = new ArrayList<>();
        for (var service : services.entrySet()) {
            Object build = service.getValue().get("build");
            if (build == null) {
                continue; // a third-party image
            }
            List<String> command = (List<String>) service.getValue().get("command");
            // throws on an unknown command or option, as ./chainpulse would at start
            CommandLine.ParseResult parsed = ChainPulseCli.commandLine().parseArgs(command.toArray(String[]::new));
            assertThat(parsed.hasSubcommand()).as(service.getKey()).isTrue();
            checked.add(service.getKey());
        }
        assertThat(checked).containsExactlyInAnyOrder("processor", "anomaly-detector", "sink-elasticsearch", "sink-pushgateway");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldSetTheSchemaCompatibilityOfEveryAvroTopicWithTheCodeUpRuns() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
        Map<String, Object> service = ((Map<String, Map<String, Object>>) compose.get("services"))
                .get("registry-compatibility");
        List<String> entrypoint = (List<String>) service.get("entrypoint");
        List<String> command = (List<String>) service.get("command");

        assertThat(entrypoint.get(entrypoint.size() - 1))
                .isEqualTo(io.chainpulse.schema.registry.SchemaCompatibility.class.getName());
        assertThat(command.get(0)).isEqualTo("http://schema-registry:8080/apis/ccompat/v7");
        assertThat(command.subList(1, command.size())).containsExactlyElementsOf(Topics.AVRO);
    }
}
