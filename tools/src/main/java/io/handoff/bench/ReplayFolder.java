package io.handoff.bench;

import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a replay folder ({@code DIR/<host>/<source>.log} + {@code formats.properties}) of many hosts
 * from the real captures, for measuring and testing {@code handoff replay} at scale. Every line is a
 * real line of {@code samples/fleet} re-timed and re-hosted by {@link FleetStream}; nothing is invented.
 *
 * <ul>
 *   <li>A <b>fault host</b> holds one whole fault capture ({@code web-01} … {@code web-13}, cycled), in
 *       the capture's own files, order, formats and time zone: it must yield one incident with the
 *       capture's label.</li>
 *   <li>A <b>healthy host</b> holds the healthy access traffic of {@code web-14} (nginx and FPM access
 *       lines below 500) at an even rate over the span, in {@code web-14}'s formats: it must yield
 *       nothing.</li>
 * </ul>
 *
 * {@link Mix#QUIET}: a quiet day, {@code bursts} fault hosts spread over the span and the rest healthy,
 * the healthy rate chosen so that the folder holds about {@code lines} entries. {@link Mix#STORM}: every
 * host a fault host, each capture placed so that its first gateway error falls in the same second
 * (every host inside an incident at once, the nightly reload's shape).
 *
 * <p>Hosts are written one after the other (two files open at a time), and optionally SEC's input
 * ({@code <host> <source>: <line>}, one physical line each, host after host) with the same lines.
 * Run as {@code java -cp handoff-tools.jar io.handoff.bench.ReplayFolder DIR …} ({@code --help}).
 */
public final class ReplayFolder {
    /** What the hosts do. */
    enum Mix { QUIET, STORM }

    /** What was written: entries (multi-line entries joined), physical lines, host → expected root cause. */
    record Written(int hosts, long entries, long physicalLines, Map<String, String> expected, long seconds) {}

    /** Event-time span of a quiet folder unless given. */
    static final long DEFAULT_SECONDS = 300;

    private ReplayFolder() {}

    /**
     * @param lines   entries wanted (quiet: the healthy rate follows; storm: ignored, {@code hosts} decides)
     * @param seconds event-time span of the healthy traffic (quiet)
     * @param bursts  fault hosts of a quiet folder (at most {@code hosts})
     * @param sec     SEC's input file, or null
     */
    static Written write(FleetStream fleet, Path dir, int hosts, long lines, long seconds, int bursts, Mix mix, Path sec) {
        List<String> templates = fleet.faultTemplates();
        int faults = mix == Mix.STORM ? hosts : Math.min(bursts, hosts);
        long faultEntries = 0;
        for (int i = 0; i < faults; i++) {
            faultEntries += fleet.template(templates.get(i % templates.size())).lines().size();
        }
        int healthyHosts = hosts - faults;
        double rate = healthyHosts == 0 ? 0 : Math.max(0, lines - faultEntries) / (double) healthyHosts / seconds;
        long base = Plan.BASE_SECOND;
        Map<String, String> expected = new LinkedHashMap<>();
        long[] count = new long[2];
        try {
            Files.createDirectories(dir);
            try (Writer secOut = sec == null ? Writer.nullWriter() : Files.newBufferedWriter(sec, StandardCharsets.UTF_8)) {
                for (int h = 0; h < hosts; h++) {
                    String host = Plan.host(h);
                    Path hostDir = Files.createDirectories(dir.resolve(host));
                    if (h < faults) {
                        String t = templates.get(h % templates.size());
                        FleetStream.Template tpl = fleet.template(t);
                        long at = mix == Mix.STORM
                                ? base + 60 - Math.floorDiv(tpl.firstGateway(), 1000)
                                : base + 10 + (long) h * seconds / Math.max(1, faults) - Math.floorDiv(tpl.first(), 1000);
                        writeFormats(hostDir, tpl);
                        for (SourceKind kind : SourceKind.values()) {
                            List<FleetStream.Line> ls = fleet.fileLines(t, kind, host, at);
                            if (!ls.isEmpty()) {
                                writeFile(hostDir, kind, ls, secOut, count);
                            }
                        }
                        expected.put(host, FleetStream.FAULTS.get(t));
                    } else {
                        writeFormats(hostDir, fleet.healthyTemplate());
                        writeHealthy(fleet, hostDir, host, h, base, seconds, rate, secOut, count);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the replay folder " + dir + ": " + e.getMessage(), e);
        }
        return new Written(hosts, count[0], count[1], expected, seconds);
    }

    private static void writeFormats(Path hostDir, FleetStream.Template t) throws IOException {
        if (t.formatsFile() != null) {
            Files.writeString(hostDir.resolve("formats.properties"), t.formatsFile(), StandardCharsets.UTF_8);
        }
    }

    private static void writeFile(Path hostDir, SourceKind kind, List<FleetStream.Line> lines, Writer sec, long[] count)
            throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(hostDir.resolve(Sources.fileName(kind)), StandardCharsets.UTF_8)) {
            for (FleetStream.Line l : lines) {
                write(w, l, sec, count);
            }
        }
    }

    /** {@code web-14}'s access lines, {@code rate} per second from {@code base} on, into its two access logs. */
    private static void writeHealthy(FleetStream fleet, Path hostDir, String host, int h, long base, long seconds,
                                     double rate, Writer sec, long[] count) throws IOException {
        Map<SourceKind, BufferedWriter> out = new EnumMap<>(SourceKind.class);
        try {
            double phase = (h * 0.6180339887) % 1.0;
            for (long s = 0; s < seconds; s++) {
                long from = (long) Math.floor(s * rate + phase);
                long to = (long) Math.floor((s + 1) * rate + phase);
                for (long k = from; k < to; k++) {
                    FleetStream.Line l = fleet.healthyLine(host, h * 37L + k, base + s);
                    BufferedWriter w = out.get(l.kind());
                    if (w == null) {
                        w = Files.newBufferedWriter(hostDir.resolve(Sources.fileName(l.kind())), StandardCharsets.UTF_8);
                        out.put(l.kind(), w);
                    }
                    write(w, l, sec, count);
                }
            }
        } finally {
            for (BufferedWriter w : out.values()) {
                w.close();
            }
        }
    }

    private static void write(Writer file, FleetStream.Line l, Writer sec, long[] count) throws IOException {
        file.write(l.text());
        file.write('\n');
        count[0]++;
        String prefix = l.host() + " " + Sources.name(l.kind()) + ": ";
        String t = l.text();
        int start = 0;
        while (true) {
            int nl = t.indexOf('\n', start);
            sec.write(prefix);
            sec.write(t, start, (nl < 0 ? t.length() : nl) - start);
            sec.write('\n');
            count[1]++;
            if (nl < 0) {
                break;
            }
            start = nl + 1;
        }
    }

    static String usage() {
        return String.join("\n",
                "usage: java -cp handoff-tools.jar io.handoff.bench.ReplayFolder DIR [--hosts N] [--lines L] [--seconds S]",
                "                                                    [--bursts K] [--storm] [--samples DIR]",
                "                                                    [--sec-input FILE] [--expected FILE]",
                "",
                "Writes a folder for 'handoff replay' from the real captures: DIR/<host>/<source>.log.",
                "  --hosts N          hosts (default 1000)",
                "  --lines L          entries wanted in a quiet folder (default 300000)",
                "  --seconds S        event-time span of the healthy traffic (default " + DEFAULT_SECONDS + ")",
                "  --bursts K         fault hosts of a quiet folder, one capture each (default 26)",
                "  --storm            every host a fault host, all first gateway errors in the same second",
                "  --samples DIR      the captures (default samples/fleet, else the copy inside the jar)",
                "  --sec-input FILE   also write the same lines as SEC's input (<host> <source>: <line>)",
                "  --expected FILE    also write the expected incidents, one '<host> <root cause>' a line");
    }

    public static void main(String[] args) {
        try {
            System.exit(run(List.of(args)));
        } catch (IllegalArgumentException e) {
            System.err.println("ReplayFolder: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        }
    }

    static int run(List<String> args) {
        if (args.contains("--help")) {
            System.out.println(usage());
            return 0;
        }
        Path dir = null;
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--storm")) {
                v.put("storm", "true");
            } else if (a.startsWith("--")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a + " expects a value");
                }
                String name = a.substring(2);
                if (!List.of("hosts", "lines", "seconds", "bursts", "samples", "sec-input", "expected").contains(name)) {
                    throw new IllegalArgumentException("unknown option " + a);
                }
                v.put(name, args.get(++i));
            } else if (dir == null) {
                dir = Path.of(a);
            } else {
                throw new IllegalArgumentException("expected one folder DIR, got also '" + a + "'");
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("expected the folder DIR to write");
        }
        Path samples = v.containsKey("samples") ? Path.of(v.get("samples")) : FleetStream.defaultSamples();
        FleetStream fleet = FleetStream.load(samples);
        long t0 = System.nanoTime();
        Written w = write(fleet, dir, (int) number(v, "hosts", 1000), number(v, "lines", 300_000),
                number(v, "seconds", DEFAULT_SECONDS), (int) number(v, "bursts", 26),
                v.containsKey("storm") ? Mix.STORM : Mix.QUIET, v.containsKey("sec-input") ? Path.of(v.get("sec-input")) : null);
        if (v.containsKey("expected")) {
            List<String> rows = new ArrayList<>();
            w.expected().forEach((h, c) -> rows.add(h + " " + c));
            try {
                Files.write(Path.of(v.get("expected")), rows, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + v.get("expected") + ": " + e.getMessage(), e);
            }
        }
        System.err.printf(Locale.ROOT, "ReplayFolder: wrote %,d hosts, %,d entries (%,d physical lines), %d fault hosts,"
                        + " to %s in %.1f s%n", w.hosts(), w.entries(), w.physicalLines(), w.expected().size(), dir,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private static long number(Map<String, String> v, String name, long dflt) {
        String s = v.get(name);
        if (s == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(s.replace("_", "").replace(",", ""));
            if (n < 1) {
                throw new IllegalArgumentException("--" + name + ": expected a whole number of at least 1, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected a whole number, got '" + s + "'");
        }
    }
}
