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
 * corrupt record (a crash mid-write, a damaged disk) ends its segment's readable part and is counted and described in
 * {@link Batch#corruptions()}; everything before it is kept.
 *
 * <p><b>A full file system</b> never tears a record: a write that fails part-way (no space left) is cut back to the
 * last whole record ({@code truncate}), and the records not yet written stay in the write buffer, to be written once
 * space is free again (when the replayer's commit deletes an acknowledged segment). Meanwhile {@link #append} throws
 * for a record that does not fit the buffer (the caller drops and counts it) and {@link #read} reads what is on disk.
 *
 * <p>All methods are synchronized: one thread appends (the sender), another reads (the replayer).
 */
final class Spool implements Closeable {
    static final String SUFFIX = ".spool";
    private static final int HEADER = 8;
    private static final int MAX_RECORD = 16 << 20;
    private static final int WRITE_BUFFER = 64 << 10;
    private static final int READ_CHUNK = 1 << 20;
    /** After a failed write, how long writes are not tried again (a full disk must not cost a core in syscalls). */
    private static final long WRITE_RETRY_NANOS = 100_000_000L;

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

    /**
     * Records read from the spool, in order, and a sentence for each corrupt record met on the way (its segment, its
     * offset, what was wrong and how many bytes after it were skipped).
     */
    record Batch(List<Entry> entries, List<String> corruptions) {}

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
    private String lastCorruption = "";
    /** Message of the last failed write while writes are paused, else null. */
    private String writeFailure;
    private long writesPausedUntil;

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

    /**
     * Reads up to {@code max} records from the reader position on and advances it. Records still in the write buffer
     * are written first when the file system has room; when it has none, only what is on disk is read (the replay
     * that follows frees space).
     */
    synchronized Batch read(int max) throws IOException {
        tryDrainWriteBuffer();
        List<Entry> out = new ArrayList<>();
        List<String> corruptions = new ArrayList<>();
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
                corruptions.add("spool segment " + segmentPath(reader.segment()) + ": corrupt record at byte "
                        + reader.offset() + " (" + lastCorruption + "); the " + (size - reader.offset())
                        + " bytes from there to the end of the segment were skipped");
                reader = new Position(reader.segment(), size);
            }
        }
        return new Batch(out, corruptions);
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
                lastCorruption = "length " + length + " does not fit the segment: torn write";
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
                lastCorruption = "checksum mismatch";
                reader = new Position(reader.segment(), offset);
                return read > 0;
            }
            offset += HEADER + length;
            out.add(new Entry(body, new Position(reader.segment(), offset)));
            read++;
        }
        if (read == 0) {
            lastCorruption = (segmentSize - offset) + " bytes, too few for a record header: torn write";
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
        if (reader.compareTo(committed) < 0) {
            reader = committed;
        }
        // Segments behind the position go first: on a full file system the cursor can only be written once they
        // freed their space. A crash in between re-sends from the older cursor (never loses anything).
        for (Long segment : new ArrayList<>(segmentSizes.headMap(position.segment()).keySet())) {
            segmentSizes.remove(segment);
            delete(segment);
            writesPausedUntil = System.nanoTime(); // space was freed: the next write may try at once
        }
        Path tmp = dir.resolve("cursor.tmp");
        Files.writeString(tmp, position.segment() + " " + position.offset() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Moves the reader back to the last committed position: what was read since will be read again. */
    synchronized void rewind() {
        reader = committed;
    }

    /** True when the reader has read everything appended so far (the write buffer included). */
    synchronized boolean drained() {
        if (!tryDrainWriteBuffer()) {
            return false;
        }
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

    /**
     * Writes what the buffer holds, forces it to disk and releases the directory. When the file system is still full,
     * the records in the buffer are lost and the {@link IOException} says how many bytes.
     */
    @Override
    public synchronized void close() throws IOException {
        try {
            int buffered = writeBuffer.position();
            if (!tryDrainWriteBuffer()) {
                throw new IOException(buffered + " spooled bytes could not be written to " + dir
                        + " (file system full) and are lost");
            }
            active.force(false);
        } finally {
            active.close();
            if (readChannel != null) {
                readChannel.close();
            }
            lockChannel.close(); // releases the lock
        }
    }

    private void roll() throws IOException {
        drainWriteBuffer();
        active.force(false);
        // the next segment is opened before the current one is closed: a failure leaves the spool as it was
        FileChannel next = FileChannel.open(segmentPath(activeSegment + 1), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        active.close();
        active = next;
        activeSegment++;
        segmentSizes.put(activeSegment, active.size());
    }

    private void openActive() throws IOException {
        active = FileChannel.open(segmentPath(activeSegment), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        segmentSizes.put(activeSegment, active.size());
    }

    /**
     * Writes the buffered records to the active segment. On failure (typically no space left) nothing of them counts
     * as written: the file is cut back to its last whole record and the buffer keeps every record, to be written by
     * a later call.
     */
    private void drainWriteBuffer() throws IOException {
        if (writeBuffer.position() == 0) {
            return;
        }
        if (writeFailure != null && System.nanoTime() - writesPausedUntil < 0) {
            throw new IOException(writeFailure); // the same words, so the ErrorListener hears it once
        }
        writeBuffer.flip();
        try {
            writeFully(writeBuffer);
        } catch (IOException e) {
            // back to "filling": position after the last buffered byte, nothing lost
            writeBuffer.position(writeBuffer.limit()).limit(writeBuffer.capacity());
            writeFailure = e.getMessage();
            writesPausedUntil = System.nanoTime() + WRITE_RETRY_NANOS;
            throw e;
        }
        writeBuffer.clear();
        writeFailure = null;
    }

    /** {@link #drainWriteBuffer()}, telling whether the buffer is empty now instead of throwing. */
    private boolean tryDrainWriteBuffer() {
        try {
            drainWriteBuffer();
            return true;
        } catch (IOException stillFull) {
            // the sender's append and flush report this failure to the ErrorListener; the reader just reads less
            return false;
        }
    }

    /** Writes all of {@code buffer} at the end of the active segment, or nothing of it (then throws). */
    private void writeFully(ByteBuffer buffer) throws IOException {
        int n = buffer.remaining();
        long before = segmentSizes.get(activeSegment);
        try {
            while (buffer.hasRemaining()) {
                active.write(buffer);
            }
        } catch (IOException e) {
            cutBack(before, e);
            throw e;
        }
        segmentSizes.merge(activeSegment, (long) n, Long::sum);
    }

    /** Removes the part of a failed write that reached the file, so no torn record is left behind. */
    private void cutBack(long size, IOException failure) {
        try {
            active.truncate(size);
        } catch (IOException e) {
            failure.addSuppressed(e);
            // cannot cut: account for the bytes as they are; the reader will count the torn record as corrupt
            try {
                segmentSizes.put(activeSegment, active.size());
            } catch (IOException sizeUnknown) {
                failure.addSuppressed(sizeUnknown);
            }
        }
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
