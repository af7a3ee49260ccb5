package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.raw.MultilineJoiner;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One open log file of a {@link Tailer}: reads complete lines from a byte position, joins them into
 * entries with the source's {@link MultilineJoiner}, and knows for every entry where a restart must
 * begin so that the entries after it come out exactly the same ({@link Emitted#resume()}).
 *
 * <p>The file is held open by its handle, so a file that logrotate renamed away (or a copytruncate
 * copy it was switched to) is read to its end through the same handle. Lines are only taken when
 * their {@code \n} has been written; an unterminated last line is taken when the file is finished
 * (rotated away and idle). Not thread-safe: the tailer's thread only.
 */
final class FileTail implements Closeable {
    /** Bytes of the file kept before the read position to recognise a truncated or replaced file. */
    static final int TAIL_CHECK = 256;
    private static final int CHUNK = 64 * 1024;

    /** An entry and the byte offset a restart resumes at once this entry is acknowledged. */
    record Emitted(MultilineJoiner.Entry entry, long resume) {}

    final SourceKind kind;
    /** The configured path: {@code log.file.path} and the registry's path. */
    final String path;
    private Path file;
    private String key;
    private FileChannel channel;
    private final MultilineJoiner joiner;
    private final ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    private long readPos;
    private byte[] partial = new byte[256];
    private int partialLength;
    private long partialStart;
    private byte[] lastBytes = new byte[0];
    /** The file was renamed away / truncated: read it to its end, then finish. */
    boolean rotated;
    boolean finished;
    long committed;
    long lastLineNanos;
    long lastGrowthNanos;
    /** Entries handed out and not yet acknowledged, in order. */
    final ArrayDeque<Tailer.Pending> inflight = new ArrayDeque<>();

    private FileTail(SourceKind kind, String path, Path file, String key, FileChannel channel, long offset, long now) {
        this.kind = kind;
        this.path = path;
        this.file = file;
        this.key = key;
        this.channel = channel;
        this.joiner = MultilineJoiner.forKind(kind);
        this.readPos = offset;
        this.partialStart = offset;
        this.committed = offset;
        this.lastLineNanos = now;
        this.lastGrowthNanos = now;
    }

    /**
     * Opens {@code file} at {@code offset}, making sure the handle belongs to the file whose key was
     * looked at (a rotation between the look and the open is retried). Null when the file does not exist.
     */
    static FileTail open(SourceKind kind, String path, Path file, long offset, long now) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            String before = keyOf(file);
            if (before == null) {
                return null;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null;
            }
            String after = keyOf(file);
            if (before.equals(after)) {
                FileTail t = new FileTail(kind, path, file, before, ch, Math.min(offset, ch.size()), now);
                t.lastBytes = t.bytesBefore(t.readPos);
                return t;
            }
            ch.close();
        }
        throw new IOException(file + " keeps being replaced while opening it");
    }

    /** The file's identity ({@code (dev=…,ino=…)} on Linux), or null when it does not exist. */
    static String keyOf(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Object k = a.fileKey();
            // without a key (some file systems), the creation time stands in for the identity
            return k != null ? k.toString() : "created=" + a.creationTime().toMillis();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    String key() {
        return key;
    }

    Path file() {
        return file;
    }

    long readPosition() {
        return readPos;
    }

    /**
     * Reads up to one chunk of new bytes, feeding every complete line to the joiner, and stops after
     * the line that made {@code full} true (the rest stays unread in the file).
     *
     * @return bytes consumed (0 at the current end of the file, or when full at once)
     */
    int read(Consumer<Emitted> out, AtomicLong linesRead, long now, BooleanSupplier full) throws IOException {
        if (finished || full.getAsBoolean()) {
            return 0;
        }
        buf.clear();
        int n = channel.read(buf, readPos);
        if (n <= 0) {
            return 0;
        }
        lastGrowthNanos = now;
        lastLineNanos = now;
        byte[] a = buf.array();
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (a[i] == '\n') {
                append(a, from, i - from);
                long lineEnd = readPos + i + 1;
                feed(partialStart, lineEnd, out);
                linesRead.incrementAndGet();
                partialLength = 0;
                partialStart = lineEnd;
                from = i + 1;
                if (full.getAsBoolean()) {
                    remember(a, from);
                    readPos += from;
                    return from;
                }
            }
        }
        append(a, from, n - from);
        remember(a, n);
        readPos += n;
        return n;
    }

    private void feed(long lineStart, long lineEnd, Consumer<Emitted> out) {
        int len = partialLength > 0 && partial[partialLength - 1] == '\r' ? partialLength - 1 : partialLength;
        String text = PhysicalLines.decode(partial, len, lineStart == 0);
        List<MultilineJoiner.Entry> got = new ArrayList<>(2);
        joiner.accept(text, lineStart, got::add);
        // The joiners complete an entry either when the next entry's first line arrives (that line is
        // then pending) or with the entry's last line (nothing pending): a restart resumes at the
        // pending line, or after this line.
        for (int i = 0; i < got.size(); i++) {
            long resume = i + 1 < got.size() ? got.get(i + 1).offset() : joiner.pending() ? lineStart : lineEnd;
            out.accept(new Emitted(got.get(i), resume));
        }
    }

    /** Hands over the entry being assembled (multi-line timeout); a restart resumes after the last line read. */
    void flushPending(Consumer<Emitted> out) {
        List<MultilineJoiner.Entry> got = new ArrayList<>(1);
        joiner.flush(got::add);
        for (MultilineJoiner.Entry e : got) {
            out.accept(new Emitted(e, partialStart));
        }
    }

    /** Whether the file holds bytes after the read position. */
    boolean hasNew() throws IOException {
        return !finished && channel.size() > readPos;
    }

    boolean pending() {
        return joiner.pending();
    }

    /**
     * The file has been left behind (rotated away and idle, or truncated with no copy): takes an
     * unterminated last line as a line, hands over the pending entry, and closes the handle.
     */
    void finish(Consumer<Emitted> out, AtomicLong linesRead) throws IOException {
        if (finished) {
            return;
        }
        if (partialLength > 0) {
            feed(partialStart, readPos, out);
            linesRead.incrementAndGet();
            partialLength = 0;
            partialStart = readPos;
        }
        flushPending(out);
        finished = true;
        channel.close();
    }

    /**
     * Whether the file at this handle was truncated (copytruncate) or rewritten under us: smaller than
     * what was read, or different bytes just before the read position.
     */
    boolean truncated() throws IOException {
        long size = channel.size();
        if (size < readPos) {
            return true;
        }
        return readPos > 0 && !Arrays.equals(bytesBefore(readPos), lastBytes);
    }

    /**
     * After a copytruncate: finds the copy logrotate made ({@code <name>.1}, {@code <name>-20261121}, …,
     * not compressed) that holds exactly the bytes this tail read, and switches the handle to it so the
     * lines written between the last read and the truncation are read from the copy.
     *
     * @return whether a copy was found
     */
    boolean switchToCopy() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path fileName = file.getFileName();
        if (dir == null || fileName == null || readPos == 0) {
            return false;
        }
        String name = fileName.toString();
        List<Path> candidates;
        try (Stream<Path> s = Files.list(dir)) {
            candidates = s.filter(p -> {
                String n = p.getFileName().toString();
                String lower = n.toLowerCase(Locale.ROOT);
                return n.startsWith(name) && !n.equals(name) && Files.isRegularFile(p)
                        && !lower.endsWith(".gz") && !lower.endsWith(".xz") && !lower.endsWith(".bz2")
                        && !lower.endsWith(".zst") && !lower.endsWith(".tmp");
            }).sorted((x, y) -> Long.compare(mtime(y), mtime(x))).toList();
        }
        for (Path c : candidates) {
            FileChannel ch = FileChannel.open(c, StandardOpenOption.READ);
            boolean match = ch.size() >= readPos && Arrays.equals(bytesBefore(ch, readPos), lastBytes);
            if (match) {
                channel.close();
                channel = ch;
                file = c;
                key = keyOf(c);
                return true;
            }
            ch.close();
        }
        return false;
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private byte[] bytesBefore(long pos) throws IOException {
        return bytesBefore(channel, pos);
    }

    private static byte[] bytesBefore(FileChannel ch, long pos) throws IOException {
        int k = (int) Math.min(TAIL_CHECK, pos);
        ByteBuffer b = ByteBuffer.allocate(k);
        long at = pos - k;
        while (b.hasRemaining()) {
            int r = ch.read(b, at + b.position());
            if (r < 0) {
                return Arrays.copyOf(b.array(), b.position());
            }
        }
        return b.array();
    }

    private void remember(byte[] a, int n) {
        if (n >= TAIL_CHECK) {
            lastBytes = Arrays.copyOfRange(a, n - TAIL_CHECK, n);
            return;
        }
        int keep = Math.min(lastBytes.length, TAIL_CHECK - n);
        byte[] next = new byte[keep + n];
        System.arraycopy(lastBytes, lastBytes.length - keep, next, 0, keep);
        System.arraycopy(a, 0, next, keep, n);
        lastBytes = next;
    }

    private void append(byte[] src, int from, int len) {
        if (len <= 0) {
            return;
        }
        if (partialLength + len > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + len));
        }
        System.arraycopy(src, from, partial, partialLength, len);
        partialLength += len;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return file + " (" + key + ", read to byte " + readPos + ", acknowledged to " + committed
                + (rotated ? ", rotated" : "") + ")";
    }
}
