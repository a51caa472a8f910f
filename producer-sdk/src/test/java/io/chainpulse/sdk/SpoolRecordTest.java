package io.chainpulse.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolRecordTest {
    private static final byte[] VALUE = {0, 0, 0, 0, 7, 42, -1};

    @TempDir
    Path dir;

    @Test
    void shouldLayOutAnEventExactlyAsSpoolsDidBeforeResourceSamples() {
        byte[] bytes = new SpoolRecord(SpoolRecord.Kind.EVENT, "v1", VALUE).encode();

        assertThat(bytes).containsExactly(0x00, 0x02, 'v', '1', 0, 0, 0, 0, 7, 42, -1);
    }

    @Test
    void shouldMarkAResourceSampleWithTheTopBitOfTheKeyLength() {
        byte[] bytes = new SpoolRecord(SpoolRecord.Kind.RESOURCE_SAMPLE, "v1", VALUE).encode();

        assertThat(bytes).containsExactly(0x80, 0x02, 'v', '1', 0, 0, 0, 0, 7, 42, -1);
    }

    @Test
    void shouldReadARecordSpooledBeforeResourceSamplesExistedAsAnEvent() {
        // the layout the sender wrote until now: [short key length][key utf-8][value]
        byte[] key = "validator-3".getBytes(StandardCharsets.UTF_8);
        byte[] old = ByteBuffer.allocate(2 + key.length + VALUE.length).putShort((short) key.length).put(key).put(VALUE)
                .array();

        SpoolRecord record = SpoolRecord.decode(old);

        assertThat(record.kind()).isEqualTo(SpoolRecord.Kind.EVENT);
        assertThat(record.key()).isEqualTo("validator-3");
        assertThat(record.value()).containsExactly(VALUE);
    }

    @Test
    void shouldReadBackBothKindsInOrderFromASpoolReopenedAfterARestart() throws IOException {
        List<SpoolRecord> written = List.of(
                new SpoolRecord(SpoolRecord.Kind.EVENT, "v1", new byte[] {0, 0, 0, 0, 1, 10}),
                new SpoolRecord(SpoolRecord.Kind.RESOURCE_SAMPLE, "v1", new byte[] {0, 0, 0, 0, 2, 20, 21}),
                new SpoolRecord(SpoolRecord.Kind.EVENT, "nœud-2", new byte[] {0, 0, 0, 0, 1, 30}),
                new SpoolRecord(SpoolRecord.Kind.RESOURCE_SAMPLE, "nœud-2", new byte[0]));
        try (Spool spool = new Spool(dir, 1 << 20, 64 << 10, 0)) {
            for (SpoolRecord record : written) {
                assertThat(spool.append(record.encode())).isTrue();
            }
        }

        List<SpoolRecord> read;
        try (Spool reopened = new Spool(dir, 1 << 20, 64 << 10, 0)) {
            read = reopened.read(10).entries().stream().map(e -> SpoolRecord.decode(e.data())).toList();
        }

        assertThat(read).extracting(SpoolRecord::kind).containsExactly(SpoolRecord.Kind.EVENT,
                SpoolRecord.Kind.RESOURCE_SAMPLE, SpoolRecord.Kind.EVENT, SpoolRecord.Kind.RESOURCE_SAMPLE);
        assertThat(read).extracting(SpoolRecord::key).containsExactly("v1", "v1", "nœud-2", "nœud-2");
        for (int i = 0; i < written.size(); i++) {
            assertThat(read.get(i).value()).as("value of record %d", i).containsExactly(written.get(i).value());
        }
    }

    @Test
    void shouldRefuseAKeyLongerThanTheHeaderCanCount() {
        String key = "n".repeat(40_000);

        assertThatThrownBy(() -> new SpoolRecord(SpoolRecord.Kind.EVENT, key, VALUE).encode())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a key of 40000 bytes does not fit the spool (at most 32767): '" + "n".repeat(40) + "…'");
    }
}
