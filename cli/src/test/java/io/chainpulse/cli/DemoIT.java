package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.Topics;

import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroDeserializer;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.stack.Pushgateway;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo path end to end, shortened: the real stack, processor, detector, both sinks and notifier that
 * {@code ./chainpulse demo} starts, with its default 10 s windows, fed live by the simulator — protocol events and
 * every validator's resource samples (every 5 s) through the SDK — with v3's machine CPU-saturated from 60 s (its
 * consensus and validation 3× slower; issue 16), as in the demo. v3's consensus latency is flagged and posted to the
 * webhook naming CPU as the likely cause, its CPU rule fires HIGH, its resource KPIs reach Elasticsearch and the
 * Pushgateway; the healthy validators are never named. Not earlier: the processor here starts 40 s behind the
 * simulator and catches up with the protocol windows first, the resource windows after — an alert in that burst has
 * no resources of its node to cite yet (a node with none known gets nothing extra).
 */
class DemoIT {
    private static final Duration FAULT_START = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static Demo demo;
    private static final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeAll
    static void startDemoAndWaitForTheFaultToBeFlagged() throws Exception {
        assertThat(Pushgateway.binary())
                .as("the demo test needs the real Pushgateway: apt-get install prometheus-pushgateway (CI installs it)")
                .isPresent();
        Scenario scenario = Scenario.builtIn("baseline").withDuration(Duration.ofMinutes(10))
                .withFault(new Fault(Fault.Kind.CPU_SATURATION, "v3", FAULT_START, Duration.ofMinutes(10), 3));
        demo = Demo.start(new Demo.Settings(dir.resolve("demo"), scenario, Duration.ofSeconds(10), Duration.ofSeconds(5),
                true, true, 0), new PrintStream(console, true, StandardCharsets.UTF_8));
        await(Duration.ofSeconds(180), () -> posted("v3", "consensus_latency_ms") != null
                && posted("v3", Kpi.CPU_USED_PCT.metric()) != null);
    }

