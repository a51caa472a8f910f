package io.chainpulse.anomaly.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that records what webhooks post; the first {@code failures} answers are
 * {@code failureStatus} (503 unless told). {@link #stop()} and {@link #start()} take it down and bring it back on the
 * same port, so posts meanwhile meet a refused connection.
 */
final class Receiver implements AutoCloseable {
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    /** When set, every request waits for it before being answered. */
    volatile java.util.concurrent.CountDownLatch gate;
    private final int failures;
    private final int failureStatus;
    private int port;
    private HttpServer server;

    Receiver(int failures) throws IOException {
        this(failures, 503);
    }

    Receiver(int failures, int failureStatus) throws IOException {
        this.failures = failures;
        this.failureStatus = failureStatus;
        start();
    }

    synchronized void start() throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
                break;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        port = server.getAddress().getPort();
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = requests.incrementAndGet();
            java.util.concurrent.CountDownLatch held = gate;
            if (held != null) {
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = n <= failures ? failureStatus : 200;
            if (status == 200) {
                bodies.add(body);
                idempotencyKeys.add(exchange.getRequestHeaders().getFirst(WebhookNotifier.IDEMPOTENCY_KEY_HEADER));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    synchronized void stop() {
        server.stop(0);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hook");
    }

    @Override
    public void close() {
        stop();
    }
}
