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
 * The real Prometheus Alertmanager (Debian package {@code prometheus-alertmanager}) as a child process on loopback,
 * with its own configuration and {@code --storage.path} in {@code dir} and no cluster (gossip) port. It keeps alerts in
 * memory only, as it does in production: a restart forgets them until their clients send them again.
 *
 * <pre>{@code
 * try (Alertmanager alertmanager = Alertmanager.inDirectory(dir).start()) {
 *     post(alertmanager.url() + "/api/v2/alerts", ...);
 *     alertmanager.kill(); alertmanager.start();   // the crash case, on the same port
 * }
 * }</pre>
 */
public final class Alertmanager implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final List<Path> BINARIES = List.of(
            Path.of("/usr/bin/prometheus-alertmanager"), Path.of("/usr/local/bin/alertmanager"));
    /** One receiver that notifies nobody: tests read the alerts back from the API. */
    public static final String DEFAULT_CONFIG = """
            route:
              receiver: nobody
              group_wait: 1s
            receivers:
              - name: nobody
            """;

    private final Path dir;
    private final int port;
    private final String config;
    private ChildProcess process;

    private Alertmanager(Path dir, int port, String config) {
        this.dir = dir;
        this.port = port;
        this.config = config;
    }

    public static Alertmanager inDirectory(Path dir) {
        return new Alertmanager(dir, ChildProcess.freePort(), DEFAULT_CONFIG);
    }

    /** With {@code config} as its {@code alertmanager.yml}. */
    public static Alertmanager inDirectory(Path dir, int port, String config) {
        return new Alertmanager(dir, port, config);
    }

    /** The installed binary, or empty where the package is not installed. */
    public static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    public synchronized Alertmanager start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Path binary = binary().orElseThrow(() -> new IllegalStateException(
                "prometheus-alertmanager is not installed: apt-get install -y prometheus-alertmanager"));
        Path configFile = dir.resolve("alertmanager.yml");
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(configFile, config);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + configFile, e);
        }
        process = ChildProcess.start("Prometheus Alertmanager", List.of(binary.toString(),
                "--config.file=" + configFile, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=", // no gossip port: one instance, nothing to find
                "--log.level=warn"), log());
        process.awaitReady(this::answers, START_TIMEOUT);
        return this;
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    /** SIGKILL: the crash case; {@link #start()} starts it again on the same port. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:9093}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve("alertmanager.log");
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
