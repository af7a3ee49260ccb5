package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.avro.WarningKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.handoff.avro.SourceKind.KERN;
import static io.handoff.avro.SourceKind.NGINX_ACCESS;
import static io.handoff.avro.SourceKind.NGINX_ERROR;
import static io.handoff.avro.SourceKind.PHP_FPM;
import static io.handoff.avro.SourceKind.PHP_FPM_SLOW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole topology in a TopologyTestDriver: raw lines in, incidents / warnings / dead letters out.
 * Lines are real nginx / php-fpm / kernel lines (quoted in the seeds write-ups and FORMATS.md, and
 * from the sample fleet), with their dates moved to one day so that bursts line up.
 */
class HandoffTopologyTest {

    // ---- real lines, by what they show ----
    static String access(String time, int status, String request) {
        return "203.0.113.7 - - [21/Nov/2026:" + time + " +0000] \"" + request + "\" " + status
                + " 150 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36\"";
    }

    static String error(String time, String level, String message) {
        return "2026/11/21 " + time + " [" + level + "] 21344#21344: *99172 " + message
                + ", client: 172.67.10.20, server: example.com, request: \"GET / HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"example.com\"";
    }

    static String fpm(String time, String level, String message) {
        return "[21-Nov-2026 " + time + "] " + level + ": " + message;
    }

    static final String EAGAIN = "connect() to unix:/run/php/php8.2-fpm.sock failed (11: Resource temporarily unavailable) while connecting to upstream";
    static final String REFUSED = "connect() to unix:/run/php/php8.2-fpm.sock failed (111: Connection refused) while connecting to upstream";
    static final String EACCES = "connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied) while connecting to upstream";
    static final String RESET = "recv() failed (104: Connection reset by peer) while reading response header from upstream";
    static final String TIMEOUT = "upstream timed out (110: Connection timed out) while reading response header from upstream";
    static final String TOO_BIG = "upstream sent too big header while reading response header from upstream";
    static final String BAD_FCGI = "upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream";
    static final String DISK = "pwrite() \"/var/lib/nginx/fastcgi/6/03/0000000036\" failed (28: No space left on device) while reading upstream";
    static final String MAX_CHILDREN = "[pool www] server reached pm.max_children setting (5), consider raising it";
    static final String RELOAD = "Reloading in progress ...";

    static String slow(String time, int pid, String script, String... frames) {
        StringBuilder sb = new StringBuilder("[21-Nov-2026 " + time + "]  [pool www] pid " + pid + "\nscript_filename = " + script);
        for (String f : frames) sb.append('\n').append(f);
        return sb.toString();
    }

    static final String[] CURL_FRAMES = {
            "[0x00007f436d5826c8] curl_exec() /var/www/html/wp-content/plugins/shipping-rates/includes/api.php:88",
            "[0x00007f436d582610] fetch_rates() /var/www/html/wp-content/plugins/shipping-rates/shipping-rates.php:31",
            "[0x00007f436d582550] [INCLUDE_OR_EVAL]() /var/www/html/wp-settings.php:428"};
    static final String[] DB_FRAMES = {
            "[0x00007f436d5826c8] mysqli_query() /var/www/html/wp-includes/class-wpdb.php:2351",
            "[0x00007f436d582610] query() /var/www/html/wp-content/plugins/report-builder/report.php:77"};

    static Harness.Line l(SourceKind k, String text) {
        return Harness.line(k, text);
    }

