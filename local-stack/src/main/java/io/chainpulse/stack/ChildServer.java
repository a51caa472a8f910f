package io.chainpulse.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A real server the local stack runs as a child process ({@link KafkaBroker}, {@link SchemaRegistry},
 * {@link Elasticsearch}, {@link Pushgateway}, {@link Alertmanager}): the lifecycle they share. {@code start()} again
 * after {@link #stop()} or {@link #kill()} starts it on the same port with the same data.
 */
abstract class ChildServer implements AutoCloseable {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    private ChildProcess process;

    /** Whether the server's process is alive (then {@code start()} has nothing to do). */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Remembers the process just started, then waits until {@code ready}. */
    final void launched(ChildProcess started, BooleanSupplier ready, Duration timeout) {
        process = started;
        started.awaitReady(ready, timeout);
    }

    /** Clean shutdown: SIGTERM, then SIGKILL after 30 s. */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    /** Crash: SIGKILL, nothing flushed; the next {@code start()} recovers as after a crash. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The HTTP readiness probe: {@code port} accepts connections and a GET of {@code url} answers 200 within 2 s. */
    static boolean answers200(int port, String url) {
        if (!ChildProcess.portOpen(port)) {
            return false;
        }
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(PROBE_TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
