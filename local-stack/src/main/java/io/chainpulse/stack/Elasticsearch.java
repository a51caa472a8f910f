package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Elasticsearch 8.19 node (the server's own code from Maven Central, HTTP over Netty) in a child JVM on
 * loopback, one node, no security.
 *
 * <p>The port and the data directory are fixed when the object is made, so {@link #stop()} or {@link #kill()}
 * followed by {@link #start()} (or {@link #restart()}) brings the same node back with every index intact — what a
 * test of an outage needs: after {@link #stop()} the node has flushed and closed its shards, after {@link #kill()} it
 * recovers from its translog. Modules that Elasticsearch does not publish are absent: painless, ILM, security.
 *
 * <pre>{@code
 * try (Elasticsearch es = Elasticsearch.inDirectory(dir).start()) {
 *     String url = es.url();   // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class Elasticsearch extends ChildServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String MAIN = "io.chainpulse.stack.es.ElasticsearchMain";

    private final Path dir;
    private final int port;

    private Elasticsearch(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** A node keeping its data under {@code dir}, on a free port. */
    public static Elasticsearch inDirectory(Path dir) {
        return new Elasticsearch(dir, ChildProcess.freePort());
    }

    /** A node on the given HTTP port. */
    public static Elasticsearch inDirectory(Path dir, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535: " + port);
        }
        return new Elasticsearch(dir, port);
    }

    /**
     * Starts the node and waits until the cluster is at least yellow, i.e. every index that existed before a restart
     * has its primary shards back and accepts writes.
     */
    public synchronized Elasticsearch start() {
        if (isRunning()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create Elasticsearch directory " + dir, e);
        }
        launched(ChildProcess.startJava("Elasticsearch", List.of(
                // Small heap: the local node holds a few thousand KPI documents, not a production corpus.
                "-Xms512m", "-Xmx512m", "-XX:+UseG1GC",
                // Elasticsearch closes log4j itself; log4j's own hook would silence the node's last words.
                "-Dlog4j2.shutdownHookEnabled=false",
                "-Djava.io.tmpdir=" + tmpDir(),
                "-cp", ServerHome.elasticsearchLibs() + "/*",
                MAIN, dir.toAbsolutePath().toString(), Integer.toString(port)), log()), this::healthy, START_TIMEOUT);
        return this;
    }

    /** {@link #stop()} then {@link #start()}, same port, same data. */
    public synchronized Elasticsearch restart() {
        stop();
        return start();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:9200}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The node's home: {@code data/} (indices), {@code config/} and the log. */
    public Path directory() {
        return dir;
    }

    public Path log() {
        return dir.resolve("elasticsearch.log");
    }

    private Path tmpDir() {
        Path tmp = dir.resolve("tmp");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + tmp, e);
        }
        return tmp.toAbsolutePath();
    }

    private boolean healthy() {
        // 408 until yellow; 200 once every primary shard is assigned.
        return answers200(port, url() + "/_cluster/health?wait_for_status=yellow&timeout=1s");
    }
}
