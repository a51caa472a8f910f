package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.catalog.Topics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * docker/ is an operator's installation: the compose file is valid, runs ChainPulse commands that exist with options
 * they accept, creates exactly the pipeline's topics (the compacted one compacted), starts services only once their
 * dependencies are healthy, keeps state on volumes, runs as a non-root user, and its Alertmanager configuration passes
 * {@code amtool}.
 */
class DockerComposeTest {
    private static final Path HOME = Path.of(System.getProperty("chainpulse.home", ".."));
    private static final Path COMPOSE = HOME.resolve("docker/docker-compose.yml");

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
        Map<String, Map<String, Object>> services = resolvedServices();
        List<String> checked = new ArrayList<>();
        for (var service : services.entrySet()) {
            Object build = service.getValue().get("build");
            if (build == null || service.getValue().containsKey("entrypoint")) {
                continue; // a third-party image, or a one-shot job of our image with its own main class
            }
            List<String> command = (List<String>) service.getValue().get("command");
            // throws on an unknown command or option, as ./chainpulse would at start
            CommandLine.ParseResult parsed = ChainPulseCli.commandLine().parseArgs(command.toArray(String[]::new));
            assertThat(parsed.hasSubcommand()).as(service.getKey()).isTrue();
            checked.add(service.getKey());
        }
        assertThat(checked).containsExactlyInAnyOrder("processor", "anomaly-detector", "sink-elasticsearch",
                "sink-pushgateway", "notify", "dashboard");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStartChainPulseServicesAfterTheTopicsExistWithHealthchecksAndTheirStateOnVolumes() throws Exception {
        Map<String, Map<String, Object>> services = resolvedServices();
        for (String name : List.of("processor", "anomaly-detector", "sink-elasticsearch", "sink-pushgateway",
                "notify", "dashboard")) {
            Map<String, Object> service = services.get(name);
            Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) service.get("depends_on");
            assertThat(dependsOn.get("topic-init")).as(name).containsEntry("condition", "service_completed_successfully");
            assertThat(service.get("restart")).as(name).isEqualTo("unless-stopped");
            assertThat(service).as(name).containsKey("healthcheck");
        }
        assertThat((List<String>) services.get("processor").get("volumes")).containsExactly("processor-state:/app/state:rw");
        assertThat((List<String>) services.get("anomaly-detector").get("volumes")).containsExactly("detector-state:/app/state:rw");
        assertThat((List<String>) services.get("schema-registry").get("volumes")).containsExactly("registry-data:/data:rw");
        assertThat((Map<String, String>) services.get("schema-registry").get("environment"))
                .containsEntry("APICURIO_STORAGE_KIND", "sql");
        for (String name : List.of("kafka", "schema-registry", "elasticsearch", "pushgateway", "alertmanager")) {
            assertThat(services.get(name)).as(name).containsKey("healthcheck");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldLogEveryServiceInOverSaslSslWithTheSaslFileOnTop() throws Exception {
        Map<String, Map<String, Object>> plain = resolvedServices();
        Map<String, Map<String, Object>> sasl = resolvedServices("-f", COMPOSE.toString(),
                "-f", HOME.resolve("docker/docker-compose.sasl.yml").toString());
        for (String name : List.of("processor", "anomaly-detector", "sink-elasticsearch", "sink-pushgateway",
                "notify", "dashboard")) {
            assertThat((Map<String, String>) plain.get(name).get("environment")).as(name)
                    .containsEntry("CHAINPULSE_BOOTSTRAP_SERVER", "kafka:9092").doesNotContainKey("CHAINPULSE_CONFIG");
            assertThat((Map<String, String>) sasl.get(name).get("environment")).as(name).isEqualTo(Map.of(
                    "CHAINPULSE_BOOTSTRAP_SERVER", "kafka:9094",
                    "CHAINPULSE_CONFIG", "/certs/client.properties",
                    "CHAINPULSE_REGISTRY_URL", "http://schema-registry:8080/apis/ccompat/v7"));
            assertThat((List<String>) sasl.get(name).get("volumes")).as(name).contains("kafka-certs:/certs:ro");
            assertThat(sasl.get(name).get("command")).as(name).isEqualTo(plain.get(name).get("command"));
        }
        Map<String, Object> kafka = sasl.get("kafka");
        assertThat((List<String>) kafka.get("entrypoint")).containsExactly("/bin/bash", "/sasl/start-sasl.sh");
        assertThat((Map<String, Map<String, String>>) kafka.get("depends_on"))
                .containsEntry("kafka-certs", Map.of("condition", "service_completed_successfully"));
        assertThat(((Map<String, List<String>>) kafka.get("healthcheck")).get("test").get(1))
                .contains("--bootstrap-server localhost:9094 --command-config /certs/client.properties");
        assertThat((Map<String, String>) sasl.get("topic-init").get("environment"))
                .containsEntry("BOOTSTRAP", "kafka:9094")
                .containsEntry("KAFKA_TOPICS_OPTS", "--command-config /certs/client.properties");
        assertThat((List<String>) sasl.get("kafka-certs").get("entrypoint"))
                .containsExactly("/bin/bash", "/sasl/sasl-certs.sh");
        // secrets come from files, never from the compose file
        assertThat(Files.readString(HOME.resolve("docker/docker-compose.sasl.yml"))).doesNotContainPattern(
                "(?i)password\\s*[:=]\\s*[^\\s{]");
    }

    /**
     * The services as docker-compose itself resolves them (anchors merged, variables substituted, the notify profile
     * on with a webhook URL set as an operator would).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> resolvedServices() throws Exception {
        return resolvedServices("-f", COMPOSE.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> resolvedServices(String... files) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        command.addAll(List.of(files));
        command.addAll(List.of("--profile", "notify", "config"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CHAINPULSE_WEBHOOK_URL", "https://hooks.example.org/chainpulse");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(err).isZero();
        return (Map<String, Map<String, Object>>) new Yaml().<Map<String, Object>>load(out).get("services");
    }

    @Test
    void shouldCreateExactlyThePipelinesTopicsWithTheCurrentAnomaliesCompacted() throws Exception {
        Map<String, String> policies = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(HOME.resolve("docker/init/topic-init.sh"))) {
            if (line.startsWith("chainpulse.")) {
                String[] fields = line.split("\\|");
                policies.put(fields[0], fields[1]);
            }
        }
        Map<String, String> expected = new java.util.TreeMap<>();
        for (var topic : Topics.ALL) {
            expected.put(topic.name(), topic.configs().get("cleanup.policy"));
        }
        assertThat(policies).isEqualTo(expected);
    }

    @Test
    void shouldBuildARuntimeImageThatRunsAsANonRootUserFromSourcesOnly() throws Exception {
        String dockerfile = Files.readString(HOME.resolve("docker/Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^USER chainpulse$").contains("-Dbenchmarks.shade.phase=none");
        assertThat(Files.readAllLines(HOME.resolve(".dockerignore"))).contains("**/target/", ".git/", "docker/secrets/");
    }

    @Test
    void shouldPassAmtoolAndPointPrometheusAtAlertmanager() throws Exception {
        Process process = new ProcessBuilder("amtool", "check-config",
                HOME.resolve("docker/alertmanager/alertmanager.yml").toString()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        assertThat(out).contains("SUCCESS", "3 receivers");
        assertThat(Files.readString(HOME.resolve("docker/prometheus/prometheus.yml")))
                .contains("alertmanagers:", "targets: [\"alertmanager:9093\"]");
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
        assertThat(command.subList(1, command.size())).containsExactlyElementsOf(Topics.avroNames());
    }
}
