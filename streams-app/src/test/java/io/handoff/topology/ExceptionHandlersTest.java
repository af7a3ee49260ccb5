package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import io.handoff.avro.Incident;
import io.handoff.common.HandoffMetrics;
import io.handoff.registry.SchemaRegistryException;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The processing and production handlers decide between "the record's fault: dead letter, go on" and
 * "the surroundings' fault: fail or retry". (TopologyTestDriver does not route handler dead letters; the
 * broker test {@code PoisonRecordsBrokerTest} shows them written in the transaction.)
 */
class ExceptionHandlersTest {
    private static final String REGISTRY = "mock://handlers-test";
    private final HandoffMetrics metrics = new HandoffMetrics();
    private final Map<String, Object> config = Map.of("schema.registry.url", REGISTRY,
            DeadLetterOutput.TOPIC, "handoff.dead-letter", DeadLetterOutput.METRICS, metrics);
    private static final byte[] KEY = "web-01".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RAW = "2026/11/21 11:10:25 [error] …".getBytes(StandardCharsets.UTF_8);

    static ErrorHandlerContext context(String topic, String node, byte[] key, byte[] value) {
        return new ErrorHandlerContext() {
            public String topic() { return topic; }
            public int partition() { return 3; }
            public long offset() { return 41L; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return node; }
            public TaskId taskId() { return new TaskId(0, 3); }
            public long timestamp() { return 1_763_723_425_000L; }
            public byte[] sourceRawKey() { return key; }
            public byte[] sourceRawValue() { return value; }
        };
    }

    private DeadLetter read(ProducerRecord<byte[], byte[]> r) {
        assertEquals("handoff.dead-letter", r.topic());
        return SpecificAvroSerde.forValues(DeadLetter.class, Map.of("schema.registry.url", REGISTRY))
                .deserializer().deserialize(r.topic(), r.value());
    }

