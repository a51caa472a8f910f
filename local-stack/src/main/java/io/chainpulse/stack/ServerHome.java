package io.chainpulse.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the server distributions that {@code local-stack/servers} copies from Maven Central at build time.
 *
 * <p>The repository root comes from the system property {@code chainpulse.home} (set by Maven and by
 * {@code ./chainpulse}), else from the first parent of the working directory that holds {@code local-stack/servers}.
 */
public final class ServerHome {
    private static final String SERVERS = "local-stack/servers/target/servers";

    private ServerHome() {}

    /** Directory of the Kafka broker's jars. */
    public static Path kafkaLibs() {
        return existing(servers().resolve("kafka"), "Kafka broker jars");
    }

    /** Directory of the Elasticsearch node's jars and its launcher (built by {@code local-stack/elasticsearch-node}). */
    public static Path elasticsearchLibs() {
        Path dir = servers().resolve("elasticsearch");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("Elasticsearch node jars not found at " + dir
                    + " (build them with: mvn -q -pl local-stack/elasticsearch-node package)");
        }
        return dir;
    }

    /** The Apicurio registry's runnable jar. */
    public static Path apicurioRunner() {
        Path dir = existing(servers().resolve("apicurio"), "Apicurio registry");
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-runner.jar in " + dir + hint()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The repository root. */
    public static Path root() {
        String home = System.getProperty("chainpulse.home");
        if (home != null && !home.isBlank()) {
            return Paths.get(home).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("local-stack/servers"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the ChainPulse repository: set -Dchainpulse.home=<repo root>");
    }

    private static Path servers() {
        return root().resolve(SERVERS);
    }

    private static Path existing(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(what + " not found at " + dir + hint());
        }
        return dir;
    }

    private static String hint() {
        return " (build them with: mvn -q -pl local-stack/servers generate-resources)";
    }
}
