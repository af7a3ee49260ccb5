package io.handoff.serde;

import feas.avro.LogEvent;
import io.handoff.registry.InMemorySchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClient.Compatibility;
import io.handoff.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static io.handoff.serde.FeasRecords.GOLDEN_HEX;
import static io.handoff.serde.FeasRecords.golden;
import static io.handoff.serde.FeasRecords.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** auto.register.schemas, use.latest.version, latest.compatibility.strict and the subject name strategies. */
class RegistrationModesTest {
    private static final String SCOPE = "registration-modes-test";

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
    }

    private static InMemorySchemaRegistryClient registry() {
        return InMemorySchemaRegistryClient.forScope(SCOPE);
    }

    private static AvroSerializer<LogEvent> serializer(Map<String, Object> extra) {
        Map<String, Object> cfg = new HashMap<>(extra);
        cfg.put("schema.registry.url", "mock://" + SCOPE);
        AvroSerializer<LogEvent> s = new AvroSerializer<>();
        s.configure(cfg, false);
        return s;
    }

    /** The current feas LogEvent plus a trailing string field "region" (default "eu" unless {@code withDefault} is false). */
    private static Schema withRegion(boolean withDefault) {
        String json = LogEvent.getClassSchema().toString();
        String field = withDefault ? "{\"name\":\"region\",\"type\":\"string\",\"default\":\"eu\"}"
                : "{\"name\":\"region\",\"type\":\"string\"}";
        return new Schema.Parser().parse(json.substring(0, json.length() - 2) + "," + field + "]}");
    }

    @Test
    void autoRegisterOffWithoutTheSchemaRegisteredFails() {
        AvroSerializer<LogEvent> s = serializer(Map.of("auto.register.schemas", "false"));

        SerializationException e = assertThrows(SerializationException.class, () -> s.serialize("logs", golden()));

        assertEquals("Error retrieving Avro value schema of feas.avro.LogEvent for topic logs, subject logs-value:"
                + " Schema Registry mock://" + SCOPE + ": 404 error 40401: Subject 'logs-value' not found."
                + " (auto.register.schemas=false: register the schema first, or set use.latest.version=true)", e.getMessage());
    }

    @Test
    void autoRegisterOffLooksUpTheRegisteredId() {
        registry().register("unrelated-value", withRegion(true));
        registry().register("logs-value", LogEvent.getClassSchema());

        byte[] bytes = serializer(Map.of("auto.register.schemas", false)).serialize("logs", golden());

        assertEquals("0000000002" + GOLDEN_HEX.substring(10), hex(bytes));
        assertEquals(1, registry().latest("logs-value").version());
    }

    @Test
    void useLatestVersionWritesWithTheLatestSchemaAndItsId() {
        registry().register("logs-value", LogEvent.getClassSchema());
        int latestId = registry().register("logs-value", withRegion(true));

        byte[] bytes = serializer(Map.of("auto.register.schemas", "false", "use.latest.version", "true"))
                .serialize("logs", golden());

        // id 2, the record's fields, then "region" = its default "eu" (length 2 zig-zag = 0x04, 'e', 'u')
        assertEquals(2, latestId);
        assertEquals("0000000002" + GOLDEN_HEX.substring(10) + "046575", hex(bytes));
        SpecificAvroSerde<LogEvent> reader = new SpecificAvroSerde<>(LogEvent.class);
        reader.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);
        assertEquals(golden(), reader.deserializer().deserialize("logs", bytes));
    }

    @Test
    void useLatestVersionIsIgnoredWhileAutoRegisterIsOn() {
        registry().register("logs-value", withRegion(true));

        byte[] bytes = serializer(Map.of("use.latest.version", "true")).serialize("logs", golden());

        assertEquals("0000000002" + GOLDEN_HEX.substring(10), hex(bytes));
    }

    @Test
    void strictLatestRefusesALatestSchemaThatCannotReadTheRecord() {
        registry().setCompatibility(null, Compatibility.NONE);
        registry().register("logs-value", withRegion(false));

        SerializationException e = assertThrows(SerializationException.class,
                () -> serializer(Map.of("auto.register.schemas", "false", "use.latest.version", "true")).serialize("logs", golden()));

        assertTrue(e.getMessage().startsWith("Latest schema of subject logs-value (id 1, version 1) cannot read records of"
                + " feas.avro.LogEvent written for topic logs (latest.compatibility.strict=true): "), e.getMessage());
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT"), e.getMessage());
        assertTrue(e.getMessage().contains("region"), e.getMessage());
    }

    @Test
    void recordNameStrategyAcceptsConfluentsClassName() {
        serializer(Map.of("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy"))
                .serialize("logs", golden());
        serializer(Map.of("value.subject.name.strategy", "TopicRecordNameStrategy")).serialize("logs", golden());

        assertEquals(1, registry().latest("feas.avro.LogEvent").id());
        assertEquals(1, registry().latest("logs-feas.avro.LogEvent").id());
    }

    @Test
    void unknownStrategyIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> serializer(Map.of("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.AssociatedNameStrategy")));

        assertEquals("Invalid value io.confluent.kafka.serializers.subject.AssociatedNameStrategy for configuration"
                + " value.subject.name.strategy: expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy"
                + " (short or io.confluent.kafka.serializers.subject.* class name)", e.getMessage());
    }

    @Test
    void autoRegisterOfAnIncompatibleSchemaFailsWith409() {
        registry().register("logs-value", LogEvent.getClassSchema());
        registry().setCompatibility("logs-value", Compatibility.BACKWARD);
        Schema incompatible = withRegion(false);

        var e = assertThrows(SchemaRegistryException.class,
                () -> registry().register("logs-value", incompatible));

        assertEquals(409, e.errorCode());
        assertTrue(e.getMessage().startsWith("Schema Registry mock://" + SCOPE + ": 409 error 409: Schema being registered is"
                + " incompatible with an earlier schema for subject \"logs-value\" (BACKWARD, version 1, id 1): "), e.getMessage());
        assertTrue(e.getMessage().contains("READER_FIELD_MISSING_DEFAULT"), e.getMessage());
    }
}
