package io.chainpulse.sdk;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A bounded, append-only, on-disk queue of encoded events: the SDK's spool while Kafka is unreachable.
 *
 * <p>Segment files {@code 00000000000000000042.spool} hold records {@code [int length][int crc32c][body]}. A reader
 * position walks them in order; {@link #commit} records how far the broker has acknowledged (file {@code cursor},
 * replaced atomically) and deletes segments that are behind it, so a restart resumes exactly there. A torn or
 * corrupt record (a crash mid-write) ends its segment's readable part and is counted; everything before it is kept.
 *
 * <p>All methods are synchronized: one thread appends (the sender), another reads (the replayer).
 */
final class Spool implements Closeable {
    static final String SUFFIX = ".spool";
    private static final int HEADER = 8;
    private static final int MAX_RECORD = 16 << 20;
    private static final int WRITE_BUFFER = 64 << 10;
    private static final int READ_CHUNK = 1 << 20;

    /** A place in the spool: segment number and byte offset within it. */
    record Position(long segment, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            int c = Long.compare(segment, o.segment);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    /** One record and the position right after it. */
    record Entry(byte[] data, Position end) {}

    /** Records read from the spool, in order. */
    record Batch(List<Entry> entries) {}

    private final Path dir;
    private final long maxBytes;
    private final int segmentBytes;
    private final long fsyncIntervalNanos;
    private final TreeMap<Long, Long> segmentSizes = new TreeMap<>();
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BUFFER);
    private final CRC32C crc = new CRC32C();
    private FileChannel active;
    private FileChannel lockChannel;
    private long activeSegment;
    private long lastFsync = System.nanoTime();
    private boolean dirty;
    private Position committed;
    private Position reader;
    private FileChannel readChannel;
    private long readChannelSegment = -1;
    private long corruptRecords;

