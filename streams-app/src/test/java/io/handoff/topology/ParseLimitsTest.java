package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import io.handoff.common.HandoffMetrics;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.raw.Envelope;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parse stage's bounds on one record (issue table, cases 1, 2 and 10): an empty value, a line far
 * ahead of or behind the wall clock, an oversized entry and a value too large to parse each have one
 * clear outcome — a dead letter with the reason, or an event cut with a marker — and nothing else comes
 * out. The driver's wall clock is an hour after the captured lines.
 */
class ParseLimitsTest {
    static final Instant WALL = Instant.parse("2026-11-21T12:00:00Z");

    /** A real nginx error entry (web-14, FastCGI stderr over several lines). */
    static final String FASTCGI_HEAD = "2026/11/21 11:07:07 [error] 9107#9107: *273 FastCGI sent in stderr: \"PHP message:"
            + " PHP Fatal error:  Uncaught Error: Call to undefined function create_function() in"
            + " /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php:8\nStack trace:\n";
    static final String FASTCGI_FRAME = "#0 /srv/handoff/wp/wp-content/themes/astra-child/functions.php(34): legacy_widgets_render()\n";
    static final String FASTCGI_TAIL = "#4 {main}\n  thrown in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php"
            + " on line 8\" while reading response header from upstream, client: 127.0.1.226, server: _, request: \"GET"
            + " /?widget=tagcloud HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-14.sock:\", host:"
            + " \"shop.example.test\"";
    /** A real nginx error line (web-01). */
    static final String EAGAIN = "2026/11/21 11:10:25 [error] 14427#14427: *350 connect() to unix:/run/php/php8.2-fpm-web-01.sock"
            + " failed (11: Resource temporarily unavailable) while connecting to upstream, client: 127.0.1.85, server: _,"
            + " request: \"GET /shop/ HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-01.sock:\", host:"
            + " \"shop.example.test\", referrer: \"http://shop.example.test/\"";

    private TopologyTestDriver driver;
    private final HandoffMetrics metrics = new HandoffMetrics();
    private final Map<SourceKind, TestInputTopic<byte[], byte[]>> raw = new EnumMap<>(SourceKind.class);
    private TestOutputTopic<String, LogEvent> events;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;
    private HandoffConfig config;

