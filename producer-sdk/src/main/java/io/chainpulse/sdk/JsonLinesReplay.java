package io.chainpulse.sdk;

import io.chainpulse.schema.NodeIds;
import io.chainpulse.schema.json.EventJsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Publishes a JSON Lines file of events (the format of {@link EventJson}, as Python node monitors write it) through
 * a {@link ChainPulseSdk}. Each event keeps its own node id, timestamp and event id. A line that is not a valid event,
 * or whose node id breaks the rule of {@link NodeIds}, is reported as {@code file:line: reason}, counted and skipped; the rest of the file still goes through. Unlike live
 * recording, a replay waits for room in the SDK's buffer instead of dropping.
 *
 * <pre>{@code
 * JsonLinesReplay.Report report = JsonLinesReplay.publish(Path.of("events.jsonl"), sdk, System.err::println);
 * sdk.flush(Duration.ofSeconds(30));
 * }</pre>
 */
public final class JsonLinesReplay {
    /** Problems kept in the report; all of them go to the problem consumer. */
    static final int MAX_PROBLEMS_KEPT = 100;

    private JsonLinesReplay() {}

    /**
     * What a replay did: lines read (blank lines excluded), events handed to the SDK, lines skipped, and the first
     * {@value #MAX_PROBLEMS_KEPT} problems.
     */
    public record Report(long lines, long published, long badLines, List<String> problems) {}

    /**
     * @throws IOException when the file cannot be read (a missing file is reported with its path)
     */
    public static Report publish(Path file, ChainPulseSdk sdk, Consumer<String> problems) throws IOException {
        List<String> kept = new ArrayList<>();
        Consumer<String> report = problem -> {
            if (kept.size() < MAX_PROBLEMS_KEPT) {
                kept.add(problem);
            }
            problems.accept(problem);
        };
        long[] invalidIds = {0};
        EventJsonLines.Counts counts = EventJsonLines.read(file, (event, line) -> {
            var invalid = NodeIds.problem(event.getNodeId());
            if (invalid.isPresent()) {
                // the SDK would drop it too (invalid_node_id); here it can be named with its line
                invalidIds[0]++;
                report.accept(file + ":" + line + ": " + invalid.get());
                return;
            }
            if (!sdk.recordWaiting(event)) {
                throw new IllegalStateException("the SDK was closed during the replay of " + file + " at line " + line);
            }
        }, report);
        return new Report(counts.lines(), counts.events() - invalidIds[0], counts.badLines() + invalidIds[0],
                List.copyOf(kept));
    }
}
