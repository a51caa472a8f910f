package io.chainpulse.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainpulse.schema.NodeResourceSample;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.simulator.Fault;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import io.chainpulse.simulator.SdkPublisher;
import java.util.Map;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./chainpulse simulate}: a simulated network, to a JSON Lines file or through the SDK to Kafka. */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        description = {
            "Simulate a validator network (deterministic for a seed) with scheduled faults. Built-in scenarios: "
                    + "baseline, high-load, byzantine, partition.",
            "With --output the events go to a JSON Lines file (the replay/analyze format); otherwise they are "
                    + "published through the producer SDK, one SDK instance per validator, as fast as possible or, "
                    + "with --realtime, paced like a live network. Published faster than real time, the scenario ends "
                    + "now rather than starting now, so that no event is ahead of the wall clock.",
            "Every validator also takes a resource sample (CPU, memory, disk, network, mempool) every 5 simulated "
                    + "seconds: published to the resources topic, or with --resources-output written to a file of "
                    + "their own (never into the events file)."})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--scenario", defaultValue = "baseline",
            description = "Built-in scenario name, or a YAML scenario file (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--duration", converter = DurationConverter.class, description = "Override the scenario's duration.")
    Duration duration;

    @Option(names = "--seed", description = "Override the scenario's seed.")
    Long seed;

    @Option(names = "--fault", description = "Add a fault KIND:NODE:START-END[:MAGNITUDE], e.g. slow_validator:v3:60s-120s:3 "
            + "(kinds: slow_validator, late_blocks, tps_collapse (node '-'), silent_node, byzantine, clock_skew, "
            + "failure_burst, stop_voting; cpu_saturation: machine CPU at 95-100 %% and MAGNITUDE times slower, "
            + "memory_leak: MAGNITUDE MiB a minute). Repeatable.")
    List<String> faults = List.of();

    @Option(names = "--output", description = "Write JSON Lines here instead of publishing.")
    Path output;

    @Option(names = "--resources-output", description = "With --output: write the resource samples here, JSON Lines, "
            + "one NodeResourceSample per line with its Avro field names.")
    Path resourcesOutput;

    @Option(names = "--realtime", description = "Publish at the scenario's pace (wall clock) instead of as fast as possible.")
    boolean realtime;

    @Option(names = "--speed", defaultValue = "0",
            description = "Publish paced, this many simulated seconds per wall-clock second (e.g. 10 compresses a "
                    + "5-minute scenario into 30 s); 0 = as fast as possible (default), --realtime = 1.")
    double speed;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--spool-dir", defaultValue = ".chainpulse/simulator-spool", description = "SDK spool (default: ${DEFAULT-VALUE}).")
    Path spoolDir;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> settings = kafka.settings(null, Map.of());
        if (kafka.printed(settings)) {
            return 0;
        }
        String bootstrapServers = KafkaOptions.bootstrapServers(settings);
        String registryUrl = KafkaOptions.registryUrl(settings);
        Scenario s = scenario(scenario);
        if (duration != null) {
            s = s.withDuration(duration);
        }
        if (seed != null) {
            s = s.withSeed(seed);
        }
        for (String fault : faults) {
            s = s.withFault(parseFault(fault));
        }
        String chainId = s.chainId();
        double pace = realtime ? 1.0 : speed;
        // published faster than real time, a scenario starting now would run ahead of the wall clock, and the
        // processor sets events more than max.future.skew.ms ahead aside as future: such a run ends now instead
        long start = output == null && (pace == 0 || pace > 1) ? System.currentTimeMillis() - s.duration().toMillis()
                : System.currentTimeMillis();
        NetworkSimulator simulator = new NetworkSimulator(s, start);
        long[] count = {0, 0};
        if (resourcesOutput != null && output == null) {
            throw new IllegalArgumentException("--resources-output needs --output (when publishing, the samples go to "
                    + "the resources topic)");
        }
        if (output != null) {
            Files.createDirectories(output.toAbsolutePath().getParent());
            try (BufferedWriter writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8);
                 BufferedWriter samples = resourcesOutput == null ? null : newWriter(resourcesOutput)) {
                simulator.run(event -> {
                    writeLine(writer, EventJson.write(event));
                    count[0]++;
                }, sample -> {
                    if (samples != null) {
                        writeLine(samples, sampleJson(sample));
                        count[1]++;
                    }
                });
            }
            System.out.printf("%s: %d events of scenario %s (%d validators, %.0f TPS, %s)%n", output, count[0], s.name(),
                    s.validators(), s.tps(), s.duration());
            if (resourcesOutput != null) {
                System.out.printf("%s: %d resource samples%n", resourcesOutput, count[1]);
            }
            return 0;
        }
        try (SdkPublisher publisher = new SdkPublisher(simulator, node -> KafkaOptions.applyTo(ChainPulseSdk.builder(), settings).nodeId(node)
                .chainId(chainId).bootstrapServers(bootstrapServers).schemaRegistryUrl(registryUrl)
                .spoolDirectory(spoolDir).build())) {
            long t0 = System.nanoTime();
            publisher.run(pace);
            publisher.flush(Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("published %d events and %d resource samples of scenario %s in %.1f s (%.0f events/s)%n",
                    publisher.published(), publisher.publishedSamples(), s.name(), seconds, publisher.published() / seconds);
        }
        return 0;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of the resource samples file: every field of the Avro record, by its schema name, in schema order. */
    static String sampleJson(NodeResourceSample sample) {
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        for (org.apache.avro.Schema.Field field : sample.getSchema().getFields()) {
            Object value = sample.get(field.pos());
            fields.put(field.name(), value instanceof CharSequence text ? text.toString() : value);
        }
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a resource sample as JSON: " + e.getMessage(), e);
        }
    }

    private static BufferedWriter newWriter(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    private static void writeLine(BufferedWriter writer, String line) {
        try {
            writer.write(line);
            writer.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A built-in scenario by name, or a YAML scenario file ({@code .yaml} / {@code .yml}). */
    static Scenario scenario(String nameOrFile) throws IOException {
        return nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml")
                ? io.chainpulse.simulator.ScenarioFile.load(Path.of(nameOrFile))
                : Scenario.builtIn(nameOrFile);
    }

    static Fault parseFault(String text) {
        String[] parts = text.split(":");
        if (parts.length < 3 || parts.length > 4 || !parts[2].contains("-")) {
            throw new IllegalArgumentException("--fault '" + text + "': expected KIND:NODE:START-END[:MAGNITUDE], "
                    + "e.g. slow_validator:v3:60s-120s:3");
        }
        Fault.Kind kind;
        try {
            kind = Fault.Kind.valueOf(parts[0].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--fault '" + text + "': unknown kind '" + parts[0] + "'");
        }
        String[] window = parts[2].split("-");
        DurationConverter durations = new DurationConverter();
        double magnitude = parts.length == 4 ? Double.parseDouble(parts[3]) : 0;
        try {
            return new Fault(kind, parts[1].equals("-") ? null : parts[1], durations.convert(window[0]),
                    durations.convert(window[1]), magnitude);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--fault '" + text + "': " + e.getMessage(), e);
        }
    }
}