    private void start(HandoffConfig.Limits limits) throws Exception {
        config = HandoffConfig.defaults().withStreams(Map.of("schema.registry.url", "mock://limits-" + UUID.randomUUID()))
                .withLimits(limits).withEventsTopic(true); // the parsed lines whole, as other consumers read them
        Properties p = HandoffTopology.streamsProperties(config, "handoff-limits-test", metrics);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("handoff-limits").toString());
        driver = new TopologyTestDriver(HandoffTopology.build(config, metrics), p, WALL);
        for (SourceKind k : SourceKind.values()) {
            raw.put(k, driver.createInputTopic(config.topics().raw(k), new ByteArraySerializer(), new ByteArraySerializer()));
        }
        events = driver.createOutputTopic(config.topics().events(), new StringDeserializer(), serde(LogEvent.class).deserializer());
        deadLetters = driver.createOutputTopic(config.topics().deadLetter(), new ByteArrayDeserializer(),
                serde(DeadLetter.class).deserializer());
    }

    private <T extends SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type) {
        return SpecificAvroSerde.forValues(type, config.streams());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void ship(SourceKind kind, String host, byte[] value) {
        raw.get(kind).pipeInput(host.getBytes(StandardCharsets.UTF_8), value, WALL);
    }

    private void ship(SourceKind kind, String host, String line) {
        ship(kind, host, line.getBytes(StandardCharsets.UTF_8));
    }

    private List<DeadLetter> deadLetters() {
        List<DeadLetter> l = new ArrayList<>();
        while (!deadLetters.isEmpty()) {
            l.add(deadLetters.readValue());
        }
        return l;
    }

    private List<LogEvent> events() {
        List<LogEvent> l = new ArrayList<>();
        while (!events.isEmpty()) {
            l.add(events.readValue());
        }
        return l;
    }

    @Test
    void anEmptyValueIsADeadLetterNotOnlyACounter() throws Exception {
        start(HandoffConfig.Limits.defaults());
        ship(SourceKind.NGINX_ERROR, "web-01", new byte[0]);
        List<DeadLetter> d = deadLetters();
        assertEquals(1, d.size());
        assertEquals("envelope", d.get(0).getStage());
        assertEquals("empty value: expected a log line or a shipper JSON event, got 0 bytes", d.get(0).getReason());
        assertEquals("web-01", d.get(0).getHost());
        assertEquals(0, d.get(0).getOriginal().remaining());
        assertEquals(List.of(), events());
        assertEquals(1, metrics.get("dead-letters", "source", "nginx-error", "stage", "envelope"));
        assertEquals(0, metrics.total("blank-lines"));
    }

    @Test
    void linesAheadOfTheClockAreDeadLetteredWithTheLikelyCause() throws Exception {
        start(HandoffConfig.Limits.defaults());
        // the host writes local time 11:07 in a zone two hours behind UTC, but its shipper says nothing: read as UTC it
        // is fine; with event.timezone -02:00 the same stamp is 13:07Z, an hour ahead of the clock
        ship(SourceKind.NGINX_ERROR, "web-14", Envelope.of(EAGAIN.replace("11:10:25", "13:10:25"), "web-14", null, -1).toJson());
        ship(SourceKind.NGINX_ERROR, "web-14", Envelope.of(EAGAIN, "web-14", null, -1)
                .withMeta(null, "-02:00", null, null).toJson());
        ship(SourceKind.NGINX_ERROR, "web-14", EAGAIN.replace("2026/11/21", "2100/11/21"));
        ship(SourceKind.NGINX_ERROR, "web-14", EAGAIN); // 11:10:25Z, 50 min ago: fine
        List<DeadLetter> d = deadLetters();
        assertEquals(3, d.size(), d.toString());
        for (DeadLetter x : d) {
            assertEquals("time", x.getStage());
            assertTrue(x.getReason().contains("ahead of this machine's clock (2026-11-21T12:00:00Z), more than"
                    + " handoff.max-event-lead (15m)"), x.getReason());
        }
        assertTrue(d.get(0).getReason().startsWith("event time 2026-11-21T13:10:25Z is 1h 10m ahead"), d.get(0).getReason());
        assertTrue(d.get(0).getReason().contains("(event.timezone not sent)"), d.get(0).getReason());
        assertTrue(d.get(1).getReason().startsWith("event time 2026-11-21T13:10:25Z is 1h 10m ahead"), d.get(1).getReason());
        assertTrue(d.get(1).getReason().contains("(event.timezone '-02:00')"), d.get(1).getReason());
        assertTrue(d.get(2).getReason().startsWith("event time 2100-11-21T11:10:25Z is 27027d ahead"), d.get(2).getReason());
        List<LogEvent> e = events();
        assertEquals(1, e.size());
        assertEquals(Instant.parse("2026-11-21T11:10:25Z"), e.get(0).getTimestamp());
        assertEquals(3, metrics.get("dead-letters", "source", "nginx-error", "stage", "time"));
    }

    @Test
    void aLineFrom1970IsOutOfRangeAndTheAgeBoundIsConfigurable() throws Exception {
        start(HandoffConfig.Limits.defaults());
        ship(SourceKind.NGINX_ERROR, "web-01", EAGAIN.replace("2026/11/21", "1970/01/01"));
        ship(SourceKind.NGINX_ERROR, "web-01", EAGAIN.replace("2026/11/21", "2025/11/20")); // 366 days old
        ship(SourceKind.NGINX_ERROR, "web-01", EAGAIN.replace("2026/11/21", "2025/11/22")); // 364 days old
        List<DeadLetter> d = deadLetters();
        assertEquals(2, d.size(), d.toString());
        assertTrue(d.get(0).getReason().startsWith("event time 1970-01-01T11:10:25Z is 20778d behind this machine's clock"
                + " (2026-11-21T12:00:00Z), more than handoff.max-event-age (365d)"), d.get(0).getReason());
        assertTrue(d.get(1).getReason().startsWith("event time 2025-11-20T11:10:25Z is 366d behind"), d.get(1).getReason());
        assertEquals(1, events().size());
        close();

        start(HandoffConfig.Limits.defaults().withoutAgeBound());
        ship(SourceKind.NGINX_ERROR, "web-01", EAGAIN.replace("2026/11/21", "2025/11/20"));
        assertEquals(List.of(), deadLetters());
        assertEquals(1, events().size());
    }

    @Test
    void anOversizedEntryIsCutWithAMarkerAndStillParsed() throws Exception {
        start(HandoffConfig.Limits.defaults());
        StringBuilder entry = new StringBuilder(FASTCGI_HEAD);
        while (entry.length() < 600 * 1024) {
            entry.append(FASTCGI_FRAME);
        }
        entry.append(FASTCGI_TAIL);
        String big = entry.toString();
        ship(SourceKind.NGINX_ERROR, "web-14", Envelope.of(big, "web-14", "/var/log/nginx/error.log", 0).toJson());
        assertEquals(List.of(), deadLetters());
        List<LogEvent> e = events();
        assertEquals(1, e.size());
        LogEvent ev = e.get(0);
        int limit = config.limits().maxLineBytes();
        assertTrue(ev.getOriginal().getBytes(StandardCharsets.UTF_8).length <= limit, "original cut to the limit");
        assertTrue(ev.getOriginal().startsWith(FASTCGI_HEAD), "the head of the entry is kept");
        assertTrue(ev.getOriginal().endsWith(" …[cut by handoff: " + big.getBytes(StandardCharsets.UTF_8).length
                + " bytes in all]"), ev.getOriginal().substring(ev.getOriginal().length() - 80));
        assertTrue(Fit.size((SpecificRecord) ev.getParsed()) <= limit, "parsed texts cut too");
        assertTrue(ev.getParsed() instanceof NginxErrorFields, "the entry was parsed, not dead-lettered");
        assertTrue(Fit.size(ev) < 3 * limit, "the event is a few times the line limit, not 1.2 MB: " + Fit.size(ev));
        assertEquals(Instant.parse("2026-11-21T11:07:07Z"), ev.getTimestamp());
        assertEquals(1, metrics.get("truncated", "source", "nginx-error"));
        assertEquals(1, metrics.get("lines", "source", "nginx-error"));
    }

    @Test
    void aValueOverTheEntryLimitIsDeadLetteredUnparsedWithItsHeadKept() throws Exception {
        start(HandoffConfig.Limits.defaults());
        StringBuilder entry = new StringBuilder(FASTCGI_HEAD);
        while (entry.length() < 2 * 1024 * 1024) {
            entry.append(FASTCGI_FRAME);
        }
        byte[] value = Envelope.of(entry.append(FASTCGI_TAIL).toString(), "web-14", null, -1).toJson();
        ship(SourceKind.NGINX_ERROR, "web-14", value);
        List<DeadLetter> d = deadLetters();
        assertEquals(1, d.size());
        DeadLetter x = d.get(0);
        assertEquals("size", x.getStage());
        assertEquals((long) value.length, x.getOriginalSize());
        assertEquals(DeadLetters.MAX_ORIGINAL_BYTES, x.getOriginal().remaining());
        byte[] head = new byte[16];
        x.getOriginal().duplicate().get(head);
        assertEquals(new String(value, 0, 16, StandardCharsets.UTF_8), new String(head, StandardCharsets.UTF_8));
        assertEquals("nginx-error value of " + String.format(Locale.ROOT, "%,d", value.length) + " bytes is over"
                + " handoff.max-entry-bytes (1,048,576): not parsed; the dead letter keeps its first 262,144 bytes", x.getReason());
        assertEquals(List.of(), events());
    }

    @Test
    void aWholeDeadLetterHasNoOriginalSize() throws Exception {
        start(HandoffConfig.Limits.defaults());
        ship(SourceKind.KERN, "web-06", "not a kernel line");
        List<DeadLetter> d = deadLetters();
        assertEquals(1, d.size());
        assertEquals("parse", d.get(0).getStage());
        assertNull(d.get(0).getOriginalSize());
        assertEquals("not a kernel line", StandardCharsets.UTF_8.decode(d.get(0).getOriginal()).toString());
    }

    @Test
    void spansReadAsPeopleWriteThem() {
        assertEquals("45s", ParseProcessor.span(45_000));
        assertEquals("16m 40s", ParseProcessor.span(1_000_000));
        assertEquals("2h", ParseProcessor.span(Duration.ofHours(2).toMillis()));
        assertEquals("1h 10m", ParseProcessor.span(Duration.ofMinutes(70).toMillis()));
        assertEquals("36h", ParseProcessor.span(Duration.ofHours(36).toMillis()));
        assertEquals("15m", ParseProcessor.span(Duration.ofMinutes(15).toMillis()));
        assertEquals("3d", ParseProcessor.span(Duration.ofDays(3).toMillis()));
    }
}
