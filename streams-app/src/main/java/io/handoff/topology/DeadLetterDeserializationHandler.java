package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A record on an Avro topic ({@code handoff.events}) that does not deserialize becomes a
 * {@link DeadLetter} (stage {@code deserialize}, original bytes and key, topic/partition/offset,
 * the serde's message) on the dead-letter topic, and processing continues. Uses Kafka Streams 4.x
 * (KIP-1034) dead-letter records returned from {@link #handleError}, so under exactly_once_v2 the
 * dead letter is committed in the same transaction as the offset that skips the record.
 *
 * <p>Configuration (from the Streams properties): {@value #DEAD_LETTER_TOPIC} (the topic), the
 * serde's {@code schema.registry.url} etc., and optionally {@value #METRICS} (a {@link HandoffMetrics}
 * instance) for the {@code dead-letters{source=events,stage=deserialize}} counter. If the dead
 * letter itself cannot be written (registry down), the handler fails rather than lose the record.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    public static final String DEAD_LETTER_TOPIC = "handoff.dead.letter.topic";
    public static final String METRICS = "handoff.metrics";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private String topic;
    private Serializer<DeadLetter> serializer;
    private HandoffMetrics metrics;

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(DEAD_LETTER_TOPIC);
        if (t == null) {
            throw new org.apache.kafka.common.config.ConfigException(DEAD_LETTER_TOPIC, null,
                    "expected the dead-letter topic name (HandoffTopology.streamsProperties sets it)");
        }
        this.topic = t.toString();
        SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class);
        serde.configure(configs, false);
        this.serializer = serde.serializer();
        Object m = configs.get(METRICS);
        this.metrics = m instanceof HandoffMetrics hm ? hm : null;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String reason = "record on " + context.topic() + " does not deserialize: " + exception.getClass().getSimpleName()
                + (exception.getMessage() == null ? "" : ": " + exception.getMessage());
        String host = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        DeadLetter d = DeadLetter.newBuilder()
                .setOriginal(ByteBuffer.wrap(record.value() == null ? new byte[0] : record.value()))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition())
                .setSourceOffset(context.offset())
                .setHost(host)
                .setStage("deserialize")
                .setReason(reason)
                .setRecordedAt(Instant.now())
                .build();
        byte[] value;
        try {
            value = serializer.serialize(topic, d);
        } catch (RuntimeException e) {
            LOG.error("cannot write the dead letter for {}-{}@{} ({}); failing instead of losing it",
                    context.topic(), context.partition(), context.offset(), e.toString());
            return Response.fail();
        }
        if (metrics != null) {
            metrics.increment("dead-letters", "source", "events", "stage", "deserialize");
        }
        LOG.warn("dead-lettered {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
        Long ts = record.timestamp() >= 0 ? record.timestamp() : null; // a negative time is rejected by the producer
        return Response.resume(List.of(new ProducerRecord<>(topic, null, ts, record.key(), value)));
    }
}