    @Test
    void aProcessorThatThrowsOnARecordDeadLettersTheRecordAsRead() {
        DeadLetterProcessingHandler h = new DeadLetterProcessingHandler();
        h.configure(config);
        ProcessingExceptionHandler.Response r = h.handleError(context("handoff.raw.nginx-error", "parse-nginx-error", KEY, RAW),
                new Record<>(KEY, RAW, 0L), new NullPointerException("Cannot invoke \"String.length()\" because \"s\" is null"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        assertArrayEquals(KEY, r.deadLetterQueueRecords().get(0).key());
        DeadLetter d = read(r.deadLetterQueueRecords().get(0));
        assertEquals("process", d.getStage());
        assertArrayEquals(RAW, d.getOriginal().array());
        assertEquals("handoff.raw.nginx-error", d.getSourceTopic());
        assertEquals(3, d.getSourcePartition());
        assertEquals(41L, d.getSourceOffset());
        assertEquals("web-01", d.getHost());
        assertEquals("processor parse-nginx-error failed on this record: NullPointerException: Cannot invoke"
                + " \"String.length()\" because \"s\" is null", d.getReason());
        assertEquals(1, metrics.get("dead-letters", "source", "nginx-error", "stage", "process"));
    }

    @Test
    void kafkasOwnFailuresAreRetriedNotDeadLettered() {
        DeadLetterProcessingHandler h = new DeadLetterProcessingHandler();
        h.configure(config);
        for (Exception e : new Exception[] {new StreamsException("Unable to serialize record", new SerializationException("x")),
                new ProcessorStateException("Error while putting key into store",
                        new IOException("No space left on device")),
                new TimeoutException("Expiring 3 record(s)")}) {
            ProcessingExceptionHandler.Response r = h.handleError(context("handoff.events", "correlate-host", KEY, RAW),
                    new Record<>("web-01", null, 0L), e);
            assertEquals(ProcessingExceptionHandler.Result.FAIL, r.result(), e.toString());
            assertEquals(0, r.deadLetterQueueRecords().size());
        }
        assertEquals(0, metrics.total("dead-letters"));
    }

    @Test
    void aFailingPunctuationIsCountedAndRunsAgain() {
        DeadLetterProcessingHandler h = new DeadLetterProcessingHandler();
        h.configure(config);
        ProcessingExceptionHandler.Response r = h.handleError(context(null, "correlate-host", null, null), null,
                new IllegalStateException("open incident without a start"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        assertEquals(0, r.deadLetterQueueRecords().size());
        assertEquals(1, metrics.get("punctuation-failures", "processor", "correlate-host"));
    }

    @Test
    void anOutputTheBrokerRefusesIsDeadLetteredAndAnOutageRetried() {
        DeadLetterProductionHandler h = new DeadLetterProductionHandler();
        h.configure(config);
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>("handoff.events", null, 4_000_000_000_000L, KEY, new byte[] {0, 0, 0, 0, 1, 2});
        ProductionExceptionHandler.Response r = h.handleError(context("handoff.raw.nginx-error", "sink-events", null, null), out,
                new InvalidTimestampException("Timestamp 4000000000000 of message with offset 0 is out of range."));
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        DeadLetter d = read(r.deadLetterQueueRecords().get(0));
        assertEquals("produce", d.getStage());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 2}, d.getOriginal().array());
        assertEquals("the broker refused the output for handoff.events (6 bytes, time 4000000000000): InvalidTimestampException:"
                + " Timestamp 4000000000000 of message with offset 0 is out of range.; it came from handoff.raw.nginx-error-3@41",
                d.getReason());
        assertEquals(1, metrics.get("dead-letters", "source", "events", "stage", "produce"));

        r = h.handleError(context("handoff.events", "sink-incidents", null, null), out, new RecordTooLargeException("too large"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        r = h.handleError(context("handoff.events", "sink-incidents", null, null), out, new TimeoutException("Expiring 1 record(s)"));
        assertEquals(ProductionExceptionHandler.Result.RETRY, r.result());
        assertEquals(0, r.deadLetterQueueRecords().size());
        r = h.handleError(context("handoff.events", "sink-incidents", null, null), out,
                new TopicAuthorizationException("not allowed"));
        assertEquals(ProductionExceptionHandler.Result.FAIL, r.result());
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>("handoff.dead-letter", KEY, new byte[10]);
        r = h.handleError(context("handoff.events", "sink-dead-letter", null, null), deadLetter, new RecordTooLargeException("x"));
        assertEquals(ProductionExceptionHandler.Result.FAIL, r.result(), "a dead letter the broker refuses is not dead-lettered again");
    }

    @Test
    void anOutputThatCannotBeSerializedIsADeadLetterOfItsInput() {
        DeadLetterProductionHandler h = new DeadLetterProductionHandler();
        h.configure(config);
        ProducerRecord<String, Incident> out = new ProducerRecord<>("handoff.incidents", "web-01", null);
        ProductionExceptionHandler.Response r = h.handleSerializationError(context("handoff.events", "sink-incidents", KEY, RAW), out,
                new BoundedSerializer.TooLarge("the Incident for handoff.incidents is 3,000,000 bytes", new byte[] {0, 0, 0, 0, 5}, 3_000_000L),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        DeadLetter d = read(r.deadLetterQueueRecords().get(0));
        assertEquals("produce", d.getStage());
        assertEquals(3_000_000L, d.getOriginalSize());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 5}, d.getOriginal().array());
        assertTrue(d.getReason().startsWith("the value of the output for handoff.incidents cannot be written: TooLarge: the Incident"),
                d.getReason());
        assertEquals("handoff.events", d.getSourceTopic());

        r = h.handleSerializationError(context("handoff.events", "sink-incidents", KEY, RAW), out,
                new SerializationException("Error serializing Avro Incident: null of string in field id"),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        assertArrayEquals(RAW, read(r.deadLetterQueueRecords().get(0)).getOriginal().array(), "the input it came from");

        r = h.handleSerializationError(context("handoff.events", "sink-incidents", KEY, RAW), out,
                new SerializationException("Error registering Avro value schema", SchemaRegistryException.noAnswer(
                        "Schema Registry http://127.0.0.1:1: cannot connect", new java.net.ConnectException())),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
        assertEquals(ProductionExceptionHandler.Result.FAIL, r.result(), "a registry outage is waited out, not dead-lettered");
        assertEquals(2, metrics.get("dead-letters", "source", "incidents", "stage", "produce"));
    }
}
