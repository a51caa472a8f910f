package io.chainpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.ProtocolEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFollowerTest {
    @TempDir
    Path dir;

    private final List<String> published = new ArrayList<>();
    private final Publisher.Target target = new Publisher.Target() {
        @Override
        public synchronized boolean record(ProtocolEvent event) {
            published.add(event.getEventId().toString());
            return true;
        }

        @Override
        public boolean flush(Duration timeout) {
            return true;
        }

        @Override
        public boolean accepting() {
            return true;
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public synchronized Map<Integer, Long> endOffsets() {
            return Map.of(0, (long) published.size());
        }
    };
    private final Publisher publisher = new Publisher(target, Duration.ofHours(1), Duration.ofSeconds(1));
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        publisher.close();
    }

    private FileFollower follower(Checkpoint checkpoint, Set<String> alreadyPublished) {
        return follower(publisher, checkpoint, alreadyPublished);
    }

    private FileFollower follower(Publisher publisher, Checkpoint checkpoint, Set<String> alreadyPublished) {
        Rejects rejects = new Rejects(dir.resolve("state/rejects.txt"), checkpoint.rejectsBytes());
        FileFollower follower = new FileFollower(dir.resolve("logs/*.jsonl").toString(), publisher, rejects,
                dir.resolve("state/checkpoint.json"), checkpoint, new java.util.HashSet<>(alreadyPublished));
        closeables.add(follower);
        closeables.add(rejects);
        return follower;
    }

    private static String line(String id) {
        return "{\"event_id\": \"" + id + "\", \"event_type\": \"transaction_ingress\", \"timestamp_ns\": "
                + "1753784501635923000, \"node_id\": \"v1\", \"metadata\": {\"tx_id\": \"0x" + id + "\"}}\n";
    }

    /** The reason EventJson gives for an event_type 'nope' (it lists the valid types after it). */
    private static final String NOPE = reason(badLine("x"));

    private static String reason(String line) {
        try {
            io.chainpulse.schema.json.EventJson.parse(line.strip());
            throw new AssertionError("valid: " + line);
        } catch (io.chainpulse.schema.json.EventJsonException e) {
            assertThat(e.getMessage()).startsWith("unknown event_type 'nope'; expected one of ");
            return e.getMessage();
        }
    }

    private static String badLine(String id) {
        return line(id).replace("transaction_ingress", "nope");
    }

    private static void truncate(Path file) throws IOException {
        Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static void append(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void shouldReadOnlyCompleteLinesAndRejectBadOnesWithFileAndLine() throws IOException {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1") + "\n{\"event_id\": \"a2\"}\n" + line("a3").substring(0, 30));
        FileFollower follower = follower(Checkpoint.empty(), Set.of());

        follower.pollOnce();
        assertThat(published).containsExactly("a1");
        append(log, line("a3").substring(30));
        follower.pollOnce();
        publisher.commitNow();

        assertThat(published).containsExactly("a1", "a3");
        assertThat(Files.readString(dir.resolve("state/rejects.txt")))
                .isEqualTo(log + ":3: missing required field event_type\n");
        FileFollower.PathStats stats = follower.stats().get(log.toString());
        assertThat(stats.linesRead.sum()).isEqualTo(3);
        assertThat(stats.rejected.sum()).isEqualTo(1);
        assertThat(stats.published.sum()).isEqualTo(2);
        assertThat(follower.lagBytes(log.toString())).isZero();
    }

    @Test
    void shouldFinishARenamedFileAndFollowItsSuccessor() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1") + line("a2"));
        FileFollower follower = follower(Checkpoint.empty(), Set.of());
        follower.pollOnce();
        append(log, line("a3"));
        Files.move(log, dir.resolve("logs/v1.jsonl.1"));
        append(log, line("b1"));
        append(dir.resolve("logs/v1.jsonl.1"), line("a4"));

        follower.pollOnce();

        assertThat(published).containsExactly("a1", "a2", "a3", "a4", "b1");
    }

    @Test
    void shouldReadATruncatedFileAgainFromItsStart() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1") + line("a2"));
        FileFollower follower = follower(Checkpoint.empty(), Set.of());
        follower.pollOnce();
        // copytruncate: the copy is not matched by the glob, the original is cut to 0 and written again
        Files.copy(log, dir.resolve("logs/v1.jsonl.1"));
        Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        follower.pollOnce();
        append(log, line("b1"));
        follower.pollOnce();

        assertThat(published).containsExactly("a1", "a2", "b1");
    }

    @Test
    void shouldResumeFromTheCheckpointAndSkipLinesAlreadyOnTheTopic() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1") + line("a2"));
        FileFollower first = follower(Checkpoint.empty(), Set.of());
        first.pollOnce();
        publisher.commitNow();
        append(log, line("a3") + line("a4") + line("a5"));
        first.pollOnce(); // a3..a5 published, but the crash comes before the next checkpoint
        first.close();

        Checkpoint saved = Checkpoint.read(dir.resolve("state/checkpoint.json"));
        assertThat(saved.files()).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.path()).isEqualTo(log.toString());
        });
        assertThat(saved.endOffsets()).isEqualTo(Map.of(0, 2L));
        published.clear();
        FileFollower second = follower(saved, Set.of("a3", "a4"));
        second.pollOnce();

        assertThat(published).containsExactly("a5");
        assertThat(second.skippedAsPublished()).isEqualTo(2);
    }

    @Test
    void shouldKeepThePreviousOffsetsUntilReadPastWhatThePreviousRunMayHavePublished() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1") + line("a2"));
        FileFollower first = follower(Checkpoint.empty(), Set.of());
        first.pollOnce();
        publisher.commitNow(); // checkpoint after a2, topic end offset 2
        append(log, line("a3") + line("a4"));
        first.pollOnce(); // a3, a4 on the topic; crash before the next checkpoint
        first.close();
        Path checkpointFile = dir.resolve("state/checkpoint.json");

        FileFollower second = follower(Checkpoint.read(checkpointFile), Set.of("a3", "a4"));
        publisher.commitNow(); // the restart's first checkpoint, before it read anything
        Checkpoint beforeReading = Checkpoint.read(checkpointFile);
        second.pollOnce();
        publisher.commitNow();
        Checkpoint afterReading = Checkpoint.read(checkpointFile);

        // a crash right after the first checkpoint must still find a3 and a4 after offset 2, not after 4
        assertThat(beforeReading.endOffsets()).isEqualTo(Map.of(0, 2L));
        assertThat(beforeReading.files()).singleElement().extracting(Checkpoint.FilePosition::line).isEqualTo(2L);
        assertThat(afterReading.endOffsets()).isEqualTo(Map.of(0, 4L));
        assertThat(afterReading.files()).singleElement().extracting(Checkpoint.FilePosition::line).isEqualTo(4L);
        assertThat(published).containsExactly("a1", "a2", "a3", "a4");
    }

    @Test
    void shouldStartANewFileUnderAnOldNameFromByteZero() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1"));
        FileFollower first = follower(Checkpoint.empty(), Set.of());
        first.pollOnce();
        publisher.commitNow();
        first.close();
        // moved out of the directory while the sidecar was down: its inode lives on, so v1.jsonl is surely a new one
        Files.createDirectories(dir.resolve("archive"));
        Files.move(log, dir.resolve("archive/v1.jsonl"));
        append(log, line("b1") + line("b2"));
        published.clear();

        follower(Checkpoint.read(dir.resolve("state/checkpoint.json")), Set.of()).pollOnce();

        assertThat(published).containsExactly("b1", "b2");
    }

    @Test
    void shouldStartAFileThatMayReuseTheDeletedOnesInodeFromByteZero() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1"));
        FileFollower first = follower(Checkpoint.empty(), Set.of());
        first.pollOnce();
        publisher.commitNow();
        first.close();
        Files.delete(log); // the file system may hand its inode to the next file: other head bytes tell them apart
        append(log, line("b1") + line("b2"));
        published.clear();

        follower(Checkpoint.read(dir.resolve("state/checkpoint.json")), Set.of()).pollOnce();

        assertThat(published).containsExactly("b1", "b2");
    }

    @Test
    void shouldReadWhatACopytruncateLeftUnreadFromTheCopyBeforeTheNewContent() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        Path copy = dir.resolve("logs/v1.jsonl.1");
        append(log, line("a1") + line("a2"));
        FileFollower follower = follower(Checkpoint.empty(), Set.of());
        follower.pollOnce(); // position: after a2

        // between two polls: three more lines, logrotate's copy, one more line, the truncate, and new lines that
        // reach past the old position (so only the first bytes tell the file was truncated)
        append(log, line("a3") + badLine("a4") + line("a5"));
        Files.copy(log, copy);
        append(log, line("lost")); // between the copy and the truncate: in neither file (logrotate's own caveat)
        truncate(log);
        append(log, line("b1") + line("b2") + line("b3") + line("b4") + line("b5") + line("b6"));
        follower.pollOnce();
        publisher.commitNow();

        assertThat(published).containsExactly("a1", "a2", "a3", "a5", "b1", "b2", "b3", "b4", "b5", "b6");
        assertThat(Files.readString(dir.resolve("state/rejects.txt")))
                .isEqualTo(copy + ":4: " + NOPE + "\n");
        FileFollower.PathStats stats = follower.stats().get(log.toString());
        assertThat(stats.linesRead.sum()).isEqualTo(11);
        assertThat(stats.rejected.sum()).isEqualTo(1);
        assertThat(stats.published.sum()).isEqualTo(10);
        assertThat(follower.lagBytes(log.toString())).isZero();
        Checkpoint saved = Checkpoint.read(dir.resolve("state/checkpoint.json"));
        assertThat(saved.files()).extracting(Checkpoint.FilePosition::path, Checkpoint.FilePosition::line)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(copy.toString(), 5L),
                        org.assertj.core.groups.Tuple.tuple(log.toString(), 6L));
    }

    @Test
    void shouldReadTheLinesAfterTheCheckpointFromTheCopyWhenTheFileWasCopytruncatedBeforeARestart() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        Path copy = dir.resolve("logs/v1.jsonl.1");
        append(log, line("a1") + line("a2"));
        FileFollower first = follower(Checkpoint.empty(), Set.of());
        first.pollOnce();
        publisher.commitNow(); // checkpoint after a2, no rejects yet
        append(log, line("a3") + badLine("a4") + line("a5"));
        first.pollOnce(); // a3 reached Kafka, a5 was still in the SDK, a4 rejected: crash before the next checkpoint
        first.close();
        Files.copy(log, copy);
        truncate(log);
        append(log, line("b1"));

        // the restart finds v1.jsonl shorter than its checkpoint; what followed line 2 is only in the copy
        Publisher restarted = new Publisher(target, Duration.ofHours(1), Duration.ofSeconds(1));
        closeables.add(restarted);
        published.clear();
        FileFollower second = follower(restarted, Checkpoint.read(dir.resolve("state/checkpoint.json")), Set.of("a3"));
        second.pollOnce();
        restarted.commitNow();

        assertThat(published).containsExactly("a5", "b1");
        assertThat(second.skippedAsPublished()).isEqualTo(1);
        // cut back to the checkpoint (empty) at the restart, then the line rejected again, under the copy's name
        assertThat(Files.readString(dir.resolve("state/rejects.txt")))
                .isEqualTo(copy + ":4: " + NOPE + "\n");
    }

    @Test
    void shouldStartOverWithoutACopyWhenAFileIsTruncatedInPlace() throws Exception {
        Path log = dir.resolve("logs/v1.jsonl");
        append(log, line("a1") + line("a2"));
        FileFollower follower = follower(Checkpoint.empty(), Set.of());
        follower.pollOnce();
        append(log, line("a3"));
        truncate(log); // "> v1.jsonl": a3 was never read and is nowhere else
        append(log, line("b1"));
        follower.pollOnce();

        assertThat(published).containsExactly("a1", "a2", "b1");
    }
}