    /** The first FIRING post naming {@code node} and {@code metric} (and holding {@code text}), or null. */
    private static String posted(String node, String metric, String... text) {
        return demo.webhookPosts().stream().filter(p -> p.contains("\"node_id\": \"" + node + "\"")
                && p.contains("\"metric\": \"" + metric + "\"") && p.contains("\"state\": \"FIRING\"")
                && java.util.Arrays.stream(text).allMatch(p::contains)).findFirst().orElse(null);
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void shouldPostTheSlowValidatorsConsensusAnomalyToTheWebhookNamingItAndWhatToDo() {
        String post = posted("v3", "consensus_latency_ms");
        // the cause, from v3's resources of the alert's own window against the network's (its first FIRING waited
        // for them: they close up to a sample after the protocol's window)
        assertThat(post).contains("\"suggested_actions\": [\"v3 is CPU-bound: ");
        assertThat(post).containsPattern("\"description\": \"[^\"]*consensus latency [^\"]* on v3[^\"]*; CPU max "
                + "(9[0-9]|100)\\.[0-9] % \\(network median [0-9]\\.[0-9] %\\)[^\"]* → CPU-bound");
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("[webhook] FIRING HIGH v3 consensus_latency_ms: ");
        // the healthy validators are never named
        assertThat(demo.webhookPosts()).noneMatch(p -> p.matches("(?s).*\"node_id\": \"v[124]\".*"));
    }

    @Test
    void shouldFlagTheSaturatedCpuHigh() {
        assertThat(posted("v3", Kpi.CPU_USED_PCT.metric())).contains("\"severity\": \"HIGH\"")
                .contains("\"rule\": \"cpu_used_p95_high\"");
    }

    @Test
    void shouldPublishFinalKpiWindowsForEveryValidatorAndTheNetwork() {
        List<KpiWindow> kpis = new ArrayList<>();
        try (KafkaConsumer<String, KpiWindow> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "demo-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new AvroDeserializer<>(KpiWindow.class, SchemaRegistryClients.forUrl(demo.registryUrl())))) {
            consumer.subscribe(List.of(Topics.KPIS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // until every validator's consensus latency and the network's TPS are seen: the topic holds minutes of
            // windows by now, and a poll returns one partition's batch at a time
            while (System.nanoTime() < deadline && !java.util.Set.copyOf(kpis.stream()
                    .filter(k -> k.getMetric().equals("consensus_latency_ms") && k.getNodeId() != null)
                    .map(KpiWindow::getNodeId).toList()).containsAll(List.of("v1", "v2", "v3", "v4"))
                    || kpis.stream().noneMatch(k -> k.getMetric().equals("tps") && k.getNodeId() == null)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> kpis.add(r.value()));
            }
        }
        assertThat(kpis).allMatch(KpiWindow::getFinal$);
        assertThat(kpis).filteredOn(k -> k.getMetric().equals("consensus_latency_ms") && k.getNodeId() != null)
                .extracting(KpiWindow::getNodeId).contains("v1", "v2", "v3", "v4");
        assertThat(kpis).filteredOn(k -> k.getMetric().equals("tps") && k.getNodeId() == null).isNotEmpty();
    }

    @Test
    void shouldIndexKpiAndAnomalyDocumentsInElasticsearch() throws Exception {
        String es = demo.elasticsearch().url();
        await(Duration.ofSeconds(20), () -> count(es + "/chainpulse-anomalies/_count?q=node_id:v3") > 0);
        assertThat(count(es + "/chainpulse-kpis/_count?q=metric:consensus_latency_ms%20AND%20node_id:v3")).isPositive();
        assertThat(count(es + "/chainpulse-kpis/_count?q=metric:" + Kpi.CPU_USED_PCT.metric() + "%20AND%20node_id:v3"))
                .isPositive();
        assertThat(count(es + "/chainpulse-anomalies/_count?q=metric:" + Kpi.CPU_USED_PCT.metric() + "%20AND%20node_id:v3"))
                .isPositive();
    }

    @Test
    void shouldPushTheSlowValidatorsSeriesAndItsActiveAnomalyToThePushgateway() throws Exception {
        String url = demo.pushgateway().url() + "/metrics";
        await(Duration.ofSeconds(20), () -> get(url).contains("chainpulse_anomaly_active{"));
        String metrics = get(url);
        assertThat(metrics).containsPattern("chainpulse_consensus_latency_seconds\\{[^}]*node=\"v3\"[^}]*quantile=\"0.95\"");
        assertThat(metrics).containsPattern("chainpulse_anomaly_active\\{[^}]*node=\"v3\"");
        assertThat(metrics).containsPattern(Kpi.CPU_USED_PCT.prometheusName() + "\\{[^}]*node=\"v3\"");
    }

    @Test
    void shouldShowChartsWithDataAndTheSlowValidatorInTheDashboardsFeedInRealChromium() throws Exception {
        Path chromedriver = Path.of(System.getProperty("chainpulse.chromedriver", "/usr/bin/chromedriver"));
        Path chromium = Path.of(System.getProperty("chainpulse.chromium", "/usr/bin/chromium"));
        assertThat(java.nio.file.Files.isExecutable(chromedriver) && java.nio.file.Files.isExecutable(chromium))
                .as("the dashboard test needs real Chromium: apt-get install chromium chromium-driver (CI installs them)")
                .isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,960");
        WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build(), options);
        try {
            browser.get(demo.dashboardUri().toString());
            // the page re-renders its feed every second: an element found may be replaced before it is read
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            wait.until(b -> b.findElements(By.cssSelector("#feed li")).stream()
                    .anyMatch(li -> li.getText().contains("v3") && li.getText().contains("consensus_latency_ms")));
            for (String chart : List.of("chart-tps", "chart-consensus", "chart-propagation", "chart-blocktime")) {
                wait.until(b -> points(b, chart) > 0);
                assertThat(browser.findElements(By.cssSelector("#" + chart + " canvas"))).as(chart).hasSize(1);
            }
            Path screenshot = Path.of("target", "demo-dashboard.png");
            java.nio.file.Files.createDirectories(screenshot.getParent());
            java.nio.file.Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(java.nio.file.Files.size(screenshot)).isGreaterThan(10_000);
            // four validators, each charted per node
            assertThat(browser.findElements(By.cssSelector("#chart-consensus .u-legend .u-series th")).stream()
                    .map(WebElement::getText).filter(t -> t.matches("v[1-4]"))).hasSize(4);
        } finally {
            browser.quit();
        }
    }

    private static int points(WebDriver browser, String chart) {
        String value = browser.findElement(By.id(chart)).getAttribute("data-points");
        return value == null || value.isEmpty() ? 0 : Integer.parseInt(value);
    }

    private static long count(String url) {
        String body = get(url);
        int at = body.indexOf("\"count\":");
        return at < 0 ? -1 : Long.parseLong(body.substring(at + 8, body.indexOf(',', at)));
    }

    private static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + "; demo console:\n" + console.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(500);
        }
    }
}
