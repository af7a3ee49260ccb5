package io.handoff.topology;

import io.handoff.avro.Incident;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.common.CloseGate;
import io.handoff.config.HandoffConfig;
import io.handoff.config.Keys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every capture of samples/fleet tailed live the way a stock shipper reads files, with the wall clock as event
 * time. Filebeat's harvester reads a file to its end, waits {@code backoff.init}, and doubles the wait after
 * every read that finds nothing, up to {@code backoff.max}; a read that finds lines starts it again from
 * {@code backoff.init}. Its in-memory queue hands what was read to the Kafka output at most a second later
 * ({@code queue.mem.flush.timeout}). So a log that keeps pace delivers its lines in bursts, up to
 * {@code backoff.max} + 1 s apart while it has little to say: the close rule must hold an incident for such a
 * log — a log counts as stopped only after {@code handoff.source-idle} without a delivery — and no line of a
 * burst may arrive after its incident closed. After each capture its access log goes on with a line a second
 * (its last line re-stamped), so the host's newest log passes every window as a live host's does.
 *
 * <p>Each host's incidents and warnings must be the ones its replay gives, with no line late or dead-lettered:
 * with connectors/filebeat/filebeat.yml's reads (backoff.init = backoff.max = 1 s) and the default source-idle
 * (5 s), and with Filebeat's own defaults (2 s doubling to 10 s) and a source-idle above their longest wait
 * (12 s), for the thirteen fault captures.
 */
class PolledShipperTest {

    /** A line and when the shipper delivered it (ms, the same clock as event time). */
    record Delivered(long at, LiveVersusReplayTest.Written w) {}

    static final Pattern ACCESS_STAMP = Pattern.compile("\\[(\\d{2}/[A-Za-z]{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})]");
    static final DateTimeFormatter ACCESS_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    /** An nginx access line re-stamped {@code shiftMs} later (whole seconds), in its own UTC offset. */
    static Harness.Line restamped(Harness.Line l, long shiftMs) {
        Matcher m = ACCESS_STAMP.matcher(l.text());
        assertTrue(m.find(), "no access-log stamp in " + l.text());
        OffsetDateTime t = OffsetDateTime.parse(m.group(1), ACCESS_TIME).plusNanos(shiftMs * 1_000_000);
        String text = l.text().substring(0, m.start(1)) + ACCESS_TIME.format(t) + l.text().substring(m.end(1));
        return Harness.line(SourceKind.NGINX_ACCESS, text, l.format());
    }

    /**
     * When each of a host's lines reaches Kafka through a Filebeat-like harvester per file: reads at
     * {@code init} after a read that found lines, the wait doubling up to {@code max} after one that found
     * none; what a read finds is delivered at the next whole second (the queue's flush).
     */
    static List<Delivered> polled(List<LiveVersusReplayTest.Written> lines, long init, long max) {
        Map<SourceKind, ArrayDeque<LiveVersusReplayTest.Written>> files = new EnumMap<>(SourceKind.class);
        List<LiveVersusReplayTest.Written> byFile = new ArrayList<>(lines);
        byFile.sort(Comparator.comparing((LiveVersusReplayTest.Written w) -> w.line().kind())
                .thenComparingInt(LiveVersusReplayTest.Written::order));
        byFile.forEach(w -> files.computeIfAbsent(w.line().kind(), k -> new ArrayDeque<>()).add(w));
        long start = lines.stream().mapToLong(LiveVersusReplayTest.Written::written).min().orElseThrow();
        List<Delivered> out = new ArrayList<>();
        files.forEach((kind, file) -> {
            long t = start + kind.ordinal() * 137L; // the harvesters of one host do not read in step
            long wait = init;
            while (!file.isEmpty()) {
                boolean found = false;
                while (!file.isEmpty() && file.peek().written() <= t) {
                    out.add(new Delivered(Math.floorDiv(t + 999, 1000) * 1000, file.poll()));
                    found = true;
                }
                wait = found ? init : Math.min(2 * wait, max);
                t += wait;
            }
        });
        out.sort(Comparator.comparingLong(Delivered::at).thenComparing(d -> d.w().line().kind())
                .thenComparingInt(d -> d.w().order()));
        return out;
    }

    /** A host's capture and, after it, its access log going on for a minute with a line a second. */
    static List<LiveVersusReplayTest.Written> withTraffic(List<LiveVersusReplayTest.Written> capture) {
        List<LiveVersusReplayTest.Written> out = new ArrayList<>(capture);
        capture.stream().filter(w -> w.line().kind() == SourceKind.NGINX_ACCESS)
                .max(Comparator.comparingInt(LiveVersusReplayTest.Written::order)).ifPresent(last -> {
                    long end = capture.stream().mapToLong(LiveVersusReplayTest.Written::written).max().orElseThrow();
                    int order = last.order();
                    for (long s = (end - last.written()) / 1000 + 1; s <= (end - last.written()) / 1000 + 60; s++) {
                        Harness.Line l = restamped(last.line(), s * 1000);
                        out.add(new LiveVersusReplayTest.Written(last.host(), l, l.time(), ++order));
                    }
                });
        return out;
    }

