package io.chainpulse.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
public final class Alertmanager extends PrometheusDaemon {
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

    private final String config;

    private Alertmanager(Path dir, int port, String config) {
        super("Prometheus Alertmanager", "prometheus-alertmanager", BINARIES, "alertmanager.log", dir, port);
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
        return installed(BINARIES);
    }

    public Alertmanager start() {
        startProcess();
        return this;
    }

    @Override
    List<String> arguments() throws IOException {
        Path configFile = dir.resolve("alertmanager.yml");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(configFile, config);
        return List.of("--config.file=" + configFile, "--storage.path=" + dir.resolve("data"),
                "--cluster.listen-address="); // no gossip port: one instance, nothing to find
    }
}
