package io.handoff.topology;

import io.handoff.avro.Evidence;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.common.HandoffMetrics;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outputs stay under the producer's limit: long texts are cut with a marker, what cannot be cut is refused. */
class BoundedOutputTest {

    static Incident incident(int evidenceLines, int lineBytes) {
        List<Evidence> ev = new ArrayList<>();
        String line = ParseLimitsTest.FASTCGI_HEAD + ParseLimitsTest.FASTCGI_FRAME.repeat(lineBytes / ParseLimitsTest.FASTCGI_FRAME.length());
        for (int i = 0; i < evidenceLines; i++) {
            ev.add(Evidence.newBuilder().setSource(SourceKind.NGINX_ERROR).setTimestamp(Instant.parse("2026-11-21T11:07:07Z"))
                    .setLine(line).setSignal("FastCGI stderr: PHP fatal error").build());
        }
        return Incident.newBuilder().setId("web-14@2026-11-21T11:07:07Z").setHost("web-14").setRootCause(RootCause.WORKER_CRASH)
                .setStartedAt(Instant.parse("2026-11-21T11:07:07Z")).setEndedAt(Instant.parse("2026-11-21T11:07:09Z"))
                .setStatusCounts(Map.of("502", 3L)).setTotalRequests(10).setEvidence(ev).setEvidenceTotal(evidenceLines)
                .setRemediation("Treat it as a PHP bug, not load.").setConfidence(0.8).setSummary("web-14: 3×502").build();
    }

    @Test
    void cutKeepsTheHeadAndSaysHowLongTheTextWas() {
        String text = "é".repeat(1000); // 2000 bytes
        String cut = Fit.cut(text, 300);
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 300, cut);
        assertTrue(cut.startsWith("ééé"));
        assertTrue(cut.endsWith(" …[cut by handoff: 2000 bytes in all]"), cut);
        assertSame(text, Fit.cut(text, 2000));
        assertEquals(2000, Fit.utf8Length(text));
        assertEquals(4, Fit.utf8Length("😀"));
    }

    @Test
    void anIncidentOverTheLimitIsWrittenWithItsEvidenceLinesCut() {
        SpecificAvroSerde<Incident> serde = SpecificAvroSerde.forValues(Incident.class, Map.of("schema.registry.url", "mock://bounded"));
        Incident big = incident(50, 40_000); // 50 evidence lines of 40 KB: 2 MB
        int before = Fit.size(big);
        assertTrue(before > 1_900_000, "" + before);
        HandoffMetrics metrics = new HandoffMetrics();
        BoundedSerializer<Incident> s = new BoundedSerializer<>(serde.serializer(), 1_000_000, metrics);
        byte[] bytes = s.serialize("handoff.incidents", big);
        assertTrue(bytes.length <= 1_000_000, "" + bytes.length);
        Incident read = serde.deserializer().deserialize("handoff.incidents", bytes);
        assertEquals(50, read.getEvidence().size(), "every evidence line is kept, each cut");
        for (Evidence e : read.getEvidence()) {
            assertTrue(e.getLine().startsWith(ParseLimitsTest.FASTCGI_HEAD), "the head of each line stays");
            assertTrue(e.getLine().contains(" …[cut by handoff: "), "with the marker");
        }
        assertEquals(big.getId(), read.getId());
        assertEquals(big.getRemediation(), read.getRemediation());
        assertEquals(big.getSummary(), read.getSummary());
        assertEquals(before, Fit.size(big), "the record given is not changed");
        assertEquals(1, metrics.get("truncated", "source", "incidents"));

        Incident small = incident(3, 200);
        assertArrayEquals(serde.serializer().serialize("handoff.incidents", small), s.serialize("handoff.incidents", small));
        assertEquals(1, metrics.get("truncated", "source", "incidents"), "a record that fits is written as it is");
    }

    @Test
    void whatCannotBeCutIsRefusedWithItsHeadForTheDeadLetter() {
        BoundedSerializer<String> s = new BoundedSerializer<>(new StringSerializer(), 100_000, null);
        String json = "{\"message\":\"" + "x".repeat(300_000) + "\"}";
        BoundedSerializer.TooLarge e = assertThrows(BoundedSerializer.TooLarge.class, () -> s.serialize("handoff.incidents-ecs", json));
        assertEquals(json.length(), e.size());
        assertEquals(DeadLetters.MAX_ORIGINAL_BYTES, e.head().length);
        assertEquals("the value for handoff.incidents-ecs is 300,014 bytes, over the 100,000 an output may have"
                + " (max.request.size less 16,384), even with its texts cut", e.getMessage());
        assertEquals("{\"message\":\"x", new String(e.head(), 0, 13, StandardCharsets.UTF_8));
    }

    @Test
    void aRecordWhoseNonTextPartsAreTooLargeCannotBeMadeToFit() {
        Incident many = incident(5000, 10); // many small lines: the list is cut too, down to a few entries
        Incident fitted = Fit.toSize(many, 20_000);
        assertTrue(Fit.size(fitted) <= 20_000);
        assertTrue(fitted.getEvidence().size() < 5000 && fitted.getEvidence().size() >= Fit.MIN_LIST);
        assertEquals(5000, fitted.getEvidenceTotal(), "the count says how many there were");
        assertNull(Fit.toSize(many, 10));
    }
}
