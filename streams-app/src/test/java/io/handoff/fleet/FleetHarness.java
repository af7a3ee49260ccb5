package io.handoff.fleet;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.classify.Lines;
import io.handoff.common.CloseGate;
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
import java.time.Duration;
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
 *
 * <p>Two ways to run it, as the application runs: {@link #replaying()}, as {@code handoff replay} does
 * (nothing is judged by time until a stage's input is complete: {@link CloseGate#afterInput()}, opened
 * stage by stage by {@link #idle()}), or live ({@link CloseGate#always()}), where the wall clock must
 * move as it does for a running application: {@link #live(Path)} ships each entry at its written time.
 * A replay shipped with the gate open and the wall clock standing still is neither: to the correlator
 * every log of every host then delivered a line "just now", for days of event time, and holds what it
 * has open (see {@code HostCorrelator}, source-idle).
 */
final class FleetHarness implements AutoCloseable {
    static final Instant WALL = Instant.parse("2030-01-01T00:00:00Z");
    static final String APPLICATION_ID = "handoff-fleet-test";
    /** The fleet tests' capture templates, found from this module and from the tools module (FleetStageTest). */
    static final Path TEMPLATES = Path.of("..", "streams-app", "src", "test", "resources", "fleet", "templates");

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
    /** The gate on judging time by the clocks, of both stages. */
    final CloseGate gate;
    private Instant shipped = WALL;

    /** Live: the fleet stage (and the correlator) judge time as they come (for the window fed directly). */
    FleetHarness() {
        this(HandoffConfig.defaults(), CloseGate.always());
    }

    /** As {@code handoff replay} runs the topology: ship with {@link #replay}, then {@link #idle()}. */
    static FleetHarness replaying() {
        return new FleetHarness(HandoffConfig.defaults(), CloseGate.afterInput());
    }

    FleetHarness(HandoffConfig base, CloseGate gate) {
        this.gate = gate;
        // the driver's wall clock (2030) is years after the captures: no bound on age here
        this.config = base.withStreams(Map.of("schema.registry.url", "mock://fleet-" + UUID.randomUUID()))
                .withLimits(base.limits().withoutAgeBound());
        this.topology = HandoffTopology.build(config, metrics, gate);
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
        return ship(dir, false);
    }

    /**
     * Ships a replay folder as live shippers would: each entry when it is written, the wall clock following
     * the written times in punctuation-sized steps ({@link #advance}). A gap longer than twice idle-close
     * (the hours between two nights) runs idle-close + 1 s of such steps, and the rest in one jump: the
     * hours a machine slept, with nothing open by then. Returns the entries shipped.
     */
    long live(Path dir) {
        return ship(dir, true);
    }

    private long ship(Path dir, boolean live) {
        ReplaySource source = ReplaySource.open(dir);
        long idleMs = config.idleClose().toMillis();
        long at = Long.MIN_VALUE;
        Map<String, LineParser> parsers = new HashMap<>();
        long n = 0;
        try (ReplaySource.Entries it = source.entries((host, kind, entry) -> timeOf(parsers, host, kind, entry.text()))) {
            for (ReplaySource.Item item = it.next(); item != null; item = it.next()) {
                Long written = item.eventTime();
                if (live && written != null && written != Long.MIN_VALUE) {
                    if (at != Long.MIN_VALUE && written > at) {
                        long gap = written - at;
                        if (gap > 2 * idleMs) {
                            advance(Duration.ofMillis(idleMs + 1_000));
                            driver.advanceWallClockTime(Duration.ofMillis(gap - idleMs - 1_000));
                        } else {
                            advance(Duration.ofMillis(gap));
                        }
                    }
                    at = Math.max(at, written);
                }
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
     * The end of the input, as {@code handoff replay} ends it: the correlator's gate opens (its input is
     * consumed) and the wall clock runs until what the hosts left open has closed (after source-idle, at
     * the latest idle-close); the incidents it emits reach the fleet stage, whose gate then opens and whose
     * own input falls silent for idle-close. Live, the gates are open already and only the clock runs.
     */
    void idle() {
        gate.open(CloseGate.Stage.CORRELATE);
        advance(config.idleClose().plusSeconds(1));
        gate.open(CloseGate.Stage.FLEET);
        advance(config.idleClose().plusSeconds(1));
    }

    /**
     * Advances the wall clock in steps of a quarter second, as a running stream thread punctuates: the
     * correlator counts a jump between two punctuations as time its task did not run, not as silence.
     */
    void advance(Duration d) {
        Duration step = Duration.ofMillis(250);
        for (Duration left = d; left.compareTo(Duration.ZERO) > 0; left = left.minus(step)) {
            driver.advanceWallClockTime(left.compareTo(step) < 0 ? left : step);
        }
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
