package io.chainpulse.ingest;

import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.schema.json.EventJsonException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the JSON Lines files matching a glob as they grow, like {@code tail -F}, and records each line's event
 * through the {@link Publisher}.
 *
 * <ul>
 *   <li>A file is known by its identity (file-system key = device and inode, plus a CRC of its first
 *       {@value #FINGERPRINT_BYTES} bytes), so a renamed file keeps its position and a new file under an old name
 *       starts at byte 0.</li>
 *   <li>Rotation by rename: the old file, no longer matched (or matched under its new name), is read to its end
 *       through the descriptor already open and dropped once it stayed unchanged for {@link #ROTATED_IDLE_NANOS};
 *       the new file is picked up like any new match. Copytruncate and truncation: a file shorter than the position
 *       read, or whose first bytes changed, is read again from byte 0 — and first, what was not read of the old
 *       content is read from its copy, if one is next to it: a file of the same directory, not followed, whose
 *       first bytes are the old fingerprint and that reaches the old position. This also covers a copytruncate
 *       before the checkpoint took the lines read (a crash) or while the sidecar was down. Lines written between the
 *       copy and the truncate are in neither file and lost; logrotate documents that window for copytruncate.</li>
 *   <li>Only complete lines ({@code \n}-terminated) are read, except the last line of a rotated file once it is
 *       idle. A line that is not a valid event goes to the rejects file as {@code file:line: reason}, under the
 *       name the file had when the line was read (a copy's name for a line read from a copy).</li>
 *   <li>A chunk is used only if the file's first bytes are still the fingerprint after it was read: a truncate and
 *       rewrite between the size and the read would otherwise hand us the middle of the new content.</li>
 *   <li>Positions are saved in the {@link Checkpoint} by the publisher's commit, i.e. only for lines whose events
 *       Kafka acknowledged.</li>
 * </ul>
 *
 * <p>One thread calls {@link #pollOnce()}; the commit listener runs on the publisher's thread under its exclusive
 * lock, while the follower thread changes positions only under the shared one.
 */
final class FileFollower implements AutoCloseable {
    static final int FINGERPRINT_BYTES = 1024;
    static final long ROTATED_IDLE_NANOS = 5_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(FileFollower.class);
    private static final int CHUNK = 1 << 20;
    private static final int PASS_BYTES_PER_FILE = 8 << 20;

    private final String glob;
    private final Path base;
    private final int depth;
    private final PathMatcher matcher;
    private final Publisher publisher;
    private final Rejects rejects;
    private final Path checkpointFile;
    private final Map<String, Checkpoint.FilePosition> restored = new HashMap<>();
    private final Set<String> alreadyPublished;
    private final List<Followed> files = new CopyOnWriteArrayList<>();
    private final Map<String, PathStats> stats = new ConcurrentHashMap<>();
    private final List<Consumer<String>> newLabelListeners = new CopyOnWriteArrayList<>();
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    private final CRC32C crc = new CRC32C();
    private final LongAdder skippedAsPublished = new LongAdder();
    private final Set<Followed> retiring = ConcurrentHashMap.newKeySet();
    /**
     * After a restart: the files' sizes when they were opened. The previous run may have published lines up to
     * there; until every file is read past its size, checkpoints keep the previous checkpoint's end offsets, so that
     * a second crash still looks for those lines' events where they are. Null once passed (or on a first start).
     */
    private Map<Followed, Long> recoveryEnds;
    private Map<Integer, Long> recoveryOffsets;

    /** Counters of one path (the name a file was found under), for {@code /metrics}. */
    static final class PathStats {
        final LongAdder linesRead = new LongAdder();
        final LongAdder published = new LongAdder();
        final LongAdder rejected = new LongAdder();
        long pendingPublished; // recorded, not yet acknowledged; under the publisher's lock
    }

    /** One file being followed. */
    private static final class Followed {
        final String fileKey;
        final String label;
        final FileChannel channel;
        volatile Path path;
        volatile long position;
        volatile long line;
        volatile int fingerprintBytes;
        volatile long fingerprint;
        boolean matched = true;
        long lastChangeNanos = System.nanoTime();
        long lastSize = -1;
        long lastModified = -1;
        boolean skippingLongLine;

        Followed(Path path, String label, String fileKey, FileChannel channel) {
            this.path = path;
            this.label = label;
            this.fileKey = fileKey;
            this.channel = channel;
        }
    }

    /**
     * @param alreadyPublished event ids found on the topic since the checkpoint ({@link Recovery}); a line after the
     *     checkpoint with one of them is skipped once
     */
    FileFollower(String glob, Publisher publisher, Rejects rejects, Path checkpointFile, Checkpoint checkpoint,
                 Set<String> alreadyPublished) {
        this.glob = glob;
        Path pattern = Path.of(glob).toAbsolutePath().normalize();
        Path b = pattern.getRoot();
        int i = 0;
        for (; i < pattern.getNameCount(); i++) {
            String part = pattern.getName(i).toString();
            if (part.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
                break;
            }
            b = b.resolve(part);
        }
        if (i == pattern.getNameCount()) {
            // a plain file name: follow that one path
            b = pattern.getParent();
            i = pattern.getNameCount() - 1;
        }
        this.base = b;
        this.depth = glob.contains("**") ? Integer.MAX_VALUE : pattern.getNameCount() - i;
        this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        this.publisher = publisher;
        this.rejects = rejects;
        this.checkpointFile = checkpointFile;
        for (Checkpoint.FilePosition f : checkpoint.files()) {
            restored.put(f.fileKey(), f);
        }
        this.alreadyPublished = alreadyPublished;
        if (!checkpoint.endOffsets().isEmpty()) {
            recoveryEnds = new java.util.IdentityHashMap<>();
            recoveryOffsets = checkpoint.endOffsets();
        }
        try {
            // opens the files of the checkpoint before any commit can save a checkpoint without them
            discover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the files matching " + glob + ": " + e.getMessage(), e);
        }
        publisher.addListener(this::committed);
        if (recoveryEnds != null) {
            for (Followed f : files) {
                try {
                    recoveryEnds.put(f, f.channel.size());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the size of " + f.path + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** One pass: find files, check each one's identity, read what was appended. Returns the bytes read. */
    long pollOnce() throws IOException {
        discover();
        long read = 0;
        for (Followed f : files) {
            if (!f.matched) {
                read += follow(f);
            }
        }
        for (Followed f : files) {
            if (f.matched) {
                read += follow(f);
            }
        }
        return read;
    }

    /** Counters by path, for {@link IngestMetrics}. */
    Map<String, PathStats> stats() {
        return stats;
    }

    void onNewPath(Consumer<String> listener) {
        newLabelListeners.add(listener);
    }

    /** Bytes not read yet in the files found under {@code label}. */
    long lagBytes(String label) {
        long lag = 0;
        for (Followed f : files) {
            if (f.label.equals(label)) {
                try {
                    lag += Math.max(0, f.channel.size() - f.position);
                } catch (IOException e) {
                    // closed meanwhile: nothing left to read
                }
            }
        }
        return lag;
    }

    long skippedAsPublished() {
        return skippedAsPublished.sum();
    }

    String glob() {
        return glob;
    }

    private void discover() throws IOException {
        Set<String> seen = new java.util.HashSet<>();
        for (Path path : matches()) {
            String key;
            try {
                key = fileKey(path);
            } catch (NoSuchFileException e) {
                continue;
            }
            seen.add(key);
            Followed known = find(key);
            if (known != null) {
                known.matched = true;
                known.path = path;
                continue;
            }
            open(path, key, true);
        }
        for (Followed f : files) {
            if (f.matched && !seen.contains(f.fileKey)) {
                f.matched = false;
                f.lastChangeNanos = System.nanoTime();
                f.path = locate(f.path, f.fileKey);
                LOG.info("{} (file {}) was rotated away; reading it to its end", f.label, f.fileKey);
            }
        }
        if (!restored.isEmpty()) {
            // files of the checkpoint that no longer match: rotated away while we were down, still to be finished
            for (Checkpoint.FilePosition f : new ArrayList<>(restored.values())) {
                Path now = locate(Path.of(f.path()), f.fileKey());
                if (now != null && Files.exists(now) && f.fileKey().equals(fileKeyOrNull(now))) {
                    open(now, f.fileKey(), false);
                }
                // else gone from its directory (deleted, or moved elsewhere): its name may hold another file now,
                // followed under its own identity above
            }
            restored.clear();
        }
    }

    private void open(Path path, String key, boolean matched) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return;
        }
        Followed f = new Followed(path, path.toString(), key, channel);
        f.matched = matched;
        Checkpoint.FilePosition saved = restored.remove(key);
        long size = channel.size();
        Followed copy = null;
        if (saved != null && size >= saved.position() && saved.fingerprintBytes() <= size
                && fingerprint(channel, saved.fingerprintBytes()) == saved.fingerprint()) {
            f.position = saved.position();
            f.line = saved.line();
            f.fingerprintBytes = saved.fingerprintBytes();
            f.fingerprint = saved.fingerprint();
            LOG.info("resuming {} at byte {} (line {})", path, f.position, f.line);
        } else {
            if (saved != null) {
                // truncated or copytruncated after the checkpoint: the lines after it may be in a copy only
                copy = openCopy(path, key, f.label, saved.fingerprintBytes(), saved.fingerprint(), saved.position(),
                        saved.line(), false);
            }
            f.fingerprintBytes = (int) Math.min(size, FINGERPRINT_BYTES);
            f.fingerprint = fingerprint(channel, f.fingerprintBytes);
            LOG.info("following {} from its start", path);
        }
        if (stats.putIfAbsent(f.label, new PathStats()) == null) {
            newLabelListeners.forEach(l -> l.accept(f.label));
        }
        if (copy != null) {
            files.add(copy);
        }
        files.add(f);
    }

    /**
     * The copy a copytruncate left of a file whose head was {@code fingerprint} over {@code fingerprintBytes}, opened
     * at {@code position} (to be read to its end like a renamed file), or null when there is none: a regular file in
     * the same directory, neither {@code liveKey} nor followed already, that reaches {@code position} and starts
     * with those bytes (the newest such file if several do).
     */
    private Followed openCopy(Path live, String liveKey, String label, int fingerprintBytes, long fingerprint,
                              long position, long line, boolean skippingLongLine) throws IOException {
        Path dir = live.getParent();
        if (fingerprintBytes == 0 || dir == null || !Files.isDirectory(dir)) {
            return null; // nothing known of the old content's head: no copy can be told apart
        }
        long need = Math.max(position, fingerprintBytes);
        Path best = null;
        String bestKey = null;
        long bestModified = Long.MIN_VALUE;
        List<Path> siblings;
        try (Stream<Path> list = Files.list(dir)) {
            siblings = list.toList();
        }
        for (Path p : siblings) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                if (!a.isRegularFile() || a.size() < need || a.fileKey() == null) {
                    continue;
                }
                String key = a.fileKey().toString();
                if (key.equals(liveKey) || find(key) != null || a.lastModifiedTime().toMillis() < bestModified) {
                    continue;
                }
                try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
                    if (fingerprint(c, fingerprintBytes) == fingerprint) {
                        best = p;
                        bestKey = key;
                        bestModified = a.lastModifiedTime().toMillis();
                    }
                }
            } catch (IOException e) {
                // gone or unreadable meanwhile: not the copy we can use
            }
        }
        if (best == null) {
            LOG.warn("{} was truncated and no copy of it reaching byte {} is next to it: what was not read of its old "
                    + "content (after line {}) is lost", live, position, line);
            return null;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(best, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
        Followed copy = new Followed(best, label, bestKey, channel);
        copy.matched = false;
        copy.position = position;
        copy.line = line;
        copy.fingerprintBytes = fingerprintBytes;
        copy.fingerprint = fingerprint;
        copy.skippingLongLine = skippingLongLine;
        LOG.info("{} was copied to {} before it was truncated: reading the copy from byte {} (line {}) to its end",
                live, best, position, line);
        return copy;
    }

    private Followed find(String key) {
        for (Followed f : files) {
            if (f.fileKey.equals(key)) {
                return f;
            }
        }
        return null;
    }

    private List<Path> matches() throws IOException {
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(base, depth)) {
            return paths.filter(p -> matcher.matches(p) && Files.isRegularFile(p)).sorted().toList();
        } catch (java.io.UncheckedIOException e) {
            // a file or directory vanished during the walk: try again next pass
            return List.of();
        }
    }

    /** Where the file with {@code key} is now: the same path, or another name in the same directory, or null. */
    private static Path locate(Path old, String key) {
        try {
            if (Files.exists(old) && fileKey(old).equals(key)) {
                return old;
            }
            Path dir = old.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                return old;
            }
            try (Stream<Path> siblings = Files.list(dir)) {
                for (Path p : siblings.toList()) {
                    try {
                        if (Files.isRegularFile(p) && fileKey(p).equals(key)) {
                            return p;
                        }
                    } catch (IOException e) {
                        // gone meanwhile
                    }
                }
            }
        } catch (IOException e) {
            // keep the old name: the checkpoint only uses it to look for the file again
        }
        return old;
    }

    private static String fileKeyOrNull(Path path) {
        try {
            return fileKey(path);
        } catch (IOException e) {
            return null;
        }
    }

    static String fileKey(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        if (key == null) {
            throw new IllegalStateException("the file system of " + path + " gives files no identity (fileKey); "
                    + "ingest --follow needs one (Linux, macOS)");
        }
        return key.toString();
    }

    private long fingerprint(FileChannel channel, int bytes) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(bytes);
        while (head.hasRemaining()) {
            if (channel.read(head, head.position()) < 0) {
                break;
            }
        }
        crc.reset();
        crc.update(head.array(), 0, head.position());
        return crc.getValue();
    }

    /** Reads what was appended to {@code f}; returns the bytes consumed. */
    private long follow(Followed f) throws IOException {
        if (retiring.contains(f)) {
            return 0;
        }
        long size = f.channel.size();
        long modified = size == f.lastSize ? lastModified(f) : -1;
        long consumed = 0;
        if (size != f.lastSize || modified != f.lastModified) {
            // a truncate and rewrite to the very same size changes only the modification time
            f.lastSize = size;
            f.lastModified = modified == -1 ? lastModified(f) : modified;
            f.lastChangeNanos = System.nanoTime();
            Followed copy = checkIdentity(f, size);
            if (copy != null) {
                consumed += follow(copy); // the old content's rest before the new content
            }
        }
        while (consumed < PASS_BYTES_PER_FILE) {
            long n = readChunk(f, size);
            if (n == 0) {
                break;
            }
            consumed += n;
        }
        if (!f.matched && consumed == 0 && System.nanoTime() - f.lastChangeNanos > ROTATED_IDLE_NANOS) {
            finishRotated(f, size);
        }
        return consumed;
    }

    private static long lastModified(Followed f) {
        try {
            return Files.getLastModifiedTime(f.path).toMillis();
        } catch (IOException e) {
            return -1; // renamed or removed meanwhile: its size still tells
        }
    }

    /**
     * Truncated, or the same inode with other first bytes (copytruncate, then rewritten): read again from 0, after the
     * rest of the old content from its copy, if there is one. Returns that copy (already followed) or null.
     */
    private Followed checkIdentity(Followed f, long size) throws IOException {
        boolean truncated = size < f.position;
        boolean replaced = !truncated && f.fingerprintBytes > 0 && !sameHead(f, size);
        if (truncated || replaced) {
            LOG.warn("{} was {} at byte {} of {}: reading it again from its start", f.path,
                    truncated ? "truncated" : "rewritten", f.position, size);
            Followed copy = openCopy(f.path, f.fileKey, f.label, f.fingerprintBytes, f.fingerprint, f.position, f.line,
                    f.skippingLongLine);
            publisher.recording(() -> {
                // the copy and the reset in one step, so that no checkpoint has the one without the other
                if (copy != null) {
                    files.add(copy);
                }
                if (recoveryEnds != null && recoveryEnds.containsKey(f)) {
                    // what the previous run read of it is gone from it; in the copy, if any, at the same offsets
                    Long end = recoveryEnds.put(f, 0L);
                    if (copy != null) {
                        recoveryEnds.put(copy, end);
                    }
                }
                f.position = 0;
                f.line = 0;
                f.skippingLongLine = false;
                f.fingerprintBytes = (int) Math.min(size, FINGERPRINT_BYTES);
                f.fingerprint = fingerprintQuietly(f.channel, f.fingerprintBytes);
            });
            return copy;
        } else if (f.fingerprintBytes < FINGERPRINT_BYTES && size > f.fingerprintBytes) {
            int bytes = (int) Math.min(size, FINGERPRINT_BYTES);
            long value = fingerprint(f.channel, bytes);
            publisher.recording(() -> {
                f.fingerprintBytes = bytes;
                f.fingerprint = value;
            });
        }
        return null;
    }

    /** True when the file still starts with the bytes fingerprinted (and is at least that long). */
    private boolean sameHead(Followed f, long size) throws IOException {
        return size >= f.fingerprintBytes && fingerprint(f.channel, f.fingerprintBytes) == f.fingerprint;
    }

    private long fingerprintQuietly(FileChannel channel, int bytes) {
        try {
            return fingerprint(channel, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the complete lines of one chunk outside the lock, records them and moves the position under it. */
    private long readChunk(Followed f, long size) throws IOException {
        if (f.position >= size) {
            return 0;
        }
        chunk.clear();
        int want = (int) Math.min(CHUNK, size - f.position);
        chunk.limit(want);
        int n = 0;
        while (chunk.hasRemaining()) {
            int r = f.channel.read(chunk, f.position + n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
        if (n > 0 && f.fingerprintBytes > 0 && !sameHead(f, f.channel.size())) {
            // truncated (and maybe rewritten) while we read: the next pass checks its identity and starts over
            f.lastSize = -1;
            return 0;
        }
        byte[] bytes = chunk.array();
        List<ProtocolEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long line = f.line;
        int start = 0;
        boolean skipping = f.skippingLongLine;
        long linesRead = 0;
        for (int i = 0; i < n; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            line++;
            if (skipping) {
                skipping = false;
            } else {
                linesRead += handleLine(f, bytes, start, i, line, events, problems);
            }
            start = i + 1;
        }
        int consumed = start;
        if (consumed == 0 && n == CHUNK) {
            // no line end in a whole chunk: reject the line and skip to its end
            if (!skipping) {
                problems.add(f.path + ":" + (line + 1) + ": line longer than " + CHUNK + " bytes");
                linesRead++;
            }
            skipping = true;
            consumed = n;
        }
        if (consumed == 0) {
            return 0;
        }
        long endLine = line;
        boolean endSkipping = skipping;
        long read = linesRead;
        int advance = consumed;
        record(f, events, problems, read, () -> {
            f.position += advance;
            f.line = endLine;
            f.skippingLongLine = endSkipping;
        });
        return consumed;
    }

    /** The last line of a rotated file, without its line end, once the file is idle; then the file is dropped. */
    private void finishRotated(Followed f, long size) throws IOException {
        if (f.position < size && !f.skippingLongLine) {
            int len = (int) Math.min(CHUNK, size - f.position);
            ByteBuffer rest = ByteBuffer.allocate(len);
            while (rest.hasRemaining() && f.channel.read(rest, f.position + rest.position()) > 0) {
                // read the remainder
            }
            List<ProtocolEvent> events = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            long line = f.line + 1;
            long linesRead = handleLine(f, rest.array(), 0, rest.position(), line, events, problems);
            record(f, events, problems, linesRead, () -> {
                f.position = size;
                f.line = line;
            });
        }
        // dropped from the list by the next commit, which also saves that its last lines were acknowledged
        publisher.recording(() -> retiring.add(f));
    }

    private int handleLine(Followed f, byte[] bytes, int start, int end, long line, List<ProtocolEvent> events,
                           List<String> problems) {
        int e = end > start && bytes[end - 1] == '\r' ? end - 1 : end;
        boolean blank = true;
        for (int i = start; i < e; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                blank = false;
                break;
            }
        }
        if (blank) {
            return 0;
        }
        String text = new String(bytes, start, e - start, StandardCharsets.UTF_8);
        try {
            ProtocolEvent event = EventJson.parse(text);
            if (!alreadyPublished.isEmpty() && alreadyPublished.remove(event.getEventId().toString())) {
                skippedAsPublished.increment();
            } else {
                events.add(event);
            }
        } catch (EventJsonException ex) {
            problems.add(f.path + ":" + line + ": " + ex.getMessage());
        }
        return 1;
    }

    private void record(Followed f, List<ProtocolEvent> events, List<String> problems, long linesRead,
                        Runnable moveOn) {
        PathStats s = stats.get(f.label);
        publisher.recording(() -> {
            for (ProtocolEvent event : events) {
                if (!publisher.record(event)) {
                    throw new IllegalStateException("the SDK was closed while following " + f.path);
                }
            }
            problems.forEach(rejects::add);
            s.pendingPublished += events.size();
            moveOn.run();
        });
        s.linesRead.add(linesRead);
        s.rejected.add(problems.size());
    }

    /** Under the publisher's exclusive lock, after Kafka acknowledged everything recorded so far. */
    private void committed(Map<Integer, Long> endOffsets) {
        for (PathStats s : stats.values()) {
            s.published.add(s.pendingPublished);
            s.pendingPublished = 0;
        }
        for (Followed f : retiring) {
            files.remove(f);
            closeQuietly(f);
            LOG.info("done with rotated file {} at byte {} (line {})", f.path, f.position, f.line);
        }
        retiring.clear();
        List<Checkpoint.FilePosition> positions = new ArrayList<>();
        for (Followed f : files) {
            positions.add(new Checkpoint.FilePosition(String.valueOf(f.path), f.fileKey, f.fingerprintBytes,
                    f.fingerprint, f.position, f.line));
        }
        new Checkpoint(rejects.flush(), offsetsToSave(endOffsets), positions).write(checkpointFile);
    }

    private Map<Integer, Long> offsetsToSave(Map<Integer, Long> endOffsets) {
        if (recoveryEnds == null) {
            return endOffsets;
        }
        for (Map.Entry<Followed, Long> e : recoveryEnds.entrySet()) {
            if (files.contains(e.getKey()) && e.getKey().position < e.getValue()) {
                return recoveryOffsets;
            }
        }
        LOG.info("read past everything the previous run may have published; checkpoints take the current offsets");
        recoveryEnds = null;
        recoveryOffsets = null;
        return endOffsets;
    }

    private static void closeQuietly(Followed f) {
        try {
            f.channel.close();
        } catch (IOException e) {
            LOG.warn("closing {} failed: {}", f.path, e.toString());
        }
    }

    @Override
    public void close() {
        for (Followed f : files) {
            closeQuietly(f);
        }
    }
}
