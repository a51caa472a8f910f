package io.chainpulse.stack;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The real Prometheus Pushgateway (Debian package {@code prometheus-pushgateway}) as a child process on loopback.
 * It keeps pushed series in memory only, as it does by default in production without {@code --persistence.file}.
 */
public final class Pushgateway extends PrometheusDaemon {
    private static final List<Path> BINARIES = List.of(
            Path.of("/usr/bin/prometheus-pushgateway"), Path.of("/usr/local/bin/pushgateway"));

    private Pushgateway(Path dir, int port) {
        super("Prometheus Pushgateway", "prometheus-pushgateway", BINARIES, "pushgateway.log", dir, port);
    }

    public static Pushgateway inDirectory(Path dir) {
        return new Pushgateway(dir, ChildProcess.freePort());
    }

    public static Pushgateway inDirectory(Path dir, int port) {
        return new Pushgateway(dir, port);
    }

    /** The installed binary, or empty where the package is not installed (the demo then runs without it). */
    public static Optional<Path> binary() {
        return installed(BINARIES);
    }

    public Pushgateway start() {
        startProcess();
        return this;
    }

    @Override
    List<String> arguments() {
        // Debian's binary defaults to /var/lib/prometheus/pushgateway.data, shared by every instance on the machine:
        // series would leak between tests and survive a restart. Empty = in memory only.
        return List.of("--persistence.file=");
    }
}
