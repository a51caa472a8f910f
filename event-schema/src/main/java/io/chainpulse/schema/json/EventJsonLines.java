package io.chainpulse.schema.json;

import io.chainpulse.schema.ProtocolEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads a JSON Lines file of events: blank lines are skipped, a line that is not a valid event is reported as
 * {@code file:line: reason} and skipped, every other event goes to the sink with its line number.
 *
 * <pre>{@code
 * EventJsonLines.Counts counts = EventJsonLines.read(path, (event, line) -> publish(event), System.err::println);
 * }</pre>
 */
public final class EventJsonLines {
    private EventJsonLines() {}

    /** Receives each valid event and the line it came from. */
    @FunctionalInterface
    public interface Sink {
        void accept(ProtocolEvent event, long line);
    }

    /** Lines read (blank ones excluded), events handed to the sink, lines skipped as invalid. */
    public record Counts(long lines, long events, long badLines) {}

    public static Counts read(Path file, Sink sink, Consumer<String> problems) throws IOException {
        return read(file, EventJson::parse, EventJsonException.class, sink::accept, problems);
    }

    /** Receives each valid record of a JSON Lines file and the line it came from. */
    @FunctionalInterface
    public interface LineSink<T> {
        void accept(T record, long line);
    }

    /**
     * Reads any JSON Lines file the same way: each non-blank line through {@code parse}; a line it refuses with an
     * {@code invalid} exception is reported as {@code file:line: reason} and skipped (any other exception is a bug and
     * propagates); the rest go to {@code sink}. {@link Counts#events()} counts the records handed to the sink.
     */
    public static <T> Counts read(Path file, Function<String, T> parse, Class<? extends RuntimeException> invalid,
                                  LineSink<T> sink, Consumer<String> problems) throws IOException {
        long lines = 0;
        long records = 0;
        long bad = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                lines++;
                T record;
                try {
                    record = parse.apply(line);
                } catch (RuntimeException e) {
                    if (!invalid.isInstance(e)) {
                        throw e;
                    }
                    bad++;
                    problems.accept(file + ":" + number + ": " + e.getMessage());
                    continue;
                }
                sink.accept(record, number);
                records++;
            }
        }
        return new Counts(lines, records, bad);
    }
}
