package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.stack.RealStack;
import io.chainpulse.stack.RealStackExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./chainpulse ingest --follow} on real files, against the real broker and registry, in a JVM of its own:
 * files grow while followed, one is rotated by rename (and written to after the rename), one by copytruncate, a new
 * one appears, and the sidecar is SIGKILLed twice in the middle of it all. Afterwards every valid line is on the
 * topic exactly once (counted by event id), and the rejects file lists every bad line exactly once as file:line.
 *
 * <p>The copytruncate comes right after lines were appended (unread, or read but not yet checkpointed when the second
 * SIGKILL comes): those lines are then only in the copy, which the follower finds and reads. Nothing is written
 * between the copy and the truncate — what is, is lost (logrotate's documented copytruncate window).
 */
@ExtendWith(RealStackExtension.class)
class IngestFollowChaosIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final Set<String> expected = new HashSet<>();
    private final List<String> expectedRejects = new ArrayList<>();
    private final Map<Path, Integer> lines = new HashMap<>();
    private int written;

    @Test
    void shouldPublishEveryLineOncePerEventIdThroughRotationTruncationAndSigkills(RealStack stack) throws Exception {
        String topic = "ingest-follow-" + UUID.randomUUID();
        stack.broker().createTopics(4, topic);
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path a = logs.resolve("a.jsonl");
        Path b = logs.resolve("b.jsonl");
        List<String> args = List.of("--follow", logs + "/*.jsonl", "--commit-interval", "200ms");
        Path log = Path.of("target", "ingest-follow-chaos-" + topic + ".log");

        write(a, "a", 5_000);
        write(b, "b", 3_000);
        IngestSidecar sidecar = IngestSidecar.start(stack, topic, dir, log, args);
        try {
            // a grows while it is followed
            for (int i = 0; i < 5; i++) {
                write(a, "a2-" + i, 1_000);
                Thread.sleep(20);
            }
            IngestSidecar s1 = sidecar;
            awaitCaughtUp(s1, a);

            // rotation by rename: the writer still appends to the old file, then a new a.jsonl starts
            Path a1 = logs.resolve("a.jsonl.1");
            Files.move(a, a1);
            lines.put(a1, lines.remove(a));
            write(a1, "late", 300, false); // no bad line: which name it is read under depends on timing
            write(a, "c", 1_000);

            // SIGKILL while the new file is being read, and it keeps growing while the sidecar is down
            s1.process.kill();
            write(a, "c2", 2_000);
            sidecar = IngestSidecar.start(stack, topic, dir, log, args);
            IngestSidecar s2 = sidecar;

            // copytruncate of b right after 1,000 more lines (one bad): read from b, or from its copy
            awaitCaughtUp(s2, b);
            write(b, "b2", 1_000);
            Files.copy(b, logs.resolve("b.jsonl.1"));
            Files.write(b, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            lines.put(b, 0);
            write(b, "d", 2_000);

            // a new file matching the glob, and a second SIGKILL while it is being read
            Path c = logs.resolve("c.jsonl");
            write(c, "e", 10_000);
            IngestSidecar.await("the sidecar started on c.jsonl", () -> s2.metric(
                    "chainpulse_ingest_lines_read_total{file=\"" + c + "\"") > 0, WAIT);
            s2.process.kill();
            sidecar = IngestSidecar.start(stack, topic, dir, log, args);
            IngestSidecar s3 = sidecar;
            awaitCaughtUp(s3, c);

            Map<String, Integer> counts = IngestSidecar.eventIdCounts(stack, topic, expected.size());
            assertThat(counts.keySet()).as("event ids on the topic; sidecar log:\n" + IngestSidecar.tail(log))
                    .isEqualTo(expected);
            assertThat(counts.entrySet().stream().filter(e -> e.getValue() != 1).toList())
                    .as("event ids published more than once").isEmpty();
            assertThat(written).isEqualTo(29_300);
            assertThat(counts).hasSize(written - expectedRejects.size());

            List<String> rejects = Files.readAllLines(dir.resolve("state/rejects.txt"));
            List<String> prefixes = rejects.stream()
                    .map(r -> r.substring(0, r.indexOf(": unknown event_type 'nope'") + ": unknown event_type 'nope'".length()))
                    // a line of the renamed file is listed under the name it had when it was read (or read again
                    // after a crash): a.jsonl or a.jsonl.1, with the same line number; a line of b before the
                    // copytruncate as b.jsonl or, read from the copy, b.jsonl.1
                    .map(r -> r.replace("a.jsonl.1:", "a.jsonl:").replace("b.jsonl.1:", "b.jsonl:"))
                    .toList();
            assertThat(prefixes).as("rejects listed; sidecar log:\n" + IngestSidecar.tail(log))
                    .containsExactlyInAnyOrderElementsOf(expectedRejects);
        } finally {
            sidecar.process.stop();
        }
    }

    private void awaitCaughtUp(IngestSidecar sidecar, Path file) throws InterruptedException {
        IngestSidecar.await(file + " read to its end", () -> sidecar.metric(
                "chainpulse_ingest_lag_bytes{file=\"" + file + "\"") == 0, WAIT);
    }

    /** Appends {@code count} lines; every 2,500th (from the 7th) is a bad line, the others valid events. */
    private void write(Path file, String tag, int count) throws IOException {
        write(file, tag, count, true);
    }

    private void write(Path file, String tag, int count, boolean withBadLines) throws IOException {
        StringBuilder text = new StringBuilder();
        int line = lines.getOrDefault(file, 0);
        for (int n = 0; n < count; n++) {
            line++;
            String id = tag + "-" + n;
            boolean bad = withBadLines && n % 2_500 == 7;
            text.append("{\"event_id\": \"").append(id).append("\", \"event_type\": \"")
                    .append(bad ? "nope" : "transaction_ingress")
                    .append("\", \"timestamp_ns\": ").append(1_753_784_501_635_923_000L + n * 1_000_000L)
                    .append(", \"node_id\": \"v").append(n % 5).append("\", \"metadata\": {\"tx_id\": \"0x")
                    .append(id).append("\"}}\n");
            if (bad) {
                expectedRejects.add(file + ":" + line + ": unknown event_type 'nope'");
            } else {
                expected.add(id);
            }
        }
        lines.put(file, line);
        written += count;
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
