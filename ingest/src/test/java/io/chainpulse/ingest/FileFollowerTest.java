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
        Files.delete(log);
        append(dir.resolve("logs/other.tmp"), "x".repeat(4096)); // another inode first, so v1.jsonl gets a new one
        append(log, line("b1") + line("b2"));
        published.clear();

        follower(Checkpoint.read(dir.resolve("state/checkpoint.json")), Set.of()).pollOnce();

        assertThat(published).containsExactly("b1", "b2");
    }
}
