package io.handoff.topology;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * handoff's counters: lines per source, dead letters per source and stage, late records per source
 * and outcome, incidents per root cause, warnings per kind. Thread-safe; one instance per running
 * topology, handed to {@link HandoffTopology#build(io.handoff.app.HandoffConfig, HandoffMetrics)} and
 * read by the CLI summary ({@link #snapshot()}). The same counts are also recorded as Kafka Streams
 * custom metrics (group {@code stream-handoff-metrics}, {@code <counter>-total} and {@code -rate},
 * tags as below) so JMX / a Prometheus exporter sees them through {@code KafkaStreams#metrics()}.
 *
 * <p>Names: {@code lines{source}}, {@code dead-letters{source,stage}}, {@code late{source,outcome}}
 * (outcome: absorbed, lookback, dead-letter), {@code incidents{root_cause}}, {@code warnings{kind}}.
 */
public final class HandoffMetrics {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Adds one to a counter; {@code tags} are name/value pairs. */
    public void increment(String name, String... tags) {
        counts.computeIfAbsent(key(name, tags), k -> new LongAdder()).increment();
    }

    /** Current value of one counter (0 if never incremented). */
    public long get(String name, String... tags) {
        LongAdder a = counts.get(key(name, tags));
        return a == null ? 0 : a.sum();
    }

    /** Sum of a counter over all tag values. */
    public long total(String name) {
        long n = 0;
        for (Map.Entry<String, LongAdder> e : counts.entrySet()) {
            if (e.getKey().equals(name) || e.getKey().startsWith(name + "{")) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** All counters, sorted, keyed like {@code dead-letters{source=nginx-error,stage=parse}}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    static String key(String name, String... tags) {
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
        private final Map<String, Sensor> sensors = new java.util.HashMap<>();

        private Recorder(StreamsMetrics streamsMetrics, String entity) {
            this.streamsMetrics = streamsMetrics;
            this.entity = entity;
        }

        public void increment(String name, String... tags) {
            HandoffMetrics.this.increment(name, tags);
            if (streamsMetrics == null) {
                return;
            }
            String k = key(name, tags);
            Sensor s = sensors.get(k);
            if (s == null) {
                s = streamsMetrics.addRateTotalSensor("handoff", entity, name, Sensor.RecordingLevel.INFO, tags);
                sensors.put(k, s);
            }
            s.record();
        }
    }
}
