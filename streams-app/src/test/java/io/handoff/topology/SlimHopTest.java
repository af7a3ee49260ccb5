package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.CorrelateInput;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.HostTick;
import io.handoff.avro.Incident;
import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The correlator's input: lines with signal whole, a tick for each line without. What comes out (incidents,
 * provisional records, warnings, dead letters, counters) must be what it was when every line went whole
 * ({@code handoff.correlate.ticks=false}), on every capture of the sample fleet, shipped in order, and on
 * every other one with lines of each log held back past the grace (late lines).
 */
class SlimHopTest {
    static final Path FLEET = Path.of("..", "samples", "fleet");

    /** What one run of a host's lines produced, every output in order, and what the correlator was sent. */
    record Run(List<String> incidents, List<String> updates, List<String> warnings, List<String> deadLetters,
               Map<String, Long> counters, long whole, long ticks) {}

    static Run run(HandoffConfig config, String host, List<Harness.Line> lines) {
        try (Harness h = new Harness(config)) {
            TestOutputTopic<String, CorrelateInput> input = h.driver.createOutputTopic(h.config.topics().correlateInput(),
                    new StringDeserializer(), h.serde(CorrelateInput.class).deserializer());
            for (Harness.Line l : lines) {
                h.ship(host, l);
            }
            h.idle();
            long whole = 0;
            long ticks = 0;
            while (!input.isEmpty()) {
                Object line = input.readValue().getLine();
                if (line instanceof HostTick) {
                    ticks++;
                } else {
                    whole++;
                }
            }
            return new Run(strings(h.incidents()), strings(h.updates()), strings(h.warnings()), strings(h.deadLetters()),
                    h.metrics.snapshot(), whole, ticks);
        }
    }

    static List<String> strings(List<?> records) {
        return records.stream().map(String::valueOf).toList();
    }

