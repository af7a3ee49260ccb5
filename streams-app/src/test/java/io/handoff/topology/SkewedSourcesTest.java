package io.handoff.topology;

import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.common.CloseGate;
import io.handoff.config.HandoffConfig;
import io.handoff.config.Keys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A host's logs reaching the correlator skewed by far more than the grace, live, although no line is late
 * against its own log: each log file whole, one after another, in every order, and the files interleaved in
 * blocks. The wall clock stands still while they arrive (the same instant, as when a shipper sends a burst's
 * lines at once and Streams interleaves six topics as it likes), so every log delivers and holds the
 * incident until it has passed the window. Each capture gives the one incident its replay gives.
 * Real captures (samples/fleet): web-09 with quiet 2 s and grace 1 s, as the bench's live segment runs it;
 * web-12 (a reload that interrupts requests) and web-07 (an OOM kill, five logs) with the defaults, whose
 * grace (10 s) a whole file's minute of skew still far exceeds.
 */
class SkewedSourcesTest {
    static final Path FLEET = SampleFleetTest.FLEET;

    static HandoffConfig config(Duration sourceIdle) {
        return HandoffConfig.of(Map.of(Keys.QUIET_PERIOD.name(), "2s", Keys.GRACE.name(), "1s", Keys.IDLE_CLOSE.name(), "33s",
                Keys.SOURCE_IDLE.name(), sourceIdle.toMillis() + "ms"));
    }

    static final HandoffConfig CONFIG = config(Keys.SOURCE_IDLE.defaultValue());

    /** What came out of one run. */
    record Outcome(List<Incident> incidents, int warnings, int deadLetters, long late) {}

    /** The defaults: quiet 30 s, grace 10 s (a capture whose bursts lie further apart than 2 s). */
    static final HandoffConfig DEFAULTS = HandoffConfig.defaults();

    static List<Harness.Line> files(String host) throws Exception {
        assumeTrue(Files.isDirectory(FLEET.resolve(host)), "samples/fleet/" + host + " not found");
        return Harness.sampleFiles(FLEET.resolve(host));
    }

    /** The replay: files merged by written time, nothing closed by time until the input is complete. */
    static Outcome replay(HandoffConfig config, String host) throws Exception {
        List<LiveVersusReplayTest.Written> w = new ArrayList<>();
        for (LiveVersusReplayTest.Written x : LiveVersusReplayTest.fleet()) {
            if (x.host().equals(host)) w.add(x);
        }
        List<Harness.Line> order = LiveVersusReplayTest.replayOrder(w).stream().map(LiveVersusReplayTest.Written::line).toList();
        CloseGate gate = CloseGate.afterInput();
        try (Harness h = new Harness(config, gate)) {
            order.forEach(l -> h.ship(host, l));
            gate.open(CloseGate.Stage.CORRELATE);
            h.idle();
            return new Outcome(h.incidents(), h.warnings().size(), h.deadLetters().size(), h.metrics.total("late"));
        }
    }

    /**
     * Live, each order as the lines of a host of its own ({@code host-o1}, {@code host-o2}, …: a host's
     * clocks and logs are its own), all at one wall-clock instant; then the hosts fall silent.
     *
     * @return per order, what came out for its host
     */
    static List<Outcome> live(HandoffConfig config, String host, List<List<Harness.Line>> orders) {
        try (Harness h = new Harness(config, CloseGate.always())) {
            for (int n = 0; n < orders.size(); n++) {
                String as = host + "-o" + n;
                orders.get(n).forEach(l -> h.ship(as, l));
            }
            h.idle();
            List<Incident> incidents = h.incidents();
            var warnings = h.warnings();
            var deadLetters = h.deadLetters();
            List<Outcome> out = new ArrayList<>();
            for (int n = 0; n < orders.size(); n++) {
                String as = host + "-o" + n;
                out.add(new Outcome(incidents.stream().filter(i -> i.getHost().equals(as)).toList(),
                        (int) warnings.stream().filter(w -> w.getHost().equals(as)).count(),
                        (int) deadLetters.stream().filter(d -> as.equals(d.getHost())).count(), 0));
            }
            assertEquals(incidents.size(), out.stream().mapToInt(o -> o.incidents().size()).sum(), "incidents of other hosts");
            assertEquals(0, warnings.size() + deadLetters.size(), "warnings or dead letters: " + warnings + deadLetters);
            assertEquals(0, h.metrics.total("late"), "late lines");
            return out;
        }
    }

    static Map<SourceKind, List<Harness.Line>> byFile(List<Harness.Line> lines) {
        Map<SourceKind, List<Harness.Line>> files = new EnumMap<>(SourceKind.class);
        lines.forEach(l -> files.computeIfAbsent(l.kind(), k -> new ArrayList<>()).add(l));
        return files;
    }

