package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A processor that throws on one record does not stop the application: the record that reached it (its
 * bytes as read from the sub-topology's source topic, with topic/partition/offset) becomes a
 * {@link DeadLetter} with stage {@code process} and the exception as reason, written in the same
 * transaction, and processing resumes with the next record.
 *
 * <p>What is no fault of the record fails instead, so that Kafka Streams retries it: Kafka's own
 * exceptions (a broker away, a state store that cannot write, an output that could not be serialized
 * while the registry is down) and I/O errors. A punctuation that throws is counted
 * ({@code punctuation-failures{processor}}) and logged, at most once a minute per processor, and runs
 * again on its next tick; it has no record to dead-letter.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
    private static final long LOG_EVERY_MS = 60_000;

    private DeadLetterOutput out;
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        out = DeadLetterOutput.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        String node = context.processorNodeId();
        if (notTheRecordsFault(exception)) {
            LOG.warn("processor {} failed on {}-{}@{} for a reason outside the record ({}); failing so that it is retried",
                    node, context.topic(), context.partition(), context.offset(), exception.toString());
            return Response.fail();
        }
        if (record == null) {
            out.count("punctuation-failures", "processor", node);
            long now = System.currentTimeMillis();
            Long before = lastLogged.get(node);
            if (before == null || now - before >= LOG_EVERY_MS) {
                lastLogged.put(node, now);
                LOG.error("punctuation of processor {} failed; it runs again on its next tick", node, exception);
            }
            return Response.resume();
        }
        String reason = "processor " + node + " failed on this record: " + DeadLetters.describe(exception);
        DeadLetter d = DeadLetters.of(context.sourceRawKey(), context.sourceRawValue(), "process", reason,
                        System.currentTimeMillis())
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition() >= 0 ? context.partition() : null)
                .setSourceOffset(context.offset() >= 0 ? context.offset() : null)
                .build();
        try {
            Response r = Response.resume(List.of(out.record(context.sourceRawKey(), d, context.timestamp())));
            out.count(DeadLetterOutput.source(context.topic()), "process");
            LOG.warn("dead-lettered {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason, exception);
            return r;
        } catch (RuntimeException e) {
            LOG.error("cannot write the dead letter for {}-{}@{} ({}); failing instead of losing it",
                    context.topic(), context.partition(), context.offset(), e.toString());
            return Response.fail();
        }
    }

    /** Kafka's exceptions, I/O and errors of the JVM are about the application's surroundings, not one record. */
    static boolean notTheRecordsFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KafkaException || t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof InterruptedException || t instanceof Error) {
                return true;
            }
        }
        return false;
    }
}