    /** Every seventh line of each log shipped after the lines of the next 40 s of event time: late, past the 10 s grace. */
    static List<Harness.Line> heldBack(List<Harness.Line> lines) {
        Map<SourceKind, int[]> seen = new java.util.EnumMap<>(SourceKind.class);
        List<long[]> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int n = seen.computeIfAbsent(lines.get(i).kind(), k -> new int[1])[0]++;
            keys.add(new long[] {lines.get(i).time() + (n % 7 == 3 ? 40_000 : 0), i});
        }
        keys.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> k[1]));
        return keys.stream().map(k -> lines.get((int) k[1])).toList();
    }

    static List<Path> hosts() throws Exception {
        assumeTrue(Files.isDirectory(FLEET), "samples/fleet not present");
        try (Stream<Path> s = Files.list(FLEET)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void everyCaptureComesOutTheSameWithTicksAsWithEveryLineWhole() throws Exception {
        HandoffConfig slim = HandoffConfig.defaults();
        HandoffConfig whole = HandoffConfig.defaults().withTicks(false);
        long ticks = 0;
        long lateDeadLetters = 0;
        List<Path> hosts = hosts();
        assertTrue(hosts.size() >= 14, "hosts: " + hosts);
        for (int k = 0; k < hosts.size(); k++) {
            String host = hosts.get(k).getFileName().toString();
            List<Harness.Line> lines = Harness.sampleHost(hosts.get(k));
            // every capture in order; every other one also with lines held back (the run takes minutes otherwise)
            for (List<Harness.Line> order : k % 2 == 0 ? List.of(lines, heldBack(lines)) : List.of(lines)) {
                Run before = run(whole, host, order);
                Run after = run(slim, host, order);
                String what = host + (order == lines ? " in order" : " with lines held back");
                assertEquals(before.incidents(), after.incidents(), what);
                assertEquals(before.updates(), after.updates(), what);
                assertEquals(before.warnings(), after.warnings(), what);
                assertEquals(before.deadLetters(), after.deadLetters(), what);
                assertEquals(before.counters(), after.counters(), what);
                assertEquals(0, before.ticks(), what + ": every line whole");
                assertEquals(before.whole(), after.whole() + after.ticks(), what + ": one record per line either way");
                ticks += after.ticks();
                lateDeadLetters += after.counters().entrySet().stream()
                        .filter(c -> c.getKey().startsWith("late{") && c.getKey().contains("dead-letter"))
                        .mapToLong(Map.Entry::getValue).sum();
            }
        }
        assertTrue(ticks > 10_000, "healthy lines went as ticks: " + ticks);
        assertTrue(lateDeadLetters > 0, "the held-back lines include late lines no incident holds");
    }

    @Test
    void theWholeSampleHostWeb14IsTicksButForItsEvidenceAndHandoffEventsIsAnOptIn() throws Exception {
        Path dir = FLEET.resolve("web-14");
        assumeTrue(Files.isDirectory(dir), "samples/fleet/web-14 not present");
        List<Harness.Line> lines = Harness.sampleHost(dir);
        Run slim = run(HandoffConfig.defaults(), "web-14", lines);
        assertEquals(3, slim.whole(), "FPM's start, finishing and exit are its only lines with signal");
        assertEquals(lines.size() - 3, slim.ticks());

        for (boolean on : List.of(false, true)) {
            try (Harness h = new Harness(HandoffConfig.defaults().withEventsTopic(on))) {
                TestOutputTopic<String, LogEvent> events = h.driver.createOutputTopic(h.config.topics().events(),
                        new StringDeserializer(), h.serde(LogEvent.class).deserializer());
                for (Harness.Line l : lines) {
                    h.ship("web-14", l);
                }
                List<LogEvent> out = events.readValuesToList();
                if (on) {
                    assertEquals(lines.stream().map(Harness.Line::text).toList(), out.stream().map(LogEvent::getOriginal).toList());
                } else {
                    assertEquals(List.of(), out, "handoff.events is written only with handoff.events.enabled");
                }
            }
        }
    }

    @Test
    void aTickLateAgainstTheCorrelatorsClockIsCountedAndNamesItsRawRecord() {
        // the parse stage keeps its latest times in memory: after a restart it may send a late line as a tick
        try (Harness h = new Harness()) {
            h.ship("web-x", Harness.line(SourceKind.NGINX_ACCESS,
                    "10.0.0.1 - - [21/Nov/2026:11:00:30 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8\""));
            long at = java.time.Instant.parse("2026-11-21T11:00:10Z").toEpochMilli();
            HostTick tick = HostTick.newBuilder().setHost("web-x").setSource(SourceKind.NGINX_ACCESS).setEventTime(at)
                    .setWritten(at).setStatus(200).setRawPartition(3).setRawOffset(77L).build();
            byte[] value = h.serde(CorrelateInput.class).serializer()
                    .serialize(h.config.topics().correlateInput(), new CorrelateInput(tick));
            h.correlateInputRaw.pipeInput("web-x", value, at);

            List<DeadLetter> dl = h.deadLetters();
            assertEquals(1, dl.size(), () -> "dead letters: " + dl);
            DeadLetter d = dl.get(0);
            assertEquals("late", d.getStage());
            assertEquals(0, d.getOriginal().remaining(), "a tick carries no bytes");
            assertEquals("handoff.raw.nginx-access", d.getSourceTopic());
            assertEquals(3, d.getSourcePartition());
            assertEquals(77L, d.getSourceOffset());
            assertEquals(SourceKind.NGINX_ACCESS, d.getSourceKind());
            assertTrue(d.getReason().contains("20000 ms behind nginx-access"), d.getReason());
            assertEquals(1, h.metrics.get("late", "source", "nginx-access", "outcome", "dead-letter"));
            assertEquals(List.of(), h.incidents());
            assertEquals(List.of(), h.warnings());
        }
    }

    @Test
    void aLineTheParseStageSeesIsLateGoesWholeSoItsDeadLetterCarriesItsBytes() {
        try (Harness h = new Harness()) {
            TestOutputTopic<String, CorrelateInput> input = h.driver.createOutputTopic(h.config.topics().correlateInput(),
                    new StringDeserializer(), h.serde(CorrelateInput.class).deserializer());
            String newer = "10.0.0.1 - - [21/Nov/2026:11:00:30 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8\"";
            String older = "10.0.0.1 - - [21/Nov/2026:11:00:10 +0000] \"GET /a HTTP/1.1\" 200 612 \"-\" \"curl/8\"";
            h.ship("web-x", Harness.line(SourceKind.NGINX_ACCESS, newer));
            h.ship("web-x", Harness.line(SourceKind.NGINX_ACCESS, older));

            List<CorrelateInput> sent = input.readValuesToList();
            assertTrue(sent.get(0).getLine() instanceof HostTick, "a healthy line on time is a tick");
            assertTrue(sent.get(1).getLine() instanceof LogEvent, "a healthy line 20 s behind its log goes whole");
            assertEquals(2, sent.size());
            List<DeadLetter> dl = h.deadLetters();
            assertEquals(1, dl.size(), () -> "dead letters: " + dl);
            java.nio.ByteBuffer b = dl.get(0).getOriginal().duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            assertEquals(older, new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            assertNotEquals(null, dl.get(0).getSourceOffset());
            assertNull(h.updates().stream().findAny().orElse(null));
        }
    }
    @Test
    void aRecordOnTheCorrelatorsInputThatIsNoInputIsDeadLetteredUnderDeclaredCounters() {
        // TopologyTestDriver does not route the deserialization handler's dead letter to its output topics
        // (DeadLetterDeserializationHandlerTest tests that record): here its counter, and the correlator's own
        // dead letter for a tombstone
        try (Harness h = new Harness()) {
            byte[] noise = new byte[64];
            new java.util.Random(11).nextBytes(noise);
            noise[0] = 0; // the wire format's magic byte, then a schema id the registry does not know
            long at = java.time.Instant.parse("2026-11-21T11:00:10Z").toEpochMilli();
            h.correlateInputRaw.pipeInput("web-x", noise, at);
            h.correlateInputRaw.pipeInput("web-x", (byte[]) null, at);

            List<DeadLetter> dl = h.deadLetters();
            assertEquals(1, dl.size(), () -> "dead letters: " + dl);
            assertEquals("deserialize", dl.get(0).getStage());
            assertTrue(dl.get(0).getReason().contains("expected a LogEvent or a HostTick, got a null value"), dl.get(0).getReason());
            assertEquals(2, h.metrics.get("dead-letters", "source", "correlate-input", "stage", "deserialize"));
            java.util.Set<String> undeclared = new java.util.TreeSet<>(h.metrics.snapshot().keySet());
            undeclared.removeAll(DeclaredCountersTest.declaredKeys());
            assertEquals(java.util.Set.of(), undeclared, "counters that moved but are not declared");
            assertEquals(List.of(), h.incidents());
            assertEquals(List.of(), h.updates());
            assertEquals(List.of(), h.warnings());
        }
    }

    /**
     * A tick shows that its log still delivers, as a whole line does: here the access log, lagging far behind
     * the FPM log and sending only healthy lines (ticks), holds the incident until it has stopped for
     * source-idle, so the 504 it delivers later is still part of the burst. With every line whole the
     * same comes out.
     */
    @Test
    void aLogThatDeliversOnlyTicksStillHoldsTheIncident() {
        List<String> runs = new ArrayList<>();
        for (boolean ticks : List.of(true, false)) {
            try (Harness h = new Harness(HandoffConfig.defaults().withTicks(ticks))) {
                TestOutputTopic<String, CorrelateInput> input = h.driver.createOutputTopic(h.config.topics().correlateInput(),
                        new StringDeserializer(), h.serde(CorrelateInput.class).deserializer());
                CloseRulesTest.burst(h, "web-t");
                // the FPM log's next two minutes reach the task first
                for (int s = 11; s < 130; s += 7) {
                    h.ship("web-t", HandoffTopologyTest.l(SourceKind.PHP_FPM, HandoffTopologyTest.fpm(
                            String.format("00:%02d:%02d", s / 60, s % 60), "NOTICE", CloseRulesTest.CHILD)));
                }
                CloseRulesTest.tail(h, "web-t", "00:00:20");
                CloseRulesTest.tail(h, "web-t", "00:00:30");
                assertEquals(List.of(), h.incidents(), "the access log delivered a line 3 s ago");
                h.advance(Duration.ofSeconds(3));
                h.ship("web-t", HandoffTopologyTest.l(SourceKind.NGINX_ACCESS,
                        HandoffTopologyTest.access("00:00:40", 504, "GET / HTTP/1.1")));
                h.advance(CloseRulesTest.SOURCE_IDLE.plusSeconds(1));
                List<Incident> out = h.incidents();
                assertEquals(1, out.size(), () -> "ticks " + ticks + ": " + out);
                Incident i = out.get(0);
                assertEquals(Instant.parse("2026-11-21T00:00:10Z"), i.getStartedAt());
                assertEquals(Instant.parse("2026-11-21T00:00:40Z"), i.getEndedAt(), "the 504 the lagging log delivered");
                assertEquals(4, i.getTotalRequests(), "the 502, the two 200s and the 504");
                assertEquals(List.of(), h.deadLetters());
                long accessTicks = input.readValuesToList().stream()
                        .filter(v -> v.getLine() instanceof HostTick t && t.getSource() == SourceKind.NGINX_ACCESS).count();
                assertEquals(ticks ? 2 : 0, accessTicks, "the access log's two 200s went as ticks");
                runs.add(String.valueOf(out));
            }
        }
        assertEquals(runs.get(1), runs.get(0), "the same incident with ticks as with every line whole");
    }
}
