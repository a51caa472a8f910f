package io.chainpulse.sdk;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, size-limited file system for tests: a {@code tmpfs} mounted on a directory (needs root, as in CI and on
 * the project's machines). Writes beyond its size fail with "No space left on device" exactly as on a full disk.
 * {@link #close()} unmounts it, lazily when something still holds a file open, so a failing test never leaves a
 * mount behind.
 *
 * <pre>{@code
 * try (SmallFileSystem fs = SmallFileSystem.mount(dir.resolve("small"), 256 * 1024)) { ... fs.path() ... }
 * }</pre>
 */
final class SmallFileSystem implements AutoCloseable {
    private final Path path;

    private SmallFileSystem(Path path) {
        this.path = path;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code path} (created if needed); skips the test when not root. */
    static SmallFileSystem mount(Path path, long bytes) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "mounting a size-limited tmpfs needs root; this test runs as " + System.getProperty("user.name"));
        Files.createDirectories(path);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", path.toString()));
        return new SmallFileSystem(path);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(List.of("umount", path.toString()));
        } catch (IOException busy) {
            run(List.of("umount", "-l", path.toString()));
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 30 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ": "
                    + output);
        }
    }
}
