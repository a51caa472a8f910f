package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    private static final long MAX = 1 << 20;
    private static final int SEGMENT = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void shouldReadRecordsInAppendOrder() throws IOException {
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            append(spool, "a", "b", "c");

            assertThat(texts(spool.read(10))).containsExactly("a", "b", "c");
            assertThat(spool.drained()).isTrue();
            assertThat(spool.empty()).isFalse();
        }
    }

    @Test
    void shouldResumeAfterTheCommittedRecordWhenReopened() throws IOException {
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            append(spool, "a", "b", "c", "d");
            Spool.Batch first = spool.read(2);
            spool.commit(first.entries().get(1).end());
            spool.read(10); // read but never acknowledged: must come back
        }

        try (Spool reopened = new Spool(dir, MAX, SEGMENT, 0)) {
            assertThat(texts(reopened.read(10))).containsExactly("c", "d");
        }
    }

    @Test
    void shouldReadAgainWhatWasNotCommittedAfterRewind() throws IOException {
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            append(spool, "a", "b", "c");
            spool.commit(spool.read(1).entries().get(0).end());
            spool.read(10);

            spool.rewind();

            assertThat(texts(spool.read(10))).containsExactly("b", "c");
        }
    }

    @Test
    void shouldRefuseAppendsBeyondItsBoundAndAcceptAgainAfterCommit() throws IOException {
        byte[] body = new byte[100 * 1024];
        try (Spool spool = new Spool(dir, 1 << 20, SEGMENT, 0)) {
            int accepted = 0;
            while (spool.append(body)) {
                accepted++;
            }
            // 108-byte header+body records of 102,400 bytes: ten fit in 1 MiB, the eleventh does not
            assertThat(accepted).isEqualTo(10);
            assertThat(spool.bytes()).isEqualTo(10 * (102_400 + 8));

            Spool.Batch batch = spool.read(3);
            spool.commit(batch.entries().get(2).end());

            assertThat(spool.append(body)).isTrue();
        }
    }

    @Test
    void shouldDeleteSegmentsOnceEverythingInThemIsCommitted() throws IOException {
        byte[] body = new byte[40 * 1024];
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            for (int i = 0; i < 6; i++) {
                spool.append(body);
            }
            assertThat(segments()).hasSize(3); // a segment rolls once it reached 64 KiB: two 40 KiB records each

            Spool.Batch all = spool.read(10);
            spool.commit(all.entries().get(5).end());

            assertThat(segments()).hasSize(1);
            assertThat(spool.empty()).isTrue();
            assertThat(spool.bytes()).isZero();
        }
    }

    @Test
    void shouldBeEmptyOnceAnEarlierRunsSegmentIsFullyCommitted() throws IOException {
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            append(spool, "a", "b");
        }
        try (Spool reopened = new Spool(dir, MAX, SEGMENT, 0)) {
            Spool.Batch batch = reopened.read(10);
            reopened.commit(batch.entries().get(1).end());

            assertThat(reopened.empty()).isTrue();
            assertThat(reopened.drained()).isTrue();
            assertThat(segments()).hasSize(1); // the earlier run's segment is gone, the new active one stays
        }
    }

    @Test
    void shouldSkipATornTailAndCountIt() throws IOException {
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            append(spool, "a", "b");
        }
        Path segment = segments().get(0);
        // a crash in the middle of writing a record: a length header and half a body
        Files.write(segment, new byte[] {0, 0, 0, 10, 1, 2, 3, 4, 'x'}, StandardOpenOption.APPEND);

        try (Spool reopened = new Spool(dir, MAX, SEGMENT, 0)) {
            append(reopened, "c");
            Spool.Batch batch = reopened.read(10);
            assertThat(texts(batch)).containsExactly("a", "b", "c");
            assertThat(reopened.corruptRecords()).isEqualTo(1);
            assertThat(batch.corruptions()).containsExactly("spool segment " + segment + ": corrupt record at byte "
                    + "18 (length 10 does not fit the segment: torn write); the 9 bytes from there to the end of the "
                    + "segment were skipped");
        }
    }

    @Test
    void shouldStopAtACorruptRecordAndKeepWhatCameBefore() throws IOException {
        try (Spool spool = new Spool(dir, MAX, SEGMENT, 0)) {
            append(spool, "first", "second", "third");
        }
        Path segment = segments().get(0);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[8 + 5 + 8] ^= 0x7f; // first byte of "second"'s body: its CRC no longer matches
        Files.write(segment, bytes);

        try (Spool reopened = new Spool(dir, MAX, SEGMENT, 0)) {
            Spool.Batch batch = reopened.read(10);
            assertThat(texts(batch)).containsExactly("first");
            assertThat(reopened.corruptRecords()).isEqualTo(1);
            assertThat(batch.corruptions()).containsExactly("spool segment " + segment + ": corrupt record at byte "
                    + "13 (checksum mismatch); the 27 bytes from there to the end of the segment were skipped");
        }
    }

    private static void append(Spool spool, String... texts) throws IOException {
        for (String text : texts) {
            assertThat(spool.append(text.getBytes(StandardCharsets.UTF_8))).isTrue();
        }
    }

    private static List<String> texts(Spool.Batch batch) {
        return batch.entries().stream().map(e -> new String(e.data(), StandardCharsets.UTF_8)).toList();
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(Spool.SUFFIX)).sorted().toList();
        }
    }
}
