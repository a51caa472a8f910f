package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real schema registry speaking the Confluent REST API: Apicurio Registry in a child JVM on loopback, storing its
 * schemas in an H2 file under its directory so that a restart keeps every id (as production registries do).
 */
public final class SchemaRegistry extends ChildServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Where Apicurio serves the Confluent-compatible API. */
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private final Path dir;
    private final int port;

    private SchemaRegistry(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static SchemaRegistry inDirectory(Path dir) {
        return new SchemaRegistry(dir, ChildProcess.freePort());
    }

    public static SchemaRegistry inDirectory(Path dir, int port) {
        return new SchemaRegistry(dir, port);
    }

    /** Starts the registry and waits until its Confluent API answers. */
    public synchronized SchemaRegistry start() {
        if (isRunning()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create registry directory " + dir, e);
        }
        launched(ChildProcess.startJava("Apicurio schema registry", List.of(
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                // Quarkus opens a management port on 0.0.0.0:9000 unless told not to.
                "-Dquarkus.management.enabled=false",
                "-Dquarkus.log.level=WARN",
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                // WRITE_DELAY=0: a schema is on disk when its registration is answered — H2's default 500 ms
                // delay lost just-registered schemas when a test SIGKILLed the registry (ids then answer 404)
                "-Dapicurio.datasource.url=jdbc:h2:file:" + dir.resolve("registry").toAbsolutePath() + ";WRITE_DELAY=0",
                "-Dapicurio.datasource.username=sa",
                "-Dapicurio.datasource.password=sa",
                "-jar", ServerHome.apicurioRunner().toString()), dir.resolve("registry.log")), this::answers, START_TIMEOUT);
        return this;
    }

    /** The Confluent-compatible API root, the value of {@code schema.registry.url}. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return dir.resolve("registry.log");
    }

    private boolean answers() {
        return answers200(port, url() + "/subjects");
    }
}
