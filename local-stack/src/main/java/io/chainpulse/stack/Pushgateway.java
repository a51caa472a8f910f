package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The real Prometheus Pushgateway (Debian package {@code prometheus-pushgateway}) as a child process on loopback.
 * It keeps pushed series in memory only, as it does by default in production without {@code --persistence.file}.
 */
public final class Pushgateway implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final List<Path> BINARIES = List.of(
            Path.of("/usr/bin/prometheus-pushgateway"), Path.of("/usr/local/bin/pushgateway"));

    private final Path dir;
    private final int port;
    private ChildProcess process;

    private Pushgateway(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static Pushgateway inDirectory(Path dir) {
        return new Pushgateway(dir, ChildProcess.freePort());
    }

    public static Pushgateway inDirectory(Path dir, int port) {
        return new Pushgateway(dir, port);
    }

    /** The installed binary, or empty where the package is not installed (the demo then runs without it). */
    public static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    public synchronized Pushgateway start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
                "prometheus-pushgateway is not installed: apt-get install -y prometheus-pushgateway"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir, e);
        }
        process = ChildProcess.start("Prometheus Pushgateway", List.of(binary.toString(),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn",
                // Debian's binary defaults to /var/lib/prometheus/pushgateway.data, shared by every instance on the
                // machine: series would leak between tests and survive a restart. Empty = in memory only.
                "--persistence.file="), dir.resolve("pushgateway.log"));
        process.awaitReady(this::answers, START_TIMEOUT);
        return this;
    }

    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:9091}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve("pushgateway.log");
    }

    @Override
    public void close() {
        stop();
    }

    private boolean answers() {
        if (!ChildProcess.portOpen(port)) {
            return false;
        }
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url() + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
