package io.handoff.common;

import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.avro.WarningKind;
import io.handoff.topics.Sources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * handoff's counters: lines per source, dead letters per source and stage, late records per source
 * and outcome, incidents per root cause, warnings per kind, fleet incidents per root cause. Thread-safe;
 * one instance per running topology, handed to
 * {@code HandoffTopology.build} and read by the CLI
 * summary ({@link #snapshot()}).
 *
 * <p>Each counter is a Micrometer {@link Counter} in the {@link MeterRegistry} given at construction
 * (a Prometheus registry in {@code handoff run}, so {@code lines{source}} is scraped as
 * {@code handoff_lines_total{source="…"}}). Every counter of {@link #DECLARED} is registered at 0 for
 * each of its label values when the instance is made, so a Prometheus {@code rate()} sees the first
 * increment and an alert rule never waits for a series to appear. The same counts are also recorded as
 * Kafka Streams custom metrics (group {@code stream-handoff-metrics}, {@code <counter>-total} and
 * {@code -rate}) so JMX sees them through {@code KafkaStreams#metrics()}.
 *
 * <p>Names: {@code lines{source}}, {@code dead-letters{source,stage}}, {@code late{source,outcome}}
 * (outcome: absorbed, lookback, dead-letter), {@code incidents{root_cause}}, {@code warnings{kind}}.
 */
public final class HandoffMetrics {
    /** One counter handoff knows before it moves: its name, what it counts, and its label sets. */
    public record Declared(String name, String help, List<Map<String, String>> labelSets) {}

    /** Every counter that is present (at 0) from the start, with the label values it can take. */
    public static final List<Declared> DECLARED = declared();

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Entry> counters = new ConcurrentHashMap<>();

    private record Entry(String name, Counter counter) {}

    /** Counters in a private in-memory registry (replay, bench, tests). */
    public HandoffMetrics() {
        this(new SimpleMeterRegistry());
    }

    /** Counters in {@code registry}, every {@link #DECLARED} one registered at 0. */
    public HandoffMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Declared d : DECLARED) {
            for (Map<String, String> labels : d.labelSets()) {
                String[] tags = new String[labels.size() * 2];
                int i = 0;
                for (Map.Entry<String, String> e : labels.entrySet()) {
                    tags[i++] = e.getKey();
                    tags[i++] = e.getValue();
                }
                counter(d.name(), tags);
            }
        }
    }

    /** The registry the counters live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Adds one to a counter; {@code tags} are name/value pairs. */
    public void increment(String name, String... tags) {
        counter(name, tags).increment();
    }

    /** Current value of one counter (0 if never incremented). */
    public long get(String name, String... tags) {
        Entry e = counters.get(key(name, tags));
        return e == null ? 0 : (long) e.counter().count();
    }

    /** Sum of a counter over all tag values. */
    public long total(String name) {
        long n = 0;
        for (Entry e : counters.values()) {
            if (e.name().equals(name)) {
                n += (long) e.counter().count();
            }
        }
        return n;
    }

    /**
     * The counters that moved, sorted, keyed like {@code dead-letters{source=nginx-error,stage=parse}}
     * (the ones still at 0 are left out).
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, e) -> {
            long v = (long) e.counter().count();
            if (v > 0) {
                m.put(k, v);
            }
        });
        return m;
    }

    private Counter counter(String name, String... tags) {
        String k = key(name, tags);
        Entry e = counters.get(k);
        if (e == null) {
            e = counters.computeIfAbsent(k, x -> new Entry(name,
                    Counter.builder(meterName(name)).description(help(name)).tags(tags).register(registry)));
        }
        return e.counter();
    }

    /** {@code dead-letters} → {@code handoff.dead.letters} (Prometheus: {@code handoff_dead_letters_total}). */
    static String meterName(String name) {
        return "handoff." + name.replace('-', '.');
    }

    private static String help(String name) {
        for (Declared d : DECLARED) {
            if (d.name().equals(name)) {
                return d.help();
            }
        }
        return "handoff counter " + name;
    }

    /** The key of a counter in {@link #snapshot()}: {@code name} or {@code name{tag=value,…}}. */
    public static String key(String name, String... tags) {
        if (tags.length == 0) {
            return name;
        }
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags are name/value pairs, got " + tags.length + " strings");
        }
        StringBuilder sb = new StringBuilder(name).append('{');
        for (int i = 0; i < tags.length; i += 2) {
            if (i > 0) sb.append(',');
            sb.append(tags[i]).append('=').append(tags[i + 1]);
        }
        return sb.append('}').toString();
    }

    private static List<Declared> declared() {
        List<String> sources = Arrays.stream(SourceKind.values()).map(Sources::name).toList();
        List<String> causes = Arrays.stream(RootCause.values()).map(Enum::name).toList();
        List<String> kinds = Arrays.stream(WarningKind.values()).map(Enum::name).toList();
        List<Map<String, String>> deadLetters = new ArrayList<>();
        for (String s : sources) {
            for (String stage : List.of("envelope", "size", "time", "parse", "process", "late")) {
                deadLetters.add(labels("source", s, "stage", stage));
            }
        }
        deadLetters.add(labels("source", "correlate-input", "stage", "deserialize"));
        deadLetters.add(labels("source", "correlate-input", "stage", "process"));
        List<String> outputs = List.of("correlate-input", "events", "incidents", "incident-updates", "warnings",
                "fleet-incidents", "incidents-ecs");
        for (String o : outputs) {
            deadLetters.add(labels("source", o, "stage", "produce"));
        }
        List<String> cut = new ArrayList<>(sources);
        cut.addAll(outputs);
        List<Map<String, String>> late = new ArrayList<>();
        for (String s : sources) {
            for (String outcome : List.of("absorbed", "lookback", "dead-letter")) {
                late.add(labels("source", s, "outcome", outcome));
            }
        }
        return List.of(
                new Declared("lines", "Log lines parsed, by source.", each("source", sources)),
                new Declared("blank-lines", "Blank lines skipped, by source.", each("source", sources)),
                new Declared("truncated", "Entries (by source) and outputs (by topic) cut, with a marker, to fit the limits.",
                        each("source", cut)),
                new Declared("dead-letters", "Records written to the dead-letter topic, by source and stage.", deadLetters),
                new Declared("late", "Lines that arrived later than the grace, by source and what became of them.", late),
                new Declared("incidents", "Host incidents emitted, by root cause.", each("root_cause", causes)),
                new Declared("incident-updates", "Records of incidents on the incident-updates topic, by status (OPEN while"
                        + " a burst lasts, CLOSED at its end).", each("status",
                        Arrays.stream(IncidentStatus.values()).map(Enum::name).toList())),
                new Declared("warnings", "Warnings (evidence without 502/504) emitted, by kind.", each("kind", kinds)),
                new Declared("warnings-below-threshold", "Warning candidates too weak to emit.", List.of(Map.of())),
                new Declared("fleet-incidents", "Fleet incidents emitted, by root cause.", each("root_cause", causes)),
                new Declared("fleet-late", "Host incidents that reached the fleet stage after their window closed.",
                        each("root_cause", causes)),
                new Declared("fleet-windows-below-threshold", "Fleet windows that closed with too few hosts.",
                        each("root_cause", causes)),
                new Declared("stream-thread-restarts", "Stream threads that failed and were replaced after a back-off.",
                        List.of(Map.of())));
    }

    private static List<Map<String, String>> each(String label, List<String> values) {
        return values.stream().map(v -> labels(label, v)).toList();
    }

    /** Labels in the order the processors pass them, so a declared counter and a recorded one share a key. */
    private static Map<String, String> labels(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /**
     * A per-processor recorder: increments this registry and the matching Kafka Streams sensor
     * (created on first use in the processor's thread).
     */
    public Recorder recorder(StreamsMetrics streamsMetrics, String entity) {
        return new Recorder(streamsMetrics, entity);
    }

    public final class Recorder {
        private final StreamsMetrics streamsMetrics;
        private final String entity;
        private final Map<String, Sensor> sensors = new HashMap<>();

        private Recorder(StreamsMetrics streamsMetrics, String entity) {
            this.streamsMetrics = streamsMetrics;
            this.entity = entity;
        }

        public void increment(String name, String... tags) {
            HandoffMetrics.this.increment(name, tags);
            Sensor s = sensor(name, tags);
            if (s != null) {
                s.record();
            }
        }

        /**
         * One counter resolved once, for a count made per record: {@link Count#increment()} does what
         * {@code increment(name, tags)} does without building the key and looking both up each time.
         */
        public Count count(String name, String... tags) {
            return new Count(counter(name, tags), sensor(name, tags));
        }

        private Sensor sensor(String name, String... tags) {
            if (streamsMetrics == null) {
                return null;
            }
            String k = key(name, tags);
            Sensor s = sensors.get(k);
            if (s == null) {
                s = streamsMetrics.addRateTotalSensor("handoff", entity, name, Sensor.RecordingLevel.INFO, tags);
                sensors.put(k, s);
            }
            return s;
        }
    }

    /** A counter of {@link Recorder#count}: this registry's counter and the Kafka Streams sensor beside it (or null). */
    public static final class Count {
        private final Counter counter;
        private final Sensor sensor;

        private Count(Counter counter, Sensor sensor) {
            this.counter = counter;
            this.sensor = sensor;
        }

        public void increment() {
            counter.increment();
            if (sensor != null) {
                sensor.record();
            }
        }
    }
}
