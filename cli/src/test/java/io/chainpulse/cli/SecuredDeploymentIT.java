package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.stack.ChildProcess;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.Pushgateway;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.SchemaRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 2: ChainPulse deployed as an operator would, on a real SASL_SSL (SCRAM-SHA-512) broker with a CA of
 * its own. Every service is {@code ./chainpulse <command>} in a JVM of its own, configured only the documented way:
 * {@code --bootstrap-server}, {@code --config FILE} (security.protocol, sasl.mechanism, ssl.truststore.*) and
 * {@code --set sasl.jaas.config=@FILE} for the secret. The registry is the local stack's Apicurio over plain HTTP (it
 * keeps its schemas in H2, not in Kafka). {@code replay} (the SDK) publishes a two-minute recording with a slow
 * validator (v3, 3× from 20 s); {@code process}, {@code anomaly}, {@code sink-pushgateway}, {@code sink-es},
 * {@code notify} and {@code dashboard} turn it into exactly v1's 11 final windows of consensus latency on the KPI topic
 * (read with the secured client) and in Elasticsearch, Pushgateway series of every validator, v3's anomaly on the
 * webhook, in Elasticsearch and on the Pushgateway, and the dashboard's API. Then each is started with a wrong password
 * and must name Kafka's authentication failure and exit (70 for services, 1 for replay) within seconds, never claiming
 * that Kafka is unreachable.
 */
class SecuredDeploymentIT {
    private static final String USER = "chainpulse";
    private static final String PASSWORD = "deploy-secret-17";
    private static final String REFUSED = "Authentication failed during authentication due to invalid credentials "
            + "with SASL mechanism SCRAM-SHA-512";
    /** A window boundary (10 s windows), so the windows of the recording are known. */
    private static final long T0 = 1_753_784_500_000L;
    private static final Duration RECORDING = Duration.ofMinutes(2);
    /**
     * How long each service started with a wrong password may take to say so and exit. The seven JVMs start at once on
     * two cores and open TLS connections: on a quiet machine each exits 14–23 s after it was launched, 1–3 s after
     * Kafka's first refusal, nearly all of it start-up. A service that retries a refused login (what this guards
     * against) never exits, so a minute tells the two apart with room for a busy CI machine.
     */
    private static final Duration REFUSED_WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    @TempDir
    static Path dir;
    private static KafkaBroker broker;
    private static SchemaRegistry registry;
    private static Pushgateway pushgateway;
    private static Elasticsearch elasticsearch;
    private static HttpServer webhook;
    private static final List<String> posts = new CopyOnWriteArrayList<>();
    private static final List<ChildProcess> services = new ArrayList<>();
    private static Path config;
    private static Path jaas;
    private static Path wrongJaas;
    private static Path recording;
    private static long started;

    @BeforeAll
    static void startTheSecuredStack() throws Exception {
        started = System.nanoTime();
        assertThat(Pushgateway.binary()).as("needs the real Pushgateway: apt-get install prometheus-pushgateway").isPresent();
        broker = KafkaBroker.inDirectory(dir.resolve("kafka")).withSaslSsl(USER, PASSWORD);
        registry = SchemaRegistry.inDirectory(dir.resolve("registry"));
        Thread registryStart = new Thread(registry::start, "registry-start");
        registryStart.start();
        Thread elasticsearchStart = new Thread(() -> elasticsearch = RealStack.sharedElasticsearch(), "es-start");
        elasticsearchStart.start();
        pushgateway = Pushgateway.inDirectory(dir.resolve("pushgateway")).start();
        broker.start();
        registryStart.join();
        elasticsearchStart.join();
        UpCommand.createTopics(broker, 1);

        Map<String, Object> client = broker.clientProperties();
        Properties properties = new Properties();
        for (String key : List.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SaslConfigs.SASL_MECHANISM,
                "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type")) {
            properties.setProperty(key, client.get(key).toString());
        }
        config = dir.resolve("chainpulse.properties");
        try (var out = Files.newBufferedWriter(config)) {
            properties.store(out, "the secured cluster, without the secret");
        }
        jaas = Files.writeString(dir.resolve("kafka-jaas"), client.get(SaslConfigs.SASL_JAAS_CONFIG) + "\n");
        wrongJaas = Files.writeString(dir.resolve("kafka-jaas-wrong"),
                broker.clientProperties(USER, "not-" + PASSWORD).get(SaslConfigs.SASL_JAAS_CONFIG) + "\n");
        assertThat(Files.readString(config)).doesNotContain(PASSWORD);

        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();

