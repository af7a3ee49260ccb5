package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import io.handoff.registry.SchemaRegistryException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An output the broker cannot take because of what it is — too large, a time stamp out of the broker's
 * range, an invalid record — becomes a {@link DeadLetter} with stage {@code produce}, the output's first
 * bytes and the broker's reason, and processing resumes. An output that cannot be serialized because of
 * what it is ({@link BoundedSerializer} found it too large even after cutting its texts, or Avro refused
 * it) becomes a dead letter of the input record it came from. Both happen before the transaction is
 * committed, in it.
 *
 * <p>What is no fault of the record is not dead-lettered: a broker that does not answer in time (a
 * {@link RetriableException}) is retried from the last commit; a schema registry that cannot be reached
 * fails the stream thread, which {@code handoff run} replaces after a back-off.
 *
 * <p>Under exactly_once_v2 the producer aborts the transaction of any record the broker refused, so such
 * a refusal is only survived by not sending the record: the parse stage keeps event times inside the
 * broker's range and {@link BoundedSerializer} keeps outputs under its size, and this handler is the last
 * line (at_least_once, or a broker stricter than handoff's bounds — docs/RELIABILITY.md).
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

    private DeadLetterOutput out;

    @Override
    public void configure(Map<String, ?> configs) {
        out = DeadLetterOutput.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        boolean recordsFault = exception instanceof RecordTooLargeException || exception instanceof InvalidTimestampException
                || exception instanceof RecordBatchTooLargeException || exception instanceof InvalidRecordException
                || exception instanceof CorruptRecordException;
        if (!recordsFault || record.topic().equals(out.topic)) {
            LOG.error("writing to {} failed ({}); failing", record.topic(), exception.toString());
            return Response.fail();
        }
        int size = record.value() == null ? 0 : record.value().length;
        String reason = "the broker refused the output for " + record.topic() + " (" + Fit.bytes(size) + " bytes, time "
                + record.timestamp() + "): " + DeadLetters.describe(exception) + "; it came from "
                + context.topic() + "-" + context.partition() + "@" + context.offset();
        return deadLetter(context, record.key(), record.value(), record.topic(), reason);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (SchemaRegistryException.isUnavailable(exception)) {
            LOG.warn("the output for {} cannot be serialized while the schema registry is unavailable ({}); failing so"
                    + " that it is retried", record.topic(), exception.getMessage());
            return Response.fail();
        }
        String reason = "the " + origin.name().toLowerCase(Locale.ROOT) + " of the output for " + record.topic()
                + " cannot be written: " + DeadLetters.describe(exception);
        if (exception instanceof BoundedSerializer.TooLarge tooLarge) {
            return deadLetter(context, context.sourceRawKey(), tooLarge.head(), record.topic(), reason, tooLarge.size());
        }
        return deadLetter(context, context.sourceRawKey(), context.sourceRawValue(), record.topic(), reason);
    }

    private Response deadLetter(ErrorHandlerContext context, byte[] key, byte[] value, String outputTopic, String reason) {
        return deadLetter(context, key, value, outputTopic, reason, -1);
    }

    private Response deadLetter(ErrorHandlerContext context, byte[] key, byte[] value, String outputTopic, String reason,
                                long size) {
        DeadLetter.Builder b = DeadLetters.of(key, value, "produce", reason, System.currentTimeMillis())
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition() >= 0 ? context.partition() : null)
                .setSourceOffset(context.offset() >= 0 ? context.offset() : null);
        if (size > (value == null ? 0 : value.length)) {
            b.setOriginalSize(size);
        }
        try {
            Response r = Response.resume(List.of(out.record(key, b.build(), System.currentTimeMillis())));
            out.count(DeadLetterOutput.source(outputTopic), "produce");
            LOG.warn("dead-lettered an output for {}: {}", outputTopic, reason);
            return r;
        } catch (RuntimeException e) {
            LOG.error("cannot write the dead letter of an output for {} ({}); failing instead of losing it", outputTopic,
                    e.toString());
            return Response.fail();
        }
    }
}
