package io.handoff.registry;

import feas.avro.LogEvent;
import feas.avro.Severity;
import io.handoff.embedded.ApicurioRegistry;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HttpSchemaRegistryClient} and the serde against a real registry: Apicurio Registry
 * 2.6.13.Final (unpacked by the build into {@code target/apicurio}) through its Confluent-compatible
 * API {@code /apis/ccompat/v7}, started here as a child JVM on a free loopback port ({@link ApicurioRegistry}).
 * Skipped, with the reason, when the build left Apicurio out ({@code -Dapicurio.skip}).
 *
 * <p>An outage: the registry is stopped and started again (same port, same H2 file). The ids an application
 * has used are kept in {@value CachedSchemaRegistryClient#CACHE_FILE_CONFIG}, so after a restart of the
 * application it writes and reads while the registry is down; what it has never used fails as
 * "unavailable" (the caller waits), and works again once the registry is back.
 *
 * <p>Apicurio accepts incompatible schemas by default (no global rule), so compatibility is tested
 * against the in-memory registry, not here.
 */
class ApicurioRegistryTest {
    /** feas LogEvent's Avro binary (without the 5-byte prefix), as written by Confluent's serializer. */
    private static final String GOLDEN_PAYLOAD = "0c636f72722d3106617069f6a1abfef9620608626f6f6d02026b0276000206742d39";

    private static ApicurioRegistry registry;
    private static String baseUrl;

    @BeforeAll
    static void startApicurio(@TempDir Path data) {
        Assumptions.assumeFalse(Boolean.getBoolean("apicurio.skip"), "Apicurio Registry left out by -Dapicurio.skip");
        Path dir = Paths.get(System.getProperty("apicurio.dir", "target/apicurio"));
        Optional<Path> jar = ApicurioRegistry.runnerJar(dir);
        Assumptions.assumeTrue(jar.isPresent(), "Apicurio Registry runner jar not found under " + dir.toAbsolutePath()
                + " (the build unpacks io.apicurio:apicurio-registry-app:2.6.13.Final:zip:all there unless -Dapicurio.skip)");
        registry = ApicurioRegistry.start(jar.get(), data);
        baseUrl = registry.url();
    }

    @AfterAll
    static void stopApicurio() {
        if (registry != null) {
            registry.close();
        }
    }

    private static Schema v1() {
        try (InputStream in = ApicurioRegistryTest.class.getResourceAsStream("/feas/LogEvent-v1.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void registerLookupLatestById() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(baseUrl, Map.of());
        Schema v1 = v1();
        Schema v2 = LogEvent.getClassSchema();

        int id1 = client.register("apicurio-a-value", v1);
        int again = new HttpSchemaRegistryClient(baseUrl, Map.of()).register("apicurio-a-value", v1);
        int id2 = client.register("apicurio-a-value", v2);

        assertEquals(id1, again);
        assertNotEquals(id1, id2);
        HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(baseUrl, Map.of());
        assertEquals(id1, fresh.lookupId("apicurio-a-value", v1));
        assertEquals(id2, fresh.lookupId("apicurio-a-value", v2));
        assertEquals(new SchemaRegistryClient.SubjectVersion(id2, 2, v2), fresh.latest("apicurio-a-value"));
        assertEquals(v1, new HttpSchemaRegistryClient(baseUrl, Map.of()).byId(id1));
        assertEquals(v2, new HttpSchemaRegistryClient(baseUrl, Map.of()).byId(id2, "apicurio-a-value"));
        SchemaRegistryException missing = Assertions.assertThrows(SchemaRegistryException.class,
                () -> fresh.lookupId("apicurio-no-such-subject", v1));
        assertEquals(404, missing.httpStatus());
        assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, missing.errorCode());
    }

    @Test
    void serdeWritesConfluentsBytesAndReadsThemBack() {
        LogEvent event = LogEvent.newBuilder().setCorrelationId("corr-1").setService("api")
                .setTimestamp(Instant.ofEpochMilli(1700000000123L)).setSeverity(Severity.ERROR).setMessage("boom")
                .setAttributes(Map.of("k", "v")).setTraceId("t-9").build();
        SpecificAvroSerde<LogEvent> writer = new SpecificAvroSerde<>(LogEvent.class);
        writer.configure(Map.of("schema.registry.url", baseUrl), false);

        byte[] bytes = writer.serializer().serialize("apicurio-logs", event);

        int id = new HttpSchemaRegistryClient(baseUrl, Map.of()).lookupId("apicurio-logs-value", LogEvent.getClassSchema());
        byte[] prefix = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        assertEquals(HexFormat.of().formatHex(prefix) + GOLDEN_PAYLOAD, HexFormat.of().formatHex(bytes));
        SpecificAvroSerde<LogEvent> reader = new SpecificAvroSerde<>(LogEvent.class);
        reader.configure(Map.of("schema.registry.url", baseUrl), false);
        assertEquals(event, reader.deserializer().deserialize("apicurio-logs", bytes));
        assertArrayEquals(bytes, writer.serializer().serialize("apicurio-logs", event));
    }

    // ---- a registry outage: stopped and started again on the same port and data ----

    private static SpecificAvroSerde<LogEvent> serde(Path cache) {
        SpecificAvroSerde<LogEvent> s = new SpecificAvroSerde<>(LogEvent.class);
        s.configure(Map.of("schema.registry.url", baseUrl, CachedSchemaRegistryClient.CACHE_FILE_CONFIG, cache.toString(),
                "http.connect.timeout.ms", "2000", "http.read.timeout.ms", "5000"), false);
        return s;
    }

    @Test
    void idsUsedBeforeAreServedFromTheFileWhileTheRegistryIsDown(@TempDir Path state) throws Exception {
        Path cache = state.resolve("handoff.schema-ids.json");
        LogEvent event = LogEvent.newBuilder().setCorrelationId("corr-1").setService("api")
                .setTimestamp(Instant.ofEpochMilli(1700000000123L)).setSeverity(Severity.ERROR).setMessage("boom")
                .setAttributes(Map.of("k", "v")).setTraceId("t-9").build();
        byte[] written = serde(cache).serializer().serialize("outage-logs", event);
        assertTrue(Files.isRegularFile(cache), "the id is on disk");
        int id = new HttpSchemaRegistryClient(baseUrl, Map.of()).lookupId("outage-logs-value", LogEvent.getClassSchema());

        registry.stop();
        try {
            SchemaIdCache.forgetAll(); // a new process: only the file is left
            SpecificAvroSerde<LogEvent> restarted = serde(cache);
            assertArrayEquals(written, restarted.serializer().serialize("outage-logs", event), "same id, same bytes, no registry");
            assertEquals(event, restarted.deserializer().deserialize("outage-logs", written));

            Schema unseen = SchemaBuilder.record("Unseen").namespace("outage").fields().requiredInt("x").endRecord();
            CachedSchemaRegistryClient client = (CachedSchemaRegistryClient) SchemaRegistryClients.forUrl(baseUrl,
                    Map.of(CachedSchemaRegistryClient.CACHE_FILE_CONFIG, cache.toString(), "http.connect.timeout.ms", "2000"));
            SchemaRegistryException down = assertThrows(SchemaRegistryException.class, () -> client.register("outage-new-value", unseen));
            assertTrue(down.isUnavailable(), down.getMessage());
            assertTrue(down.getMessage().contains("cannot connect"), down.getMessage());
            SerializationException wrapped = assertThrows(SerializationException.class,
                    () -> restarted.serializer().schemaId("outage-other", LogEvent.getClassSchema()));
            assertTrue(SchemaRegistryException.isUnavailable(wrapped), wrapped.getMessage());
        } finally {
            registry.start();
        }
        SchemaIdCache.forgetAll();
        SpecificAvroSerde<LogEvent> after = serde(cache);
        assertEquals(id, after.serializer().schemaId("outage-logs", LogEvent.getClassSchema()), "ids survive the registry's restart");
        int other = after.serializer().schemaId("outage-other", LogEvent.getClassSchema());
        assertEquals(id, other, "the same schema under another subject has the same global id");
        assertNull(SchemaIdCache.forFile(cache, baseUrl).loadProblem());
    }

    @Test
    void aCacheOfAnotherRegistryIsIgnored(@TempDir Path state) throws Exception {
        Path cache = state.resolve("ids.json");
        Files.writeString(cache, "{\"registry\":\"http://elsewhere:8081\",\"subjects\":[{\"subject\":\"s-value\",\"id\":7,"
                + "\"schema\":\"\\\"int\\\"\"}],\"schemas\":[{\"id\":7,\"schema\":\"\\\"int\\\"\"}]}");
        SchemaIdCache.forgetAll();
        SchemaIdCache c = SchemaIdCache.forFile(cache, baseUrl);
        assertEquals(0, c.size());
        assertTrue(c.loadProblem().contains("holds the ids of registry http://elsewhere:8081"), c.loadProblem());
    }
}
