package io.handoff.topology;

import io.handoff.avro.Incident;
import io.handoff.avro.LogEvent;
import io.handoff.avro.RootCause;
import io.handoff.classify.Lines;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The topology on captures of real nginx 1.22 / php-fpm 8.2 faults (samples/fleet), shipped in event-time order. */
class SampleFleetTest {
    static final Path FLEET = Path.of("..", "samples", "fleet");

    static List<Harness.Line> host(String name) throws Exception {
        Path dir = FLEET.resolve(name);
        assumeTrue(Files.isDirectory(dir), "sample host " + name + " not captured yet");
        return Harness.sampleHost(dir);
    }

    static void assertDeadLetters(Harness h) {
        var dl = h.deadLetters();
        assertEquals(0, dl.size(), () -> dl.size() + " dead letters, first: " + dl.get(0));
    }

    static boolean evidence(Harness.Line l) {
        var o = (ParseOutcome.Parsed) Parsers.forKind(l.kind(), l.format())
                .parse(l.text(), ParseContext.UTC);
        var e = LogEvent.newBuilder().setHost("x").setSource(l.kind())
                .setTimestamp(Instant.ofEpochMilli(o.timestampMillis())).setOriginal(l.text()).setParsed(o.fields()).build();
        return Lines.isEvidence(e);
    }

    @Test
    void web06SegfaultingWorkerIsOneWorkerCrashIncident() throws Exception {
        List<Harness.Line> lines = host("web-06");
        try (Harness h = new Harness()) {
            for (Harness.Line l : lines) h.ship("web-06", l);
            assertEquals(List.of(), h.incidents(), "nothing closes while the host's event time is inside the quiet period");
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), () -> "incidents: " + out);
            Incident i = out.get(0);
            assertEquals(RootCause.WORKER_CRASH, i.getRootCause(), i::getSummary);
            assertEquals(3L, i.getStatusCounts().get("502"));
            assertEquals(null, i.getStatusCounts().get("504"));
            assertEquals(3L, i.getUpstreamErrorsByErrno().get("104"));
            assertEquals("web-06", i.getHost());
            assertEquals(Instant.parse("2026-11-21T11:00:55Z"), i.getStartedAt());
            assertEquals(Instant.parse("2026-11-21T11:01:03Z"), i.getEndedAt());
            assertTrue(i.getCulprit().getPid() != null, "a crashed pid is named");
            assertTrue(i.getEvidence().stream().anyMatch(e -> e.getLine().contains("exited on signal 11")));
            assertTrue(i.getEvidence().stream().anyMatch(e -> e.getLine().contains("segfault at")));
            assertTrue(i.getConfidence() >= 0.8, "three logs agree: " + i.getConfidence());
            assertEquals(List.of(), h.warnings());
            assertDeadLetters(h);
        }
    }

    @Test
    void web14HealthyHostWithPhpFatalAndLogReopenYieldsNothingAndKeepsTinyState() throws Exception {
        List<Harness.Line> lines = host("web-14");
        try (Harness h = new Harness()) {
            for (Harness.Line l : lines) h.ship("web-14", l);
            h.idle();
            assertEquals(List.of(), h.incidents(), "a 500 from a PHP fatal error is not a gateway incident");
            assertEquals(List.of(), h.warnings());
            assertDeadLetters(h);
            assertEquals(1, h.entries(Harness.CLOCK), "one clock entry");
            // the only evidence kept is FPM's own start and shutdown (they tell a stopped FPM from a wrong address)
            assertEquals(List.of("[21-Nov-2026 11:06:37] NOTICE: ready to handle connections",
                            "[21-Nov-2026 11:07:41] NOTICE: Finishing ...", "[21-Nov-2026 11:07:41] NOTICE: exiting, bye-bye!"),
                    lines.stream().filter(SampleFleetTest::evidence).map(Harness.Line::text).toList());
            int ring = h.stored(Harness.LOOKBACK, "web-14").length;
            assertTrue(ring < 256, "the ring's counters, three kinds: " + ring + " bytes");
            assertEquals(3, h.entries(Harness.LINES), "the ring's three lines under their own keys");
            long bytes = h.hostStateBytes("web-14");
            assertTrue(bytes <= 1024, "a quiet host costs at most 1 KiB, this one with three evidence lines in its ring: " + bytes);
            assertEquals(0, h.entries(Harness.OPEN));
            assertEquals(lines.size(), h.metrics.total("lines"));
        }
    }
}
