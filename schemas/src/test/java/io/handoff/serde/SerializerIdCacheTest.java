package io.handoff.serde;

import io.handoff.registry.InMemorySchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The serializer asks the registry once per subject and schema, not once per record. */
class SerializerIdCacheTest {
    private static final String SCOPE = "serializer-id-cache";

    @AfterEach
    void drop() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
    }

    /** Counts the calls that reach the registry; everything else goes to the real in-memory registry. */
    private static final class Counting implements SchemaRegistryClient {
        final SchemaRegistryClient real = InMemorySchemaRegistryClient.forScope(SCOPE);
        final AtomicInteger register = new AtomicInteger();
        final AtomicInteger lookup = new AtomicInteger();

        @Override
        public int register(String subject, Schema schema) {
            register.incrementAndGet();
            return real.register(subject, schema);
        }

        @Override
        public int lookupId(String subject, Schema schema) {
            lookup.incrementAndGet();
            return real.lookupId(subject, schema);
        }

        @Override
        public SubjectVersion latest(String subject) {
            return real.latest(subject);
        }

        @Override
        public Schema byId(int id, String subject) {
            return real.byId(id, subject);
        }

        @Override
        public Compatibility getCompatibility(String subject) {
            return real.getCompatibility(subject);
        }

        @Override
        public void setCompatibility(String subject, Compatibility level) {
            real.setCompatibility(subject, level);
        }

        @Override
        public String describe() {
            return "counting " + real.describe();
        }
    }

    @Test
    void registersOncePerSubjectAndStillWritesTheGoldenBytes() {
        Counting client = new Counting();
        AvroSerializer<feas.avro.LogEvent> s = new AvroSerializer<>(client);
        s.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(FeasRecords.hex(FeasRecords.GOLDEN_HEX), s.serialize("logs", FeasRecords.golden()));
        }
        assertEquals(1, client.register.get());
        s.serialize("other", FeasRecords.golden());
        assertEquals(2, client.register.get(), "a new subject is registered");
        s.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);
        s.serialize("logs", FeasRecords.golden());
        assertEquals(3, client.register.get(), "configure starts afresh");
    }

    @Test
    void looksUpOncePerSubjectWhenAutoRegisterIsOff() {
        Counting client = new Counting();
        client.real.register("logs-value", FeasRecords.golden().getSchema());
        AvroSerializer<feas.avro.LogEvent> s = new AvroSerializer<>(client);
        s.configure(Map.of("schema.registry.url", "mock://" + SCOPE, "auto.register.schemas", false), false);
        for (int i = 0; i < 50; i++) {
            s.serialize("logs", FeasRecords.golden());
        }
        assertEquals(0, client.register.get());
        assertEquals(1, client.lookup.get());
    }
}
