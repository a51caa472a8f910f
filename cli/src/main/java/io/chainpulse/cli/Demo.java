package io.chainpulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.chainpulse.anomaly.AnomalyConfig;
import io.chainpulse.anomaly.notify.NotifyConfig;
import io.chainpulse.dashboard.Dashboard;
import io.chainpulse.processor.ProcessorConfig;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.simulator.SdkPublisher;
import io.chainpulse.sink.es.SinkEsConfig;
import io.chainpulse.sink.prometheus.PushgatewaySinkConfig;
import io.chainpulse.stack.Elasticsearch;
import io.chainpulse.stack.KafkaBroker;
import io.chainpulse.stack.Pushgateway;
import io.chainpulse.stack.SchemaRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The whole pipeline on one machine, as {@code ./chainpulse demo} runs it: the real local stack (Kafka broker, schema
 * registry, Elasticsearch node, Pushgateway where installed), the KPI processor, the anomaly detector, both sinks,
 * the webhook notifier posting to a console receiver, the live dashboard, and a simulated network published live
 * through the SDK.
 *
 * <pre>{@code
 * try (Demo demo = Demo.start(settings, System.out)) {
 *     demo.urls().forEach((what, url) -> System.out.println(what + "  " + url));
 *     Thread.sleep(120_000);
 * }   // stops everything, newest first
 * }</pre>
 *
 * Every service is started by its command's own {@code start} ({@link Service}: the same classes, settings path,
 * {@code /metrics} and {@code /health} as {@code ./chainpulse process}, {@code anomaly}, {@code sink-es} …); nothing
 * here is a stand-in.
 */
final class Demo implements AutoCloseable {

    /**
     * What to run.
     *
     * @param freePorts any free port for every server (tests); otherwise the usual ports (9092, 8081, 9200, 9091 …)
     * @param detector  anomaly detector keys (the 'Anomaly detector' table of {@code ./chainpulse config}) set for the
     *                  demo's detector, as {@code ./chainpulse anomaly --set} would (e.g. {@code memory.leak.windows=6})
     */
    record Settings(Path dataDir, Scenario scenario, Duration window, Duration grace, boolean elasticsearch,
                    boolean freePorts, int dashboardPort, Map<String, String> detector) {
        Settings {
            detector = Map.copyOf(detector);
            for (String key : detector.keySet()) {
                if (!AnomalyConfig.configDef().names().contains(key)) {
                    throw new IllegalArgumentException("demo --set " + key + ": not an anomaly detector key (see the"
                            + " 'Anomaly detector' table of ./chainpulse config)");
                }
            }
        }

        /** With the detector's defaults. */
        Settings(Path dataDir, Scenario scenario, Duration window, Duration grace, boolean elasticsearch,
                 boolean freePorts, int dashboardPort) {
            this(dataDir, scenario, window, grace, elasticsearch, freePorts, dashboardPort, Map.of());
        }
    }

    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final List<String> webhookPosts = new CopyOnWriteArrayList<>();
    private final PrintStream console;
    private KafkaBroker broker;
    private SchemaRegistry registry;
    private Elasticsearch elasticsearch;
    private Pushgateway pushgateway;
    private NetworkSimulator simulator;
    private SdkPublisher publisher;
    private URI dashboardUri;

    private Demo(PrintStream console) {
        this.console = console;
    }

    /** Starts every part, in data-flow order; on failure stops what already started and rethrows. */
    static Demo start(Settings settings, PrintStream console) throws Exception {
        Demo demo = new Demo(console);
        try {
            demo.startAll(settings);
            return demo;
        } catch (Exception | Error e) {
            demo.close();
            throw e;
        }
    }

