package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real broker and registry shared by every integration test of one JVM: started on first use, stopped by a
 * shutdown hook. An Elasticsearch node joins them lazily, only when a test asks for one. Tests that stop or kill a server start their own {@link KafkaBroker} instead of disturbing this one.
 *
 * <pre>{@code
 * @ExtendWith(RealStackExtension.class)
 * class ProducerIT {
 *     @Test void roundTrip(RealStack stack) { ... stack.bootstrapServers() ... stack.registryUrl() ... }
 * }
 * }</pre>
 */
public final class RealStack {
    private static RealStack shared;
    private static Elasticsearch sharedElasticsearch;

    private final KafkaBroker broker;
    private final SchemaRegistry registry;

    private RealStack(KafkaBroker broker, SchemaRegistry registry) {
        this.broker = broker;
        this.registry = registry;
    }

    /** The JVM's stack, started now if it is not running yet. */
    public static synchronized RealStack shared() {
        if (shared == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("chainpulse-it-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a directory for the test stack", e);
            }
            KafkaBroker broker = KafkaBroker.inDirectory(dir.resolve("kafka"));
            SchemaRegistry registry = SchemaRegistry.inDirectory(dir.resolve("registry"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                registry.stop();
                broker.stop();
            }, "chainpulse-test-stack-stop"));
            // Both servers boot at once: together about as long as the slower one alone.
            Thread registryStart = new Thread(registry::start, "registry-start");
            registryStart.start();
            broker.start();
            try {
                registryStart.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the registry", e);
            }
            if (!registry.isRunning()) {
                throw new IllegalStateException("the schema registry did not start; see " + registry.log());
            }
            shared = new RealStack(broker, registry);
        }
        return shared;
    }

    /**
     * The JVM's Elasticsearch node, started on first use (only tests that ask for it pay its start-up), stopped by a
     * shutdown hook. Independent of the broker and registry: asking for it does not start them.
     */
    public static synchronized Elasticsearch sharedElasticsearch() {
        if (sharedElasticsearch == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("chainpulse-it-es-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a directory for the test Elasticsearch node", e);
            }
            Elasticsearch elasticsearch = Elasticsearch.inDirectory(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(elasticsearch::stop, "chainpulse-test-es-stop"));
            sharedElasticsearch = elasticsearch.start();
        }
        return sharedElasticsearch;
    }

    /** The JVM's Elasticsearch node ({@link #sharedElasticsearch()}). */
    public Elasticsearch elasticsearch() {
        return sharedElasticsearch();
    }

    public KafkaBroker broker() {
        return broker;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }
}
