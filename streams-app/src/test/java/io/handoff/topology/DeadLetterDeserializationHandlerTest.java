package io.handoff.topology;

import io.handoff.avro.DeadLetter;
import io.handoff.common.HandoffMetrics;
import io.handoff.registry.SchemaRegistryException;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The KIP-1034 handler: a record of handoff.correlate-input (the correlator's input) that does not
 * deserialize comes back as a DeadLetter record for the dead-letter topic and processing resumes.
 * (TopologyTestDriver 4.3 does not route handler dead-letter records to its output topics, so the handler
 * is tested directly.)
 */
class DeadLetterDeserializationHandlerTest {

    @Test
    void undeserializableEventBecomesADeadLetterAndProcessingResumes() {
        HandoffMetrics metrics = new HandoffMetrics();
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("schema.registry.url", "mock://dlq-handler");
        cfg.put(DeadLetterDeserializationHandler.DEAD_LETTER_TOPIC, "handoff.dead-letter");
        cfg.put(DeadLetterDeserializationHandler.METRICS, metrics);
        DeadLetterDeserializationHandler h = new DeadLetterDeserializationHandler();
        h.configure(cfg);
        byte[] key = "web-e".getBytes(StandardCharsets.UTF_8);
        byte[] value = {0, 0, 0, 0, 42, 1, 2, 3};
        ConsumerRecord<byte[], byte[]> rec = new ConsumerRecord<>("handoff.correlate-input", 2, 77L, key, value);
        DeserializationExceptionHandler.Response r = h.handleError(context(), rec,
                new SerializationException("no schema with id 42"));
        assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> out = r.deadLetterQueueRecords().get(0);
        assertEquals("handoff.dead-letter", out.topic());
        assertArrayEquals(key, out.key());
        SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class);
        serde.configure(Map.of("schema.registry.url", "mock://dlq-handler"), false);
        DeadLetter d = serde.deserializer().deserialize("handoff.dead-letter", out.value());
        assertEquals("deserialize", d.getStage());
        assertArrayEquals(value, d.getOriginal().array());
        assertEquals("handoff.correlate-input", d.getSourceTopic());
        assertEquals(2, d.getSourcePartition());
        assertEquals(77L, d.getSourceOffset());
        assertEquals("web-e", d.getHost());
        assertTrue(d.getReason().contains("no schema with id 42"), d.getReason());
        assertEquals(1, metrics.get("dead-letters", "source", "correlate-input", "stage", "deserialize"));
    }

    @Test
    void aRegistryThatCannotBeReachedIsNoFaultOfTheRecord() {
        DeadLetterDeserializationHandler h = new DeadLetterDeserializationHandler();
        h.configure(Map.of("schema.registry.url", "mock://dlq-handler", DeadLetterDeserializationHandler.DEAD_LETTER_TOPIC,
                "handoff.dead-letter"));
        ConsumerRecord<byte[], byte[]> rec = new ConsumerRecord<>("handoff.correlate-input", 2, 78L, "web-e".getBytes(StandardCharsets.UTF_8),
                new byte[] {0, 0, 0, 0, 9, 1});
        SerializationException down = new SerializationException("Error retrieving Avro schema id 9",
                SchemaRegistryException.noAnswer("Schema Registry http://127.0.0.1:1: cannot connect",
                        new ConnectException("Connection refused")));
        DeserializationExceptionHandler.Response r = h.handleError(context(), rec, down);
        assertEquals(DeserializationExceptionHandler.Result.FAIL, r.result());
        assertEquals(0, r.deadLetterQueueRecords().size());
    }

    @Test
    void aHugeValueIsKeptInABoundedForm() {
        HandoffMetrics metrics = new HandoffMetrics();
        DeadLetterDeserializationHandler h = new DeadLetterDeserializationHandler();
        h.configure(Map.of("schema.registry.url", "mock://dlq-handler", DeadLetterDeserializationHandler.DEAD_LETTER_TOPIC,
                "handoff.dead-letter", DeadLetterDeserializationHandler.METRICS, metrics));
        byte[] value = new byte[10 * 1024 * 1024];
        value[0] = 7;
        ConsumerRecord<byte[], byte[]> rec = new ConsumerRecord<>("handoff.correlate-input", 0, 5L, null, value);
        DeserializationExceptionHandler.Response r = h.handleError(context(), rec, new SerializationException("Unknown magic byte!"));
        assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
        byte[] out = r.deadLetterQueueRecords().get(0).value();
        assertTrue(out.length < DeadLetters.MAX_ORIGINAL_BYTES + 4096, "" + out.length);
        SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class);
        serde.configure(Map.of("schema.registry.url", "mock://dlq-handler"), false);
        DeadLetter d = serde.deserializer().deserialize("handoff.dead-letter", out);
        assertEquals(10L * 1024 * 1024, d.getOriginalSize());
        assertEquals(DeadLetters.MAX_ORIGINAL_BYTES, d.getOriginal().remaining());
        assertEquals(7, d.getOriginal().get(0));
        assertEquals(null, d.getHost());
        assertEquals(1, metrics.get("dead-letters", "source", "correlate-input", "stage", "deserialize"));
    }

    static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            public String topic() { return "handoff.correlate-input"; }
            public int partition() { return 2; }
            public long offset() { return 77L; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return HandoffTopology.SOURCE_EVENTS; }
            public TaskId taskId() { return new TaskId(1, 2); }
            public long timestamp() { return 0L; }
            public byte[] sourceRawKey() { return null; }
            public byte[] sourceRawValue() { return null; }
        };
    }
}
