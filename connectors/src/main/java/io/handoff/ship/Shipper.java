package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.raw.Envelope;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes log entries to the raw topics the way Filebeat would: topic {@link TopicNames#raw},
 * key = host (UTF-8), value = {@link Envelope#toJson()} with {@code @timestamp} = the time the
 * entry was read, {@code log.offset}, {@code log.file.path}, and {@code fields.fleet},
 * {@code fields.log_format}, {@code event.timezone} where the host folder configures them.
 *
 * <pre>{@code
 * try (Shipper shipper = Shipper.create("127.0.0.1:9092", TopicNames.defaults())) {
 *     ShipSummary s = shipper.ship(ReplaySource.open(folder), p -> System.err.printf("%d%%%n", p.percent()));
 * }
 * }</pre>
 *
 * The producer is idempotent with {@code acks=all} (no duplicates or reordering on retries) and has one
 * request in flight per broker (a request carries a batch for each of the broker's partitions), lingers
 * 10 ms into 256 KB lz4 batches. Sending is asynchronous; a delivery failure is kept and thrown as a
 * {@link ShipException} (topic, file, offset) by the next {@link #send}, by {@link #flush()} and by
 * {@link #ship} — it is never only logged. Not thread-safe: one shipping thread.
 */
public final class Shipper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);

    /** Progress is reported every this many entries. */
    public static final int PROGRESS_EVERY = 5_000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<byte[], byte[]> producer;
    private final TopicNames topics;
    private final Clock clock;
    private final AtomicReference<ShipException> firstFailure = new AtomicReference<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean reported;
    private final Map<String, ShipSummary.Count> delivered = new ConcurrentHashMap<>();
    private final Map<String, Map<SourceKind, AtomicLong>> perHost = new ConcurrentHashMap<>();

    /** The producer settings the shipper uses; {@code overrides} may add or replace any. */
    public static Map<String, Object> producerConfig(String bootstrapServers, Map<String, ?> overrides) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        cfg.put(ProducerConfig.CLIENT_ID_CONFIG, "handoff-shipper");
        cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight. A broker that has no state for this (non-transactional) producer on a
        // partition accepts its batch whatever the sequence: with more in flight, a first batch refused with a
        // retriable error (NOT_LEADER_OR_FOLLOWER from a partition its broker does not host yet) let the next
        // batch be written before it, and its retries were refused as out of order until the delivery timeout.
        cfg.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        cfg.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        cfg.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // lz4-java is a runtime dependency of kafka-clients 4.3.1 (at.yawk.lz4:lz4-java)
        cfg.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        cfg.putAll(overrides);
        return cfg;
    }

    public static Shipper create(String bootstrapServers, TopicNames topics) {
        return create(bootstrapServers, topics, Map.of());
    }

    public static Shipper create(String bootstrapServers, TopicNames topics, Map<String, ?> producerOverrides) {
        return new Shipper(new KafkaProducer<>(producerConfig(bootstrapServers, producerOverrides),
                new ByteArraySerializer(), new ByteArraySerializer()), topics, Clock.systemUTC());
    }

    Shipper(Producer<byte[], byte[]> producer, TopicNames topics, Clock clock) {
        this.producer = producer;
        this.topics = topics;
        this.clock = clock;
    }

    /**
     * Sends one entry of {@code host}'s {@code kind} file, asynchronously.
     *
     * @throws ShipException if an earlier send has failed
     */
    public void send(HostFolder host, SourceKind kind, String filePath, MultilineJoiner.Entry entry) {
        send(host, kind, filePath, entry, null);
    }

    /**
     * As above, with the entry's event time as the record's timestamp when it is known (replay): the
     * streams app merges its raw partitions by record timestamp, so a replay that compresses days
     * into seconds must not leave that order to the milliseconds between sends. A time later than
     * now (a skewed host clock) is not used; the broker would refuse it past an hour.
     */
    void send(HostFolder host, SourceKind kind, String filePath, MultilineJoiner.Entry entry, Long eventTime) {
        Formats f = host.formats();
        Instant now = clock.instant();
        Envelope envelope = Envelope.of(entry.text(), host.host(), filePath, entry.offset())
                .withMeta(now, f.timezone(), f.fleet(), f.logFormat(kind));
        sendAt(kind, envelope, eventTime != null && eventTime <= now.toEpochMilli() ? eventTime : null);
    }

    /**
     * Sends an envelope to the raw topic of {@code kind}, keyed by its host, asynchronously.
     *
     * @throws ShipException if an earlier send has failed, or this one fails at once
     */
    public void send(SourceKind kind, Envelope envelope) {
        sendAt(kind, envelope, null);
    }

    /**
     * As above, with the entry's event time (epoch ms) as the record's timestamp, as replay ships (see
     * {@link #send(HostFolder, SourceKind, String, MultilineJoiner.Entry, Long)}): a generator that ships
     * faster than the clock ticks would otherwise give hundreds of records the same millisecond, and the
     * streams app, merging its raw partitions by timestamp, would order those by partition. A time later
     * than now, or null, leaves the producer's clock.
     */
    public void send(SourceKind kind, Envelope envelope, Long eventTime) {
        sendAt(kind, envelope, eventTime != null && eventTime <= clock.millis() ? eventTime : null);
    }

    private void sendAt(SourceKind kind, Envelope envelope, Long timestamp) {
        throwIfFailed();
        String topic = topics.raw(kind);
        byte[] value = envelope.toJson();
        String file = envelope.filePath();
        long offset = envelope.offset();
        String host = envelope.host();
        try {
            producer.send(new ProducerRecord<>(topic, null, timestamp, host.getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, new ShipException(topic, file, offset, e.toString(), e));
                } else {
                    delivered.merge(topic, new ShipSummary.Count(1, value.length),
                            (a, b) -> new ShipSummary.Count(a.entries() + 1, a.bytes() + b.bytes()));
                    perHost.computeIfAbsent(host, h -> new ConcurrentHashMap<>())
                            .computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            ShipException se = new ShipException(topic, file, offset, e.toString(), e);
            firstFailure.compareAndSet(null, se);
            throw firstFailure.get();
        }
    }

    /**
     * Waits until everything sent so far is acknowledged.
     *
     * @throws ShipException the first delivery failure, if any (with how many others failed)
     */
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    private void throwIfFailed() {
        ShipException e = firstFailure.get();
        if (e != null) {
            reported = true;
            long n = failures.get();
            if (n > 1) {
                ShipException withCount = new ShipException(e.topic(), e.file(), e.offset(),
                        e.getCause() + " (and " + (n - 1) + " more failed entries)", e.getCause());
                throw withCount;
            }
            throw e;
        }
    }

    /**
     * Ships every entry of a replay folder, interleaved as {@link ReplaySource} describes, and waits for
     * the broker's acknowledgements.
     *
     * @return what was delivered in this call
     * @throws ShipException on the first delivery failure
     */
    public ShipSummary ship(ReplaySource source, ShipProgress progress) {
        return ship(source, null, progress);
    }

    /**
     * Ships every entry of a replay folder, merged by event time as {@code clock} reads it (null:
     * by read progress, see {@link ReplaySource}).
     */
    public ShipSummary ship(ReplaySource source, ReplaySource.EntryClock clock, ShipProgress progress) {
        long t0 = System.nanoTime();
        Map<String, ShipSummary.Count> before = new HashMap<>(delivered);
        Map<String, Map<SourceKind, Long>> hostsBefore = snapshotHosts();
        long total = source.totalBytes();
        long entries = 0;
        try (ReplaySource.Entries it = clock == null ? source.entries() : source.entries(clock)) {
            for (ReplaySource.Item item = it.next(); item != null; item = it.next()) {
                send(item.host(), item.kind(), item.file().toAbsolutePath().toString(), item.entry(), item.eventTime());
                entries++;
                if (entries % PROGRESS_EVERY == 0) {
                    progress.onProgress(new ShipProgress.Progress(entries, it.bytesRead(), total, false));
                }
            }
            flush();
            progress.onProgress(new ShipProgress.Progress(entries, it.bytesRead(), total, true));
        }
        ShipSummary summary = summarySince(before, hostsBefore, Duration.ofNanos(System.nanoTime() - t0));
        if (summary.entries() != entries) {
            throw new IllegalStateException("shipped " + entries + " entries but " + summary.entries()
                    + " were acknowledged without a failure being reported");
        }
        log.debug("shipped {} from {}", summary.describe(), source.folder());
        return summary;
    }

    private Map<String, Map<SourceKind, Long>> snapshotHosts() {
        Map<String, Map<SourceKind, Long>> m = new TreeMap<>();
        perHost.forEach((h, kinds) -> {
            Map<SourceKind, Long> k = new EnumMap<>(SourceKind.class);
            kinds.forEach((kind, n) -> k.put(kind, n.get()));
            m.put(h, k);
        });
        return m;
    }

    private ShipSummary summarySince(Map<String, ShipSummary.Count> before, Map<String, Map<SourceKind, Long>> hostsBefore,
                                     Duration elapsed) {
        Map<String, ShipSummary.Count> perTopic = new TreeMap<>();
        long entries = 0, bytes = 0;
        for (Map.Entry<String, ShipSummary.Count> e : delivered.entrySet()) {
            ShipSummary.Count b = before.getOrDefault(e.getKey(), new ShipSummary.Count(0, 0));
            ShipSummary.Count d = new ShipSummary.Count(e.getValue().entries() - b.entries(), e.getValue().bytes() - b.bytes());
            if (d.entries() > 0) {
                perTopic.put(e.getKey(), d);
                entries += d.entries();
                bytes += d.bytes();
            }
        }
        Map<String, Map<SourceKind, Long>> hosts = new TreeMap<>();
        snapshotHosts().forEach((h, kinds) -> {
            Map<SourceKind, Long> k = new EnumMap<>(SourceKind.class);
            kinds.forEach((kind, n) -> {
                long d = n - hostsBefore.getOrDefault(h, Map.of()).getOrDefault(kind, 0L);
                if (d > 0) {
                    k.put(kind, d);
                }
            });
            if (!k.isEmpty()) {
                hosts.put(h, Collections.unmodifiableMap(k));
            }
        });
        return new ShipSummary(entries, bytes, Collections.unmodifiableMap(perTopic), Collections.unmodifiableMap(hosts),
                elapsed);
    }

    /**
     * Sends what is pending (at most 30 s) and closes the producer. A delivery failure that no
     * {@link #send}/{@link #flush()} has thrown yet is thrown here.
     */
    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
        if (!reported) {
            throwIfFailed();
        }
    }
}