    static Stream<Arguments> labels() {
        return Stream.of(
                Arguments.of(RootCause.LISTEN_BACKLOG_OVERFLOW, List.of(RootCause.FPM_RELOAD_INTERRUPTION), List.of(
                        l(PHP_FPM, fpm("00:00:01", "NOTICE", RELOAD)),
                        l(NGINX_ERROR, error("00:00:02", "error", EAGAIN)),
                        l(NGINX_ACCESS, access("00:00:02", 502, "GET / HTTP/1.1")),
                        l(NGINX_ERROR, error("00:00:02", "error", EAGAIN)),
                        l(NGINX_ACCESS, access("00:00:02", 502, "GET /shop/ HTTP/1.1")))),
                Arguments.of(RootCause.FPM_RELOAD_INTERRUPTION, List.of(), List.of(
                        l(PHP_FPM, fpm("00:00:01", "NOTICE", RELOAD)),
                        l(NGINX_ERROR, error("00:00:01", "error", RESET)),
                        l(NGINX_ACCESS, access("00:00:01", 502, "GET / HTTP/1.1")))),
                Arguments.of(RootCause.FPM_UNAVAILABLE, List.of(), List.of(
                        l(NGINX_ERROR, error("00:00:05", "error", REFUSED)),
                        l(NGINX_ACCESS, access("00:00:05", 502, "GET / HTTP/1.1")))),
                Arguments.of(RootCause.SOCKET_PERMISSION_DENIED, List.of(), List.of(
                        l(NGINX_ERROR, error("00:00:05", "crit", EACCES)),
                        l(NGINX_ACCESS, access("00:00:05", 502, "GET / HTTP/1.1")))),
                Arguments.of(RootCause.WORKER_POOL_EXHAUSTED, List.of(), List.of(
                        l(PHP_FPM, fpm("00:00:01", "WARNING", MAX_CHILDREN)),
                        l(NGINX_ERROR, error("00:01:01", "error", TIMEOUT)),
                        l(NGINX_ACCESS, access("00:01:01", 504, "GET /wp-admin/ HTTP/1.1")))),
                Arguments.of(RootCause.SLOW_DATABASE, List.of(RootCause.WORKER_POOL_EXHAUSTED), List.of(
                        l(PHP_FPM_SLOW, slow("00:00:06", 4001, "/var/www/html/index.php", DB_FRAMES)),
                        l(PHP_FPM, fpm("00:00:07", "WARNING", MAX_CHILDREN)),
                        l(NGINX_ERROR, error("00:01:01", "error", TIMEOUT)),
                        l(NGINX_ACCESS, access("00:01:01", 504, "GET /reports/ HTTP/1.1")))),
                // the cron request's curl_exec() waits on the site's own page, stuck behind the full pool
                Arguments.of(RootCause.SELF_REQUEST_DEADLOCK, List.of(RootCause.WORKER_POOL_EXHAUSTED), List.of(
                        l(PHP_FPM_SLOW, slow("00:00:06", 4001, "/var/www/html/wp-cron.php", CURL_FRAMES)),
                        l(PHP_FPM, fpm("00:00:07", "WARNING", MAX_CHILDREN)),
                        l(NGINX_ERROR, error("00:01:01", "error", TIMEOUT)),
                        l(NGINX_ACCESS, "127.0.0.1 - - [21/Nov/2026:00:01:01 +0000] \"GET / HTTP/1.1\" 504 160 \"-\" \"WordPress/6.4.2; https://example.com\""))),
                Arguments.of(RootCause.OOM_KILL, List.of(), List.of(
                        l(KERN, "2026-11-21T00:00:02,000000+00:00 Out of memory: Killed process 22077 (php-fpm8.2) total-vm:812340kB, anon-rss:256144kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:680kB oom_score_adj:0"),
                        l(PHP_FPM, fpm("00:00:02", "WARNING", "[pool www] child 22077 exited on signal 9 (SIGKILL) after 12.345678 seconds from start")),
                        l(NGINX_ERROR, error("00:00:02", "error", RESET)),
                        l(NGINX_ACCESS, access("00:00:02", 502, "GET /import HTTP/1.1")))),
                Arguments.of(RootCause.REQUEST_TERMINATED, List.of(), List.of(
                        l(PHP_FPM, fpm("00:00:31", "WARNING", "[pool www] child 27423, script '/var/www/html/index.php' (request: \"GET /index.php\") execution timed out (30.328249 sec), terminating")),
                        l(PHP_FPM, fpm("00:00:31", "WARNING", "[pool www] child 27423 exited on signal 15 (SIGTERM) after 286.989870 seconds from start")),
                        l(NGINX_ERROR, error("00:00:31", "error", RESET)),
                        l(NGINX_ACCESS, access("00:00:31", 502, "GET / HTTP/1.1")))),
                Arguments.of(RootCause.UPSTREAM_HEADER_TOO_BIG, List.of(), List.of(
                        l(NGINX_ERROR, error("00:00:05", "error", TOO_BIG)),
                        l(NGINX_ACCESS, access("00:00:05", 502, "GET / HTTP/1.1")))),
                Arguments.of(RootCause.UPSTREAM_MISCONFIGURED, List.of(), List.of(
                        l(NGINX_ERROR, error("00:00:05", "error", BAD_FCGI)),
                        l(NGINX_ACCESS, access("00:00:05", 502, "GET / HTTP/1.1")))),
                Arguments.of(RootCause.DISK_FULL, List.of(), List.of(
                        l(NGINX_ERROR, error("00:00:05", "crit", DISK)),
                        l(NGINX_ACCESS, access("00:00:05", 502, "GET /upload HTTP/1.1")))),
                Arguments.of(RootCause.UNKNOWN, List.of(), List.of(
                        l(NGINX_ACCESS, access("00:00:05", 502, "GET / HTTP/1.1")))));
    }

