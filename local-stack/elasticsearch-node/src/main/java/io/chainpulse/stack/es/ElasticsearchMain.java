package io.chainpulse.stack.es;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.ChainPulseNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs one real Elasticsearch node on loopback until the JVM is told to stop (SIGTERM closes the node cleanly).
 *
 * <pre>
 * java -Xmx512m -cp 'servers/elasticsearch/*' io.chainpulse.stack.es.ElasticsearchMain HOME_DIR HTTP_PORT
 * </pre>
 *
 * <p>Data lives under {@code HOME_DIR/data}, so a restart with the same directory finds every index again. When the
 * node serves HTTP it writes the bound port to {@code HOME_DIR/http.port}.
 */
public final class ElasticsearchMain {
    private static final long CLOSE_TIMEOUT_SECONDS = 20;
    /** INFO to the console (the parent sends it to a log file); the chatty deprecation logger off. */
    private static final String LOG_CONFIG = String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            "logger.deprecation.name = org.elasticsearch.deprecation",
            "logger.deprecation.level = error",
            "");

    private ElasticsearchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ElasticsearchMain HOME_DIR HTTP_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("node.name", "chainpulse-es")
                .put("cluster.name", "chainpulse-local")
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", args[1])
                .put("transport.port", 0)
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                // A laptop's disk may be fuller than the production watermarks allow; the local node must not care.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();

        Files.writeString(home.resolve("config/log4j2.properties"), LOG_CONFIG);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null,
                () -> "chainpulse-es");
        // Without this Elasticsearch's logging is half-initialised and the node dies with an NPE at start.
        LogConfigurator.loadLog4jPlugins();
        LogConfigurator.configureESLogging();
        LogConfigurator.configure(environment, true);
        Node node = new ChainPulseNode(environment, List.of(Netty4Plugin.class, RootEndpointPlugin.class));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("error while closing the node: " + e);
            } finally {
                closed.countDown();
            }
        }, "elasticsearch-stop"));
        node.start();
        int port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        Files.writeString(home.resolve("http.port"), Integer.toString(port));
        System.out.println("chainpulse: Elasticsearch node serving http://127.0.0.1:" + port);
        closed.await();
    }
}
