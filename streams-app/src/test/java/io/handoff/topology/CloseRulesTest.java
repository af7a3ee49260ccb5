package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.common.CloseGate;
import io.handoff.config.Keys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.handoff.avro.SourceKind.KERN;
import static io.handoff.avro.SourceKind.NGINX_ACCESS;
import static io.handoff.avro.SourceKind.NGINX_ERROR;
import static io.handoff.avro.SourceKind.PHP_FPM;
import static io.handoff.topology.HandoffTopologyTest.EACCES;
import static io.handoff.topology.HandoffTopologyTest.access;
import static io.handoff.topology.HandoffTopologyTest.error;
import static io.handoff.topology.HandoffTopologyTest.fpm;
import static io.handoff.topology.HandoffTopologyTest.l;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * When an incident closes, by the host's per-source clocks (quiet 30 s, grace 10 s, source-idle 5 s): at
 * last error + quiet + 1 s once every active log has got there (active: delivering a line within
 * source-idle of wall-clock time; how close a silent log's clock is to the newest's does not count), and,
 * while the partition is not live, never by time. The harness's wall clock stands still
 * unless a test advances it: tests of a live tail advance it as the lines come.
 * What the incident holds never depends on when it closes: its window is the look-back before the first
 * error to the quiet period after the last.
 */
class CloseRulesTest {
    static final String CHILD = "[pool www] child 4289 started";
    static final Duration SOURCE_IDLE = Keys.SOURCE_IDLE.defaultValue();