    record Outcome(Map<String, Incident> incidents, Map<String, Warning> warnings, List<String> deadLetters, long late) {}

    /**
     * The hosts one after another, each host's lines delivered as {@link #polled} says with the harness's wall
     * clock moving with them (a host's clocks and logs are its own; the wall clock goes on between hosts).
     */
    static Outcome live(HandoffConfig config, Map<String, List<Delivered>> hosts) {
        try (Harness h = new Harness(config, CloseGate.always())) {
            for (var e : hosts.entrySet()) {
                long now = e.getValue().get(0).at();
                for (Delivered d : e.getValue()) {
                    if (d.at() > now) {
                        // a silence longer than the idle close (a kernel log's boot lines hours before) is cut
                        // short: every incident of the host has closed by then either way
                        h.advance(Duration.ofMillis(Math.min(d.at() - now, config.idleClose().toMillis() + 5_000)));
                        now = d.at();
                    }
                    h.ship(e.getKey(), d.w().line());
                }
                h.idle();
            }
            Map<String, Incident> incidents = new TreeMap<>();
            h.incidents().forEach(i -> assertEquals(null, incidents.put(i.getId(), LiveVersusReplayTest.withoutOffsets(i)),
                    "one record per incident: " + i.getId()));
            Map<String, Warning> warnings = new TreeMap<>();
            h.warnings().forEach(w -> {
                Warning copy = Warning.newBuilder(w).build();
                copy.getEvidence().forEach(x -> x.setOrigin(null));
                warnings.put(w.getId(), copy);
            });
            List<String> deadLetters = h.deadLetters().stream().map(d -> d.getHost() + ": " + d.getReason()).toList();
            return new Outcome(incidents, warnings, deadLetters, h.metrics.total("late"));
        }
    }

    /** The hosts of samples/fleet whose names {@code hosts} accepts, read with {@code init}/{@code max}, against their replay. */
    static void sameAsReplay(HandoffConfig config, long init, long max, Predicate<String> hosts) throws Exception {
        Map<String, List<LiveVersusReplayTest.Written>> byHost = new TreeMap<>();
        LiveVersusReplayTest.fleet().stream().filter(w -> hosts.test(w.host()))
                .forEach(w -> byHost.computeIfAbsent(w.host(), x -> new ArrayList<>()).add(w));
        List<LiveVersusReplayTest.Written> all = new ArrayList<>();
        Map<String, List<Delivered>> delivered = new TreeMap<>();
        byHost.forEach((host, capture) -> {
            List<LiveVersusReplayTest.Written> lines = withTraffic(capture);
            all.addAll(lines);
            delivered.put(host, polled(lines, init, max));
        });
        String what = "reads every " + init + " ms doubling to " + max + " ms, source-idle " + config.sourceIdle() + ": ";
        LiveVersusReplayTest.Outcome replay = LiveVersusReplayTest.run(LiveVersusReplayTest.replayOrder(all), CloseGate.always());
        assertTrue(replay.incidents().size() >= 13, "every fault capture has its incident: " + replay.incidents().keySet());
        Outcome live = live(config, delivered);
        assertEquals(List.of(), live.deadLetters(), what + "dead letters");
        assertEquals(0, live.late(), what + "late lines");
        assertEquals(replay.incidents().keySet(), live.incidents().keySet(), what + "incidents");
        for (String id : replay.incidents().keySet()) {
            assertEquals(replay.incidents().get(id), live.incidents().get(id),
                    () -> what + id + LiveVersusReplayTest.diff(replay.incidents().get(id), live.incidents().get(id)));
        }
        assertEquals(replay.warnings(), live.warnings(), what + "warnings");
    }

    @Test
    void theProjectsFilebeatReadsEverySecondAndTheDefaultSourceIdleGiveTheReplaysIncidents() throws Exception {
        sameAsReplay(HandoffConfig.defaults(), 1_000, 1_000, host -> true);
    }

    /** The captures of one root cause each (samples/README.md), the ones the bench's bursts are made of. */
    static final Set<String> FAULT_CAPTURES = Set.of("web-01", "web-02", "web-03", "web-04", "web-05", "web-06", "web-07",
            "web-08", "web-09", "web-10", "web-11", "web-12", "web-13");

    @Test
    void filebeatsOwnBackoffUpToTenSecondsGivesTheReplaysIncidentsWithASourceIdleAboveIt() throws Exception {
        sameAsReplay(HandoffConfig.of(Map.of(Keys.SOURCE_IDLE.name(), "12s")), 2_000, 10_000, FAULT_CAPTURES::contains);
    }
}
