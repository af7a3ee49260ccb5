package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import io.handoff.common.HandoffMetrics;
import io.handoff.registry.SchemaRegistryException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * A record on an Avro topic ({@code handoff.correlate-input}, {@code handoff.incidents}) that does not deserialize
 * becomes a {@link DeadLetter} (stage {@code deserialize}, original bytes and key, topic/partition/offset,
 * the serde's message) and processing continues. Kafka Streams 4.x (KIP-1034) writes the dead letter
 * returned from {@link #handleError} in the same transaction as the offset that skips the record.
 *
 * <p>A registry that cannot be reached is no fault of the record: the handler fails instead (the stream
 * thread is replaced after a back-off and reads the record again), as it does when the dead letter
 * itself cannot be written. Configuration: {@value DeadLetterOutput#TOPIC}, the serde's
 * {@code schema.registry.url} etc., and optionally {@value DeadLetterOutput#METRICS} for the
 * {@code dead-letters{source,stage=deserialize}} counter.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    /** Streams property: the dead-letter topic. */
    public static final String DEAD_LETTER_TOPIC = DeadLetterOutput.TOPIC;
    /** Streams property: the {@link HandoffMetrics} to count in. */
    public static final String METRICS = DeadLetterOutput.METRICS;

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private DeadLetterOutput out;

    @Override
    public void configure(Map<String, ?> configs) {
        out = DeadLetterOutput.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (SchemaRegistryException.isUnavailable(exception)) {
            LOG.warn("{}-{}@{} cannot be read while the schema registry is unavailable ({}); failing so that it is read"
                    + " again, not dead-lettered", context.topic(), context.partition(), context.offset(), exception.getMessage());
            return Response.fail();
        }
        String reason = "record on " + context.topic() + " does not deserialize: " + DeadLetters.describe(exception);
        DeadLetter d = DeadLetters.of(record.key(), record.value(), "deserialize", reason, System.currentTimeMillis())
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition())
                .setSourceOffset(context.offset())
                .build();
        try {
            Response r = Response.resume(List.of(out.record(record.key(), d, record.timestamp())));
            out.count(DeadLetterOutput.source(context.topic()), "deserialize");
            LOG.warn("dead-lettered {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
            return r;
        } catch (RuntimeException e) {
            LOG.error("cannot write the dead letter for {}-{}@{} ({}); failing instead of losing it",
                    context.topic(), context.partition(), context.offset(), e.toString());
            return Response.fail();
        }
    }
}
