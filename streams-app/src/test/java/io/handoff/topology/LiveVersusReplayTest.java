package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.Incident;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.common.CloseGate;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same hosts' six logs give the same incidents, field for field ({@code total_requests}, counts,
 * evidence lines, ids), whether they arrive as a replay ships them (every host's files merged by when
 * each line was written) or as live shippers deliver them: each log with its own delay and batching,
 * a file's lines never reordered, logs of one host up to 8 s apart; or as a catch-up after an outage,
 * with the error log two minutes behind the access log while the partition is not live. Real captures
 * (samples/fleet), all hosts on one partition.
 */
class LiveVersusReplayTest {
    static final Path FLEET = SampleFleetTest.FLEET;

    /** A line of a host with when it was written and its place in its file. */
    record Written(String host, Harness.Line line, long written, int order) {}

    /** Delay and batch period (ms) of a live shipper per log. */
    static final Map<SourceKind, long[]> LIVE = new EnumMap<>(Map.of(
            SourceKind.NGINX_ACCESS, new long[] {0, 1_000},
            SourceKind.NGINX_ERROR, new long[] {3_000, 2_000},
            SourceKind.PHP_FPM, new long[] {4_000, 4_000},
            SourceKind.PHP_FPM_SLOW, new long[] {2_000, 1_000},
            SourceKind.PHP_FPM_ACCESS, new long[] {1_000, 1_000},
            SourceKind.KERN, new long[] {5_000, 3_000}));

    /** A catch-up: the error log two minutes behind, shipped in 30 s batches; the kernel log a minute behind. */
    static final Map<SourceKind, long[]> CATCH_UP = new EnumMap<>(Map.of(
            SourceKind.NGINX_ACCESS, new long[] {0, 5_000},
            SourceKind.NGINX_ERROR, new long[] {120_000, 30_000},
            SourceKind.PHP_FPM, new long[] {20_000, 10_000},
            SourceKind.PHP_FPM_SLOW, new long[] {0, 5_000},
            SourceKind.PHP_FPM_ACCESS, new long[] {10_000, 5_000},
            SourceKind.KERN, new long[] {60_000, 20_000}));

    static List<Written> fleet() throws Exception {
        assumeTrue(Files.isDirectory(FLEET.resolve("web-01")), "samples/fleet not found");
        List<Written> all = new ArrayList<>();
        List<Path> hosts;
        try (Stream<Path> s = Files.list(FLEET)) {
            hosts = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path dir : hosts) {
            String host = dir.getFileName().toString();
            Map<SourceKind, Integer> order = new EnumMap<>(SourceKind.class);
            List<Harness.Line> lines = Harness.sampleFiles(dir); // each file in its own order
            for (Harness.Line l : lines) {
                int n = order.merge(l.kind(), 1, Integer::sum);
                all.add(new Written(host, l, written(l), n));
            }
        }
        return all;
    }

    /** When the writer wrote it: an FPM access line when its request ended, like the correlator and replay read it. */
    static long written(Harness.Line l) {
        ParseOutcome o = Parsers.forKind(l.kind(), l.format()).parse(l.text(), ParseContext.UTC);
        ParseOutcome.Parsed p = (ParseOutcome.Parsed) o;
        if (p.fields() instanceof FpmAccessFields a && a.getDurationMs() != null && a.getDurationMs() > 0) {
            return p.timestampMillis() + (long) Math.ceil(a.getDurationMs());
        }
        return p.timestampMillis();
    }

    /**
     * Replay: every host's files merged by written time, as {@code handoff replay} merges them: the next line
     * is the earliest of the files' next lines (ties: source, host), and each file is read in its own order.
     * A file's written times need not rise (an FPM access line is stamped when its request began, to the
     * second, and written when it ended), so this is not a sort of all lines by written time.
     */
    static List<Written> replayOrder(List<Written> lines) {
        Map<String, ArrayDeque<Written>> files = new TreeMap<>();
        List<Written> byFile = new ArrayList<>(lines);
        byFile.sort(Comparator.comparing(Written::host).thenComparing(w -> w.line().kind()).thenComparingInt(Written::order));
        for (Written w : byFile) {
            files.computeIfAbsent(w.host() + "/" + w.line().kind(), f -> new ArrayDeque<>()).add(w);
        }
        Comparator<ArrayDeque<Written>> head = Comparator.comparing((ArrayDeque<Written> f) -> f.peek().written())
                .thenComparing(f -> f.peek().line().kind()).thenComparing(f -> f.peek().host());
        PriorityQueue<ArrayDeque<Written>> next = new PriorityQueue<>(head);
        next.addAll(files.values());
        List<Written> out = new ArrayList<>(lines.size());
        while (!next.isEmpty()) {
            ArrayDeque<Written> f = next.poll();
            out.add(f.poll());
            if (!f.isEmpty()) {
                next.add(f);
            }
        }
        return out;
    }

