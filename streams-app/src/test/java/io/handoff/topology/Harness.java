package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Incident;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.correlate.CorrelateStores;
import io.handoff.correlate.HostCorrelator;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.Envelope;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.Sources;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/** A TopologyTestDriver around {@link HandoffTopology#build} with a mock registry and typed topics. */
final class Harness implements AutoCloseable {
    static final Instant WALL = Instant.parse("2030-01-01T00:00:00Z");

    final HandoffConfig config;
    final HandoffMetrics metrics = new HandoffMetrics();
    final TopologyTestDriver driver;
    final Map<SourceKind, TestInputTopic<byte[], byte[]>> raw = new EnumMap<>(SourceKind.class);
    final TestOutputTopic<String, Incident> incidents;
    final TestOutputTopic<String, Incident> updates;
    final TestOutputTopic<String, Warning> warnings;
    final TestOutputTopic<byte[], DeadLetter> deadLetters;
    final TestInputTopic<String, byte[]> correlateInputRaw;
    private Instant shipped = WALL;

    Harness() {
        this(HandoffConfig.defaults());
    }

    Harness(HandoffConfig base) {
        this(base, CloseGate.always());
    }

    /** With a gate on the correlator's judgement of time (what replay and run pass). */
    Harness(HandoffConfig base, CloseGate gate) {
        String scope = "harness-" + UUID.randomUUID();
        // the driver's wall clock (2030) is years after the captures: no bound on age here (ParseLimitsTest tests it)
        this.config = base.withStreams(Map.of("schema.registry.url", "mock://" + scope))
                .withLimits(base.limits().withoutAgeBound());
        Properties p = HandoffTopology.streamsProperties(config, "handoff-test", metrics);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        // The driver processes each record as it is piped, in the order the test chose: that order is what
        // max.task.idle.ms enforces on a broker, and with it the driver would hold records for the empty topics.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        try {
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("handoff-ttd").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(HandoffTopology.build(config, metrics, gate), p, WALL);
        for (SourceKind k : SourceKind.values()) {
            raw.put(k, driver.createInputTopic(config.topics().raw(k), new ByteArraySerializer(), new ByteArraySerializer()));
        }
        incidents = driver.createOutputTopic(config.topics().incidents(), new StringDeserializer(),
                serde(Incident.class).deserializer());
        updates = driver.createOutputTopic(config.topics().incidentUpdates(), new StringDeserializer(),
                serde(Incident.class).deserializer());
        warnings = driver.createOutputTopic(config.topics().warnings(), new StringDeserializer(),
                serde(Warning.class).deserializer());
        deadLetters = driver.createOutputTopic(config.topics().deadLetter(), new ByteArrayDeserializer(),
                serde(DeadLetter.class).deserializer());
        correlateInputRaw = driver.createInputTopic(config.topics().correlateInput(), new StringSerializer(),
                new ByteArraySerializer());
    }

