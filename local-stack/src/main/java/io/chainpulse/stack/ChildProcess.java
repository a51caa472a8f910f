package io.chainpulse.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server running in a process of its own (usually a JVM), its output going to a log file: the local stack's servers,
 * and anything else a test or benchmark runs beside them (the benchmarks' processor in a JVM with its own heap).
 *
 * <pre>{@code
 * ChildProcess server = ChildProcess.startJava("my server", List.of("-Xmx256m", "-cp", cp, "Main"), dir.resolve("server.log"));
 * server.awaitReady(() -> ChildProcess.portOpen(port), Duration.ofSeconds(60));
 * server.stop();
 * }</pre>
 */
public final class ChildProcess {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java <jvmArgs> <mainArgs>} with the JVM running this code, output appended to {@code log}. */
    public static ChildProcess startJava(String name, List<String> jvmAndMainArgs, Path log) {
        return startJava(name, jvmAndMainArgs, log, null);
    }

    /** {@link #startJava(String, List, Path)} in {@code workingDirectory} (the current one when null). */
    public static ChildProcess startJava(String name, List<String> jvmAndMainArgs, Path log, Path workingDirectory) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmAndMainArgs);
        return start(name, command, log, workingDirectory);
    }

    public static ChildProcess start(String name, List<String> command, Path log) {
        return start(name, command, log, null);
    }

    /** Starts {@code command} in {@code workingDirectory} (the current one when null), output appended to {@code log}. */
    public static ChildProcess start(String name, List<String> command, Path log, Path workingDirectory) {
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command)
                    .directory(workingDirectory == null ? null : workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new ChildProcess(name, process, log);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name + " (" + command.get(0) + "): "
                    + e.getMessage(), e);
        }
    }

    /** Waits until {@code ready} holds, failing with the log's tail if the process dies or time runs out. */
    public void awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException(name + " was not ready after " + timeout.toSeconds()
                        + " s; last lines of " + log + ":\n" + tail());
            }
            sleep(100);
        }
    }

    /** Waits up to {@code timeout} for the process to end: its exit code, or empty while it still runs. */
    public java.util.OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? java.util.OptionalInt.of(process.exitValue()) : java.util.OptionalInt.empty();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** SIGTERM, then SIGKILL if it is still running after 30 s. */
    public void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** SIGKILL: the crash case, nothing flushed, nothing shut down cleanly. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A loopback port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
