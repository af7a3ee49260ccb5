package io.handoff.classify;

import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.MultilineJoiner;
import io.handoff.ship.Formats;
import io.handoff.topics.Sources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Timelines made of the real lines of a capture ({@code samples/fleet/<host>}, written by real nginx,
 * php-fpm and the kernel): the host's files joined into entries as the shipper joins them, parsed in
 * the host's zone, and cut into bursts the way the correlator hands them to the classifier — an
 * incident from the first gateway error until {@link #QUIET_MS} without one, the look-back before it,
 * every evidence line counted by kind, the first {@link Timeline#MIN_PER_KIND} and the last line of
 * each kind kept.
 */
final class Captures {
    static final Path FLEET = Path.of("..", "samples", "fleet");
    static final long QUIET_MS = 30_000;
    static final long LOOK_BACK_MS = 300_000;

    private Captures() {}

    /** The capture's lines in event time (ties in source, then file order). */
    static List<LogEvent> lines(Path dir) {
        assumeTrue(Files.isDirectory(dir), "capture " + dir + " not in this checkout");
        Formats f = Formats.load(dir.resolve(Formats.FILE_NAME));
        ZoneId zone = f.timezone() == null ? ZoneOffset.UTC : ZoneId.of(f.timezone());
        String host = dir.getFileName().toString();
        List<LogEvent> out = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            Path file = dir.resolve(Sources.fileName(k));
            if (!Files.exists(file)) continue;
            List<String> entries = new ArrayList<>();
            MultilineJoiner j = MultilineJoiner.forKind(k);
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    j.accept(line, 0, e -> entries.add(e.text()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            j.flush(e -> entries.add(e.text()));
            for (String text : entries) {
                if (text.isBlank()) continue;
                ParseOutcome o = Parsers.forKind(k, f.logFormat(k)).parse(text, ParseContext.of(zone));
                if (o instanceof ParseOutcome.Parsed p) {
                    out.add(LogEvent.newBuilder().setHost(host).setSource(k)
                            .setTimestamp(Instant.ofEpochMilli(p.timestampMillis())).setOriginal(text)
                            .setParsed(p.fields()).build());
                }
            }
        }
        out.sort(Comparator.comparing(LogEvent::getTimestamp).thenComparing(e -> e.getSource().ordinal()));
        return out;
    }

    static List<LogEvent> lines(String host) {
        return lines(FLEET.resolve(host));
    }

    /** The bursts of gateway errors of a capture, as timelines. */
    static List<Timeline> bursts(String host) {
        return bursts(host, lines(host));
    }

    static List<Timeline> bursts(String host, List<LogEvent> lines) {
        List<Timeline> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (!Lines.isGatewayError(lines.get(i))) {
                i++;
                continue;
            }
            long first = lines.get(i).getTimestamp().toEpochMilli();
            long last = first;
            int end = i;
            for (int k = i; k < lines.size(); k++) {
                LogEvent e = lines.get(k);
                long t = e.getTimestamp().toEpochMilli();
                if (t > last + QUIET_MS) break;
                if (Lines.isGatewayError(e)) last = Math.max(last, t);
                end = k;
            }
            List<LogEvent> window = new ArrayList<>();
            for (LogEvent e : lines) {
                long t = e.getTimestamp().toEpochMilli();
                if (t >= first - LOOK_BACK_MS && t <= last + QUIET_MS) window.add(e);
            }
            out.add(timeline(host, first, last, window));
            i = end + 1;
        }
        return out;
    }

    /** What a pending warning would hand over: every evidence line of the capture (which has no gateway error). */
    static Timeline warning(String host) {
        List<LogEvent> lines = lines(host);
        List<LogEvent> ev = lines.stream().filter(e -> Lines.warningKind(e) != null).toList();
        assumeTrue(!ev.isEmpty(), host + " has no warning lines");
        long first = ev.get(0).getTimestamp().toEpochMilli();
        long last = ev.get(ev.size() - 1).getTimestamp().toEpochMilli();
        List<LogEvent> window = lines.stream().filter(e -> e.getTimestamp().toEpochMilli() >= first - 10_000
                && e.getTimestamp().toEpochMilli() <= last).toList();
        return timeline(host, first, last, window);
    }

    static Timeline timeline(String host, long first, long last, List<LogEvent> window) {
        Map<String, Long> kinds = new TreeMap<>();
        Map<String, Long> status = new TreeMap<>();
        Map<String, Long> errno = new TreeMap<>();
        Map<String, Long> clocks = new TreeMap<>();
        Map<String, List<LogEvent>> byKind = new LinkedHashMap<>();
        long requests = 0;
        for (LogEvent e : window) {
            long t = e.getTimestamp().toEpochMilli();
            clocks.merge(Sources.name(e.getSource()), Lines.writtenAt(e), Math::max);
            if (e.getParsed() instanceof NginxAccessFields && t >= first && t <= last) requests++;
            boolean gateway = Lines.isGatewayError(e);
            if (!gateway && !Lines.isEvidence(e)) continue;
            String k = Lines.kindKey(e);
            kinds.merge(k, 1L, Long::sum);
            int g = Lines.gatewayStatus(e);
            if (g != 0) status.merge(Integer.toString(g), 1L, Long::sum);
            if (e.getParsed() instanceof NginxErrorFields f && Lines.upstream(f).gateway()) {
                errno.merge(f.getErrno() == null ? "none" : f.getErrno().toString(), 1L, Long::sum);
            }
            byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
        }
        List<LogEvent> kept = new ArrayList<>();
        for (List<LogEvent> of : byKind.values()) {
            for (int n = 0; n < of.size(); n++) {
                if (n < Timeline.MIN_PER_KIND || n == of.size() - 1) kept.add(of.get(n));
            }
        }
        kept.sort(Comparator.comparing(LogEvent::getTimestamp));
        return new Timeline(host, null, first, last, kept, kinds, status, errno, requests, clocks);
    }
}
