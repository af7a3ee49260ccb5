package io.handoff.fleet;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.classify.Lines;
import io.handoff.common.HandoffMetrics;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.Envelope;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.ship.HostFolder;
import io.handoff.ship.ReplaySource;
import io.handoff.topology.HandoffTopology;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The whole topology (parse → correlate → fleet) in a TopologyTestDriver, fed a replay folder the
 * way {@code handoff replay} ships it: {@link ReplaySource} merged by event time, each entry in a
 * Filebeat-shaped envelope with the host folder's time zone, fleet and log format.
 */
final class FleetHarness implements AutoCloseable {
    static final Instant WALL = Instant.parse("2030-01-01T00:00:00Z");
    static final String APPLICATION_ID = "handoff-fleet-test";
    static final Path TEMPLATES = Path.of("src", "test", "resources", "fleet", "templates");

    final HandoffConfig config;
    final HandoffMetrics metrics = new HandoffMetrics();
    final Topology topology;
    final TopologyTestDriver driver;
    final Map<SourceKind, TestInputTopic<byte[], byte[]>> raw = new EnumMap<>(SourceKind.class);
    final TestOutputTopic<String, Incident> incidents;
    final TestOutputTopic<String, Warning> warnings;
    final TestOutputTopic<String, FleetIncident> fleet;
    /** Direct inputs of the fleet stage, for tests of the window alone. */
    final TestInputTopic<String, Incident> incidentsIn;
    final TestInputTopic<String, Heartbeat> activityIn;
    private Instant shipped = WALL;

    FleetHarness() {
        this(HandoffConfig.defaults());
    }

    FleetHarness(HandoffConfig base) {
        // the driver's wall clock (2030) is years after the captures: no bound on age here
        this.config = base.withStreams(Map.of("schema.registry.url", "mock://fleet-" + UUID.randomUUID()))
                .withLimits(base.limits().withoutAgeBound());
        this.topology = HandoffTopology.build(config, metrics);
        Properties p = HandoffTopology.streamsProperties(config, APPLICATION_ID, metrics);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        // The driver processes each record as it is piped, in the order the test chose: that order is what
        // max.task.idle.ms enforces on a broker, and with it the driver would hold records for the empty topics.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        try {
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("handoff-fleet-ttd").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(topology, p, WALL);
        for (SourceKind k : SourceKind.values()) {
            raw.put(k, driver.createInputTopic(config.topics().raw(k), new ByteArraySerializer(), new ByteArraySerializer()));
        }
        incidents = driver.createOutputTopic(config.topics().incidents(), new StringDeserializer(), serde(Incident.class).deserializer());
        warnings = driver.createOutputTopic(config.topics().warnings(), new StringDeserializer(), serde(Warning.class).deserializer());
        fleet = driver.createOutputTopic(config.topics().fleetIncidents(), new StringDeserializer(),
                serde(FleetIncident.class).deserializer());
        incidentsIn = driver.createInputTopic(config.topics().incidents(), new StringSerializer(),
                serde(Incident.class).serializer());
        // the heartbeats' repartition topic, as the activity tap would write it
        activityIn = driver.createInputTopic(FleetStage.internalTopics(APPLICATION_ID).get(1), new StringSerializer(),
                Heartbeat.SERDE.serializer());
    }

    <T extends SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type) {
        SpecificAvroSerde<T> s = new SpecificAvroSerde<>(type);
        s.configure(config.streams(), false);
        return s;
    }

    /** Ships a replay folder merged by event time, as {@code handoff replay} does; returns the entries shipped. */
    long replay(Path dir) {
        ReplaySource source = ReplaySource.open(dir);
        Map<String, LineParser> parsers = new HashMap<>();
        long n = 0;
        try (ReplaySource.Entries it = source.entries((host, kind, entry) -> timeOf(parsers, host, kind, entry.text()))) {
            for (ReplaySource.Item item = it.next(); item != null; item = it.next()) {
                HostFolder h = item.host();
                byte[] json = Envelope.of(item.entry().text(), h.host(), item.file().toString(), item.entry().offset())
                        .withMeta(shipped, h.formats().timezone(), h.formats().fleet(), h.formats().logFormat(item.kind()))
                        .toJson();
                shipped = shipped.plusMillis(1);
                raw.get(item.kind()).pipeInput(h.host().getBytes(StandardCharsets.UTF_8), json, shipped);
                n++;
            }
        }
        return n;
    }

    private long timeOf(Map<String, LineParser> parsers, HostFolder host, SourceKind kind, String text) {
        String format = host.formats().logFormat(kind);
        LineParser parser = parsers.computeIfAbsent(kind + "\u0000" + format, k -> Parsers.forKind(kind, format));
        ZoneId zone = host.formats().timezone() == null ? ZoneOffset.UTC : ZoneId.of(host.formats().timezone());
        ParseOutcome o = parser.parse(text, ParseContext.of(zone));
        if (!(o instanceof ParseOutcome.Parsed p)) {
            return Long.MIN_VALUE;
        }
        return Lines.writtenAt(p.timestampMillis(), p.fields());
    }

    /**
     * The end of a replay: the input falls silent. The correlator closes what is open after idleClose
     * of wall-clock time; the incidents it emits reach the fleet stage, whose own input then falls
     * silent for idleClose.
     */
    void idle() {
        driver.advanceWallClockTime(config.idleClose().plusSeconds(1));
        driver.advanceWallClockTime(config.idleClose().plusSeconds(1));
    }

    List<Incident> incidents() {
        List<Incident> l = new ArrayList<>();
        while (!incidents.isEmpty()) l.add(incidents.readValue());
        return l;
    }

    List<Warning> warnings() {
        List<Warning> l = new ArrayList<>();
        while (!warnings.isEmpty()) l.add(warnings.readValue());
        return l;
    }

    List<FleetIncident> fleet() {
        List<FleetIncident> l = new ArrayList<>();
        while (!fleet.isEmpty()) l.add(fleet.readValue());
        return l;
    }

    long openWindows() {
        return count(FleetStage.OPEN_STORE);
    }

    long count(String store) {
        long n = 0;
        try (var it = driver.<String, Object>getKeyValueStore(store).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        driver.close();
    }
}
