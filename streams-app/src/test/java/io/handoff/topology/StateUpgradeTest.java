package io.handoff.topology;

import io.handoff.avro.HostClock;
import io.handoff.avro.Incident;
import io.handoff.avro.LookbackRing;
import io.handoff.avro.OpenIncident;
import io.handoff.avro.OpenPhase;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.avro.WarningKind;
import io.handoff.correlate.CorrelateStores;
import io.handoff.serde.VersionedAvroSerde;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.handoff.topology.HandoffTopologyTest.MAX_CHILDREN;
import static io.handoff.topology.HandoffTopologyTest.RESET;
import static io.handoff.topology.HandoffTopologyTest.access;
import static io.handoff.topology.HandoffTopologyTest.error;
import static io.handoff.topology.HandoffTopologyTest.fpm;
import static io.handoff.topology.HandoffTopologyTest.l;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upgrade in the middle of an incident loses nothing: state written by the encoding before versioned
 * state (changelogs of its two variants, see {@code legacy-state/README.md}) and state written with an
 * older version of a state schema are read by today's stores, and the bursts go on to one incident with
 * every count.
 */
class StateUpgradeTest {

    /** key → value bytes (null for a tombstone) of a changelog fixture written by {@code version}. */
    static Map<String, byte[]> changelog(String version, String store) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (InputStream in = StateUpgradeTest.class.getResourceAsStream("/legacy-state/" + version + "/" + store + ".changelog")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] kv = line.split("\t");
                m.put(kv[0], kv[1].equals("-") ? null : Base64.getDecoder().decode(kv[1]));
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static void restore(Harness h, String version, String store) throws IOException {
        Deserializer<Object> d = (Deserializer<Object>) CorrelateStores.valueSerde(store).deserializer();
        KeyValueStore<String, Object> s = h.driver.getKeyValueStore(store);
        changelog(version, store).forEach((k, v) -> {
            if (v != null) {
                s.put(k, d.deserialize(store + "-changelog", v));
            }
        });
    }

    /** The two variants of the encoding before versioned state (see legacy-state/README.md). */
    static Stream<String> versions() {
        return Stream.of("e189e37", "1095709");
    }

    @ParameterizedTest(name = "written by {0}")
    @MethodSource("versions")
    void theEncodingBeforeVersionedStateReads(String version) throws IOException {
        HostClock clock = (HostClock) CorrelateStores.valueSerde(CorrelateStores.CLOCK).deserializer()
                .deserialize("c", changelog(version, CorrelateStores.CLOCK).get("web-up"));
        assertEquals(Instant.parse("2026-11-21T00:00:09Z").toEpochMilli(), clock.getFloor());
        assertEquals(Map.of(), clock.getWritten());

        OpenIncident open = (OpenIncident) CorrelateStores.valueSerde(CorrelateStores.OPEN).deserializer()
                .deserialize("c", changelog(version, CorrelateStores.OPEN).get("web-up"));
        assertEquals(OpenPhase.INCIDENT, open.getPhase());
        assertEquals(Instant.parse("2026-11-21T00:00:02Z").toEpochMilli(), open.getFirst());
        assertEquals(Instant.parse("2026-11-21T00:00:08Z").toEpochMilli(), open.getLast());
        assertEquals(14, open.getTotalRequests(), "7 × 502 and 7 × 200 between the first and the last error");
        assertEquals(Map.of("502", 7L), open.getStatusCounts());
        assertEquals(Map.of("104", 7L), open.getErrnoCounts());
        assertEquals(16, open.getLegacyLines().size(), "the kept lines, to be given their own keys");
        assertEquals(16, open.getKinds().values().stream().mapToLong(k -> k.getCount()).sum());
        assertEquals(1, open.getRequestsOutside().size(), "the 200 at 00:00:09 after the last error");

        OpenIncident warning = (OpenIncident) CorrelateStores.valueSerde(CorrelateStores.OPEN).deserializer()
                .deserialize("c", changelog(version, CorrelateStores.OPEN).get("web-ring"));
        assertEquals(OpenPhase.WARNING, warning.getPhase());
        LookbackRing ring = (LookbackRing) CorrelateStores.valueSerde(CorrelateStores.LOOKBACK).deserializer()
                .deserialize("c", changelog(version, CorrelateStores.LOOKBACK).get("web-ring"));
        assertEquals(2, ring.getLegacyLines().size());
    }

