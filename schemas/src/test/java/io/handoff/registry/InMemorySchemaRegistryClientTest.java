package io.handoff.registry;

import io.handoff.registry.SchemaRegistryClient.Compatibility;
import io.handoff.registry.SchemaRegistryClient.SubjectVersion;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InMemorySchemaRegistryClientTest {
    private static final Schema A1 = record("A", "");
    private static final Schema A2 = record("A", ",{\"name\":\"y\",\"type\":\"int\",\"default\":0}");
    private static final Schema A3_REQUIRED = record("A", ",{\"name\":\"z\",\"type\":\"int\"}");

    private static Schema record(String name, String extraFields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[{\"name\":\"x\",\"type\":\"string\"}"
                + extraFields + "]}");
    }

    @AfterEach
    void drop() {
        InMemorySchemaRegistryClient.dropScope("in-memory-a");
        InMemorySchemaRegistryClient.dropScope("in-memory-b");
    }

    @Test
    void scopesAreSharedByUrlAndSeparateFromEachOther() {
        SchemaRegistryClient a = SchemaRegistryClients.forUrl("mock://in-memory-a", Map.of());
        SchemaRegistryClient b = SchemaRegistryClients.forUrl("mock://in-memory-b", Map.of());

        assertSame(a, SchemaRegistryClients.forUrl("mock://in-memory-a", Map.of()));
        assertEquals(1, a.register("s-value", A1));
        assertEquals(2, a.register("s-value", A2));
        assertEquals(1, b.register("s-value", A2));
        assertEquals("mock://in-memory-a", a.describe());
    }

    @Test
    void droppingAScopeStartsAgainAtId1() {
        InMemorySchemaRegistryClient first = InMemorySchemaRegistryClient.forScope("in-memory-a");
        first.register("s", A1);
        first.register("s", A2);

        InMemorySchemaRegistryClient.dropScope("in-memory-a");
        InMemorySchemaRegistryClient second = InMemorySchemaRegistryClient.forScope("in-memory-a");

        assertNotSame(first, second);
        assertEquals(1, second.register("s", A2));
    }

    @Test
    void oneIdPerSchemaAndOneVersionListPerSubject() {
        InMemorySchemaRegistryClient r = InMemorySchemaRegistryClient.forScope("in-memory-a");

        assertEquals(1, r.register("s1", A1));
        assertEquals(1, r.register("s1", A1));
        assertEquals(2, r.register("s1", A2));
        assertEquals(2, r.register("s2", A2));

        assertEquals(new SubjectVersion(2, 2, A2), r.latest("s1"));
        assertEquals(new SubjectVersion(2, 1, A2), r.latest("s2"));
        assertEquals(1, r.lookupId("s1", A1));
        assertEquals(A1, r.byId(1));
        SchemaRegistryException notInS2 = assertThrows(SchemaRegistryException.class, () -> r.lookupId("s2", A1));
        assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, notInS2.errorCode());
    }

    @Test
    void backwardByDefaultThenPerSubjectAndGlobalOverrides() {
        InMemorySchemaRegistryClient r = InMemorySchemaRegistryClient.forScope("in-memory-a");
        r.register("s", A1);

        assertEquals(Compatibility.BACKWARD, r.getCompatibility("s"));
        assertEquals(409, assertThrows(SchemaRegistryException.class, () -> r.register("s", A3_REQUIRED)).errorCode());
        r.setCompatibility("s", Compatibility.FORWARD);
        assertEquals(2, r.register("s", A3_REQUIRED)); // old readers ignore the new field: forward-compatible
        r.setCompatibility(null, Compatibility.NONE);
        assertEquals(Compatibility.FORWARD, r.getCompatibility("s"));
        assertEquals(Compatibility.NONE, r.getCompatibility("other"));
    }

    @Test
    void urlsAreCheckedAndHttpUrlsGetAnHttpClient() {
        assertInstanceOf(HttpSchemaRegistryClient.class, SchemaRegistryClients.forUrl("http://a:1,https://b:2/x", Map.of()));
        assertEquals("Invalid value mock://x,http://a:1 for configuration schema.registry.url: a mock URL is one mock://<scope>, e.g. mock://test",
                assertThrows(ConfigException.class, () -> SchemaRegistryClients.forUrl("mock://x,http://a:1", Map.of())).getMessage());
        assertEquals("Invalid value ftp://a for configuration schema.registry.url: expected http://host:port[/path] or https://…",
                assertThrows(ConfigException.class, () -> SchemaRegistryClients.forUrl("ftp://a", Map.of())).getMessage());
    }
}
