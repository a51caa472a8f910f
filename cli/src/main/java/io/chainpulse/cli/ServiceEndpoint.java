package io.chainpulse.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * What every ChainPulse service serves over HTTP: {@code GET /metrics} (Prometheus text format from a Micrometer
 * registry holding JVM metrics, Kafka client metrics and the service's own) and {@code GET /health} (200
 * {@code {"status":"UP"}} or 503 {@code {"status":"DOWN"}}). The JDK's own HTTP server, on a daemon thread.
 *
 * <pre>{@code
 * try (ServiceEndpoint endpoint = ServiceEndpoint.start("sink-pushgateway", 9464, sink::healthy)) {
 *     new PushgatewaySinkMetrics(sink).bindTo(endpoint.registry());
 * }
 * }</pre>
 */
final class ServiceEndpoint implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    private ServiceEndpoint(String service, int port, BooleanSupplier healthy) {
        registry.config().commonTags("service", service)
                // Micrometer names these two against Prometheus conventions (promtool rejects "_ns" and a gauge
                // ending in "_count"); their information is in process_cpu_usage and system_cpu_usage anyway
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                        || id.getName().equals("system.cpu.count")));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        try {
            // loopback unless told otherwise (containers set -Dchainpulse.metrics.host=0.0.0.0)
            server = HttpServer.create(new InetSocketAddress(System.getProperty("chainpulse.metrics.host", "127.0.0.1"), port), 0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve /metrics on port " + port + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> reply(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health", exchange -> {
            boolean up = healthy.getAsBoolean();
            reply(exchange, up ? 200 : 503, "application/json",
                    "{\"service\":\"" + service + "\",\"status\":\"" + (up ? "UP" : "DOWN") + "\"}");
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chainpulse-" + service + "-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Serves on 127.0.0.1:{@code port} (0 = any free port). */
    static ServiceEndpoint start(String service, int port, BooleanSupplier healthy) {
        return new ServiceEndpoint(service, port, healthy);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) {
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