    /** Shippers: each (host, log) delivered at its own delay, in batches, never reordered within the file. */
    static List<Written> shippedOrder(List<Written> lines, Map<SourceKind, long[]> pace) {
        record Shipped(Written w, long at) {}
        Map<String, Long> lastShip = new TreeMap<>();
        List<Shipped> shipped = new ArrayList<>();
        List<Written> byFile = new ArrayList<>(lines);
        byFile.sort(Comparator.comparing(Written::host).thenComparing(w -> w.line().kind()).thenComparingInt(Written::order));
        for (Written w : byFile) {
            long[] p = pace.get(w.line().kind());
            long at = Math.floorDiv(w.written() + p[0] + p[1] - 1, p[1]) * p[1];
            String file = w.host() + "/" + w.line().kind();
            at = Math.max(at, lastShip.getOrDefault(file, Long.MIN_VALUE));
            lastShip.put(file, at);
            shipped.add(new Shipped(w, at));
        }
        shipped.sort(Comparator.comparingLong(Shipped::at).thenComparing(s -> s.w().line().kind())
                .thenComparing(s -> s.w().host()).thenComparingInt(s -> s.w().order()));
        return shipped.stream().map(Shipped::w).toList();
    }

    /**
     * The incident without the raw-topic offsets of its evidence (all hosts share one partition, so where a
     * line lands in its raw topic depends on how the hosts interleave, not on the correlator) and without its
     * revision: the revision counts the provisional updates the incident had while it was open, and a verdict
     * seen while a slower log had not yet arrived is an update that a replay, where every log is complete,
     * never makes. The verdict, the chain and every count must still be the same.
     */
    static Incident withoutOffsets(Incident i) {
        Incident copy = Incident.newBuilder(i).build();
        copy.setRevision(0);
        copy.getEvidence().forEach(e -> e.setOrigin(null));
        copy.getCausalChain().forEach(c -> {
            if (c.getEvidence() != null) {
                c.getEvidence().setOrigin(null);
            }
        });
        return copy;
    }

    /** The fields two incidents differ in, and the evidence lines only one of them shows. */
    static String diff(Incident a, Incident b) {
        StringBuilder sb = new StringBuilder();
        for (Schema.Field f : Incident.getClassSchema().getFields()) {
            Object x = a.get(f.pos());
            Object y = b.get(f.pos());
            if (!Objects.equals(x, y)) {
                if (f.name().equals("evidence")) {
                    List<String> ax = a.getEvidence().stream().map(e -> e.getTimestamp() + " " + e.getLine()).toList();
                    List<String> bx = b.getEvidence().stream().map(e -> e.getTimestamp() + " " + e.getLine()).toList();
                    sb.append("\n evidence only in replay: ").append(ax.stream().filter(l -> !bx.contains(l)).toList());
                    sb.append("\n evidence only in the other: ").append(bx.stream().filter(l -> !ax.contains(l)).toList());
                    if (ax.size() == bx.size() && new HashSet<>(ax).equals(new HashSet<>(bx))) {
                        sb.append("\n same lines, other order:\n  ").append(String.join("\n  ", ax)).append("\n vs\n  ").append(String.join("\n  ", bx));
                    }
                } else {
                    sb.append("\n ").append(f.name()).append(": ").append(x).append(" vs ").append(y);
                }
            }
        }
        return sb.toString();
    }

    record Outcome(Map<String, Incident> incidents, Map<String, Warning> warnings, long deadLetters, long late) {}

    static Outcome run(List<Written> order, CloseGate gate) {
        try (Harness h = new Harness(HandoffConfig.defaults(), gate)) {
            for (Written w : order) {
                h.ship(w.host(), w.line());
            }
            gate.open(CloseGate.Stage.CORRELATE);
            h.idle();
            Map<String, Incident> incidents = new TreeMap<>();
            h.incidents().forEach(i -> assertEquals(null, incidents.put(i.getId(), withoutOffsets(i)), "one record per incident: " + i.getId()));
            Map<String, Warning> warnings = new TreeMap<>();
            h.warnings().forEach(w -> {
                Warning copy = Warning.newBuilder(w).build();
                copy.getEvidence().forEach(e -> e.setOrigin(null));
                warnings.put(w.getId(), copy);
            });
            return new Outcome(incidents, warnings, h.deadLetters().size(), h.metrics.total("late"));
        }
    }

    @Test
    void liveShippersAndACatchUpGiveTheReplaysIncidents() throws Exception {
        List<Written> lines = fleet();
        Outcome replay = run(replayOrder(lines), CloseGate.always());
        assertTrue(replay.incidents().size() >= 13, "every fault capture has its incident: " + replay.incidents().keySet());
        assertEquals(0, replay.deadLetters());
        assertEquals(0, replay.late());

        List<Written> live = shippedOrder(lines, LIVE);
        assertTrue(!live.equals(replayOrder(lines)), "the live order differs from the replay's");
        Outcome shipped = run(live, CloseGate.always());
        assertEquals(replay.incidents().keySet(), shipped.incidents().keySet());
        for (String id : replay.incidents().keySet()) {
            assertEquals(replay.incidents().get(id), shipped.incidents().get(id), () -> id + " live: " + diff(replay.incidents().get(id), shipped.incidents().get(id)));
        }
        assertEquals(replay.warnings(), shipped.warnings());
        assertEquals(0, shipped.deadLetters());
        assertEquals(0, shipped.late(), "no line is late against its own log");

        Outcome caughtUp = run(shippedOrder(lines, CATCH_UP), CloseGate.afterInput());
        assertEquals(replay.incidents().keySet(), caughtUp.incidents().keySet());
        for (String id : replay.incidents().keySet()) {
            assertEquals(replay.incidents().get(id), caughtUp.incidents().get(id), () -> id + " catch-up: " + diff(replay.incidents().get(id), caughtUp.incidents().get(id)));
        }
        assertEquals(replay.warnings(), caughtUp.warnings());
        assertEquals(0, caughtUp.deadLetters());
    }
}