    static List<List<SourceKind>> permutations(List<SourceKind> kinds) {
        if (kinds.size() <= 1) {
            return List.of(kinds);
        }
        List<List<SourceKind>> out = new ArrayList<>();
        for (SourceKind first : kinds) {
            List<SourceKind> rest = new ArrayList<>(kinds);
            rest.remove(first);
            for (List<SourceKind> p : permutations(rest)) {
                List<SourceKind> o = new ArrayList<>();
                o.add(first);
                o.addAll(p);
                out.add(o);
            }
        }
        return out;
    }

    /** Each file in its own order, cut in blocks of 1 to {@code maxBlock} lines, the blocks of all files shuffled. */
    static List<Harness.Line> blocks(Map<SourceKind, List<Harness.Line>> files, Random r, int maxBlock) {
        Map<SourceKind, ArrayDeque<Harness.Line>> left = new EnumMap<>(SourceKind.class);
        files.forEach((k, v) -> left.put(k, new ArrayDeque<>(v)));
        List<Harness.Line> out = new ArrayList<>();
        List<SourceKind> open = new ArrayList<>(left.keySet());
        while (!open.isEmpty()) {
            SourceKind k = open.get(r.nextInt(open.size()));
            ArrayDeque<Harness.Line> f = left.get(k);
            for (int n = 1 + r.nextInt(maxBlock); n > 0 && !f.isEmpty(); n--) {
                out.add(f.poll());
            }
            if (f.isEmpty()) {
                open.remove(k);
            }
        }
        return out;
    }

    /**
     * Every order of whole files (of a capture with five logs: each log first and last, the others in
     * rotation) and 8 block shuffles of the capture give the replay's one incident.
     */
    static void sameAsReplay(HandoffConfig config, String host, RootCause label, Map<String, Long> errno) throws Exception {
        Outcome replay = replay(config, host);
        assertEquals(1, replay.incidents().size(), host + " replays to one incident: " + replay.incidents());
        Incident expected = replay.incidents().get(0);
        assertEquals(label, expected.getRootCause(), expected::getSummary);
        assertEquals(errno, expected.getUpstreamErrorsByErrno());
        assertEquals(0, replay.warnings());
        assertEquals(0, replay.deadLetters());

        List<Harness.Line> lines = files(host);
        Map<SourceKind, List<Harness.Line>> files = byFile(lines);
        Map<String, List<Harness.Line>> orders = new LinkedHashMap<>();
        List<SourceKind> kinds = new ArrayList<>(new TreeSet<>(files.keySet()));
        List<List<SourceKind>> wholeFiles = new ArrayList<>();
        if (kinds.size() <= 4) {
            wholeFiles.addAll(permutations(kinds));
        } else {
            for (int rot = 0; rot < kinds.size(); rot++) {
                List<SourceKind> p = new ArrayList<>(kinds);
                Collections.rotate(p, rot);
                wholeFiles.add(p);
                List<SourceKind> r = new ArrayList<>(p);
                Collections.reverse(r);
                wholeFiles.add(r);
            }
        }
        for (List<SourceKind> p : wholeFiles) {
            List<Harness.Line> o = new ArrayList<>();
            p.forEach(k -> o.addAll(files.get(k)));
            orders.put("whole files " + p, o);
        }
        for (int seed = 1; seed <= 8; seed++) {
            orders.put("blocks of up to " + (seed * 12) + " lines, seed " + seed, blocks(files, new Random(seed), seed * 12));
        }
        assertTrue(orders.size() >= 2 * kinds.size() + 8, "orders: " + orders.size());
        List<String> names = new ArrayList<>(orders.keySet());
        List<Outcome> outcomes = live(config, host, new ArrayList<>(orders.values()));
        for (int n = 0; n < names.size(); n++) {
            Outcome out = outcomes.get(n);
            String what = host + ", " + names.get(n) + ": ";
            assertEquals(1, out.incidents().size(), () -> what + "one incident, got " + out.incidents().stream()
                    .map(i -> i.getStartedAt() + ".." + i.getEndedAt() + " " + i.getRootCause() + " " + i.getUpstreamErrorsByErrno()).toList());
            Incident i = out.incidents().get(0);
            assertEquals(expected.getRootCause(), i.getRootCause(), () -> what + i.getSummary());
            assertEquals(expected.getUpstreamErrorsByErrno(), i.getUpstreamErrorsByErrno(), what);
            assertEquals(expected.getTotalRequests(), i.getTotalRequests(), what + "total_requests");
            assertEquals(expected.getStatusCounts(), i.getStatusCounts(), what + "status counts");
            assertEquals(expected.getStartedAt(), i.getStartedAt(), what);
            assertEquals(expected.getEndedAt(), i.getEndedAt(), what);
            assertEquals(expected.getCausalChain().stream().map(c -> c.getKind()).toList(),
                    i.getCausalChain().stream().map(c -> c.getKind()).toList(), what + "chain");
            assertEquals(0, out.warnings(), what + "warnings");
            assertEquals(0, out.deadLetters(), what + "dead letters");
        }
    }

