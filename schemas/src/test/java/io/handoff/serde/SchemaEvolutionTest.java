package io.handoff.serde;

import feas.avro.LogEvent;
import feas.avro.Severity;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.registry.InMemorySchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.handoff.serde.FeasRecords.framed;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A producer still on an older schema version; the consumer reads into the current generated class. */
class SchemaEvolutionTest {
    private static final String SCOPE = "schema-evolution-test";

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistryClient.dropScope(SCOPE);
    }

    private static byte[] avro(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }

    @Test
    void oldWriterWithoutAttributesAndTraceIdReadsIntoTheCurrentClassWithDefaults() throws IOException {
        Schema v1 = FeasRecords.schema("LogEvent-v1.avsc");
        InMemorySchemaRegistryClient registry = InMemorySchemaRegistryClient.forScope(SCOPE);
        int v1Id = registry.register("logs-value", v1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("correlationId", "corr-1");
        old.put("service", "api");
        old.put("timestamp", 1700000000123L);
        old.put("severity", new GenericData.EnumSymbol(v1.getField("severity").schema(), "WARN"));
        old.put("message", "boom");
        byte[] bytes = framed(v1Id, avro(v1, old));
        SpecificAvroSerde<LogEvent> serde = new SpecificAvroSerde<>(LogEvent.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);

        LogEvent read = serde.deserializer().deserialize("logs", bytes);

        LogEvent expected = LogEvent.newBuilder()
                .setCorrelationId("corr-1").setService("api").setTimestamp(Instant.ofEpochMilli(1700000000123L))
                .setSeverity(Severity.WARN).setMessage("boom").setAttributes(Map.of()).setTraceId(null).build();
        assertEquals(expected, read);
        // the current class registers as version 2 (BACKWARD-compatible) and reads its own records too
        byte[] current = serde.serializer().serialize("logs", expected);
        assertEquals(2, registry.latest("logs-value").version());
        assertEquals(expected, serde.deserializer().deserialize("logs", current));
    }

    /** Incident as it would have been without its defaulted fields: what an older handoff wrote. */
    private static Schema incidentWithout(List<String> dropped) {
        Schema now = Incident.getClassSchema();
        List<Schema.Field> fields = now.getFields().stream()
                .filter(f -> !dropped.contains(f.name()))
                .map(f -> new Schema.Field(f, f.schema()))
                .collect(Collectors.toList());
        return Schema.createRecord(now.getName(), now.getDoc(), now.getNamespace(), false, fields);
    }

    @Test
    void olderIncidentReadsIntoTodaysIncident() throws IOException {
        Schema old = incidentWithout(List.of("fleet", "contributing_causes", "summary", "evidence_total",
                "causal_chain", "status", "revision"));
        InMemorySchemaRegistryClient registry = InMemorySchemaRegistryClient.forScope(SCOPE);
        int id = registry.register("handoff.incidents-value", old);
        GenericRecord r = new GenericData.Record(old);
        r.put("id", "inc-1");
        r.put("host", "web-01");
        r.put("root_cause", new GenericData.EnumSymbol(old.getField("root_cause").schema(), "OOM_KILL"));
        r.put("started_at", 1700000000000L);
        r.put("ended_at", 1700000060000L);
        r.put("status_counts", Map.of("502", 12L));
        r.put("total_requests", 40L);
        r.put("upstream_errors_by_errno", Map.of("104", 12L));
        r.put("evidence", List.of());
        r.put("culprit", null);
        r.put("remediation", "raise memory_limit or lower pm.max_children");
        r.put("confidence", 0.9);
        SpecificAvroSerde<Incident> serde = new SpecificAvroSerde<>(Incident.class);
        serde.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);

        Incident read = serde.deserializer().deserialize("handoff.incidents", framed(id, avro(old, r)));

        assertEquals("inc-1", read.getId());
        assertEquals(RootCause.OOM_KILL, read.getRootCause());
        assertEquals(Instant.ofEpochMilli(1700000060000L), read.getEndedAt());
        assertEquals(Map.of("502", 12L), read.getStatusCounts());
        assertEquals(null, read.getFleet());
        assertEquals(List.of(), read.getContributingCauses());
        assertEquals("", read.getSummary());
        assertEquals(0L, read.getEvidenceTotal());
        assertEquals(List.of(), read.getCausalChain());
        assertEquals(IncidentStatus.CLOSED, read.getStatus());
        assertEquals(0, read.getRevision());
    }
}
