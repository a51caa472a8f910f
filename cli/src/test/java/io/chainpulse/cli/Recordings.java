package io.chainpulse.cli;

import io.chainpulse.schema.json.EventJson;
import io.chainpulse.simulator.NetworkSimulator;
import io.chainpulse.simulator.Scenario;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Simulated recordings for tests: a scenario from a fixed, window-aligned start, as a JSON Lines event file. */
final class Recordings {
    private Recordings() {}

    /** Writes {@code scenario}'s events, starting at {@code startMs}, to {@code file} and returns it. */
    static Path write(Scenario scenario, long startMs, Path file) throws IOException {
        try (BufferedWriter writer = Files.newBufferedWriter(file)) {
            new NetworkSimulator(scenario, startMs).run(e -> {
                try {
                    writer.write(EventJson.write(e));
                    writer.newLine();
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        return file;
    }
}