    private void startAll(Settings s) throws Exception {
        Path dir = s.dataDir().toAbsolutePath();
        clearDataDirectory(dir); // a demo starts from empty: no topics, offsets or state from an earlier run

        console.println("starting Kafka broker and schema registry ...");
        broker = s.freePorts() ? KafkaBroker.inDirectory(dir.resolve("kafka"))
                : KafkaBroker.inDirectory(dir.resolve("kafka"), 9092);
        registry = s.freePorts() ? SchemaRegistry.inDirectory(dir.resolve("registry"))
                : SchemaRegistry.inDirectory(dir.resolve("registry"), 8081);
        running.push(broker::stop);
        broker.start();
        running.push(registry::stop);
        registry.start();
        UpCommand.createTopics(broker, 4);
        UpCommand.guardSchemas(registry.url());
        urls.put("Kafka bootstrap servers", broker.bootstrapServers());
        urls.put("Schema registry", registry.url());
        String kafka = broker.bootstrapServers();
        String registryUrl = registry.url();

        if (s.elasticsearch()) {
            console.println("starting Elasticsearch (own JVM, 512 MB heap) ...");
            elasticsearch = s.freePorts() ? Elasticsearch.inDirectory(dir.resolve("elasticsearch"))
                    : Elasticsearch.inDirectory(dir.resolve("elasticsearch"), 9200);
            running.push(elasticsearch::stop);
            elasticsearch.start();
        }
        if (Pushgateway.binary().isPresent()) {
            pushgateway = s.freePorts() ? Pushgateway.inDirectory(dir.resolve("pushgateway"))
                    : Pushgateway.inDirectory(dir.resolve("pushgateway"), 9091);
            running.push(pushgateway::stop);
            pushgateway.start();
        } else {
            console.println("prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway): "
                    + "running without the Pushgateway sink");
        }

        console.println("starting the KPI processor and the anomaly detector ...");
        Map<String, Object> processorSettings = new HashMap<>();
        processorSettings.put(ProcessorConfig.BOOTSTRAP_SERVERS, kafka);
        processorSettings.put(ProcessorConfig.SCHEMA_REGISTRY_URL, registryUrl);
        processorSettings.put(ProcessorConfig.WINDOW_SIZE_MS, s.window().toMillis());
        processorSettings.put(ProcessorConfig.GRACE_MS, s.grace().toMillis());
        processorSettings.put(ProcessorConfig.STATE_DIR, dir.resolve("processor-state").toString());
        started(ProcessCommand.start(new ProcessorConfig(processorSettings), s.freePorts() ? 0 : 9465));

        Map<String, Object> detectorSettings = new HashMap<>(s.detector());
        detectorSettings.put(AnomalyConfig.BOOTSTRAP_SERVERS, kafka);
        detectorSettings.put(AnomalyConfig.SCHEMA_REGISTRY_URL, registryUrl);
        detectorSettings.put(AnomalyConfig.STREAMS_PREFIX + "state.dir", dir.resolve("anomaly-state").toString());
        started(AnomalyCommand.start(detectorSettings, s.freePorts() ? 0 : 9467));

        if (elasticsearch != null) {
            Map<String, Object> esSettings = new HashMap<>();
            esSettings.put(SinkEsConfig.BOOTSTRAP_SERVERS, kafka);
            esSettings.put("schema.registry.url", registryUrl);
            esSettings.put(SinkEsConfig.ES_URLS, elasticsearch.url());
            started(SinkEsCommand.start(esSettings, s.freePorts() ? 0 : 9466));
            urls.put("Elasticsearch", elasticsearch.url());
            urls.put("  KPI documents", elasticsearch.url() + "/chainpulse-kpis/_search?q=metric:" + Kpi.CONSENSUS_LATENCY_MS.metric());
            urls.put("  anomaly documents", elasticsearch.url() + "/chainpulse-anomalies/_search");
        }
        if (pushgateway != null) {
            Map<String, Object> pgSettings = new HashMap<>();
            pgSettings.put(PushgatewaySinkConfig.BOOTSTRAP_SERVERS, kafka);
            pgSettings.put(PushgatewaySinkConfig.SCHEMA_REGISTRY_URL, registryUrl);
            pgSettings.put(PushgatewaySinkConfig.PUSHGATEWAY_URL, pushgateway.url());
            started(SinkPushgatewayCommand.start(new PushgatewaySinkConfig(pgSettings), s.freePorts() ? 0 : 9464));
            urls.put("Pushgateway", pushgateway.url() + "/metrics");
        }

        Dashboard dashboard = Dashboard.builder().bootstrapServers(kafka).schemaRegistryUrl(registryUrl)
                .kpiTopic(Topics.KPIS.name()).anomalyTopic(Topics.ANOMALIES.name()).port(s.freePorts() ? 0 : s.dashboardPort()).build();
        started(DashboardCommand.start(dashboard, s.freePorts() ? 0 : 9469));
        urls.put("Dashboard", dashboard.uri().toString());
        dashboardUri = dashboard.uri();

        HttpServer receiver = consoleWebhookReceiver();
        String webhook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhook";
        started(NotifyCommand.start(Map.of(NotifyConfig.BOOTSTRAP_SERVERS, kafka,
                NotifyConfig.SCHEMA_REGISTRY_URL, registryUrl, NotifyConfig.TOPIC, Topics.ANOMALIES.name(),
                NotifyConfig.GROUP_ID, "chainpulse-demo-notify", NotifyConfig.WEBHOOK_URLS, webhook),
                s.freePorts() ? 0 : 9468));
        urls.put("Webhook receiver (console)", webhook);

        Scenario scenario = s.scenario();
        console.printf("simulating %s: %d validators, %.0f TPS, live, through the producer SDK%n", scenario.name(),
                scenario.validators(), scenario.tps());
        scenario.faults().forEach(f -> console.printf("  fault scheduled: %s%s from %d s to %d s%n", f.kind().id(),
                f.node() == null ? " (network-wide)" : " on " + f.node(), f.start().toSeconds(), f.end().toSeconds()));
        simulator = new NetworkSimulator(scenario, System.currentTimeMillis());
        publisher = new SdkPublisher(simulator,
                node -> ChainPulseSdk.builder().nodeId(node).chainId(scenario.chainId()).bootstrapServers(kafka)
                        .schemaRegistryUrl(registryUrl).spoolDirectory(dir.resolve("sdk-spool")).build());
        running.push(publisher);
        runInBackground("chainpulse-demo-simulator", () -> publisher.run(1.0));
    }

