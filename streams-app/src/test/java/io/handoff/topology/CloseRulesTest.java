package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.common.CloseGate;
import io.handoff.config.Keys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

/**
 * When an incident closes, by the host's per-source clocks (quiet 30 s, grace 10 s, source-idle 5 s): at
 * last error + quiet + 1 s once every active log has got there (active: delivering a line within
 * source-idle of wall-clock time, or in step with the newest log until it passes last error + quiet +
 * grace), and, while the partition is not live, never by time. The harness's wall clock stands still
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
    void aLogInStepWithTheNewestHoldsItUntilItGetsThere() {
        try (Harness h = new Harness()) {
            burst(h, "web-f");
            tail(h, "web-f", "00:00:20");
            tail(h, "web-f", "00:00:30"); // the error log has been silent for more than source-idle: stopped
            h.ship("web-f", l(PHP_FPM, fpm("00:00:38", "NOTICE", CHILD)));
            tail(h, "web-f", "00:00:41");
            assertEquals(List.of(), h.incidents(), "the FPM log delivered a line 3 s ago");
            tail(h, "web-f", "00:00:45");
            tail(h, "web-f", "00:00:48");
            assertEquals(List.of(), h.incidents(), "the FPM log (00:00:38) no longer delivers, but it is within the grace of"
                    + " 00:00:48 and not there yet");
            h.ship("web-f", l(PHP_FPM, fpm("00:00:42", "NOTICE", CHILD)));
            assertEquals(1, h.incidents().size(), "the FPM log got past 00:00:41");
        }
    }

    @Test
    void atTheLatestWhenTheNewestLogPassesQuietPlusGrace() {
        try (Harness h = new Harness()) {
            burst(h, "web-g");
            tail(h, "web-g", "00:00:20");
            tail(h, "web-g", "00:00:30");
            h.ship("web-g", l(PHP_FPM, fpm("00:00:40", "NOTICE", CHILD)));
            tail(h, "web-g", "00:00:44");
            tail(h, "web-g", "00:00:49");
            assertEquals(List.of(), h.incidents(), "the FPM log (00:00:40) is in step with 00:00:49");
            h.ship("web-g", l(NGINX_ACCESS, access("00:00:50", 200, "GET / HTTP/1.1")));
            assertEquals(1, h.incidents().size(), "last error + quiet + grace is the bound for a log that is only in step");
        }
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