    @Test
    void socketPermissionDeniedGivesOneIncidentWhateverOrderItsLogsArriveIn() throws Exception {
        sameAsReplay(CONFIG, "web-09", RootCause.SOCKET_PERMISSION_DENIED, Map.of("13", 67L));
    }

    @Test
    void aReloadInterruptionGivesOneIncidentWhateverOrderItsLogsArriveIn() throws Exception {
        sameAsReplay(DEFAULTS, "web-12", RootCause.FPM_RELOAD_INTERRUPTION, Map.of("104", 2L));
    }

    @Test
    void anOomKillGivesOneIncidentWhateverOrderItsFiveLogsArriveIn() throws Exception {
        sameAsReplay(DEFAULTS, "web-07", RootCause.OOM_KILL, Map.of("104", 2L));
    }
    /**
     * A live tail of web-09 at the pace its lines were written: the error log stops with the burst's last
     * line (11:04:49), the other logs go on. The stopped log holds the incident until it has been silent
     * for source-idle, never longer than quiet + source-idle; with source-idle below quiet + 1 s the
     * incident closes at last error + quiet + 1 s, as soon as the access log gets there.
     */
    @Test
    void aLogThatStopsHoldsTheIncidentNoLongerThanQuietPlusSourceIdle() throws Exception {
        Incident expected = replay(CONFIG, "web-09").incidents().get(0);
        List<LiveVersusReplayTest.Written> tail = new ArrayList<>();
        for (LiveVersusReplayTest.Written x : LiveVersusReplayTest.fleet()) {
            if (x.host().equals("web-09")) tail.add(x);
        }
        tail = LiveVersusReplayTest.replayOrder(tail);
        long lastError = tail.stream().filter(w -> w.line().kind() == SourceKind.NGINX_ERROR)
                .mapToLong(LiveVersusReplayTest.Written::written).max().orElseThrow();
        long quiet = CONFIG.quietPeriod().toMillis();
        for (Duration sourceIdle : List.of(Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            long idle = sourceIdle.toMillis();
            try (Harness h = new Harness(config(sourceIdle), CloseGate.always())) {
                List<Incident> out = new ArrayList<>();
                long wall = 0;
                long lastErrorShipped = -1;
                long closedAt = -1;
                long prev = tail.get(0).written();
                for (LiveVersusReplayTest.Written w : tail) {
                    for (long step = w.written() - prev; step > 0; step -= Math.min(step, 250)) {
                        h.advance(Duration.ofMillis(Math.min(step, 250)));
                        wall += Math.min(step, 250);
                        out.addAll(h.incidents());
                        if (closedAt < 0 && !out.isEmpty()) closedAt = wall;
                    }
                    prev = Math.max(prev, w.written());
                    h.ship("web-09", w.line());
                    if (w.line().kind() == SourceKind.NGINX_ERROR && w.written() == lastError) lastErrorShipped = wall;
                    out.addAll(h.incidents());
                    if (closedAt < 0 && !out.isEmpty()) closedAt = wall;
                }
                long after = closedAt - lastErrorShipped;
                String what = "source-idle " + sourceIdle + ": closed " + after + " ms after the last error line";
                assertTrue(lastErrorShipped >= 0 && closedAt > 0, what);
                assertTrue(after >= quiet + 1_000, what + ", not before the window + 1 s");
                assertTrue(after >= idle - PUNCTUATION_MS, what + ", not before the error log was silent for source-idle");
                assertTrue(after <= quiet + idle, what + ", beyond quiet + source-idle");
                if (idle < quiet + 1_000) {
                    assertTrue(after <= quiet + 1_000 + PUNCTUATION_MS, what + ": a stopped log does not delay the close");
                }
                assertEquals(1, out.size(), what + ": " + out);
                Incident i = out.get(0);
                assertEquals(LiveVersusReplayTest.withoutOffsets(expected), LiveVersusReplayTest.withoutOffsets(i),
                        () -> what + LiveVersusReplayTest.diff(expected, i));
                h.idle();
                assertEquals(List.of(), h.incidents(), what);
                assertEquals(List.of(), h.warnings(), what);
                assertEquals(List.of(), h.deadLetters(), what);
                assertEquals(0, h.metrics.total("late"), what);
                assertEquals(0, h.entries(Harness.OPEN), what);
            }
        }
    }

    /** How often the correlator's wall-clock punctuator runs: the resolution of its idle judgements. */
    static final long PUNCTUATION_MS = 500;
}
