package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A daemon of the Prometheus project ({@link Pushgateway}, {@link Alertmanager}) run from its Debian package as a
 * child process on loopback, its files in its own directory: ready once {@code /-/ready} answers 200; {@link #stop()}
 * is SIGTERM (SIGKILL after 30 s), {@link #kill()} the crash case, and {@code start()} again uses the same port.
 */
abstract class PrometheusDaemon extends ChildServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final String debianPackage;
    private final List<Path> binaries;
    private final String logFile;
    protected final Path dir;
    protected final int port;

    /**
     * @param name          for messages, e.g. {@code Prometheus Pushgateway}
     * @param debianPackage what to install when no binary is found
     * @param binaries      where the binary may be installed, first found wins
     * @param logFile       its output, in {@code dir}
     */
    PrometheusDaemon(String name, String debianPackage, List<Path> binaries, String logFile, Path dir, int port) {
        this.name = name;
        this.debianPackage = debianPackage;
        this.binaries = binaries;
        this.logFile = logFile;
        this.dir = dir;
        this.port = port;
    }

    static Optional<Path> installed(List<Path> binaries) {
        return binaries.stream().filter(Files::isExecutable).findFirst();
    }

    /** Writes what the daemon needs into {@link #dir} (created already) and returns its arguments. */
    abstract List<String> arguments() throws IOException;

    /** Starts the daemon unless it runs, and waits until it is ready. */
    synchronized void startProcess() {
        if (isRunning()) {
            return;
        }
        Path binary = installed(binaries).orElseThrow(() -> new IllegalStateException(
                debianPackage + " is not installed: apt-get install -y " + debianPackage));
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        try {
            Files.createDirectories(dir);
            command.addAll(arguments());
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + dir + " for " + name, e);
        }
        command.add("--web.listen-address=127.0.0.1:" + port);
        command.add("--log.level=warn");
        launched(ChildProcess.start(name, command, log()), this::answers, START_TIMEOUT);
    }

    /** Base URL, e.g. {@code http://127.0.0.1:9091}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve(logFile);
    }

    private boolean answers() {
        return answers200(port, url() + "/-/ready");
    }
}
