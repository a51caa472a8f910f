package io.chainpulse.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The dashboard's HTTP side on the loopback interface (the JDK's own server): {@code GET /} the page,
 * {@code /api/catalog} what the page can draw ({@link DashboardCatalog}), {@code /api/kpis} and
 * {@code /api/anomalies} the view as JSON (never cached), and the page's static assets, uPlot
 * among them, from this jar and the uPlot WebJar — nothing from the internet, so the page works offline. Only the
 * paths listed here are served; anything else is 404, a method other than GET or HEAD 405.
 */
final class DashboardServer implements AutoCloseable {
    private static final String WEB = "/io/chainpulse/dashboard/web/";

    private record Asset(String contentType, byte[] body) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Asset> assets;

    DashboardServer(String bind, int port, DashboardView view) {
        String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        assets = Map.of(
                "/", new Asset("text/html; charset=utf-8", resource(WEB + "index.html")),
                "/app.js", new Asset("text/javascript; charset=utf-8", resource(WEB + "app.js")),
                "/app.css", new Asset("text/css; charset=utf-8", resource(WEB + "app.css")),
                "/favicon.svg", new Asset("image/svg+xml", resource(WEB + "favicon.svg")),
                "/uplot.js", new Asset("text/javascript; charset=utf-8", resource(uplot + "uPlot.iife.min.js")),
                "/uplot.css", new Asset("text/css; charset=utf-8", resource(uplot + "uPlot.min.css")));
        try {
            InetAddress address = bind == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(bind);
            server = HttpServer.create(new InetSocketAddress(address, port), 0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve the dashboard on " + (bind == null ? "loopback" : bind)
                    + " port " + port + ": " + e.getMessage(), e);
        }
        String catalog = DashboardCatalog.json();
        server.createContext("/api/catalog", exchange -> json(exchange, () -> catalog));
        server.createContext("/api/kpis", exchange -> json(exchange, view::kpisJson));
        server.createContext("/api/anomalies", exchange -> json(exchange, view::anomaliesJson));
        server.createContext("/", this::asset);
        // two threads: a page polls two endpoints every second, and a second tab should not wait for the first
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "chainpulse-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
    }

    URI uri() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + "/");
    }

    private void asset(HttpExchange exchange) {
        Asset asset = assets.get(exchange.getRequestURI().getPath());
        if (asset == null) {
            reply(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8), false);
        } else {
            reply(exchange, 200, asset.contentType(), asset.body(), true);
        }
    }

    private static void json(HttpExchange exchange, Supplier<String> body) {
        reply(exchange, 200, "application/json", body.get().getBytes(StandardCharsets.UTF_8), false);
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body, boolean cacheable) {
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.getResponseHeaders().set("Cache-Control", cacheable ? "max-age=300" : "no-store");
            boolean head = method.equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                out.write(body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the browser went away; the server logs and carries on
        }
    }

    /** The uPlot WebJar's version, written into dashboard.properties by the build from the pom. */
    private static String uplotVersion() {
        Properties props = new Properties();
        try (InputStream in = DashboardServer.class.getResourceAsStream("dashboard.properties")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.properties missing from the classpath: a broken build");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props.getProperty("uplot.version");
    }

    private static byte[] resource(String path) {
        try (InputStream in = DashboardServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " missing from the classpath: a broken build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