    /**
     * A service the demo started the way its command does ({@code XCommand.start}): stopped with the rest; its
     * {@code /metrics} and {@code /health} listed; a death printed (the demo goes on without it).
     */
    private void started(Service service) {
        running.push(service);
        urls.put("Metrics and health: " + service.name(), "http://127.0.0.1:" + service.metricsPort() + "/metrics");
        service.died().thenAccept(why -> console.println("demo: " + service.name() + " stopped: " + why));
    }

    /** Where to look, in the order to print: the dashboard first. */
    Map<String, String> urls() {
        Map<String, String> ordered = new LinkedHashMap<>();
        if (urls.containsKey("Dashboard")) {
            ordered.put("Dashboard", urls.get("Dashboard"));
        }
        ordered.putAll(urls);
        return ordered;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    String registryUrl() {
        return registry.url();
    }

    /** The broker, for tests that stop or kill it. */
    KafkaBroker broker() {
        return broker;
    }

    /** The simulated network: its scenario's time 0 is {@link NetworkSimulator#startEpochMs()}. */
    NetworkSimulator simulator() {
        return simulator;
    }

    /** The simulated validators' publisher and their SDKs. */
    SdkPublisher publisher() {
        return publisher;
    }

    Elasticsearch elasticsearch() {
        return elasticsearch;
    }

    Pushgateway pushgateway() {
        return pushgateway;
    }

    URI dashboardUri() {
        return dashboardUri;
    }

    long eventsPublished() {
        return publisher.published();
    }

    /** Bodies the console webhook receiver was posted, in arrival order. */
    List<String> webhookPosts() {
        return webhookPosts;
    }

    /** Stops everything that started, newest first; each part gets its chance even if another fails to stop. */
    @Override
    public void close() {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                console.println("demo: while stopping: " + e);
            }
        }
    }

    private HttpServer consoleWebhookReceiver() throws IOException {
        ObjectMapper json = new ObjectMapper();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/webhook", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                String text = new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                webhookPosts.add(text);
                console.println(describe(json, text));
                exchange.sendResponseHeaders(204, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        running.push(() -> server.stop(0));
        return server;
    }

    /** One console line per anomaly transition, e.g. {@code [webhook] FIRING HIGH v3 consensus_latency_ms: … → …}. */
    static String describe(ObjectMapper json, String body) {
        try {
            JsonNode a = json.readTree(body);
            String node = a.path("node_id").isNull() || a.path("node_id").isMissingNode() ? "network"
                    : a.path("node_id").asText();
            StringBuilder line = new StringBuilder("[webhook] ").append(a.path("state").asText()).append(' ')
                    .append(a.path("severity").asText()).append(' ').append(node).append(' ')
                    .append(a.path("metric").asText()).append(": ").append(a.path("description").asText());
            JsonNode actions = a.path("suggested_actions");
            if (actions.isArray() && !actions.isEmpty()) {
                line.append(" → ").append(actions.get(0).asText());
            }
            return line.toString();
        } catch (IOException e) {
            return "[webhook] (not JSON) " + body;
        }
    }

    private interface Task {
        void run() throws Exception;
    }

    private void runInBackground(String name, Task task) {
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                console.println("demo: " + name + " stopped: " + e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static final String MARKER = ".chainpulse-demo";

    /** Empties {@code dir} if an earlier demo made it; refuses to touch a directory the demo did not make. */
    static void clearDataDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new IllegalArgumentException("--data-dir " + dir + " is not empty and was not made by the demo "
                        + "(no " + MARKER + " file in it): choose another directory");
            }
            deleteRecursively(dir);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "made by ./chainpulse demo; emptied at each start\n");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
        }
        for (Path path : paths) {
            try {
                Files.delete(path);
            } catch (IOException e) {
                throw new UncheckedIOException("could not clear the demo's data directory " + dir, e);
            }
        }
    }
}