    <T extends SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type) {
        SpecificAvroSerde<T> s = new SpecificAvroSerde<>(type);
        s.configure(config.streams(), false);
        return s;
    }

    /** Ships one plain line (host as key); the record timestamp is the shipper's clock, not the event time. */
    void ship(String host, SourceKind kind, String line) {
        shipped = shipped.plusMillis(1);
        raw.get(kind).pipeInput(host.getBytes(StandardCharsets.UTF_8), line.getBytes(StandardCharsets.UTF_8), shipped);
    }

    void ship(String host, Line l) {
        if (l.format == null) {
            ship(host, l.kind, l.text);
        } else {
            shipRaw(l.kind, host.getBytes(StandardCharsets.UTF_8),
                    Envelope.of(l.text, host, null, -1).withMeta(null, null, null, l.format).toJson());
        }
    }

    void shipRaw(SourceKind kind, byte[] key, byte[] value) {
        shipped = shipped.plusMillis(1);
        raw.get(kind).pipeInput(key, value, shipped);
    }

    /**
     * Advances the wall clock in steps of a quarter second, as a running stream thread punctuates (the
     * correlator counts a long gap between punctuations as time the task did not run, not as silence).
     */
    void advance(Duration d) {
        Duration step = Duration.ofMillis(250);
        for (Duration left = d; !left.isZero() && !left.isNegative(); left = left.minus(step)) {
            driver.advanceWallClockTime(left.compareTo(step) < 0 ? left : step);
        }
    }

    /**
     * Moves the wall clock in one jump: the stream thread did not run for that long (a stall, a long
     * restore, a machine asleep), and punctuates once after it.
     */
    void jump(Duration d) {
        driver.advanceWallClockTime(d);
    }

    /** Advances the wall clock past idleClose so open incidents of silent hosts close. */
    void idle() {
        advance(config.idleClose().plusSeconds(1));
    }

    List<Incident> incidents() {
        List<Incident> l = new ArrayList<>();
        while (!incidents.isEmpty()) l.add(incidents.readValue());
        return l;
    }

    /** The records of the incident-updates topic so far (key = incident id). */
    List<KeyValue<String, Incident>> updates() {
        List<KeyValue<String, Incident>> l = new ArrayList<>();
        while (!updates.isEmpty()) l.add(updates.readKeyValue());
        return l;
    }

    List<Warning> warnings() {
        List<Warning> l = new ArrayList<>();
        while (!warnings.isEmpty()) l.add(warnings.readValue());
        return l;
    }

    List<DeadLetter> deadLetters() {
        List<DeadLetter> l = new ArrayList<>();
        while (!deadLetters.isEmpty()) l.add(deadLetters.readValue());
        return l;
    }

    long entries(String store) {
        KeyValueStore<String, Object> s = driver.getKeyValueStore(store);
        long n = 0;
        try (KeyValueIterator<String, Object> it = s.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /** A store's value for a host as the store writes it (its serde's bytes), or null. */
    @SuppressWarnings("unchecked")
    byte[] stored(String store, String host) {
        KeyValueStore<String, Object> s = driver.getKeyValueStore(store);
        Object v = s.get(host);
        return v == null ? null : ((Serde<Object>) CorrelateStores.valueSerde(store))
                .serializer().serialize(store, v);
    }

    /** What a host costs in the correlator's stores: the bytes of its keys and values, all stores. */
    @SuppressWarnings("unchecked")
    long hostStateBytes(String host) {
        long n = 0;
        for (String store : CorrelateStores.NAMES) {
            KeyValueStore<String, Object> s = driver.getKeyValueStore(store);
            var serde = (Serde<Object>) CorrelateStores.valueSerde(store);
            try (KeyValueIterator<String, Object> it = s.all()) {
                while (it.hasNext()) {
                    var kv = it.next();
                    if (kv.key.equals(host) || kv.key.startsWith(host + "\u0000")) {
                        n += kv.key.getBytes(StandardCharsets.UTF_8).length + serde.serializer().serialize(store, kv.value).length;
                    }
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        driver.close();
    }

    // ---- lines ----

    record Line(SourceKind kind, String text, long time, String format) {}

    /** A line with its event time as the real parser reads it (so tests can interleave sources). */
    static Line line(SourceKind kind, String text, String format) {
        ParseOutcome o = Parsers.forKind(kind, format).parse(text, ParseContext.UTC);
        if (o instanceof ParseOutcome.Parsed p) {
            return new Line(kind, text, p.timestampMillis(), format);
        }
        throw new AssertionError(Sources.name(kind) + " line does not parse (" + ((ParseOutcome.Failed) o).reason() + "): " + text);
    }

    static Line line(SourceKind kind, String text) {
        return line(kind, text, null);
    }

    /** Lines of a sample-fleet host folder, merged in event time (the order a live shipper would deliver). */
    static List<Line> sampleHost(Path dir) throws IOException {
        List<Line> all = sampleFiles(dir);
        all.sort(Comparator.comparingLong(Line::time));
        return all;
    }

    /** A sample host's entries file by file, each file in its own order (which need not be the order of its stamps). */
    static List<Line> sampleFiles(Path dir) throws IOException {
        Properties formats = new Properties();
        Path fp = dir.resolve("formats.properties");
        if (Files.exists(fp)) {
            try (var r = Files.newBufferedReader(fp)) {
                formats.load(r);
            }
        }
        List<Line> all = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            Path f = dir.resolve(Sources.fileName(k));
            if (!Files.exists(f)) continue;
            String format = k == SourceKind.NGINX_ACCESS ? formats.getProperty("nginx.access.log_format")
                    : k == SourceKind.PHP_FPM_ACCESS ? formats.getProperty("fpm.access.format") : null;
            for (String entry : entries(k, Files.readAllLines(f))) {
                if (entry.isBlank()) continue;
                all.add(line(k, entry, format));
            }
        }
        return all;
    }

    /** Joins nginx error continuation lines (FastCGI stderr) and slowlog entries the way the shipper does. */
    static List<String> entries(SourceKind k, List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            boolean continuation = switch (k) {
                case NGINX_ERROR -> !l.matches("^\\d{4}/\\d{2}/\\d{2} .*");
                case PHP_FPM_SLOW -> !l.isEmpty() && !l.startsWith("[") || l.startsWith("[0x");
                default -> false;
            };
            if (continuation && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "\n" + l);
            } else {
                out.add(l);
            }
        }
        return out;
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    static final String CLOCK = HostCorrelator.CLOCK_STORE;
    static final String LOOKBACK = HostCorrelator.LOOKBACK_STORE;
    static final String OPEN = HostCorrelator.OPEN_STORE;
    static final String LINES = HostCorrelator.LINES_STORE;
}
