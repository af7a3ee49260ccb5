package io.handoff.serde;

import feas.avro.LogEvent;
import io.handoff.registry.InMemorySchemaRegistryClient;
import io.handoff.registry.SchemaRegistryException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static io.handoff.serde.FeasRecords.GOLDEN_HEX;
import static io.handoff.serde.FeasRecords.framed;
import static io.handoff.serde.FeasRecords.golden;
import static io.handoff.serde.FeasRecords.goldenPayload;
import static io.handoff.serde.FeasRecords.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Confluent wire format through the production serde path, with a mock:// registry. */
class WireFormatTest {
    private static final String SCOPE = "wire-format-test";
    private static final Map<String, Object> CONFIG = Map.of("schema.registry.url", "mock://" + SCOPE);

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
    }

    private static SpecificAvroSerde<LogEvent> serde() {
        SpecificAvroSerde<LogEvent> serde = new SpecificAvroSerde<>(LogEvent.class);
        serde.configure(CONFIG, false);
        return serde;
    }

    @Test
    void writesTheBytesConfluentsSerializerWrote() {
        byte[] bytes = serde().serializer().serialize("logs", golden());

        assertEquals(GOLDEN_HEX, hex(bytes));
        var latest = InMemorySchemaRegistryClient.forScope(SCOPE).latest("logs-value");
        assertEquals(1, latest.id());
        assertEquals(1, latest.version());
        assertEquals(LogEvent.getClassSchema(), latest.schema());
    }

    @Test
    void readsConfluentsBytesBack() {
        InMemorySchemaRegistryClient.forScope(SCOPE).register("logs-value", LogEvent.getClassSchema());

        LogEvent read = serde().deserializer().deserialize("logs", hex(GOLDEN_HEX));

        assertEquals(golden(), read);
    }

    @Test
    void defaultSerdeWithoutAClassFindsTheGeneratedClassByName() {
        SpecificAvroSerde<LogEvent> typeless = new SpecificAvroSerde<>();
        typeless.configure(CONFIG, false);
        byte[] bytes = typeless.serializer().serialize("logs", golden());

        Object read = typeless.deserializer().deserialize("logs", bytes);

        assertInstanceOf(LogEvent.class, read);
        assertEquals(golden(), read);
    }

    @Test
    void genericReaderByDefaultWithoutAClass() {
        serde().serializer().serialize("logs", golden());
        AvroDeserializer<Object> generic = new AvroDeserializer<>();
        generic.configure(CONFIG, false);

        GenericRecord read = (GenericRecord) generic.deserialize("logs", hex(GOLDEN_HEX));

        assertEquals("corr-1", read.get("correlationId").toString());
        assertEquals(1700000000123L, read.get("timestamp"));
        assertEquals("ERROR", read.get("severity").toString());
    }

    @Test
    void keySerdeUsesTheKeySubject() {
        SpecificAvroSerde<LogEvent> keySerde = new SpecificAvroSerde<>(LogEvent.class);
        keySerde.configure(CONFIG, true);

        keySerde.serializer().serialize("logs", golden());

        assertEquals(1, InMemorySchemaRegistryClient.forScope(SCOPE).latest("logs-key").id());
        SchemaRegistryException none = assertThrows(SchemaRegistryException.class,
                () -> InMemorySchemaRegistryClient.forScope(SCOPE).latest("logs-value"));
        assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, none.errorCode());
    }

    @Test
    void nullIsATombstoneWithoutARegistryCall() {
        SpecificAvroSerde<LogEvent> serde = serde();

        assertNull(serde.serializer().serialize("logs", null));
        assertNull(serde.deserializer().deserialize("logs", null));
        SchemaRegistryException none = assertThrows(SchemaRegistryException.class,
                () -> InMemorySchemaRegistryClient.forScope(SCOPE).latest("logs-value"));
        assertEquals("Schema Registry mock://" + SCOPE + ": 404 error 40401: Subject 'logs-value' not found.", none.getMessage());
    }

    @Test
    void unknownMagicByteNamesTopicAndByte() {
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        SerializationException e = assertThrows(SerializationException.class,
                () -> serde().deserializer().deserialize("logs", json));

        assertEquals("Unknown magic byte! topic logs: first byte 0x7b, expected 0x00 followed by a 4-byte schema id"
                + " (Confluent wire format)", e.getMessage());
    }

    @Test
    void unknownSchemaIdNamesIdTopicAndRegistry() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde().deserializer().deserialize("logs", framed(42, goldenPayload())));

        assertEquals("Error retrieving Avro schema id 42 for topic logs from Schema Registry mock://" + SCOPE
                + ": no schema with id 42 (Schema Registry mock://" + SCOPE + ": 404 error 40403: Schema 42 not found)", e.getMessage());
    }

    @Test
    void truncatedPrefixIsRejected() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde().deserializer().deserialize("logs", new byte[] {0, 0, 1}));

        assertEquals("topic logs: 3 bytes, expected at least 5 (0x00 and a 4-byte schema id)", e.getMessage());
    }

    @Test
    void schemaGuidsAreRejectedClearly() {
        byte[] guidFramed = new byte[17 + 4];
        guidFramed[0] = 0x01;

        SerializationException e = assertThrows(SerializationException.class,
                () -> serde().deserializer().deserialize("logs", guidFramed));

        assertEquals("Cannot read topic logs: schema GUIDs are not supported (first byte 0x01, Confluent 8.x GUID framing);"
                + " let the producer write schema ids (Confluent's default prefix form)", e.getMessage());
    }

    @Test
    void readsTheSchemaIdFromConfluent8Header() {
        InMemorySchemaRegistryClient.forScope(SCOPE).register("logs-value", LogEvent.getClassSchema());
        RecordHeaders headers = new RecordHeaders();
        headers.add("__value_schema_id", hex("0000000001"));

        LogEvent read = serde().deserializer().deserialize("logs", headers, goldenPayload());

        assertEquals(golden(), read);
    }

    @Test
    void serializerDropsAStaleSchemaIdHeaderCopiedFromTheInput() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("__value_schema_id", hex("0000000063"));
        headers.add("trace", new byte[] {1});

        byte[] bytes = serde().serializer().serialize("logs", headers, golden());

        assertEquals(GOLDEN_HEX, hex(bytes));
        assertNull(headers.lastHeader("__value_schema_id"));
        assertArrayEquals(new byte[] {1}, headers.lastHeader("trace").value());
    }

    @Test
    void sameSchemaGetsTheSameIdAcrossSubjectsAndSerdeInstances() {
        serde().serializer().serialize("logs", golden());
        SpecificAvroSerde<LogEvent> other = serde();

        byte[] bytes = other.serializer().serialize("other-logs", golden());

        assertEquals(GOLDEN_HEX, hex(bytes));
        assertEquals(1, InMemorySchemaRegistryClient.forScope(SCOPE).latest("other-logs-value").id());
    }

    @Test
    void unconfiguredSerdeSaysWhatIsMissing() {
        Map<String, Object> noUrl = new HashMap<>();
        SpecificAvroSerde<LogEvent> serde = new SpecificAvroSerde<>(LogEvent.class);

        var e = assertThrows(ConfigException.class, () -> serde.configure(noUrl, false));

        assertEquals("Missing required configuration \"schema.registry.url\" which has no default value.", e.getMessage());
        IllegalStateException notConfigured = assertThrows(IllegalStateException.class,
                () -> new AvroSerializer<LogEvent>().serialize("logs", golden()));
        assertEquals("AvroSerializer is not configured: call configure(Map.of(\"schema.registry.url\", …), isKey) first",
                notConfigured.getMessage());
    }
}