    @ParameterizedTest(name = "written by {0}")
    @MethodSource("versions")
    void anIncidentOpenAcrossTheUpgradeComesOutOnceWithEveryCount(String version) throws IOException {
        try (Harness h = new Harness()) {
            for (String store : List.of(CorrelateStores.CLOCK, CorrelateStores.OPEN, CorrelateStores.LOOKBACK)) {
                restore(h, version, store);
            }
            for (int s = 10; s <= 12; s++) {
                h.ship("web-up", l(SourceKind.NGINX_ERROR, error("00:00:" + s, "error", RESET)));
                h.ship("web-up", l(SourceKind.NGINX_ACCESS, access("00:00:" + s, 502, "GET /import HTTP/1.1")));
                h.ship("web-up", l(SourceKind.NGINX_ACCESS, access("00:00:" + s, 200, "GET / HTTP/1.1")));
            }
            h.ship("web-ring", l(SourceKind.NGINX_ACCESS, access("00:00:05", 200, "GET / HTTP/1.1")));
            assertEquals(List.of(), h.incidents(), "still open");
            assertEquals(20, h.entries(Harness.LINES),
                    "web-up's lines under their own keys: the OOM kill, the SIGKILL, the first 8 and the last of the resets and of the 502s");
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), () -> "incidents: " + out);
            Incident i = out.get(0);
            assertEquals("web-up@2026-11-21T00:00:02Z", i.getId());
            assertEquals(RootCause.OOM_KILL, i.getRootCause(), i::getSummary);
            assertEquals(Map.of("502", 10L), i.getStatusCounts());
            assertEquals(Map.of("104", 10L), i.getUpstreamErrorsByErrno());
            assertEquals(21, i.getTotalRequests(), "14 before the upgrade, the 200 at :09 folded in, 6 after");
            assertEquals(22, i.getEvidenceTotal());
            assertEquals(Instant.parse("2026-11-21T00:00:12Z"), i.getEndedAt());
            assertEquals(22077, i.getCulprit().getPid());
            assertTrue(i.getEvidence().stream().anyMatch(e -> e.getLine().contains("Killed process 22077")));
            // web-ring's pending warning closes too, from its ring's lines
            List<Warning> w = h.warnings();
            assertEquals(1, w.size());
            assertEquals(WarningKind.POOL_SATURATED, w.get(0).getKind());
            assertEquals(2, w.get(0).getEvidence().size());
            assertEquals(List.of(), h.deadLetters());
        }
    }

    @Test
    void stateWrittenWithAnOlderVersionOfItsSchemaGoesOn() throws IOException {
        // OpenIncident as an earlier version without the requests outside [first, last], the look-back start
        // and the provisional revision: read with today's schema, the missing fields take their defaults
        Schema now = OpenIncident.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : now.getFields()) {
            if (!List.of("requests_outside", "from", "revision", "verdict").contains(f.name())) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema older = Schema.createRecord(now.getName(), now.getDoc(), now.getNamespace(), false, fields);
        GenericRecord r = new GenericData.Record(older);
        r.put("phase", new GenericData.EnumSymbol(older.getField("phase").schema(), "INCIDENT"));
        r.put("first", Instant.parse("2026-11-21T00:00:05Z").toEpochMilli());
        r.put("last", Instant.parse("2026-11-21T00:00:05Z").toEpochMilli());
        r.put("kinds", Map.of("access:502", new GenericData.Record(older.getField("kinds").schema().getValueType()) {{
            put("count", 1L);
            put("first_at", Instant.parse("2026-11-21T00:00:05Z").toEpochMilli());
            put("last_at", Instant.parse("2026-11-21T00:00:05Z").toEpochMilli());
            put("kept_before", 0);
            put("next_before", 0);
            put("after", 1L);
        }}));
        r.put("status_counts", Map.of("502", 1L));
        r.put("errno_counts", Map.of());
        r.put("total_requests", 1L);
        r.put("legacy_lines", List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(VersionedAvroSerde.MAGIC);
        bytes.write(1);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(older).write(r, enc);
        enc.flush();
        OpenIncident read = new VersionedAvroSerde<>(OpenIncident.class, Map.of(1, older, 2, now), null)
                .deserialize("c", bytes.toByteArray());
        assertEquals(0, read.getFrom());
        assertEquals(-1, read.getRevision());

        try (Harness h = new Harness()) {
            KeyValueStore<String, OpenIncident> open = h.driver.getKeyValueStore(CorrelateStores.OPEN);
            open.put("web-old", read);
            h.ship("web-old", l(SourceKind.PHP_FPM, fpm("00:00:06", "WARNING", MAX_CHILDREN)));
            h.ship("web-old", l(SourceKind.NGINX_ERROR, error("00:00:07", "error", HandoffTopologyTest.TIMEOUT)));
            h.ship("web-old", l(SourceKind.NGINX_ACCESS, access("00:00:07", 504, "GET / HTTP/1.1")));
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            assertEquals("web-old@2026-11-21T00:00:05Z", out.get(0).getId());
            assertEquals(RootCause.WORKER_POOL_EXHAUSTED, out.get(0).getRootCause(), out.get(0)::getSummary);
            assertEquals(Map.of("502", 1L, "504", 1L), out.get(0).getStatusCounts());
            assertEquals(2, out.get(0).getTotalRequests());
            assertEquals(4, out.get(0).getEvidenceTotal());
        }
    }
}