    /** The causal chain each case of {@link #labels()} comes out with: the kinds of its steps, root first. */
    static final Map<RootCause, List<String>> CHAINS = Map.ofEntries(
            Map.entry(RootCause.LISTEN_BACKLOG_OVERFLOW, List.of("FPM_RELOAD", "LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS")),
            Map.entry(RootCause.FPM_RELOAD_INTERRUPTION, List.of("FPM_RELOAD", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry(RootCause.FPM_UNAVAILABLE, List.of("UPSTREAM_REFUSED", "GATEWAY_ERRORS")),
            Map.entry(RootCause.SOCKET_PERMISSION_DENIED, List.of("SOCKET_PERMISSION_DENIED", "GATEWAY_ERRORS")),
            Map.entry(RootCause.WORKER_POOL_EXHAUSTED, List.of("POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS")),
            Map.entry(RootCause.SLOW_DATABASE, List.of("SLOW_DB_CALL", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS")),
            Map.entry(RootCause.SELF_REQUEST_DEADLOCK, List.of("SELF_REQUEST", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS")),
            Map.entry(RootCause.OOM_KILL, List.of("OOM_KILL", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry(RootCause.REQUEST_TERMINATED, List.of("REQUEST_TERMINATED", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry(RootCause.UPSTREAM_HEADER_TOO_BIG, List.of("UPSTREAM_HEADER_TOO_BIG", "GATEWAY_ERRORS")),
            Map.entry(RootCause.UPSTREAM_MISCONFIGURED, List.of("UPSTREAM_MISCONFIGURED", "GATEWAY_ERRORS")),
            Map.entry(RootCause.DISK_FULL, List.of("DISK_FULL", "GATEWAY_ERRORS")),
            Map.entry(RootCause.UNKNOWN, List.of("GATEWAY_ERRORS")));

    @ParameterizedTest(name = "{0}")
    @MethodSource("labels")
    void eachLabelFromItsRealLines(RootCause expected, List<RootCause> contributing, List<Harness.Line> lines) {
        try (Harness h = new Harness()) {
            for (Harness.Line line : lines) h.ship("web-01", line);
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), () -> "incidents: " + out);
            Incident i = out.get(0);
            assertEquals(expected, i.getRootCause(), i::getSummary);
            assertEquals(contributing, i.getContributingCauses(), i::getSummary);
            assertEquals(CHAINS.get(expected), i.getCausalChain().stream().map(st -> st.getKind()).toList(), i::getSummary);
            // every line is evidence except FPM's SIGTERM exit after a terminated request (a normal stop signal)
            assertEquals(lines.stream().filter(x -> !x.text().contains("SIGTERM")).count(), i.getEvidenceTotal());
            assertTrue(i.getRemediation().length() > 40);
            assertEquals(List.of(), h.warnings());
            assertEquals(List.of(), h.deadLetters());
        }
    }

    @Test
    void aSlowCallBurstIsNotCalledABacklogOverflow() {
        try (Harness h = new Harness()) {
            h.ship("web-02", l(PHP_FPM_SLOW, slow("00:00:05", 4001, "/var/www/html/index.php", CURL_FRAMES)));
            h.ship("web-02", l(PHP_FPM_SLOW, slow("00:00:05", 4002, "/var/www/html/index.php", CURL_FRAMES)));
            h.ship("web-02", l(PHP_FPM, fpm("00:00:06", "WARNING", MAX_CHILDREN)));
            for (int s = 10; s < 14; s++) {
                h.ship("web-02", l(NGINX_ERROR, error("00:00:" + s, "error", EAGAIN)));
                h.ship("web-02", l(NGINX_ACCESS, access("00:00:" + s, 502, "GET / HTTP/1.1")));
            }
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            Incident i = out.get(0);
            assertEquals(RootCause.SLOW_EXTERNAL_CALL, i.getRootCause(), i::getSummary);
            // the chain: slow curl_exec() → pm.max_children reached → EAGAIN → 4×502
            assertEquals(List.of(RootCause.WORKER_POOL_EXHAUSTED, RootCause.LISTEN_BACKLOG_OVERFLOW), i.getContributingCauses());
            assertEquals(List.of("SLOW_HTTP_CALL", "POOL_SATURATED", "LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS"),
                    i.getCausalChain().stream().map(s -> s.getKind()).toList());
            assertEquals("shipping-rates", i.getCulprit().getPlugin());
            assertEquals("/var/www/html/index.php", i.getCulprit().getScript());
            assertEquals(4L, i.getStatusCounts().get("502"));
            assertEquals(4L, i.getUpstreamErrorsByErrno().get("11"));
        }
    }

    @Test
    void oneBurstIsExactlyOneIncidentAndTheNextBurstAnother() {
        try (Harness h = new Harness()) {
            h.ship("web-03", l(NGINX_ACCESS, access("00:00:00", 200, "GET / HTTP/1.1")));
            for (int s = 10; s <= 20; s += 2) {
                h.ship("web-03", l(NGINX_ERROR, error("00:00:" + s, "error", REFUSED)));
                h.ship("web-03", l(NGINX_ACCESS, access("00:00:" + s, 502, "GET / HTTP/1.1")));
                h.ship("web-03", l(NGINX_ACCESS, access("00:00:" + (s + 1), 200, "GET /static HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "open during quiet + grace");
            // 00:01:00 is past 00:00:20 + 30 s quiet + 10 s grace: the burst closes, then a new one opens
            h.ship("web-03", l(NGINX_ACCESS, access("00:01:00", 502, "GET / HTTP/1.1")));
            List<Incident> first = h.incidents();
            assertEquals(1, first.size());
            Incident i = first.get(0);
            assertEquals("web-03@2026-11-21T00:00:10Z", i.getId());
            assertEquals(Instant.parse("2026-11-21T00:00:10Z"), i.getStartedAt());
            assertEquals(Instant.parse("2026-11-21T00:00:20Z"), i.getEndedAt());
            assertEquals(6L, i.getStatusCounts().get("502"));
            assertEquals(6L, i.getUpstreamErrorsByErrno().get("111"));
            assertEquals(11L, i.getTotalRequests(), "6 × 502 and the 5 × 200 between the first and the last error");
            assertEquals(RootCause.FPM_UNAVAILABLE, i.getRootCause());
            h.idle();
            List<Incident> second = h.incidents();
            assertEquals(1, second.size());
            assertEquals(Instant.parse("2026-11-21T00:01:00Z"), second.get(0).getStartedAt());
            assertEquals(RootCause.UNKNOWN, second.get(0).getRootCause());
            assertEquals(List.of(), h.incidents());
            assertEquals(0, h.entries(Harness.OPEN));
        }
    }

    @Test
    void outOfOrderSourcesWithinGraceJoinTheIncident() {
        try (Harness h = new Harness()) {
            // the access log's shipper is ahead: the 502 and later traffic arrive first
            h.ship("web-04", l(NGINX_ACCESS, access("00:00:10", 502, "GET /import HTTP/1.1")));
            h.ship("web-04", l(NGINX_ACCESS, access("00:00:15", 200, "GET / HTTP/1.1")));
            // kernel and FPM lines written before the 502 arrive 5-8 s later in event time order of their own
            h.ship("web-04", l(KERN, "2026-11-21T00:00:09,500000+00:00 Out of memory: Killed process 22077 (php-fpm8.2) total-vm:812340kB, anon-rss:256144kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:680kB oom_score_adj:0"));
            h.ship("web-04", l(PHP_FPM, fpm("00:00:10", "WARNING", "[pool www] child 22077 exited on signal 9 (SIGKILL) after 12.345678 seconds from start")));
            h.ship("web-04", l(NGINX_ERROR, error("00:00:10", "error", RESET)));
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            assertEquals(RootCause.OOM_KILL, out.get(0).getRootCause(), out.get(0)::getSummary);
            assertEquals(22077, out.get(0).getCulprit().getPid());
            // event-time order; lines of the same instant by source, so the order never depends on arrival
            assertEquals(List.of(SourceKind.KERN, SourceKind.NGINX_ACCESS, SourceKind.NGINX_ERROR, SourceKind.PHP_FPM),
                    out.get(0).getEvidence().stream().map(e -> e.getSource()).toList(), "evidence in event-time order");
            assertEquals(0, h.metrics.total("late"));
            assertEquals(List.of(), h.deadLetters());
        }
    }

    @Test
    void aRecordPastTheGraceIsCountedAndDeadLetteredNotLost() {
        try (Harness h = new Harness()) {
            h.ship("web-05", l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
            h.ship("web-05", l(NGINX_ACCESS, access("00:02:00", 200, "GET / HTTP/1.1")));
            h.advance(java.time.Duration.ofSeconds(6)); // no other log delivered for source-idle: the burst closes
            assertEquals(1, h.incidents().size());
            // a 502 of the closed burst arrives 110 s behind the host's time: later than the 10 s grace
            String lateLine = access("00:00:10", 502, "GET /late HTTP/1.1");
            h.ship("web-05", l(NGINX_ACCESS, lateLine));
            // a healthy line 30 s behind: late too, no incident covers it
            h.ship("web-05", l(NGINX_ACCESS, access("00:01:30", 200, "GET /a HTTP/1.1")));
            // a line 5 s behind: within grace, nothing happens
            h.ship("web-05", l(NGINX_ACCESS, access("00:01:55", 200, "GET /b HTTP/1.1")));
            h.idle();
            assertEquals(List.of(), h.incidents(), "a late 502 does not open a second incident for a closed burst");
            List<DeadLetter> dl = h.deadLetters();
            assertEquals(2, dl.size());
            assertEquals("late", dl.get(0).getStage());
            assertEquals(lateLine, new String(dl.get(0).getOriginal().array(), StandardCharsets.UTF_8));
            assertEquals("web-05", dl.get(0).getHost());
            assertEquals("handoff.raw.nginx-access", dl.get(0).getSourceTopic());
            assertEquals(2L, dl.get(0).getSourceOffset());
            assertTrue(dl.get(0).getReason().contains("already closed"), dl.get(0).getReason());
            assertEquals("late", dl.get(1).getStage());
            assertEquals(2, h.metrics.get("late", "source", "nginx-access", "outcome", "dead-letter"));
            assertEquals(2, h.metrics.get("dead-letters", "source", "nginx-access", "stage", "late"));
        }
    }

    @Test
    void aLineBehindAnotherSourceIsNotLateAndJoinsItsIncident() {
        try (Harness h = new Harness()) {
            h.ship("web-05", l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
            h.ship("web-05", l(NGINX_ACCESS, access("00:00:35", 200, "GET / HTTP/1.1")));
            // 25 s behind the access log, but the first line of the error log: its own log is not ahead of it
            h.ship("web-05", l(NGINX_ERROR, error("00:00:10", "crit", EACCES)));
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, out.get(0).getRootCause());
            assertEquals(0, h.metrics.total("late"));
            assertEquals(List.of(), h.deadLetters());
        }
    }

    @Test
    void aLateLineThatAnOpenIncidentHoldsIsAbsorbed() {
        try (Harness h = new Harness()) {
            h.ship("web-05", l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
            h.ship("web-05", l(NGINX_ERROR, error("00:00:32", "crit", EACCES)));
            h.ship("web-05", l(NGINX_ACCESS, access("00:00:33", 200, "GET / HTTP/1.1")));
            // 22 s behind the error log's own time (late), inside the open incident's window
            h.ship("web-05", l(NGINX_ERROR, error("00:00:10", "crit", EACCES)));
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, out.get(0).getRootCause());
            assertEquals(Instant.parse("2026-11-21T00:00:32Z"), out.get(0).getEndedAt());
            assertEquals(3, out.get(0).getEvidenceTotal());
            assertEquals(1, h.metrics.get("late", "source", "nginx-error", "outcome", "absorbed"));
            assertEquals(List.of(), h.deadLetters());
        }
    }

    @Test
    void twoHostsInterleavedKeepTheirOwnIncidentsAndClocks() {
        try (Harness h = new Harness()) {
            // web-a is an hour ahead of web-b in event time; both on one partition
            for (int s = 10; s < 16; s++) {
                h.ship("web-a", l(NGINX_ERROR, "2026/11/21 01:00:" + s + " [crit] 1#1: *1 " + EACCES + ", client: 10.0.0.1, server: a, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"a\""));
                h.ship("web-b", l(NGINX_ERROR, error("00:00:" + s, "error", REFUSED)));
                h.ship("web-a", l(NGINX_ACCESS, access("01:00:" + s, 502, "GET / HTTP/1.1")));
                h.ship("web-b", l(NGINX_ACCESS, access("00:00:" + s, 502, "GET / HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "web-a's later clock does not close web-b's burst");
            assertEquals(List.of(), h.deadLetters(), "web-b's lines are not late because of web-a");
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(2, out.size());
            Incident a = out.stream().filter(i -> i.getHost().equals("web-a")).findFirst().orElseThrow();
            Incident b = out.stream().filter(i -> i.getHost().equals("web-b")).findFirst().orElseThrow();
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, a.getRootCause());
            assertEquals(RootCause.FPM_UNAVAILABLE, b.getRootCause());
            assertEquals(6L, a.getStatusCounts().get("502"));
            assertEquals(6L, b.getStatusCounts().get("502"));
        }
    }

    @Test
    void healthyHostYieldsNothingAndCostsOneClockEntry() {
        try (Harness h = new Harness()) {
            for (int s = 10; s < 60; s++) {
                h.ship("web-ok", l(NGINX_ACCESS, access("00:00:" + s, s % 7 == 0 ? 404 : 200, "GET / HTTP/1.1")));
            }
            h.ship("web-ok", l(NGINX_ACCESS, access("00:01:00", 500, "GET /broken HTTP/1.1")));
            h.idle();
            assertEquals(List.of(), h.incidents());
            assertEquals(List.of(), h.warnings());
            assertEquals(List.of(), h.deadLetters());
            assertEquals(1, h.entries(Harness.CLOCK));
            assertEquals(0, h.entries(Harness.LOOKBACK));
            assertEquals(0, h.entries(Harness.OPEN));
            assertEquals(0, h.entries(Harness.LINES));
            long bytes = h.hostStateBytes("web-ok");
            assertTrue(bytes < 128, "a quiet host: its clock, and the access lines of the last seconds, " + bytes + " bytes");
            assertEquals(51, h.metrics.get("lines", "source", "nginx-access"));
        }
    }

    @Test
    void warningOnlyHostGetsAWarningAndNoIncident() {
        try (Harness h = new Harness()) {
            h.ship("web-w", l(PHP_FPM, fpm("00:00:01", "WARNING", MAX_CHILDREN)));
            h.ship("web-w", l(PHP_FPM_SLOW, slow("00:00:02", 4001, "/var/www/html/index.php", CURL_FRAMES)));
            h.ship("web-w", l(NGINX_ACCESS, access("00:00:03", 200, "GET / HTTP/1.1")));
            assertEquals(List.of(), h.warnings(), "pending until quiet + grace pass");
            h.ship("web-w", l(NGINX_ACCESS, access("00:01:30", 200, "GET / HTTP/1.1")));
            assertEquals(List.of(), h.warnings(), "held a minute longer: queued requests fail only at fastcgi_read_timeout");
            h.ship("web-w", l(NGINX_ACCESS, access("00:01:43", 200, "GET / HTTP/1.1")));
            h.advance(java.time.Duration.ofSeconds(6)); // the FPM logs have delivered nothing for source-idle
            List<Warning> w = h.warnings();
            assertEquals(1, w.size());
            assertEquals(WarningKind.POOL_SATURATED, w.get(0).getKind());
            assertEquals(RootCause.SLOW_EXTERNAL_CALL, w.get(0).getLikelyCause());
            assertEquals("shipping-rates", w.get(0).getCulprit().getPlugin());
            assertEquals(2, w.get(0).getEvidence().size());
            h.idle();
            assertEquals(List.of(), h.incidents());
            assertEquals(List.of(), h.warnings());
        }
    }

    @Test
    void deadLettersCarryTheOriginalBytesKeyAndReason() {
        try (Harness h = new Harness()) {
            byte[] garbage = "this is not an nginx error line".getBytes(StandardCharsets.UTF_8);
            h.shipRaw(NGINX_ERROR, "web-x".getBytes(StandardCharsets.UTF_8), garbage);
            byte[] noHost = "2026/11/21 00:00:05 [error] 1#1: *1 oops".getBytes(StandardCharsets.UTF_8);
            h.shipRaw(NGINX_ERROR, null, noHost);
            byte[] badZone = ("{\"message\":\"" + "2026/11/21 00:00:05 [error] 1#1: *1 x" + "\",\"host\":{\"name\":\"web-x\"},"
                    + "\"event\":{\"timezone\":\"Mars/Olympus\"}}").getBytes(StandardCharsets.UTF_8);
            h.shipRaw(NGINX_ERROR, null, badZone);
            List<DeadLetter> dl = h.deadLetters();
            assertEquals(3, dl.size());
            assertEquals("parse", dl.get(0).getStage());
            assertArrayEquals(garbage, dl.get(0).getOriginal().array());
            assertArrayEquals("web-x".getBytes(StandardCharsets.UTF_8), dl.get(0).getKey().array());
            assertEquals(SourceKind.NGINX_ERROR, dl.get(0).getSourceKind());
            assertEquals(0L, dl.get(0).getSourceOffset());
            assertTrue(dl.get(0).getReason().length() > 10);
            assertEquals("envelope", dl.get(1).getStage());
            assertArrayEquals(noHost, dl.get(1).getOriginal().array());
            assertTrue(dl.get(1).getReason().contains("host"), dl.get(1).getReason());
            assertEquals("time", dl.get(2).getStage());
            assertEquals("web-x", dl.get(2).getHost());
            assertTrue(dl.get(2).getReason().contains("Mars/Olympus"));
            assertEquals(1, h.metrics.get("dead-letters", "source", "nginx-error", "stage", "parse"));
            assertEquals(1, h.metrics.get("dead-letters", "source", "nginx-error", "stage", "envelope"));
            assertEquals(1, h.metrics.get("dead-letters", "source", "nginx-error", "stage", "time"));
            assertEquals(List.of(), h.incidents());
        }
    }

    @Test
    void zonesFromTheShipperAreApplied() {
        try (Harness h = new Harness()) {
            byte[] v = ("{\"message\":\"" + "2026/11/21 02:00:05 [error] 1#1: *1 " + REFUSED
                    + ", client: 1.2.3.4, server: a, request: \\\"GET / HTTP/1.1\\\", upstream: \\\"fastcgi://unix:/run/php/php8.2-fpm.sock:\\\", host: \\\"a\\\"\","
                    + "\"host\":{\"name\":\"web-z\"},\"event\":{\"timezone\":\"+02:00\"}}").getBytes(StandardCharsets.UTF_8);
            h.shipRaw(NGINX_ERROR, null, v);
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            assertEquals(Instant.parse("2026-11-21T00:00:05Z"), out.get(0).getStartedAt());
        }
    }

    @Test
    void describeIsPinned() throws Exception {
        String actual = HandoffTopology.build(HandoffConfig.defaults().withStreams(
                Map.of("schema.registry.url", "mock://describe"))).describe().toString();
        Path expected = Path.of("src", "test", "resources", "topology", "describe.txt");
        if (Boolean.getBoolean("handoff.describe.update")) {
            Files.writeString(expected, actual);
        }
        assertEquals(Files.readString(expected), actual,
                "the topology changed shape; if intended, run with -Dhandoff.describe.update=true and review the diff");
    }
}
