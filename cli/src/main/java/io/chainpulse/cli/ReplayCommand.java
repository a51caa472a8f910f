package io.chainpulse.cli;

import io.chainpulse.schema.catalog.Topics;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.sdk.JsonLinesReplay;
import java.util.Map;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./chainpulse replay --input FILE.jsonl}: publish recorded JSON Lines events through the producer SDK. */
@Command(name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Publish a JSON Lines file of events (as Python node monitors write them) to Kafka through the producer "
                    + "SDK. Each event keeps its node id, timestamp and event id.",
            "A bad line is reported as FILE:LINE: reason and skipped; the rest of the file still goes through.",
            "Exit code 0 when every valid event was acknowledged by Kafka, 1 when some were left in the spool "
                    + "(sent by the next replay), 2 for a bad command line or a missing file."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, description = "The .jsonl file to publish.")
    Path input;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--topic", defaultValue = Topics.Names.EVENTS, description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--spool-dir", defaultValue = ".chainpulse/replay-spool",
            description = "Spool used while Kafka is unreachable (default: ${DEFAULT-VALUE}).")
    Path spoolDir;

    @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to wait for Kafka's acknowledgements at the end (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        String bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input " + input + ": no such file");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        try (ChainPulseSdk sdk = KafkaOptions.applyTo(ChainPulseSdk.builder(), settings)
                .nodeId("replay")
                .bootstrapServers(bootstrapServers)
                .schemaRegistryUrl(registryUrl)
                .topic(topic)
                .spoolDirectory(spoolDir)
                .errorListener((message, cause) -> err.println("chainpulse replay: " + message))
                .build()) {
            JsonLinesReplay.Report report = JsonLinesReplay.publish(input, sdk, problem -> {
                err.println(problem);
                err.flush();
            });
            boolean delivered = sdk.flush(timeout);
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("%s: %d events published, %d bad lines skipped, in %.1f s (%.0f events/s)%n", input,
                    report.published(), report.badLines(), seconds, report.published() / seconds);
            if (!delivered) {
                ChainPulseSdk.Stats stats = sdk.stats();
                err.printf("chainpulse replay: Kafka at %s did not acknowledge everything within %s: %d bytes stay in "
                        + "the spool %s and are sent by the next replay%n", bootstrapServers, timeout,
                        stats.spoolBytes(), spoolDir);
                return 1;
            }
            return 0;
        }
    }
}
