package io.chainpulse.dashboard;

import static io.chainpulse.dashboard.Records.W;
import static io.chainpulse.dashboard.Records.anomaly;
import static io.chainpulse.dashboard.Records.gauge;
import static io.chainpulse.dashboard.Records.latency;
import static io.chainpulse.dashboard.Records.rate;
import static io.chainpulse.dashboard.Records.tps;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.Anomaly;
import io.chainpulse.schema.AnomalyState;
import io.chainpulse.schema.KpiWindow;
import io.chainpulse.schema.Severity;
import io.chainpulse.schema.catalog.Kpi;
import io.chainpulse.schema.catalog.KpiKind;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import io.chainpulse.schema.serde.AvroSerializer;
import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard between the real broker and registry and a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}): KPI windows and an anomaly produced with the project's serializers show up as drawn
 * charts and a feed entry, and a fault injected while the page is open appears in the feed within seconds; the
 * System view draws every resource KPI of the catalog per node and names the node under pressure.
 */
@ExtendWith(RealStackExtension.class)
class DashboardIT {
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("chainpulse.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("chainpulse.chromium", "/usr/bin/chromium"));
    private static final int WINDOWS = 6;
    private static final List<String> NODES = List.of("v1", "v2", "v3", "v4");

    private final String kpis = "kpis-" + UUID.randomUUID();
    private final String anomalies = "anomalies-" + UUID.randomUUID();
    private KafkaProducer<String, SpecificRecord> producer;
    private Dashboard dashboard;
    private WebDriver browser;

    /** Fails (never skips) without the browser, before any server starts. */
    @BeforeAll
    static void requireChromium() {
        for (Path binary : List.of(CHROMEDRIVER, CHROMIUM)) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: DashboardIT drives a real headless Chromium; install it "
                        + "with 'apt-get install chromium chromium-driver' (CI's .ci/run does)");
            }
        }
    }

    @BeforeEach
    void start(RealStack stack) {
        stack.broker().createTopics(2, kpis, anomalies);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClients.forUrl(stack.registryUrl()), true));
        dashboard = Dashboard.builder().bootstrapServers(stack.bootstrapServers()).schemaRegistryUrl(stack.registryUrl())
                .kpiTopic(kpis).anomalyTopic(anomalies).port(0).build();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (producer != null) {
            producer.close();
        }
    }

    @Test
    void shouldDrawEveryChartFromTheTopicsAndShowAnInjectedFaultInTheFeedWithinSeconds() throws Exception {
        // six recent 10-s windows: wall-clock time, so the page reads them as live
        long first = (System.currentTimeMillis() / W - WINDOWS) * W;
        for (int i = 0; i < WINDOWS; i++) {
            long start = first + i * W;
            send(kpis, tps(null, start, 800 + 10 * i));                                    // network TPS
            send(kpis, tps("v1", start, 200));                                             // node TPS: not on the network chart
            send(kpis, latency("block_time_ms", null, start, 1000, 1100 + i, 1300));       // network block time
            send(kpis, latency("consensus_latency_ms", null, start, 110, 160, 240));       // network: not on the per-node chart
            for (int n = 0; n < NODES.size(); n++) {
                String node = NODES.get(n);
                double slow = node.equals("v3") && i >= 4 ? 8 : 1; // v3 turns slow in the last two windows
                send(kpis, latency("consensus_latency_ms", node, start, (100 + 7 * n) * slow, (150 + 9 * n) * slow,
                        (200 + 11 * n) * slow));
                if (n > 0) { // v1 proposes: only the others receive its blocks
                    send(kpis, latency("propagation_delay_ms", node, start, 40, 70 + 6 * n + i % 3, 120));
                }
            }
        }
        send(anomalies, anomaly("baseline|tps|v1", AnomalyState.FIRING, "v1", Severity.MEDIUM, first));

        dashboard.start();
        browser = chromium();
        browser.get(dashboard.uri().toString());

        // the page re-renders its feed every second: an element found may be replaced before it is read
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(b -> attribute("chart-consensus", "data-points").equals("24")
                && attribute("feed", "data-count").equals("1"));
        assertThat(browser.getTitle()).isEqualTo("ChainPulse — live");
        assertChart("chart-tps", 1, WINDOWS);
        assertChart("chart-consensus", 4, 4 * WINDOWS);
        assertChart("chart-propagation", 3, 3 * WINDOWS);
        assertChart("chart-blocktime", 3, 3 * WINDOWS); // p50, p95, p99
        assertThat(browser.findElement(By.id("tps-latest")).getText()).isEqualTo("850 tx/s");
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("live · newest window ends ");
        assertThat(browser.findElements(By.cssSelector("#chart-consensus .u-legend .u-series th")))
                .extracting(WebElement::getText).containsSubsequence("v1", "v2", "v3", "v4");
        WebElement firstEntry = browser.findElement(By.cssSelector("#feed li"));
        assertThat(firstEntry.getAttribute("data-node")).isEqualTo("v1");

        // the injected fault: v3's consensus latency, raised while the page is open
        long injectedAt = System.nanoTime();
        send(anomalies, anomaly("peer_outlier|consensus_p95_peer|consensus_latency_ms|node|v3", AnomalyState.FIRING,
                "v3", Severity.CRITICAL, first + 4 * W));
        new WebDriverWait(browser, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(b -> attribute("feed", "data-count").equals("2"));
        long shownAfterMs = (System.nanoTime() - injectedAt) / 1_000_000;
        Path screenshot = saveScreenshot(); // before the detailed assertions, so a failure still leaves a picture

        WebElement newest = browser.findElement(By.cssSelector("#feed li"));
        assertThat(newest.getAttribute("data-node")).isEqualTo("v3");
        assertThat(newest.getAttribute("data-state")).isEqualTo("FIRING");
        assertThat(newest.findElement(By.cssSelector(".sev")).getText()).isEqualTo("CRITICAL");
        assertThat(newest.findElement(By.cssSelector(".node")).getText()).isEqualTo("v3");
        assertThat(newest.findElement(By.cssSelector(".metric")).getText()).isEqualTo("consensus_latency_ms");
        assertThat(newest.findElement(By.cssSelector(".desc")).getText())
                .isEqualTo("p95 consensus latency 964 ms on v3, 8.1x the network median 119 ms");
        assertThat(newest.findElements(By.cssSelector(".action"))).extracting(WebElement::getText)
                .containsExactly("check v3's CPU and disk", "compare its peers");
        assertThat(browser.findElement(By.id("anomaly-count")).getText()).isEqualTo("2 transitions · 2 firing");
        System.out.printf("injected anomaly shown in the feed after %d ms%n", shownAfterMs);

        browser.findElement(By.cssSelector("#consensus-pct button[data-pct='p99']")).click();
        assertThat(browser.findElement(By.cssSelector("#consensus-pct button.on")).getText()).isEqualTo("p99");
        assertChart("chart-consensus", 4, 4 * WINDOWS);

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);

    }

    @Test
    void shouldDrawAnyCatalogKpiChosenInTheSelectWithoutTheKpiBeingNamedInThePage() throws Exception {
        Kpi kpi = Kpi.BLOCK_EXECUTION_MS; // in the catalog, on none of the fixed charts
        long first = (System.currentTimeMillis() / W - WINDOWS) * W;
        for (int i = 0; i < WINDOWS; i++) {
            long start = first + i * W;
            send(kpis, latency(kpi.metric(), null, start, 30, 45 + i, 60));                 // network
            for (String node : NODES) {
                send(kpis, latency(kpi.metric(), node, start, 20, 40, 50));
            }
            send(kpis, tps(null, start, 800));                                             // another KPI: not drawn
        }
        dashboard.start();
        browser = chromium();
        browser.get(dashboard.uri().toString());

        List<String> fixed = DashboardCatalog.CHARTS.stream().map(c -> c.kpi().metric()).toList();
        String firstUncharted = Arrays.stream(Kpi.values()).map(Kpi::metric).filter(m -> !fixed.contains(m))
                .findFirst().orElseThrow();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(b -> attribute("chart-kpi", "data-metric").equals(firstUncharted));
        Select select = new Select(browser.findElement(By.id("kpi-select")));
        assertThat(select.getOptions()).extracting(o -> o.getAttribute("value")).isEqualTo(Kpi.metrics());

        select.selectByValue(kpi.metric());
        wait.until(b -> attribute("chart-kpi", "data-points").equals(Integer.toString(5 * WINDOWS)));
        assertChart("chart-kpi", 5, 5 * WINDOWS); // the network and four nodes, one p95 per window each
        assertThat(attribute("chart-kpi", "data-metric")).isEqualTo(kpi.metric());
        assertThat(browser.findElement(By.id("kpi-latest")).getText()).isEqualTo("p95 " + (45 + WINDOWS - 1) + " ms");
        assertThat(browser.findElement(By.id("kpi-definition")).getText())
                .isEqualTo(kpi.definition().replace("`", "") + " (latency, p95 in ms)");
        assertThat(browser.findElements(By.cssSelector("#chart-kpi .u-legend .u-series th")))
                .extracting(WebElement::getText).containsExactly("Time", "v1", "v2", "v3", "v4", "network"); // nodes first, as /api/kpis orders them
        assertChart("chart-tps", 1, WINDOWS); // the fixed charts keep drawing
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    @Test
    void shouldShowEveryCatalogResourceKpiPerNodeInTheSystemViewWithTheLatestReadingAndTheNodeUnderPressure()
            throws Exception {
        long began = System.nanoTime();
        long first = (System.currentTimeMillis() / W - WINDOWS) * W;
        for (int i = 0; i < WINDOWS; i++) {
            long start = first + i * W;
            for (int n = 0; n < NODES.size(); n++) {
                String node = NODES.get(n);
                for (Kpi kpi : Kpi.resources()) { // whatever the catalog's resource KPIs are: the page draws them all
                    double value = resourceValue(kpi, node, n, i);
                    producer.send(new ProducerRecord<>(kpis, "k", kpi.kind() == KpiKind.RATE
                            ? rate(kpi.metric(), node, start, value) : gauge(kpi.metric(), node, start, value, value)));
                }
            }
            // the network's sum: not a node's line
            producer.send(new ProducerRecord<>(kpis, "k", rate(Kpi.NET_RX_BYTES_PER_S.metric(), null, start, 51_200)));
            send(kpis, tps(null, start, 800)); // a protocol KPI: not in the System view
        }
        dashboard.start();
        browser = chromium();
        browser.get(dashboard.uri().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(b -> attribute("view-system", "data-kpis").equals(Integer.toString(Kpi.resources().size())));
        assertThat(browser.findElement(By.id("view-system")).isDisplayed()).isFalse();

        browser.findElement(By.cssSelector("#views button[data-view='system']")).click();
        String cpu = "chart-sys-" + Kpi.CPU_PCT.metric();
        // every record read (each chart full), so the table shows its final readings and is not redrawn under us
        wait.until(b -> Kpi.resources().stream().allMatch(k -> attribute("chart-sys-" + k.metric(), "data-points")
                .equals(Integer.toString(4 * WINDOWS))) && attribute("system-latest", "data-nodes").equals("4"));
        Path screenshot = saveScreenshot("dashboard-system-screenshot.png");

        assertThat(browser.findElement(By.id("view-overview")).isDisplayed()).isFalse();
        assertThat(browser.getCurrentUrl()).endsWith("/#system");
        for (Kpi kpi : Kpi.resources()) { // one line per node, one point per window: the network's sum is not drawn
            assertChart("chart-sys-" + kpi.metric(), 4, 4 * WINDOWS);
        }
        assertThat(browser.findElements(By.cssSelector("#" + cpu + " .u-legend .u-series th")))
                .extracting(WebElement::getText).containsExactly("Time", "v1", "v2", "v3", "v4");
        assertThat(browser.findElements(By.cssSelector("#system-latest thead th"))).extracting(WebElement::getText)
                .hasSize(1 + Kpi.resources().size()).startsWith("node")
                .contains(Kpi.CPU_PCT.label() + "\n" + Kpi.CPU_PCT.unit()); // a label over its unit
        assertThat(browser.findElements(By.cssSelector("#system-latest tbody th"))).extracting(WebElement::getText)
                .containsExactly("v1", "v2", "v3", "v4");
        assertThat(cell("v3", Kpi.CPU_PCT)).isEqualTo("97.5 %");
        assertThat(cell("v1", Kpi.CPU_PCT)).isEqualTo("25 %");
        assertThat(cell("v2", Kpi.RSS_BYTES)).isEqualTo("1.5 GiB");
        assertThat(cell("v1", Kpi.RSS_BYTES)).isEqualTo("256 MiB");
        assertThat(cell("v4", Kpi.PEERS_CONNECTED)).isEqualTo("2 peers");
        assertThat(cell("v1", Kpi.NET_RX_BYTES_PER_S)).isEqualTo("12.5 KiB/s");
        assertThat(cell("v1", Kpi.OPEN_FDS)).isEqualTo("15 fds"); // 10 + the last window's index, on every node
        // the node under the most pressure per column: the highest CPU and memory, the fewest peers; none where all agree
        assertThat(browser.findElements(By.cssSelector("#system-latest td.worst")))
                .extracting(e -> e.getAttribute("data-node") + " " + e.getAttribute("data-metric"))
                .containsExactly("v2 " + Kpi.RSS_BYTES.metric(), "v3 " + Kpi.CPU_PCT.metric(),
                        "v4 " + Kpi.PEERS_CONNECTED.metric());
        assertThat(browser.findElement(By.id("system-summary")).getText())
                .isEqualTo("4 nodes · most pressure: v2, v3, v4");
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        System.out.printf("System view test: %d ms, screenshot %s%n", (System.nanoTime() - began) / 1_000_000,
                screenshot.toAbsolutePath());
    }

    @Test
    void shouldNameANodeAndANetworkOfAnotherChainWithTheirChainAndTheDefaultChainsAsBefore() throws Exception {
        long first = (System.currentTimeMillis() / W - WINDOWS) * W;
        for (int i = 0; i < WINDOWS; i++) {
            long start = first + i * W;
            send(kpis, latency("consensus_latency_ms", "v1", start, 100, 150, 200));
            send(kpis, latency("consensus_latency_ms", "v2", start, 110, 160, 210));
            send(kpis, inChain(latency("consensus_latency_ms", "v1", start, 300, 450, 600), "beta")); // same node id
            send(kpis, inChain(tps(null, start, 400), "beta"));
        }
        Anomaly onBeta = anomaly("peer_outlier|consensus_p95_peer|consensus_latency_ms|node|v1|beta",
                AnomalyState.FIRING, "v1", Severity.HIGH, first + 4 * W);
        onBeta.setChainId("beta");
        send(anomalies, onBeta);

        dashboard.start();
        browser = chromium();
        browser.get(dashboard.uri().toString());
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(b -> attribute("chart-consensus", "data-points").equals(Integer.toString(3 * WINDOWS))
                && attribute("feed", "data-count").equals("1"));

        assertThat(browser.findElements(By.cssSelector("#chart-consensus .u-legend .u-series th")))
                .extracting(WebElement::getText).containsExactly("Time", "v1", "v1 · beta", "v2"); // the feed's order
        assertThat(browser.findElements(By.cssSelector("#chart-tps .u-legend .u-series th")))
                .extracting(WebElement::getText).contains("network · beta");
        assertThat(browser.findElement(By.cssSelector("#feed li .node")).getText()).isEqualTo("v1 · beta");
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    private static KpiWindow inChain(KpiWindow window, String chain) {
        window.setChainId(chain);
        return window;
    }

    /**
     * What each node reports in window {@code i}: v3's CPU near saturation, v2's resident memory the largest, v4 with
     * the fewest peers, every node receiving 12.5 KiB/s; every other resource the same on all nodes ({@code 10 + i}).
     */
    private static double resourceValue(Kpi kpi, String node, int n, int i) {
        return switch (kpi) {
            case CPU_PCT -> node.equals("v3") ? 95 + 0.5 * i : 20 + 5 * n + i;          // latest: 25, 30, 97.5, 40
            case RSS_BYTES -> (256L << 20) * (n + 1) + (node.equals("v2") ? 1L << 30 : 0); // v2: 1.5 GiB
            case PEERS_CONNECTED -> node.equals("v4") ? 2 : 8;
            case NET_RX_BYTES_PER_S -> 12_800;
            default -> 10 + i;
        };
    }

    private String cell(String node, Kpi kpi) {
        return browser.findElement(By.cssSelector("#system-latest td[data-node='" + node + "'][data-metric='"
                + kpi.metric() + "']")).getText();
    }

    private Path saveScreenshot() throws Exception {
        return saveScreenshot("dashboard-screenshot.png");
    }

    private Path saveScreenshot(String name) throws Exception {
        Path screenshot = Path.of("target", name);
        Files.createDirectories(screenshot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
                StandardCopyOption.REPLACE_EXISTING);
        return screenshot;
    }

    private void assertChart(String id, int series, int points) {
        assertThat(attribute(id, "data-series")).as("%s lines", id).isEqualTo(Integer.toString(series));
        assertThat(attribute(id, "data-points")).as("%s plotted values", id).isEqualTo(Integer.toString(points));
        assertThat(browser.findElements(By.cssSelector("#" + id + " canvas"))).as("%s canvas", id).hasSize(1);
    }

    private String attribute(String id, String name) {
        String value = browser.findElement(By.id(id)).getAttribute(name);
        return value == null ? "" : value;
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,960");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void send(String topic, SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "k", value)).get();
    }
}
