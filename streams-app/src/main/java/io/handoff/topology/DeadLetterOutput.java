package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import io.handoff.common.HandoffMetrics;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/**
 * What Kafka Streams' exception handlers share: the dead-letter topic, a {@link DeadLetter} serializer
 * configured from the Streams properties (the same registry as the topology's), and the counters. The
 * handlers return the records it makes (KIP-1034), so Streams writes each dead letter in the same
 * transaction as the offsets that skip its record.
 */
final class DeadLetterOutput {
    /** Streams property: the dead-letter topic ({@link HandoffTopology#streamsProperties} sets it). */
    static final String TOPIC = "handoff.dead.letter.topic";
    /** Streams property: the {@link HandoffMetrics} the handlers count in (optional). */
    static final String METRICS = "handoff.metrics";

    final String topic;
    private final Serializer<DeadLetter> serializer;
    private final HandoffMetrics metrics;

    private DeadLetterOutput(String topic, Serializer<DeadLetter> serializer, HandoffMetrics metrics) {
        this.topic = topic;
        this.serializer = serializer;
        this.metrics = metrics;
    }

    static DeadLetterOutput configure(Map<String, ?> configs) {
        Object t = configs.get(TOPIC);
        if (t == null) {
            throw new ConfigException(TOPIC, null, "expected the dead-letter topic name (HandoffTopology.streamsProperties sets it)");
        }
        SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class);
        serde.configure(configs, false);
        Object m = configs.get(METRICS);
        return new DeadLetterOutput(t.toString(), serde.serializer(), m instanceof HandoffMetrics hm ? hm : null);
    }

    /**
     * The dead letter as a record for the dead-letter topic, keyed like the record it replaces, at
     * {@code timestamp} (null: the producer's clock). Throws what the serializer throws (registry down).
     */
    ProducerRecord<byte[], byte[]> record(byte[] key, DeadLetter d, long timestamp) {
        byte[] value = serializer.serialize(topic, d);
        return new ProducerRecord<>(topic, null, timestamp > 0 ? timestamp : null,
                key == null || key.length <= DeadLetters.MAX_KEY_BYTES ? key : null, value);
    }

    void count(String source, String stage) {
        if (metrics != null) {
            metrics.increment("dead-letters", "source", source, "stage", stage);
        }
    }

    void count(String name, String... tags) {
        if (metrics != null) {
            metrics.increment(name, tags);
        }
    }

    /**
     * The counter tag for a topic: the source of a raw topic ({@code handoff.raw.nginx-error} →
     * {@code nginx-error}), else the name after the prefix ({@code handoff.events} → {@code events}).
     */
    static String source(String topic) {
        if (topic == null) {
            return "none";
        }
        int raw = topic.lastIndexOf(".raw.");
        if (raw >= 0) {
            return topic.substring(raw + ".raw.".length());
        }
        int dot = topic.lastIndexOf('.');
        return dot >= 0 ? topic.substring(dot + 1) : topic;
    }
}