        Scenario scenario = Scenario.builtIn("baseline").withDuration(RECORDING)
                .withFault(new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(20), RECORDING, 3));
        recording = Recordings.write(scenario, T0, dir.resolve("recording.jsonl"));
        System.out.printf("secured stack up after %d ms%n", elapsedMs());
    }

    @AfterAll
    static void stop() {
        services.forEach(ChildProcess::kill);
        if (webhook != null) {
            webhook.stop(0);
        }
        if (pushgateway != null) {
            pushgateway.stop();
        }
        if (registry != null) {
            registry.stop();
        }
        if (broker != null) {
            broker.stop();
        }
        System.out.printf("SecuredDeploymentIT: %d ms in all%n", elapsedMs());
    }

    @Test
    void shouldRunEveryServiceOnTheSecuredBrokerAndNameTheAuthenticationFailureOfAWrongPassword() throws Exception {
        int processPort = ChildProcess.freePort();
        int anomalyPort = ChildProcess.freePort();
        int pushPort = ChildProcess.freePort();
        int notifyPort = ChildProcess.freePort();
        int dashboardMetrics = ChildProcess.freePort();
        int dashboardPort = ChildProcess.freePort();
        int esPort = ChildProcess.freePort();
        String hook = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
        services.add(start("process", jaas, "--metrics-port", processPort, "--set", "state.dir=" + dir.resolve("process-state")));
        services.add(start("anomaly", jaas, "--metrics-port", anomalyPort, "--set", "streams.state.dir=" + dir.resolve("anomaly-state")));
        services.add(start("sink-pushgateway", jaas, "--metrics-port", pushPort, "--pushgateway-url", pushgateway.url()));
        services.add(start("sink-es", jaas, "--metrics-port", esPort, "--es-url", elasticsearch.url()));
        services.add(start("notify", jaas, "--metrics-port", notifyPort, "--url", hook));
        services.add(start("dashboard", jaas, "--metrics-port", dashboardMetrics, "--port", dashboardPort));
        for (int port : List.of(processPort, anomalyPort, pushPort, esPort, notifyPort, dashboardMetrics)) {
            await(Duration.ofSeconds(60), () -> health(port) == 200, "/health of :" + port);
        }
        System.out.printf("six services healthy after %d ms%n", elapsedMs());

        ChildProcess replay = run("replay", jaas, "--input", recording, "--spool-dir", dir.resolve("replay-spool"));
        assertThat(replay.awaitExit(Duration.ofSeconds(60)).orElse(-1)).as("replay, log:%n%s", replay.tail()).isZero();
        long events = Files.lines(recording).count();
        assertThat(Files.readString(replay.log())).contains(events + " events published, 0 bad lines skipped");

        // 120 s of 10 s windows, grace 5 s: the last event (just before 120 s) closes windows ending by 115 s, 0..100 s
        String metric = Kpi.CONSENSUS_LATENCY_MS.metric();
        await(Duration.ofSeconds(60), () -> finalWindows(metric, "v1").size() >= 11, "11 final windows of v1");
        await(Duration.ofSeconds(60), () -> posts.stream().anyMatch(p -> p.contains("\"node_id\": \"v3\"")),
                "a webhook post naming v3");
        await(Duration.ofSeconds(30), () -> get(pushgateway.url() + "/metrics").contains("chainpulse_anomaly_active{"),
                "the active anomaly on the Pushgateway");
        await(Duration.ofSeconds(30), () -> get("http://127.0.0.1:" + dashboardPort + "/api/anomalies").contains("v3"),
                "the anomaly in the dashboard's API");
        String v1Documents = elasticsearch.url() + "/chainpulse-kpis/_count?q=metric:" + metric + "%20AND%20node_id:v1";
        await(Duration.ofSeconds(30), () -> count(v1Documents) >= 11, "v1's 11 KPI documents in Elasticsearch");
        await(Duration.ofSeconds(30), () -> count(elasticsearch.url() + "/chainpulse-anomalies/_count?q=node_id:v3") > 0,
                "v3's anomaly in Elasticsearch");
        System.out.printf("results after %d ms%n", elapsedMs());

        List<KpiWindow> v1 = finalWindows(metric, "v1");
        assertThat(v1).extracting(w -> (w.getWindowStartMs() - T0) / 1000)
                .containsExactly(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
        String post = posts.stream().filter(p -> p.contains("\"node_id\": \"v3\"")).findFirst().orElseThrow();
        System.out.println("webhook posts: " + posts.size() + ", first: " + post);
        assertThat(post).contains("\"state\": \"FIRING\"").contains("\"detector\": \"peer_outlier\"");
        assertThat(posts).noneMatch(p -> p.matches("(?s).*\"node_id\": \"v[124]\".*"));
        String metrics = get(pushgateway.url() + "/metrics");
        for (String node : List.of("v1", "v2", "v3", "v4")) {
            assertThat(metrics).containsPattern("chainpulse_consensus_latency_seconds\\{[^}]*node=\"" + node
                    + "\"[^}]*quantile=\"0.95\"");
        }
        assertThat(metrics).containsPattern("chainpulse_anomaly_active\\{[^}]*node=\"v3\"");
        assertThat(count(v1Documents)).as("v1's KPI documents: one per final window").isEqualTo(11);
        assertThat(get("http://127.0.0.1:" + dashboardPort + "/api/kpis")).contains(metric).contains("\"v1\"");

        // the negative half: the same command lines with a wrong password, alone on the machine
        services.forEach(ChildProcess::kill);
        Path few = Files.write(dir.resolve("few.jsonl"), Files.readAllLines(recording).subList(0, 200));
        List<ChildProcess> refused = new ArrayList<>();
        refused.add(run("replay", wrongJaas, "--input", few, "--spool-dir", dir.resolve("refused-spool"), "--timeout", "5s"));
        refused.add(start("process", wrongJaas, "--metrics-port", 0, "--set", "application.id=refused-p",
                "--set", "state.dir=" + dir.resolve("refused-process-state")));
        refused.add(start("anomaly", wrongJaas, "--metrics-port", 0, "--set", "application.id=refused-a",
                "--set", "streams.state.dir=" + dir.resolve("refused-anomaly-state")));
        refused.add(start("sink-pushgateway", wrongJaas, "--metrics-port", 0, "--pushgateway-url", pushgateway.url()));
        refused.add(start("sink-es", wrongJaas, "--metrics-port", 0, "--es-url", elasticsearch.url(),
                "--set", "group.id=refused-es"));
        refused.add(start("notify", wrongJaas, "--metrics-port", 0, "--url", hook));
        refused.add(start("dashboard", wrongJaas, "--metrics-port", 0, "--port", 0));
        long refusedAt = System.nanoTime();
        Map<String, Integer> exits = new java.util.TreeMap<>();
        Map<String, Long> exitMs = new java.util.TreeMap<>();
        while (exits.size() < refused.size() && System.nanoTime() - refusedAt < REFUSED_WITHIN.toNanos()) {
            for (ChildProcess service : refused) {
                if (!exits.containsKey(service.name()) && !service.isAlive()) {
                    exits.put(service.name(), service.awaitExit(Duration.ZERO).orElseThrow());
                    exitMs.put(service.name(), (System.nanoTime() - refusedAt) / 1_000_000);
                }
            }
            Thread.sleep(100);
        }
        System.out.println("with a wrong password: exit codes " + exits + " after ms " + exitMs);
        Map<String, String> said = new java.util.TreeMap<>();
        for (ChildProcess service : refused) {
            service.kill();
            String log = Files.readString(service.log());
            said.put(service.name(), log.lines().filter(l -> l.startsWith("chainpulse ") && l.contains(REFUSED))
                    .findFirst().orElse("(nothing naming the refusal; log:\n" + service.tail() + ")"));
            assertThat(log).as("%s's log", service.name()).contains(REFUSED).doesNotContainIgnoringCase("unreachable");
        }
        said.forEach((command, line) -> System.out.println(command + ": " + line));
        assertThat(exits).as("exit codes with a wrong password, within %s", REFUSED_WITHIN).isEqualTo(Map.of(
                "replay", 1, "process", ServiceLifetime.DIED, "anomaly", ServiceLifetime.DIED,
                "sink-pushgateway", ServiceLifetime.DIED, "sink-es", ServiceLifetime.DIED, "notify", ServiceLifetime.DIED, "dashboard", ServiceLifetime.DIED));
        // The Kafka producer hands a refused login to one of its callers only now and then: the SDK names it when it
        // gets it, and until then says that Kafka did not answer, naming the settings to check — never "unreachable".
        // Kafka's own error is in the log either way (the client logs each refused attempt).
        String sdkSaid = Files.readString(refused.get(0).log()).lines().filter(l -> l.startsWith("chainpulse replay: "))
                .findFirst().orElse("");
        assertThat(sdkSaid).matches(java.util.regex.Pattern.quote("chainpulse replay: Kafka refused the SDK's credentials ("
                + REFUSED + "); check security.protocol, sasl.mechanism, sasl.jaas.config and the ssl.truststore settings")
                + ".*|" + java.util.regex.Pattern.quote("chainpulse replay: no answer from Kafka (Topic "
                + Topics.EVENTS.name() + " not present in metadata after 200 ms.): is it up and reachable, and do "
                + "security.protocol, sasl.* and ssl.* match its listener?") + ".*");
        assertThat(said.get("process")).startsWith("chainpulse process: Kafka refused the processor's credentials ("
                + REFUSED + "): check security.protocol, sasl.*, ssl.*");
        assertThat(said.get("dashboard")).startsWith("chainpulse dashboard: Kafka refused the dashboard's credentials ("
                + REFUSED + "): check security.protocol, sasl.*, ssl.*");
        for (String command : List.of("sink-pushgateway", "sink-es", "notify")) {
            assertThat(said.get(command)).as(command).startsWith("chainpulse " + command + ": Kafka refused " + command
                    + "'s credentials (" + REFUSED + "): check security.protocol, sasl.*, ssl.*; /health answers 503");
        }
        assertThat(said.get("anomaly")).startsWith("chainpulse anomaly: a stream thread died of "
                + "org.apache.kafka.streams.errors.StreamsException: "
                + "org.apache.kafka.common.errors.SaslAuthenticationException: " + REFUSED + "; /health answers 503");
    }

    private static ChildProcess start(String command, Path secret, Object... options) {
        ChildProcess child = run(command, secret, options);
        return child;
    }

    /** {@code ./chainpulse <command>} as an operator writes it: the cluster from the file, the secret from a file. */
    private static ChildProcess run(String command, Path secret, Object... options) {
        List<String> args = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                ChainPulseCli.class.getName(), command, "--bootstrap-server", broker.bootstrapServers(),
                "--registry-url", registry.url(), "--config", config.toString(), "--set", "sasl.jaas.config=@" + secret));
        for (Object option : options) {
            args.add(option.toString());
        }
        String name = command + (secret.equals(jaas) ? "" : "-refused");
        return ChildProcess.startJava(command, args, dir.resolve(name + ".log"));
    }

    /** The committed final windows of {@code metric} for {@code node}, read from the KPI topic with the secured client. */
    private static List<KpiWindow> finalWindows(String metric, String node) {
        Map<String, Object> properties = new HashMap<>(broker.clientProperties());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<KpiWindow> out = new ArrayList<>();
        try (KafkaConsumer<String, KpiWindow> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(registry.url())))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.KPIS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    KpiWindow w = r.value();
                    if (w != null && w.getFinal$() && metric.equals(w.getMetric()) && node.equals(w.getNodeId())) {
                        out.add(w);
                    }
                });
            }
        }
        out.sort(java.util.Comparator.comparingLong(KpiWindow::getWindowStartMs));
        return out;
    }

    private static int health(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static long count(String url) {
        String body = get(url);
        int at = body.indexOf("\"count\":");
        return at < 0 ? -1 : Long.parseLong(body.substring(at + 8, body.indexOf(',', at)));
    }

    private static void await(Duration timeout, BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (ChildProcess service : services) {
                    logs.append("\n--- ").append(service.name()).append(service.isAlive() ? "" : " (exited)")
                            .append(":\n").append(service.tail());
                }
                throw new AssertionError("not within " + timeout + ": " + what + logs);
            }
            Thread.sleep(500);
        }
    }

    private static long elapsedMs() {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
