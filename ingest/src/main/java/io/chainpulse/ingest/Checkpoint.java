package io.chainpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far each followed file was read <em>and acknowledged by Kafka</em>, saved atomically (written to a temporary
 * file, forced to disk, renamed over the old one), so a crash at any moment leaves either the old or the new
 * checkpoint. A file is known by its identity — the file system's key (device and inode) plus a CRC of its first
 * bytes — not by its name, which rotation gives to another file.
 *
 * <p>{@code endOffsets} are the events topic's end offsets by partition when the checkpoint was taken: every event
 * of a line after a checkpoint position was written at or after them, which is where a restart looks for events
 * that were acknowledged after the last checkpoint ({@link Recovery}).
 *
 * <pre>{@code
 * {"version":1,"rejects_bytes":120,"end_offsets":{"0":4711},
 *  "files":[{"path":"/var/log/node/v1.jsonl","file_key":"(dev=803,ino=42)","fingerprint_bytes":1024,
 *            "fingerprint":2864170323,"position":918273,"line":4170}]}
 * }</pre>
 */
record Checkpoint(long rejectsBytes, Map<Integer, Long> endOffsets, List<FilePosition> files) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int VERSION = 1;

    /** One file: where it was last seen, who it is, and the byte after the last acknowledged line. */
    record FilePosition(String path, String fileKey, int fingerprintBytes, long fingerprint, long position, long line) {}

    static Checkpoint empty() {
        return new Checkpoint(0, Map.of(), List.of());
    }

    /** The checkpoint in {@code file}, or {@link #empty()} when there is none yet. */
    static Checkpoint read(Path file) {
        if (!Files.exists(file)) {
            return empty();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || root.path("version").asInt() != VERSION) {
                throw new IllegalStateException("checkpoint " + file + " has no version " + VERSION
                        + "; move it away to start over (every file is then read from its start)");
            }
            Map<Integer, Long> offsets = new TreeMap<>();
            root.path("end_offsets").fields().forEachRemaining(e -> offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
            List<FilePosition> files = new ArrayList<>();
            for (JsonNode f : root.path("files")) {
                files.add(new FilePosition(f.path("path").asText(), f.path("file_key").asText(),
                        f.path("fingerprint_bytes").asInt(), f.path("fingerprint").asLong(), f.path("position").asLong(),
                        f.path("line").asLong()));
            }
            return new Checkpoint(root.path("rejects_bytes").asLong(), offsets, files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage()
                    + "; move it away to start over (every file is then read from its start)", e);
        }
    }

    /** Replaces {@code file} atomically with this checkpoint. */
    void write(Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        root.put("rejects_bytes", rejectsBytes);
        ObjectNode offsets = root.putObject("end_offsets");
        new TreeMap<>(endOffsets).forEach((p, o) -> offsets.put(String.valueOf(p), o));
        ArrayNode list = root.putArray("files");
        for (FilePosition f : files) {
            list.addObject().put("path", f.path()).put("file_key", f.fileKey())
                    .put("fingerprint_bytes", f.fingerprintBytes()).put("fingerprint", f.fingerprint())
                    .put("position", f.position()).put("line", f.line());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            byte[] bytes = JSON.writeValueAsBytes(root);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }
}