    static void burst(Harness h, String host) {
        h.ship(host, l(NGINX_ERROR, error("00:00:10", "crit", EACCES)));
        h.ship(host, l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
    }

    /** A live tail: 3 s of wall-clock time pass, then the access log delivers a 200 written at {@code time}. */
    static void tail(Harness h, String host, String time) {
        h.advance(Duration.ofSeconds(3));
        h.ship(host, l(NGINX_ACCESS, access(time, 200, "GET / HTTP/1.1")));
    }

    @Test
    void closesAtQuietPlusOneSecondOnceEveryActiveLogIsThere() {
        try (Harness h = new Harness()) {
            burst(h, "web-e");
            for (int s = 11; s <= 40; s++) {
                h.advance(Duration.ofSeconds(1)); // a live tail: a line a second
                h.ship("web-e", l(NGINX_ACCESS, access("00:00:" + s, 200, "GET / HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "00:00:40 is the quiet period's last second");
            // the error log has delivered nothing for 30 s of wall-clock time: it stopped, it holds nothing
            h.advance(Duration.ofSeconds(1));
            h.ship("web-e", l(NGINX_ACCESS, access("00:00:41", 200, "GET / HTTP/1.1")));
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), "closed at last error + quiet + 1 s, not + grace");
            assertEquals(1, out.get(0).getTotalRequests(), "the 502 alone lies in [first, last]");
            assertEquals(0, h.entries(Harness.OPEN));
        }
    }

    @Test
    void aLogKeepingPaceHoldsItWhileItDeliversAndNoLongerOnceSilentForSourceIdle() {
        try (Harness h = new Harness()) {
            burst(h, "web-f");
            tail(h, "web-f", "00:00:20");
            tail(h, "web-f", "00:00:30"); // the error log has been silent for more than source-idle: stopped
            h.ship("web-f", l(PHP_FPM, fpm("00:00:38", "NOTICE", CHILD)));
            tail(h, "web-f", "00:00:41");
            assertEquals(List.of(), h.incidents(), "the FPM log delivered a line 3 s ago");
            tail(h, "web-f", "00:00:44");
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), "the FPM log (00:00:38) is within the grace of 00:00:44, but it has delivered"
                    + " nothing for 6 s: it no longer holds the incident");
            assertEquals(Instant.parse("2026-11-21T00:00:10Z"), out.get(0).getEndedAt());
            h.ship("web-f", l(PHP_FPM, fpm("00:00:45", "NOTICE", CHILD)));
            assertEquals(List.of(), h.incidents());
            assertEquals(List.of(), h.deadLetters(), "the FPM log's next line lies after the window: nothing was lost");
            assertEquals(0, h.metrics.total("late"));
        }
    }

    // ---- web-06's capture, live ----

    /**
     * web-06's capture (a worker segfaults: SEGFAULT → WORKER_RESET → GATEWAY_ERRORS): its last gateway error at
     * 11:01:03, its access log's last line at 11:01:31, and its FPM log's last two lines at 11:01:33, 30 s
     * after the last error ("Finishing ...", "exiting, bye-bye!": FPM stopped at the end of the capture), in
     * the window's last second and short of its end (last error + quiet + 1 s) — the burst that set the bench's
     * final p99 while a log within the grace of the newest held an incident until the newest passed last
     * error + quiet + grace.
     */
    static final String WEB_06 = "web-06";
    static final Instant WEB_06_LAST_ERROR = Instant.parse("2026-11-21T11:01:03Z");

    static List<LiveVersusReplayTest.Written> capture(String host) throws Exception {
        List<LiveVersusReplayTest.Written> lines = new ArrayList<>();
        for (LiveVersusReplayTest.Written w : LiveVersusReplayTest.fleet()) {
            if (w.host().equals(host)) lines.add(w);
        }
        assumeTrue(!lines.isEmpty(), "samples/fleet/" + host + " not found");
        return lines;
    }

    static List<LiveVersusReplayTest.Written> web06() throws Exception {
        return capture(WEB_06);
    }

    /** web-06's one incident as a replay gives it (without offsets and revision). */
    static Incident web06Replayed(HandoffConfig config) throws Exception {
        CloseGate gate = CloseGate.afterInput();
        try (Harness h = new Harness(config, gate)) {
            LiveVersusReplayTest.replayOrder(web06()).forEach(w -> h.ship(WEB_06, w.line()));
            gate.open(CloseGate.Stage.CORRELATE);
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), "web-06 replays to one incident");
            assertEquals(RootCause.WORKER_CRASH, out.get(0).getRootCause(), out.get(0)::getSummary);
            assertEquals(List.of(), h.deadLetters());
            return LiveVersusReplayTest.withoutOffsets(out.get(0));
        }
    }

    /** When the incident came out (wall clock = event time) and what it was. */
    record Closed(Instant at, Incident incident) {}

    /**
     * A live tail of web-06 with the wall clock as event time: each line delivered {@code delay} after it was
     * written (per log; none: as written), each log in its own order; from the capture's end on, the access log
     * goes on with a line a second. Returns when the incident came out, checking that nothing else did and
     * that no line was late or dead-lettered.
     */
    static Closed web06Live(HandoffConfig config, Map<SourceKind, Duration> delay) throws Exception {
        return live(WEB_06, config, delay, null);
    }

    /**
     * {@link #web06Live} for any capture, its access log going on from {@code resume} (null: the second after
     * the capture's last line) with its last line re-stamped.
     */
    static Closed live(String host, HandoffConfig config, Map<SourceKind, Duration> delay, Instant resume) throws Exception {
        List<LiveVersusReplayTest.Written> capture = capture(host);
        record Due(long at, LiveVersusReplayTest.Written w) {}
        List<Due> due = new ArrayList<>();
        for (LiveVersusReplayTest.Written w : capture) {
            due.add(new Due(w.written() + delay.getOrDefault(w.line().kind(), Duration.ZERO).toMillis(), w));
        }
        long captureEnd = capture.stream().mapToLong(LiveVersusReplayTest.Written::written).max().orElseThrow();
        LiveVersusReplayTest.Written last = capture.stream().filter(w -> w.line().kind() == NGINX_ACCESS)
                .max(Comparator.comparingInt(LiveVersusReplayTest.Written::order)).orElseThrow();
        long from = resume == null ? Math.floorDiv(captureEnd, 1000) * 1000 + 1000 : resume.toEpochMilli();
        for (long t = from; t <= from + 60_000; t += 1000) {
            Harness.Line l = PolledShipperTest.restamped(last.line(), t - last.written());
            due.add(new Due(t, new LiveVersusReplayTest.Written(host, l, t, 0)));
        }
        due.sort(Comparator.comparingLong(Due::at).thenComparing(d -> d.w().line().kind()).thenComparingInt(d -> d.w().order()));
        try (Harness h = new Harness(config, CloseGate.always())) {
            List<Incident> out = new ArrayList<>();
            long now = due.get(0).at();
            Instant closedAt = null;
            for (Due d : due) {
                while (now < d.at()) {
                    long step = Math.min(250, d.at() - now);
                    h.advance(Duration.ofMillis(step));
                    now += step;
                    out.addAll(h.incidents());
                    if (closedAt == null && !out.isEmpty()) closedAt = Instant.ofEpochMilli(now);
                }
                h.ship(host, d.w().line());
                out.addAll(h.incidents());
                if (closedAt == null && !out.isEmpty()) closedAt = Instant.ofEpochMilli(now);
            }
            assertEquals(1, out.size(), "one incident: " + out);
            h.idle();
            assertEquals(List.of(), h.incidents());
            assertEquals(List.of(), h.warnings());
            assertEquals(List.of(), h.deadLetters(), "no line of the burst arrived after its incident closed");
            assertEquals(0, h.metrics.total("late"), "late lines");
            assertEquals(0, h.entries(Harness.OPEN));
            return new Closed(closedAt, LiveVersusReplayTest.withoutOffsets(out.get(0)));
        }
    }

    /**
     * The web-06 shape with no log delivering at the end: quiet 36 s puts the FPM log's last lines (11:01:33)
     * 7 s short of the end (11:01:40), within the grace of the newest log there, and delivered 7 s before it:
     * more than source-idle ago. The FPM log has stopped, and the incident closes when the access log gets to
     * last error + quiet + 1 s (a log within the grace of the newest used to hold it to last error + quiet + grace).
     */
    @Test
    void web06ClosesAtLastErrorPlusQuietPlusOneSecondWhenNoLogIsDelivering() throws Exception {
        HandoffConfig config = HandoffConfig.of(Map.of(Keys.QUIET_PERIOD.name(), "36s"));
        Incident replayed = web06Replayed(config);
        Closed c = web06Live(config, Map.of());
        assertEquals(WEB_06_LAST_ERROR.plusSeconds(36 + 1), c.at(), "closed by the access line that passed last error + quiet + 1 s");
        assertEquals(replayed, c.incident(), () -> LiveVersusReplayTest.diff(replayed, c.incident()));
    }

    /**
     * web-06 as the bench ships it (quiet 30 s): the FPM log delivered its last lines 1 s before the end, so it
     * may be a log between two polls of its shipper, and holds the incident until it has been silent for
     * source-idle: at last error + quiet + source-idle, not at last error + quiet + grace.
     */
    @Test
    void web06TheFpmLogsLastLinesHoldItForSourceIdleNotToTheGrace() throws Exception {
        HandoffConfig config = HandoffConfig.defaults();
        Incident replayed = web06Replayed(config);
        Closed c = web06Live(config, Map.of());
        Instant fpmLast = WEB_06_LAST_ERROR.plusSeconds(30);
        assertTrue(!c.at().isBefore(fpmLast.plus(SOURCE_IDLE)), "closed at " + c.at() + ", before the FPM log was silent for source-idle");
        assertTrue(!c.at().isAfter(fpmLast.plus(SOURCE_IDLE).plusMillis(1_000)), "closed at " + c.at() + ": the access line after"
                + " the FPM log's source-idle closes it");
        assertEquals(replayed, c.incident(), () -> LiveVersusReplayTest.diff(replayed, c.incident()));
    }

    /**
     * web-01's capture ends 14 s after its last gateway error (11:10:32; its FPM log's last line at 11:10:46)
     * and its host's traffic resumes at the end (11:11:03), as the bench's live segment has it: the host had
     * been silent for longer than source-idle, every log of it had stopped, and the line that resumes it
     * closes the incident. (Its other logs used to count as heard again with that line, as those of a host
     * not heard from since the task started do, and held the incident for source-idle more.)
     */
    @Test
    void aHostWhoseLogsAllStoppedClosesWhenItsTrafficResumesAtTheEnd() throws Exception {
        Instant lastError = Instant.parse("2026-11-21T11:10:32Z");
        Instant end = lastError.plusSeconds(30 + 1);
        Closed c = live("web-01", HandoffConfig.defaults(), Map.of(), end);
        assertEquals(end, c.at(), "closed by the access line at last error + quiet + 1 s");
        assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, c.incident().getRootCause(), c.incident()::getSummary);
        assertEquals(lastError, c.incident().getEndedAt());
    }

    /**
     * web-06 with its kernel log — the segfaults, the root of the chain — lagging 36 s behind (a shipper
     * catching up on kern.log) and still delivering when the access log passes the end: it holds the incident
     * until it has delivered its last line (11:01:03, at 11:01:39) and been silent for source-idle, and the
     * incident is the replay's.
     */
    @Test
    void web06ALaggingKernelLogThatStillDeliversHoldsIt() throws Exception {
        HandoffConfig config = HandoffConfig.defaults();
        Incident replayed = web06Replayed(config);
        Closed c = web06Live(config, Map.of(KERN, Duration.ofSeconds(36)));
        Instant kernLast = WEB_06_LAST_ERROR.plusSeconds(36);
        assertTrue(!c.at().isBefore(kernLast.plus(SOURCE_IDLE)), "closed at " + c.at() + ", before the kernel log stopped");
        assertTrue(!c.at().isAfter(kernLast.plus(SOURCE_IDLE).plusMillis(1_000)), "closed at " + c.at());
        assertEquals(replayed, c.incident(), () -> LiveVersusReplayTest.diff(replayed, c.incident()));
    }

    @Test
    void aLogStillDeliveringHoldsItHoweverFarTheOthersRanAheadAndStopsHoldingWhenItStops() {
        try (Harness h = new Harness()) {
            burst(h, "web-k");
            // the access log's next two minutes reach the task before the rest of the error log's burst
            for (int s = 11; s < 130; s += 7) {
                h.ship("web-k", l(NGINX_ACCESS, access(String.format("00:%02d:%02d", s / 60, s % 60), 200, "GET / HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "the error log delivered a line just now: it may hold the rest of the burst");
            h.ship("web-k", l(NGINX_ERROR, error("00:00:30", "crit", EACCES)));
            h.ship("web-k", l(NGINX_ERROR, error("00:00:50", "crit", EACCES)));
            assertEquals(List.of(), h.incidents(), "the error log is still delivering its burst");
            h.advance(SOURCE_IDLE.minusSeconds(1));
            assertEquals(List.of(), h.incidents(), "silent for less than source-idle");
            h.advance(Duration.ofSeconds(2));
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), "silent for source-idle: the error log stopped, and every other log is past the window");
            Incident i = out.get(0);
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, i.getRootCause(), i::getSummary);
            assertEquals(Instant.parse("2026-11-21T00:00:10Z"), i.getStartedAt());
            assertEquals(Instant.parse("2026-11-21T00:00:50Z"), i.getEndedAt());
            assertEquals(Map.of("13", 3L), i.getUpstreamErrorsByErrno());
            assertEquals(6, i.getTotalRequests(), "the 502 and the 200s at :11, :18, :25, :32, :39 (:46 ran ahead of the window as it stood when it came)");
            assertEquals(0, h.entries(Harness.OPEN));
            assertEquals(List.of(), h.deadLetters());
            assertEquals(0, h.metrics.total("late"));
            h.idle();
            assertEquals(List.of(), h.incidents());
        }
    }

    /**
     * Source-idle is wall-clock time the task ran, not the gap between two punctuations: a jump of the
     * clock (the stream thread stalled, the machine slept) is time in which no log could deliver anything,
     * so it ends no log's delivering. Punctuations that follow end it.
     */
    @Test
    void aJumpOfTheWallClockIsTimeTheTaskDidNotRunNotALogsSilence() {
        try (Harness h = new Harness()) {
            burst(h, "web-j");
            for (int s = 11; s < 130; s += 7) {
                h.ship("web-j", l(NGINX_ACCESS, access(String.format("00:%02d:%02d", s / 60, s % 60), 200, "GET / HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "the error log delivered a line just now");
            h.jump(Duration.ofMinutes(5));
            assertEquals(List.of(), h.incidents(), "five minutes between two punctuations: nobody's silence");
            h.advance(SOURCE_IDLE);
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), "source-idle of punctuations later, the error log has stopped");
            Incident i = out.get(0);
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, i.getRootCause(), i::getSummary);
            assertEquals(Instant.parse("2026-11-21T00:00:10Z"), i.getEndedAt());
            assertEquals(Map.of("13", 1L), i.getUpstreamErrorsByErrno());
            assertEquals(1, i.getTotalRequests(), "the 502 alone: its first error is its last");
            assertEquals(List.of(), h.deadLetters());
            assertEquals(0, h.metrics.total("late"));
        }
    }

    /**
     * A replay (the gate shut until the input is complete, the wall clock of no account) closes nothing by
     * time: an incident closes when the host's next burst starts, the last one once the input is complete
     * and its logs have been silent for source-idle of live time — not only at the idle close. Each holds
     * its window, as when it closes live.
     */
    @Test
    void aReplayClosesAnIncidentAtTheNextBurstAndTheLastSourceIdleAfterItsInputIsComplete() {
        CloseGate gate = CloseGate.afterInput();
        try (Harness h = new Harness(HandoffConfig.defaults(), gate)) {
            burst(h, "web-r");
            h.ship("web-r", l(NGINX_ERROR, error("00:00:25", "crit", EACCES)));
            for (int s = 20; s <= 90; s += 10) {
                h.ship("web-r", l(NGINX_ACCESS, access(String.format("00:%02d:%02d", s / 60, s % 60), 200, "GET / HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "not live: every log of the host may still bring the burst's lines");
            h.ship("web-r", l(NGINX_ERROR, error("00:05:10", "crit", EACCES)));
            List<Incident> first = h.incidents();
            assertEquals(1, first.size(), "the next burst's first error closes the one before");
            assertEquals("web-r@2026-11-21T00:00:10Z", first.get(0).getId());
            assertEquals(Instant.parse("2026-11-21T00:00:25Z"), first.get(0).getEndedAt());
            assertEquals(Map.of("13", 2L), first.get(0).getUpstreamErrorsByErrno());
            assertEquals(Map.of("502", 1L), first.get(0).getStatusCounts());
            assertEquals(2, first.get(0).getTotalRequests(), "the 502 at :10 and the 200 at :20");
            h.ship("web-r", l(NGINX_ACCESS, access("00:05:10", 502, "GET / HTTP/1.1")));
            h.ship("web-r", l(NGINX_ERROR, error("00:05:30", "crit", EACCES)));
            for (int s = 320; s <= 400; s += 10) {
                h.ship("web-r", l(NGINX_ACCESS, access(String.format("00:%02d:%02d", s / 60, s % 60), 200, "GET / HTTP/1.1")));
            }
            h.advance(Duration.ofMinutes(5));
            assertEquals(List.of(), h.incidents(), "no time counts before the input is complete");
            gate.open(CloseGate.Stage.CORRELATE);
            h.advance(SOURCE_IDLE.minusSeconds(1));
            assertEquals(List.of(), h.incidents(), "its logs have been silent for less than source-idle of live time");
            h.advance(Duration.ofSeconds(2));
            List<Incident> second = h.incidents();
            assertEquals(1, second.size(), "source-idle after the input is complete, not idle-close ("
                    + HandoffConfig.defaults().idleClose() + ")");
            Incident i = second.get(0);
            assertEquals("web-r@2026-11-21T00:05:10Z", i.getId());
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, i.getRootCause(), i::getSummary);
            assertEquals(Instant.parse("2026-11-21T00:05:30Z"), i.getEndedAt());
            assertEquals(Map.of("13", 2L), i.getUpstreamErrorsByErrno());
            assertEquals(3, i.getTotalRequests(), "the 502 at 05:10 and the 200s at 05:20 and 05:30");
            assertEquals(List.of(), h.deadLetters());
            assertEquals(List.of(), h.warnings());
            assertEquals(0, h.metrics.total("late"));
            assertEquals(0, h.entries(Harness.OPEN));
        }
    }

    @Test
    void aGatewayErrorAfterTheWindowStartsTheNextBurstEvenBeforeTheFirstCloses() {
        try (Harness h = new Harness()) {
            burst(h, "web-h");
            h.ship("web-h", l(PHP_FPM, fpm("00:00:40", "NOTICE", CHILD)));
            // 00:00:41 is after the window (00:00:10 + 30 s): a new burst, although the FPM log holds the first open
            h.ship("web-h", l(NGINX_ACCESS, access("00:00:41", 502, "GET /b HTTP/1.1")));
            List<Incident> first = h.incidents();
            assertEquals(1, first.size());
            assertEquals(Instant.parse("2026-11-21T00:00:10Z"), first.get(0).getEndedAt());
            assertEquals(Map.of("502", 1L), first.get(0).getStatusCounts());
            h.idle();
            List<Incident> second = h.incidents();
            assertEquals(1, second.size());
            assertEquals("web-h@2026-11-21T00:00:41Z", second.get(0).getId());
            assertEquals(RootCause.UNKNOWN, second.get(0).getRootCause(), "the first burst's EACCES is not in its look-back");
            assertEquals(1, second.get(0).getEvidenceTotal());
        }
    }

    @Test
    void whileNotLiveALaggingLogIsWaitedForInsteadOfCut() {
        CloseGate gate = CloseGate.afterInput();
        try (Harness h = new Harness(HandoffConfig.defaults(), gate)) {
            h.ship("web-c", l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
            // a catch-up: the access log runs two minutes ahead of the error log
            for (int s = 11; s < 130; s += 7) {
                h.ship("web-c", l(NGINX_ACCESS, access(String.format("00:%02d:%02d", s / 60, s % 60), 200, "GET / HTTP/1.1")));
            }
            assertEquals(List.of(), h.incidents(), "not live: the error log's silence may be a lag");
            h.ship("web-c", l(NGINX_ERROR, error("00:00:10", "crit", EACCES)));
            h.ship("web-c", l(NGINX_ERROR, error("00:00:39", "crit", EACCES))); // extends the burst
            h.advance(Duration.ofMinutes(5));
            assertEquals(List.of(), h.incidents(), "nor does silence count while not live");
            gate.open(CloseGate.Stage.CORRELATE);
            h.idle();
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            Incident i = out.get(0);
            assertEquals(RootCause.SOCKET_PERMISSION_DENIED, i.getRootCause(), i::getSummary);
            assertEquals(Instant.parse("2026-11-21T00:00:39Z"), i.getEndedAt());
            assertEquals(Map.of("13", 2L), i.getUpstreamErrorsByErrno());
            assertEquals(6, i.getTotalRequests(), "the 502 and the 200s at :11, :18, :25, :32, :39");
            assertEquals(List.of(), h.deadLetters());
            assertEquals(0, h.metrics.total("late"));
        }
    }

    @Test
    void liveTheSameLagBeyondTheGraceArrivesAfterTheCloseAndIsDeadLettered() {
        try (Harness h = new Harness()) {
            h.ship("web-l", l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
            for (int s = 11; s < 130; s += 7) {
                h.advance(Duration.ofSeconds(7)); // a live tail
                h.ship("web-l", l(NGINX_ACCESS, access(String.format("00:%02d:%02d", s / 60, s % 60), 200, "GET / HTTP/1.1")));
            }
            assertEquals(1, h.incidents().size(), "live, a log that delivered nothing for source-idle counts as stopped");
            String line = error("00:00:10", "crit", EACCES);
            h.ship("web-l", l(NGINX_ERROR, line));
            List<DeadLetter> dl = h.deadLetters();
            assertEquals(1, dl.size());
            assertEquals("late", dl.get(0).getStage());
            assertEquals(line, new String(dl.get(0).getOriginal().array(), StandardCharsets.UTF_8));
            assertTrue(dl.get(0).getReason().contains("arrived after its burst had already closed"), dl.get(0).getReason());
            assertEquals(1, h.metrics.get("late", "source", "nginx-error", "outcome", "dead-letter"));
            assertEquals(List.of(), h.incidents());
        }
    }
}
