package io.chainpulse.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rejects file: one line {@code file:line: reason} per line that is not a valid event. Its length is saved with
 * each checkpoint; a restart cuts the file back to that length, because the lines after the checkpoint are read —
 * and rejected — again.
 */
final class Rejects implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private long bytes;

    /** Opens {@code file}, cut back to {@code checkpointedBytes} (what the last checkpoint covered). */
    Rejects(Path file, long checkpointedBytes) {
        this.file = file;
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.size() > checkpointedBytes) {
                channel.truncate(checkpointedBytes);
            }
            bytes = channel.size();
            channel.position(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the rejects file " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void add(String problem) {
        byte[] line = (problem + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (buffer.remaining() < line.length) {
                drain();
            }
            if (line.length > buffer.capacity()) {
                channel.write(ByteBuffer.wrap(line));
            } else {
                buffer.put(line);
            }
            bytes += line.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rejects file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Hands what is buffered to the operating system; returns the file's length. */
    synchronized long flush() {
        try {
            drain();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rejects file " + file + ": " + e.getMessage(), e);
        }
        return bytes;
    }

    Path file() {
        return file;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public synchronized void close() {
        try {
            drain();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the rejects file " + file + ": " + e.getMessage(), e);
        }
    }
}