    Spool(Path dir, long maxBytes, int segmentBytes, long fsyncIntervalMs) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.fsyncIntervalNanos = fsyncIntervalMs * 1_000_000L;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("spool directory " + dir + " is in use by another ChainPulse SDK "
                        + "(two SDKs with the same node id and spool directory?)");
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).forEach(f -> {
                    String name = f.getFileName().toString();
                    try {
                        segmentSizes.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), Files.size(f));
                    } catch (NumberFormatException e) {
                        // not one of ours: leave it alone
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            committed = readCursor();
            segmentSizes.headMap(committed.segment()).keySet().removeIf(segment -> {
                delete(segment);
                return true;
            });
            reader = committed;
            activeSegment = segmentSizes.isEmpty() ? Math.max(committed.segment(), 0) : segmentSizes.lastKey() + 1;
            if (segmentSizes.isEmpty()) {
                committed = reader = new Position(activeSegment, 0);
            }
            openActive();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open spool directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Appends one record; false (and nothing written) when the spool would exceed its bound. */
    synchronized boolean append(byte[] body) throws IOException {
        int size = HEADER + body.length;
        if (bytes() + size > maxBytes) {
            return false;
        }
        if (segmentSizes.get(activeSegment) + writeBuffer.position() >= segmentBytes) {
            roll();
        }
        if (writeBuffer.remaining() < size) {
            drainWriteBuffer();
        }
        crc.reset();
        crc.update(body);
        if (size > writeBuffer.capacity()) {
            ByteBuffer big = ByteBuffer.allocate(size).putInt(body.length).putInt((int) crc.getValue()).put(body).flip();
            writeFully(big);
        } else {
            writeBuffer.putInt(body.length).putInt((int) crc.getValue()).put(body);
        }
        dirty = true;
        return true;
    }

    /** Hands buffered records to the operating system, and forces them to disk when the fsync interval is due. */
    synchronized void flush() throws IOException {
        drainWriteBuffer();
        if (dirty && System.nanoTime() - lastFsync >= fsyncIntervalNanos) {
            active.force(false);
            lastFsync = System.nanoTime();
            dirty = false;
        }
    }

    /** Reads up to {@code max} records from the reader position on and advances it. */
    synchronized Batch read(int max) throws IOException {
        drainWriteBuffer();
        List<Entry> out = new ArrayList<>();
        while (out.size() < max) {
            Long size = segmentSizes.get(reader.segment());
            if (size == null || reader.offset() >= size) {
                Long next = segmentSizes.higherKey(reader.segment());
                if (next == null) {
                    break;
                }
                reader = new Position(next, 0);
                continue;
            }
            if (!readChunk(size, max - out.size(), out)) {
                // torn or corrupt: the rest of this segment is unreadable
                corruptRecords++;
                reader = new Position(reader.segment(), size);
            }
        }
        return new Batch(out);
    }

    private boolean readChunk(long segmentSize, int max, List<Entry> out) throws IOException {
        FileChannel channel = readChannel(reader.segment());
        int want = (int) Math.min(READ_CHUNK, segmentSize - reader.offset());
        ByteBuffer chunk = ByteBuffer.allocate(Math.max(want, HEADER));
        readFully(channel, chunk, reader.offset(), want);
        chunk.flip();
        long offset = reader.offset();
        int read = 0;
        while (read < max && chunk.remaining() >= HEADER) {
            int length = chunk.getInt(chunk.position());
            int expectedCrc = chunk.getInt(chunk.position() + 4);
            if (length < 0 || length > MAX_RECORD || offset + HEADER + length > segmentSize) {
                reader = new Position(reader.segment(), offset);
                return read > 0;
            }
            if (chunk.remaining() < HEADER + length) {
                if (read == 0) {
                    // one record larger than the chunk: read it alone
                    ByteBuffer single = ByteBuffer.allocate(HEADER + length);
                    readFully(channel, single, offset, HEADER + length);
                    chunk = single.flip();
                    continue;
                }
                break;
            }
            chunk.position(chunk.position() + HEADER);
            byte[] body = new byte[length];
            chunk.get(body);
            crc.reset();
            crc.update(body);
            if ((int) crc.getValue() != expectedCrc) {
                reader = new Position(reader.segment(), offset);
                return read > 0;
            }
            offset += HEADER + length;
            out.add(new Entry(body, new Position(reader.segment(), offset)));
            read++;
        }
        reader = new Position(reader.segment(), offset);
        return read > 0;
    }

    /** Everything up to {@code position} was acknowledged: persist it and delete segments behind it. */
    synchronized void commit(Position position) throws IOException {
        if (position.compareTo(committed) <= 0) {
            return;
        }
        // a fully acknowledged segment is as good as the start of the next one: lets it be deleted
        while (position.segment() != activeSegment && position.offset() >= segmentSizes.getOrDefault(position.segment(), 0L)) {
            Long next = segmentSizes.higherKey(position.segment());
            if (next == null) {
                break;
            }
            position = new Position(next, 0);
        }
        committed = position;
        Path tmp = dir.resolve("cursor.tmp");
        Files.writeString(tmp, position.segment() + " " + position.offset() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING);
        }
        for (Long segment : new ArrayList<>(segmentSizes.headMap(position.segment()).keySet())) {
            segmentSizes.remove(segment);
            delete(segment);
        }
        if (reader.compareTo(committed) < 0) {
            reader = committed;
        }
    }

    /** Moves the reader back to the last committed position: what was read since will be read again. */
    synchronized void rewind() {
        reader = committed;
    }

    /** True when the reader has read everything appended so far. */
    synchronized boolean drained() throws IOException {
        drainWriteBuffer();
        Long last = segmentSizes.lastKey();
        return reader.segment() > last || (reader.segment() == last && reader.offset() >= segmentSizes.get(last));
    }

    /** True when every appended record was also committed. */
    synchronized boolean empty() {
        return bytes() == 0;
    }

    /** Bytes on disk (and in the write buffer) not yet committed. */
    synchronized long bytes() {
        long total = writeBuffer.position();
        for (var e : segmentSizes.entrySet()) {
            total += e.getValue();
        }
        return total - (segmentSizes.containsKey(committed.segment()) ? Math.min(committed.offset(), segmentSizes.get(committed.segment())) : 0);
    }

    synchronized long corruptRecords() {
        return corruptRecords;
    }

    Path directory() {
        return dir;
    }

    @Override
    public synchronized void close() throws IOException {
        drainWriteBuffer();
        active.force(false);
        active.close();
        if (readChannel != null) {
            readChannel.close();
        }
        lockChannel.close(); // releases the lock
    }

    private void roll() throws IOException {
        drainWriteBuffer();
        active.force(false);
        active.close();
        activeSegment++;
        openActive();
    }

    private void openActive() throws IOException {
        active = FileChannel.open(segmentPath(activeSegment), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        segmentSizes.put(activeSegment, active.size());
    }

    private void drainWriteBuffer() throws IOException {
        if (writeBuffer.position() == 0) {
            return;
        }
        writeBuffer.flip();
        writeFully(writeBuffer);
        writeBuffer.clear();
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        int n = buffer.remaining();
        while (buffer.hasRemaining()) {
            active.write(buffer);
        }
        segmentSizes.merge(activeSegment, (long) n, Long::sum);
    }

    private FileChannel readChannel(long segment) throws IOException {
        if (readChannelSegment != segment) {
            if (readChannel != null) {
                readChannel.close();
            }
            readChannel = FileChannel.open(segmentPath(segment), StandardOpenOption.READ);
            readChannelSegment = segment;
        }
        return readChannel;
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, int length) throws IOException {
        target.limit(length);
        long at = position;
        while (target.hasRemaining()) {
            int n = channel.read(target, at);
            if (n < 0) {
                throw new IOException("spool segment ended early at byte " + at);
            }
            at += n;
        }
    }

    private Position readCursor() throws IOException {
        Path cursor = dir.resolve("cursor");
        if (!Files.exists(cursor)) {
            return new Position(segmentSizes.isEmpty() ? 0 : segmentSizes.firstKey(), 0);
        }
        String[] parts = Files.readString(cursor, StandardCharsets.US_ASCII).trim().split(" ");
        try {
            return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        } catch (RuntimeException e) {
            throw new IOException("spool cursor " + cursor + " is unreadable ('" + String.join(" ", parts)
                    + "'); expected '<segment> <offset>'", e);
        }
    }

    private void delete(long segment) {
        if (segment == readChannelSegment && readChannel != null) {
            try {
                readChannel.close();
            } catch (IOException ignoredBecauseDeleting) {
                // the file goes away next
            }
            readChannel = null;
            readChannelSegment = -1;
        }
        try {
            Files.deleteIfExists(segmentPath(segment));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete acknowledged spool segment " + segmentPath(segment), e);
        }
    }

    private Path segmentPath(long segment) {
        return dir.resolve(String.format("%020d%s", segment, SUFFIX));
    }
}
