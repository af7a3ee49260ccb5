package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.raw.MultilineJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * A replay folder: one sub-folder per host ({@link HostFolder}).
 *
 * <pre>
 * replay/
 *   web-01/  nginx-access.log  nginx-error.log  php-fpm.log  php-fpm-slow.log  formats.properties
 *   web-02/  …
 * </pre>
 *
 * <h2>Order of entries</h2>
 * The streams app correlates sources within a window and tolerates sources that are out of step by
 * less than its grace. Shipping file after file would put whole files out of step. Merging by event
 * time needs the parsers, which the shipper does not have, so {@link #entries()} merges by
 * <em>progress through each file</em>: it always takes the next entry from the file (of any host)
 * that has been read the least, as a fraction of its size. Two files covering the same time span at
 * a steady rate thus advance together in time, whatever their sizes — round-robin by entry count
 * would ship a small error log's entries long before the large access log reaches their time.
 * <b>Replay assumes each host's files cover the same time span</b>; a file that covers only part of
 * the span (logs rotated at different times, a short burst in an otherwise quiet error log) is
 * spread over the whole replay, and the streams app may count some of its events as late.
 *
 * <p>A caller that can read event times (the streams app has the parsers) passes an
 * {@link EntryClock} to {@link #entries(EntryClock)}: the files are then merged by the event time
 * of each file's next entry, across all hosts, which is the order the lines were written in. An
 * entry whose time cannot be read keeps its file's last known time, so it ships where it stands.
 *
 * <h2>Open files and memory</h2>
 * The merge holds every file of the hosts it merges open, with a read buffer each ({@value #BUFFER}
 * bytes). A folder of thousands of hosts is therefore shipped in {@link #batches(int) batches} of
 * hosts whose files fit an open-file budget: each batch is merged as above and its files are closed
 * before the next batch opens any. The streams app correlates per host, so what a host needs is that
 * its own files are merged with each other, which a batch does. A file is opened when the merge
 * first reads it and closed at its end.
 */
public final class ReplaySource {
    private static final Logger log = LoggerFactory.getLogger(ReplaySource.class);

    /** Read buffer per open file (see the class comment). */
    public static final int BUFFER = 16 * 1024;
    /** A host has at most this many files (one per source), so a batch needs at least this budget. */
    public static final int MAX_FILES_PER_HOST = SourceKind.values().length;

    private final Path folder;
    private final List<HostFolder> hosts;
    private final List<String> warnings;

    private ReplaySource(Path folder, List<HostFolder> hosts, List<String> warnings) {
        this.folder = folder;
        this.hosts = List.copyOf(hosts);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads the folder's layout (not the logs yet). Paths are made absolute once here: the shipper
     * sends each entry's absolute path, and a path that is absolute already costs nothing to ask again.
     */
    public static ReplaySource open(Path folder) {
        folder = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("replay folder " + folder + " is not a directory");
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(folder)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list replay folder " + folder + ": " + reason(e), e);
        }
        List<HostFolder> hosts = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (Files.isDirectory(p)) {
                if (name.startsWith(".")) {
                    continue;
                }
                HostFolder h = HostFolder.read(p);
                hosts.add(h);
                warnings.addAll(h.warnings());
            } else if (HostFolder.kindOf(name) != null || name.equals(Formats.FILE_NAME)) {
                throw new IllegalArgumentException("replay folder " + folder + " holds " + name
                        + " directly: expected one sub-folder per host (folder name = host name);"
                        + " to replay a single host, pass the folder that contains " + folder.getFileName());
            } else {
                String w = p + ": not a host folder, skipped";
                warnings.add(w);
                log.warn(w);
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("replay folder " + folder
                    + " has no host sub-folders: expected <folder>/<host>/" + HostFolder.expectedFileNames());
        }
        return new ReplaySource(folder, hosts, warnings);
    }

    /** A source of explicitly given hosts (e.g. one host folder). */
    public static ReplaySource of(Path folder, List<HostFolder> hosts) {
        List<String> w = new ArrayList<>();
        hosts.forEach(h -> w.addAll(h.warnings()));
        return new ReplaySource(folder, hosts, w);
    }

    public Path folder() {
        return folder;
    }

    public List<HostFolder> hosts() {
        return hosts;
    }

    /** Everything skipped while reading the layout. */
    public List<String> warnings() {
        return warnings;
    }

    /** Total size of the source files, for progress. */
    public long totalBytes() {
        long total = 0;
        for (HostFolder h : hosts) {
            for (Path p : h.files().values()) {
                try {
                    total += Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the size of " + p + ": " + reason(e), e);
                }
            }
        }
        return total;
    }

    /** Number of source files over all hosts. */
    public int fileCount() {
        int n = 0;
        for (HostFolder h : hosts) {
            n += h.files().size();
        }
        return n;
    }

    /**
     * The hosts in consecutive groups (folder order) whose files together number at most
     * {@code maxOpenFiles}: shipping one group at a time keeps at most that many files open.
     *
     * @throws IllegalArgumentException if the budget is below {@link #MAX_FILES_PER_HOST}
     */
    public List<ReplaySource> batches(int maxOpenFiles) {
        if (maxOpenFiles < MAX_FILES_PER_HOST) {
            throw new IllegalArgumentException("maxOpenFiles: expected at least " + MAX_FILES_PER_HOST
                    + " (one host's files), got " + maxOpenFiles);
        }
        List<ReplaySource> out = new ArrayList<>();
        List<HostFolder> batch = new ArrayList<>();
        int files = 0;
        for (HostFolder h : hosts) {
            if (!batch.isEmpty() && files + h.files().size() > maxOpenFiles) {
                out.add(new ReplaySource(folder, batch, List.of()));
                batch = new ArrayList<>();
                files = 0;
            }
            batch.add(h);
            files += h.files().size();
        }
        if (!batch.isEmpty()) {
            out.add(new ReplaySource(folder, batch, List.of()));
        }
        return out;
    }

    /**
     * What went wrong with a file, in words: {@code permission denied}, {@code no such file},
     * {@code Too many open files}, … (an IOException's message is often just the path).
     */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * One entry ready to ship.
     *
     * @param eventTime the entry's event time read by the {@link EntryClock} (epoch ms), or null when
     *                  merging by read progress or when its time could not be read
     */
    public record Item(HostFolder host, SourceKind kind, Path file, MultilineJoiner.Entry entry, Long eventTime) {}

    /** The entries of all files, interleaved by read progress (see the class comment). Close it. */
    public Entries entries() {
        return new Entries(this, null);
    }

    /** The entries of all files, merged by event time as read by {@code clock}. Close it. */
    public Entries entries(EntryClock clock) {
        return new Entries(this, clock);
    }

    /** Reads the event time of an entry, for merging files by time. */
    @FunctionalInterface
    public interface EntryClock {
        /** Epoch milliseconds, or {@link Long#MIN_VALUE} when the entry's time cannot be read. */
        long timeOf(HostFolder host, SourceKind kind, MultilineJoiner.Entry entry);
    }

    /**
     * Pull-style iterator over all entries; closes the files it opened. Every file of the source is
     * open while it has entries left (see {@link #batches(int)} to bound them).
     */
    public static final class Entries implements AutoCloseable {
        private final PriorityQueue<Cursor> queue;
        private final List<Cursor> all = new ArrayList<>();

        Entries(ReplaySource source, EntryClock clock) {
            queue = clock == null
                    ? new PriorityQueue<>(Comparator.comparingDouble(Cursor::progress).thenComparingInt(c -> c.order))
                    : new PriorityQueue<>(Comparator.comparingLong((Cursor c) -> c.time).thenComparingInt(c -> c.order));
            int order = 0;
            try {
                for (HostFolder h : source.hosts) {
                    for (var f : h.files().entrySet()) {
                        Cursor c = new Cursor(h, f.getKey(), f.getValue(), order++, clock);
                        all.add(c);
                        if (c.advance()) {
                            queue.add(c);
                        }
                    }
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** The next entry, or null when every file is done. */
        public Item next() {
            Cursor c = queue.poll();
            if (c == null) {
                return null;
            }
            Item item = new Item(c.host, c.kind, c.file, c.head, c.clock == null || c.headTime == Long.MIN_VALUE ? null : c.headTime);
            if (c.advance()) {
                queue.add(c);
            }
            return item;
        }

        /** Bytes read from the files so far (read-ahead included). */
        public long bytesRead() {
            long total = 0;
            for (Cursor c : all) {
                total += c.position();
            }
            return total;
        }

        /** Files open right now. */
        public int openFiles() {
            int n = 0;
            for (Cursor c : all) {
                n += c.lines == null ? 0 : 1;
            }
            return n;
        }

        @Override
        public void close() {
            for (Cursor c : all) {
                c.closeFile();
            }
        }
    }

    /** One file: its joiner and the next complete entry. The file is open from its first read to its end. */
    private static final class Cursor {
        final HostFolder host;
        final SourceKind kind;
        final Path file;
        final int order;
        final EntryClock clock;
        final long size;
        final MultilineJoiner joiner;
        final ArrayDeque<MultilineJoiner.Entry> ready = new ArrayDeque<>();
        /** Null before the first read and after the end. */
        PhysicalLines lines;
        /** Bytes consumed when the file was closed at its end. */
        long finalPosition;
        boolean done;
        MultilineJoiner.Entry head;
        /** Event time of the head entry (or the last readable one before it), when merging by time. */
        long time = Long.MIN_VALUE;
        /** Event time of the head entry itself, Long.MIN_VALUE when unreadable. */
        long headTime = Long.MIN_VALUE;

        Cursor(HostFolder host, SourceKind kind, Path file, int order, EntryClock clock) {
            this.host = host;
            this.kind = kind;
            this.file = file;
            this.order = order;
            this.clock = clock;
            this.joiner = MultilineJoiner.forKind(kind);
            try {
                this.size = Math.max(1, Files.size(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + reason(e), e);
            }
        }

        /** Where the head entry starts, as a fraction of the file. */
        double progress() {
            return (double) head.offset() / size;
        }

        long position() {
            return lines == null ? finalPosition : lines.position();
        }

        /** Moves to the next entry; false at the end of the file. */
        boolean advance() {
            while (ready.isEmpty() && !done) {
                if (lines == null) {
                    open();
                }
                String line;
                try {
                    line = lines.next();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file + " at byte " + lines.position() + ": "
                            + reason(e), e);
                }
                if (line == null) {
                    joiner.flush(ready::add);
                    done = true;
                    closeFile();
                } else {
                    joiner.accept(line, lines.lineOffset(), ready::add);
                }
            }
            head = ready.poll();
            if (head != null && clock != null) {
                long t = clock.timeOf(host, kind, head);
                headTime = t;
                if (t != Long.MIN_VALUE) {
                    time = t;
                }
            }
            return head != null;
        }

        private void open() {
            try {
                InputStream in = Files.newInputStream(file);
                lines = new PhysicalLines(in, BUFFER);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + file + ": " + reason(e), e);
            }
        }

        void closeFile() {
            if (lines == null) {
                return;
            }
            finalPosition = lines.position();
            try {
                lines.close();
            } catch (IOException e) {
                log.warn("closing {}: {}", file, e.toString());
            }
            lines = null;
        }
    }
}
