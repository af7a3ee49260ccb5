package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.config.Keys;
import io.handoff.raw.Envelope;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The tailing shipper behind {@code handoff ship}: follows a host's log files as they grow and
 * publishes every entry to the source's raw topic, Filebeat-shaped ({@link Envelope}), keyed by host.
 *
 * <pre>{@code
 * Tailer.Settings s = Tailer.Settings.of("web-01", List.of(
 *         new Tailer.Source(SourceKind.NGINX_ERROR, Path.of("/var/log/nginx/error.log"))),
 *         Path.of("/var/lib/handoff/ship.registry"));
 * try (Tailer t = Tailer.open("kafka:9092", s)) {
 *     t.start();            // a background thread; or t.runUntilStopped() on this one
 *     …
 * }                         // close(): sends what is buffered (bounded), records the offsets
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Rotation.</b> Files are polled every {@link Settings#pollInterval()}. logrotate's rename +
 *       create is seen as a new file identity (device + inode) at the path: the old file is read to
 *       its end through the handle still open (lines the writer adds to it until it reopens its log
 *       are read too, until the old file has been idle for {@link Settings#rotateGrace()}), then left.
 *       copytruncate is seen as the file shrinking below (or changing under) the read position: the
 *       lines written between the last read and the truncation are read from the copy logrotate made
 *       ({@code <name>.1}, {@code <name>-DATE}, uncompressed, recognised by its bytes), then the file is
 *       read again from byte 0. Entries of the old file go out before those of the new one.</li>
 *   <li><b>Multi-line entries</b> are joined by {@link MultilineJoiner#forKind}; an entry still open
 *       after {@link Settings#multilineTimeout()} without a new line is sent as it is.</li>
 *   <li><b>Offsets.</b> The {@link Registry} holds, per file, the offset after the last entry the
 *       broker acknowledged; it is replaced atomically at most every {@link Settings#registryInterval()}
 *       and on close. A restart resumes exactly there, also for a file logrotate renamed while the
 *       shipper was stopped (found again by its identity in the same folder). After a crash the entries
 *       acknowledged since the last registry write are sent again (at-least-once); after a clean close
 *       nothing is.</li>
 *   <li><b>Delivery.</b> Idempotent producer, {@code acks=all}, lz4 batches, no delivery timeout: an
 *       entry handed to the producer is retried until the broker takes it (no duplicates, no reordering).
 *       While the cluster cannot be reached (no metadata for a topic) entries wait in the tailer's
 *       buffer and sending backs off (100 ms doubling to 5 s).</li>
 *   <li><b>Backpressure, never loss.</b> The buffer (entries read and not yet acknowledged) is bounded by
 *       {@link Settings#maxBufferedBytes()} and {@link Settings#maxBufferedEntries()}. When it is full
 *       the tailer <em>stops reading</em> the files — the lines wait on disk — and reads on once the
 *       broker acknowledges. It never discards an entry. (If logrotate deletes a file the tailer has not
 *       reached yet, those lines are gone with the file: size the rotation and the buffer accordingly.)</li>
 *   <li><b>Failures.</b> A delivery the producer gives up on (authorization, record too large, …) stops
 *       the tailer with a {@link ShipException} naming the file and offset; the registry stays at the
 *       last acknowledged entry, so fixing the cause and restarting resends from there.</li>
 * </ul>
 * Lines are taken only once their {@code \n} is written; a last line without one is taken when its
 * file has been rotated away and is idle.
 */
public final class Tailer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tailer.class);
    private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long MIN_BACKOFF_NANOS = Duration.ofMillis(100).toNanos();

    /** One file to follow. */
    public record Source(SourceKind kind, Path path) {
        public Source {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * What and how to tail. {@link #of} gives the defaults; the {@code with…} methods change one thing.
     *
     * @param host               {@code host.name} and record key
     * @param sources            the files, each with its source kind
     * @param registry           the offsets file
     * @param fleet              {@code fields.fleet}, or null
     * @param timezone           {@code event.timezone}, or null
     * @param logFormats         {@code fields.log_format} per source (nginx {@code log_format}, FPM {@code access.format})
     * @param topics             topic names (prefix)
     * @param pollInterval       how often files are looked at when idle (200 ms)
     * @param multilineTimeout   an open multi-line entry is sent after this long without a new line (2 s)
     * @param rotateGrace        a renamed-away file is read until idle this long (5 s)
     * @param maxBufferedBytes   bound of the buffer of unacknowledged entries, value bytes (64 MiB)
     * @param maxBufferedEntries bound of the same buffer, entries (100,000)
     * @param registryInterval   the registry is written at most this often (1 s), and on close
     * @param closeTimeout       on close, how long to wait for the broker to acknowledge what is buffered (30 s)
     * @param producerOverrides  producer settings that replace the tailer's (security, SASL, …)
     */
    public record Settings(String host, List<Source> sources, Path registry, String fleet, String timezone,
                           Map<SourceKind, String> logFormats, TopicNames topics, Duration pollInterval,
                           Duration multilineTimeout, Duration rotateGrace, long maxBufferedBytes,
                           int maxBufferedEntries, Duration registryInterval, Duration closeTimeout,
                           Map<String, String> producerOverrides) {
        public Settings {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host: expected a host name, got '" + host + "'");
            }
            if (sources == null || sources.isEmpty()) {
                throw new IllegalArgumentException("expected at least one file to tail (KIND=PATH, KIND one of "
                        + Sources.names() + ")");
            }
            sources = List.copyOf(sources);
            Set<Path> seen = new HashSet<>();
            for (Source s : sources) {
                if (!seen.add(s.path().toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("file " + s.path() + " is listed twice");
                }
            }
            Objects.requireNonNull(registry, "registry");
            EnumMap<SourceKind, String> f = new EnumMap<>(SourceKind.class);
            f.putAll(logFormats);
            logFormats = Collections.unmodifiableMap(f);
            Objects.requireNonNull(topics, "topics");
            positive("poll interval", pollInterval);
            positive("multi-line timeout", multilineTimeout);
            positive("rotate grace", rotateGrace);
            positive("registry interval", registryInterval);
            positive("close timeout", closeTimeout);
            if (maxBufferedBytes < 1 || maxBufferedEntries < 1) {
                throw new IllegalArgumentException("buffer bounds must be at least 1, got " + maxBufferedBytes
                        + " bytes / " + maxBufferedEntries + " entries");
            }
            producerOverrides = Map.copyOf(producerOverrides);
        }

        private static void positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + ": expected a positive duration, got " + d);
            }
        }

        /** These files of {@code host} with the table's defaults ({@link Keys}) for every other setting. */
        public static Settings of(String host, List<Source> sources, Path registry) {
            return new Settings(host, sources, registry, null, null, Map.of(), TopicNames.defaults(),
                    Keys.SHIP_POLL_INTERVAL.defaultValue(), Keys.SHIP_MULTILINE_TIMEOUT.defaultValue(),
                    Keys.SHIP_ROTATE_GRACE.defaultValue(), Keys.SHIP_BUFFER_BYTES.defaultValue(),
                    Math.toIntExact(Keys.SHIP_BUFFER_ENTRIES.defaultValue()), Keys.SHIP_REGISTRY_INTERVAL.defaultValue(),
                    Keys.SHIP_CLOSE_TIMEOUT.defaultValue(), Map.of());
        }

        public Settings withMeta(String fleet, String timezone, Map<SourceKind, String> logFormats) {
            return new Settings(host, sources, registry, fleet, timezone, logFormats, topics, pollInterval,
                    multilineTimeout, rotateGrace, maxBufferedBytes, maxBufferedEntries, registryInterval,
                    closeTimeout, producerOverrides);
        }

        public Settings withTopics(TopicNames topics) {
            return new Settings(host, sources, registry, fleet, timezone, logFormats, topics, pollInterval,
                    multilineTimeout, rotateGrace, maxBufferedBytes, maxBufferedEntries, registryInterval,
                    closeTimeout, producerOverrides);
        }

        public Settings withTimings(Duration pollInterval, Duration multilineTimeout, Duration rotateGrace,
                                    Duration registryInterval, Duration closeTimeout) {
            return new Settings(host, sources, registry, fleet, timezone, logFormats, topics, pollInterval,
                    multilineTimeout, rotateGrace, maxBufferedBytes, maxBufferedEntries, registryInterval,
                    closeTimeout, producerOverrides);
        }

        public Settings withBuffer(long maxBufferedBytes, int maxBufferedEntries) {
            return new Settings(host, sources, registry, fleet, timezone, logFormats, topics, pollInterval,
                    multilineTimeout, rotateGrace, maxBufferedBytes, maxBufferedEntries, registryInterval,
                    closeTimeout, producerOverrides);
        }

        public Settings withProducerOverrides(Map<String, String> producerOverrides) {
            return new Settings(host, sources, registry, fleet, timezone, logFormats, topics, pollInterval,
                    multilineTimeout, rotateGrace, maxBufferedBytes, maxBufferedEntries, registryInterval,
                    closeTimeout, producerOverrides);
        }
    }

    /**
     * Progress counters since the tailer was opened.
     *
     * @param linesRead       physical lines read
     * @param entriesRead     entries assembled (multi-line entries count once)
     * @param entriesSent     entries handed to the producer
     * @param entriesAcked    entries the broker acknowledged
     * @param entriesBuffered entries read and not yet acknowledged
     * @param bytesBuffered   their value bytes
     * @param rotations       renames and truncations followed
     * @param readingPaused   whether reading is paused because the buffer is full
     * @param kafkaWaiting    whether sending is backing off because the cluster cannot be reached
     */
    public record Metrics(long linesRead, long entriesRead, long entriesSent, long entriesAcked, long entriesBuffered,
                          long bytesBuffered, long rotations, boolean readingPaused, boolean kafkaWaiting) {
        public String describe() {
            return linesRead + " lines read, " + entriesRead + " entries, " + entriesSent + " sent, " + entriesAcked
                    + " acknowledged, " + entriesBuffered + " buffered (" + bytesBuffered + " bytes), " + rotations
                    + " rotations" + (readingPaused ? ", reading paused (buffer full)" : "")
                    + (kafkaWaiting ? ", waiting for Kafka" : "");
        }
    }

    /** An entry read and not yet acknowledged. */
    static final class Pending {
        final FileTail tail;
        final ProducerRecord<byte[], byte[]> record;
        final long resume;
        final long offset;
        volatile boolean acked;

        Pending(FileTail tail, ProducerRecord<byte[], byte[]> record, long resume, long offset) {
            this.tail = tail;
            this.record = record;
            this.resume = resume;
            this.offset = offset;
        }

        int bytes() {
            return record.value().length;
        }
    }

    private final Settings settings;
    private final Producer<byte[], byte[]> producer;
    private final Clock clock;
    /** Per configured file: the tails of that path, oldest (rotated) first, the current one last. */
    private final Map<Source, List<FileTail>> tails = new LinkedHashMap<>();
    private final ArrayDeque<Pending> outbox = new ArrayDeque<>();
    private final Set<String> topicsReady = new HashSet<>();
    private final AtomicReference<ShipException> failure = new AtomicReference<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong linesRead = new AtomicLong();
    private volatile long entriesRead;
    private volatile long entriesSent;
    private volatile long entriesBuffered;
    private volatile long bytesBuffered;
    private volatile long rotations;
    private volatile boolean readingPaused;
    private volatile boolean kafkaWaiting;
    private long backoffNanos;
    private long sendAfterNanos;
    private boolean registryDirty;
    private long registryWrittenNanos;
    private volatile boolean stopping;
    private volatile boolean closing;
    private Thread thread;
    private volatile Throwable threadFailure;
    private final Object wake = new Object();
    private boolean closed;

    /** Opens the files (resuming from the registry) and creates the producer. */
    public static Tailer open(String bootstrapServers, Settings settings) {
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put(ProducerConfig.CLIENT_ID_CONFIG, "handoff-ship-" + settings.host());
        // retried until the broker takes it: the tailer never gives an entry up on a timeout
        overrides.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // send() waits at most this long for a topic's metadata; then the tailer backs off and keeps the entry
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        // room for everything the tailer may buffer, so send() never blocks on producer memory
        overrides.put(ProducerConfig.BUFFER_MEMORY_CONFIG,
                Math.max(32L << 20, Math.min(Long.MAX_VALUE / 4, settings.maxBufferedBytes()) * 2 + (16L << 20)));
        overrides.putAll(settings.producerOverrides());
        Producer<byte[], byte[]> producer = new KafkaProducer<>(Shipper.producerConfig(bootstrapServers, overrides),
                new ByteArraySerializer(), new ByteArraySerializer());
        try {
            return new Tailer(producer, settings, Clock.systemUTC());
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    Tailer(Producer<byte[], byte[]> producer, Settings settings, Clock clock) {
        this.settings = settings;
        this.producer = producer;
        this.clock = clock;
        List<Registry.Position> positions = Registry.read(settings.registry());
        long now = System.nanoTime();
        try {
            for (Source s : settings.sources()) {
                tails.put(s, resume(s, positions, now));
            }
        } catch (IOException e) {
            closeFiles();
            throw new UncheckedIOException("cannot open " + e.getMessage(), e);
        }
        registryDirty = true;
    }

    private List<FileTail> resume(Source s, List<Registry.Position> positions, long now) throws IOException {
        String path = s.path().toString();
        String source = Sources.name(s.kind());
        List<FileTail> list = new ArrayList<>();
        String currentKey = FileTail.keyOf(s.path());
        Registry.Position current = null;
        for (Registry.Position p : positions) {
            if (!p.path().equals(path) || !p.source().equals(source)) {
                continue;
            }
            if (!p.rotated() && p.key().equals(currentKey)) {
                current = p;
                continue;
            }
            // renamed away (before or while the shipper was stopped): find it by identity in the same folder
            Path found = findByKey(s.path(), p.key());
            if (found == null) {
                log.warn("{}: the file {} ({}) that was read to byte {} is gone (rotated away and removed or"
                        + " compressed); lines written to it after that byte were not shipped", path, p.key(),
                        p.rotated() ? "rotated" : "replaced", p.offset());
                continue;
            }
            FileTail t = FileTail.open(s.kind(), path, found, p.offset(), now);
            if (t != null) {
                if (t.readPosition() < p.offset()) {
                    log.warn("{}: rotated file {} is shorter ({} bytes) than the recorded offset {}; reading its end",
                            path, found, t.readPosition(), p.offset());
                }
                t.rotated = true;
                list.add(t);
            }
        }
        long start = 0;
        if (current != null) {
            long size = Files.size(s.path());
            if (size < current.offset()) {
                log.warn("{} was truncated while the shipper was stopped (now {} bytes, read to {}); reading it"
                        + " from the beginning", path, size, current.offset());
            } else {
                start = current.offset();
            }
        }
        FileTail t = FileTail.open(s.kind(), path, s.path(), start, now);
        if (t != null) {
            list.add(t);
        } else {
            log.info("{} does not exist yet; it is read once it appears", path);
        }
        return list;
    }

    private static Path findByKey(Path path, String key) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && key.equals(FileTail.keyOf(p))) {
                    return p;
                }
            }
        }
        return null;
    }

    public Settings settings() {
        return settings;
    }

    public Metrics metrics() {
        return new Metrics(linesRead.get(), entriesRead, entriesSent, acked.get(), entriesBuffered, bytesBuffered,
                rotations, readingPaused, kafkaWaiting);
    }

    /**
     * One round: looks at every file (rotation, truncation), reads what is new unless the buffer is
     * full, sends the multi-line entries that timed out, hands entries to the producer, takes in the
     * acknowledgements and writes the registry when due.
     *
     * @return whether anything moved (so a loop sleeps only when idle)
     * @throws ShipException when a delivery failed for good
     */
    public boolean step() {
        throwIfFailed();
        long now = System.nanoTime();
        boolean moved = false;
        try {
            if (!closing) {
                for (Map.Entry<Source, List<FileTail>> e : tails.entrySet()) {
                    moved |= readSource(e.getKey(), e.getValue(), now);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + e.getMessage(), e);
        }
        moved |= send(now);
        moved |= commit();
        if (registryDirty && (closing || now - registryWrittenNanos >= settings.registryInterval().toNanos())) {
            writeRegistry();
            registryWrittenNanos = now;
        }
        return moved;
    }

    private boolean full() {
        return bytesBuffered >= settings.maxBufferedBytes() || entriesBuffered >= settings.maxBufferedEntries();
    }

    private boolean readSource(Source s, List<FileTail> list, long now) throws IOException {
        boolean moved = false;
        FileTail current = list.isEmpty() || list.get(list.size() - 1).rotated ? null : list.get(list.size() - 1);
        String key = FileTail.keyOf(s.path());
        if (current != null && key != null && !key.equals(current.key())) {
            log.info("{} was rotated (renamed; new file {}), reading the old one to its end", s.path(), key);
            current.rotated = true;
            rotations++;
            current = null;
        } else if (current != null && current.truncated()) {
            rotations++;
            current.rotated = true;
            if (current.switchToCopy()) {
                log.info("{} was truncated (copytruncate); reading the lines it had after byte {} from the copy {}",
                        s.path(), current.readPosition(), current.file());
            } else {
                log.warn("{} was truncated at byte {} and no copy holding its end was found next to it; reading it"
                        + " again from the beginning", s.path(), current.readPosition());
                FileTail left = current;
                left.finish(e -> emit(s, left, e), linesRead);
            }
            current = null;
            registryDirty = true;
        }
        // the old files first, to their current end, so their entries go out before the new file's
        boolean olderUnread = false;
        for (FileTail t : list) {
            if (!t.rotated) {
                continue;
            }
            int n = readAll(s, t, now);
            moved |= n > 0;
            olderUnread |= n > 0;
            if (!t.finished && n == 0 && now - t.lastGrowthNanos >= settings.rotateGrace().toNanos() && !full()) {
                t.finish(e -> emit(s, t, e), linesRead);
                log.info("{}: finished its rotated file {} at byte {}", s.path(), t.key(), t.readPosition());
                moved = true;
            }
        }
        if (current == null && key != null && !olderUnread && !full()) {
            FileTail opened = FileTail.open(s.kind(), s.path().toString(), s.path(), 0, now);
            if (opened != null) {
                list.add(opened);
                current = opened;
                registryDirty = true;
                moved = true;
            }
        }
        if (current != null && !olderUnread) {
            if (current.hasNew()) {
                // the writer has moved on to the new file: an entry left open at the end of an old one is complete
                for (FileTail t : list) {
                    if (t.rotated && t.pending()) {
                        t.flushPending(e -> emit(s, t, e));
                    }
                }
            }
            moved |= readAll(s, current, now) > 0;
        }
        for (FileTail t : list) {
            if (t.pending() && !full() && now - t.lastLineNanos >= settings.multilineTimeout().toNanos()) {
                t.flushPending(e -> emit(s, t, e));
                moved = true;
            }
        }
        return moved;
    }

    /** Reads chunks until the file's end or a full buffer. */
    private int readAll(Source s, FileTail t, long now) throws IOException {
        int total = 0;
        while (true) {
            if (full()) {
                readingPaused = true;
                return total;
            }
            readingPaused = false;
            int n = t.read(e -> emit(s, t, e), linesRead, now, this::full);
            if (n <= 0) {
                return total;
            }
            total += n;
        }
    }

    private void emit(Source s, FileTail t, FileTail.Emitted e) {
        String logFormat = settings.logFormats().get(s.kind());
        Envelope env = Envelope.of(e.entry().text(), settings.host(), t.path, e.entry().offset())
                .withMeta(clock.instant(), settings.timezone(), settings.fleet(), logFormat);
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(settings.topics().raw(s.kind()),
                settings.host().getBytes(StandardCharsets.UTF_8), env.toJson());
        Pending p = new Pending(t, r, e.resume(), e.entry().offset());
        t.inflight.add(p);
        outbox.add(p);
        entriesRead++;
        entriesBuffered++;
        bytesBuffered += p.bytes();
    }

    private boolean send(long now) {
        if (outbox.isEmpty() || now < sendAfterNanos) {
            return false;
        }
        boolean moved = false;
        Thread me = Thread.currentThread();
        while (!outbox.isEmpty()) {
            Pending p = outbox.peek();
            String topic = p.record.topic();
            if (!topicsReady.contains(topic)) {
                try {
                    producer.partitionsFor(topic);
                    topicsReady.add(topic);
                } catch (KafkaException e) {
                    waitForKafka(topic, e);
                    return moved;
                }
            }
            String file = p.tail.path;
            Exception[] refused = new Exception[1];
            producer.send(p.record, (md, ex) -> {
                if (ex != null && Thread.currentThread() == me) {
                    // refused inside send() (no metadata within max.block.ms): never appended, safe to retry
                    refused[0] = ex;
                } else if (ex == null) {
                    p.acked = true;
                    acked.incrementAndGet();
                    synchronized (wake) {
                        wake.notifyAll();
                    }
                } else if (!closing) {
                    failure.compareAndSet(null, new ShipException(topic, file, p.offset, ex.toString(), ex));
                }
            });
            if (refused[0] != null) {
                if (refused[0] instanceof RetriableException) {
                    topicsReady.remove(topic);
                    waitForKafka(topic, refused[0]);
                    return moved;
                }
                failure.compareAndSet(null, new ShipException(topic, file, p.offset, refused[0].toString(), refused[0]));
                throwIfFailed();
            }
            if (kafkaWaiting) {
                log.info("Kafka reachable again; sending {} buffered entries", entriesBuffered);
            }
            kafkaWaiting = false;
            backoffNanos = 0;
            outbox.poll();
            entriesSent++;
            moved = true;
        }
        return moved;
    }

    /** Keeps the entries (the one that could not go first) and backs off: 100 ms doubling up to 5 s. */
    private void waitForKafka(String topic, Exception e) {
        if (!kafkaWaiting) {
            log.warn("cannot reach Kafka for topic {} ({}); keeping {} entries buffered and retrying"
                    + " (reading stops when the buffer is full, nothing is discarded)", topic,
                    e.getMessage(), entriesBuffered);
        }
        kafkaWaiting = true;
        backoffNanos = backoffNanos == 0 ? MIN_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        sendAfterNanos = System.nanoTime() + backoffNanos;
    }

    /** Takes the acknowledged prefix of every file's entries into its committed offset. */
    private boolean commit() {
        boolean moved = false;
        for (List<FileTail> list : tails.values()) {
            for (Iterator<FileTail> it = list.iterator(); it.hasNext(); ) {
                FileTail t = it.next();
                while (!t.inflight.isEmpty() && t.inflight.peek().acked) {
                    Pending p = t.inflight.poll();
                    t.committed = p.resume;
                    entriesBuffered--;
                    bytesBuffered -= p.bytes();
                    registryDirty = true;
                    moved = true;
                }
                if (t.finished && t.inflight.isEmpty()) {
                    it.remove();
                    registryDirty = true;
                }
            }
        }
        return moved;
    }

    private void writeRegistry() {
        List<Registry.Position> positions = new ArrayList<>();
        tails.forEach((s, list) -> {
            for (FileTail t : list) {
                positions.add(new Registry.Position(Sources.name(s.kind()), s.path().toString(), t.key(), t.committed,
                        t.rotated));
            }
        });
        // a file not reopened yet keeps what the registry said about it
        Set<String> present = new HashSet<>();
        positions.forEach(p -> present.add(p.path()));
        for (Registry.Position old : Registry.read(settings.registry())) {
            boolean ours = settings.sources().stream().anyMatch(s -> s.path().toString().equals(old.path()));
            if (!ours || !present.contains(old.path())) {
                positions.add(old);
            }
        }
        Registry.write(settings.registry(), settings.host(), positions);
        registryDirty = false;
    }

    private void throwIfFailed() {
        ShipException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Runs {@link #step()} in a background thread until {@link #close()}. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(() -> {
            try {
                loop();
            } catch (Throwable t) {
                threadFailure = t;
                log.error("handoff ship stopped: {}", t.getMessage());
            }
        }, "handoff-ship-" + settings.host());
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@link #step()} on this thread until {@link #stop()} (or a failure, thrown). */
    public void runUntilStopped() {
        loop();
    }

    private void loop() {
        while (!stopping) {
            if (!step()) {
                synchronized (wake) {
                    if (!stopping) {
                        try {
                            // the poll interval; an acknowledgement wakes the loop early
                            wake.wait(Math.max(1, settings.pollInterval().toMillis()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Asks the loop to end; {@link #close()} then finishes. */
    public void stop() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** The failure that ended the background thread, if any. */
    public Throwable failure() {
        ShipException e = failure.get();
        return e != null ? e : threadFailure;
    }

    /**
     * Stops reading, waits up to {@link Settings#closeTimeout()} for the broker to acknowledge what is
     * buffered, writes the registry and closes the files and the producer. Entries still open in a
     * multi-line joiner are not sent: the registry points before them and the next run reads them again.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        if (thread != null) {
            try {
                thread.join(settings.closeTimeout().toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closing = true;
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        try {
            while (entriesBuffered > 0 && System.nanoTime() < deadline && failure.get() == null) {
                if (!step()) {
                    synchronized (wake) {
                        try {
                            wake.wait(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
            }
            if (entriesBuffered > 0) {
                log.warn("closing with {} entries not acknowledged by Kafka; the registry points before them and"
                        + " the next run sends them", entriesBuffered);
            }
            producer.close(entriesBuffered > 0 ? Duration.ZERO : settings.closeTimeout());
            commit();
            writeRegistry();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        } finally {
            closeFiles();
        }
    }

    private void closeFiles() {
        for (List<FileTail> list : tails.values()) {
            for (FileTail t : list) {
                try {
                    t.close();
                } catch (IOException ignored) {
                    // closing a read handle
                }
            }
        }
    }
}
