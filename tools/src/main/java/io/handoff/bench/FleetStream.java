package io.handoff.bench;

import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import io.handoff.classify.Lines;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.Sources;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bench's fleet: every line is a real line of the sample captures ({@code samples/fleet/<host>},
 * written by nginx 1.22, php-fpm 8.2 and the kernel while each fault was made), re-timed (its stamp
 * rewritten in the capture's own zone, shifted by whole seconds so sub-second parts stay) and
 * re-hosted (the capture's host name, e.g. in the FPM socket path, replaced). No format is invented.
 *
 * <ul>
 *   <li><b>Healthy traffic</b>: the nginx and FPM access lines of {@code web-14} (the healthy capture)
 *       with a status below 500, in their captured order, spread evenly at the host's rate.</li>
 *   <li><b>Bursts</b>: a whole capture of one fault host ({@code web-01} … {@code web-13}, each a
 *       known root cause), with its own warm-up traffic and tail. While a burst runs on a host its
 *       healthy traffic pauses, from the capture's first line until the incident's close deadline
 *       (last gateway error + quiet + grace), so that the burst's incident holds exactly the capture's
 *       lines and must get the capture's label; afterwards the healthy traffic moves the host's event
 *       time past the deadline, which closes the incident.</li>
 * </ul>
 *
 * A stream is deterministic (hosts, times and templates follow from the plan), so the same plan
 * replayed twice yields the same incident ids ({@code host@start}).
 */
final class FleetStream {

    /** Fault captures and the root cause each was made to show (samples/README.md). */
    static final Map<String, String> FAULTS = faults();

    private static Map<String, String> faults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("web-01", "LISTEN_BACKLOG_OVERFLOW");
        m.put("web-02", "FPM_UNAVAILABLE");
        m.put("web-03", "WORKER_POOL_EXHAUSTED");
        m.put("web-04", "SLOW_EXTERNAL_CALL");
        m.put("web-05", "SELF_REQUEST_DEADLOCK");
        m.put("web-06", "WORKER_CRASH");
        m.put("web-07", "OOM_KILL");
        m.put("web-08", "REQUEST_TERMINATED");
        m.put("web-09", "SOCKET_PERMISSION_DENIED");
        m.put("web-10", "UPSTREAM_HEADER_TOO_BIG");
        m.put("web-11", "UPSTREAM_MISCONFIGURED");
        m.put("web-12", "FPM_RELOAD_INTERRUPTION");
        m.put("web-13", "DISK_FULL");
        return m;
    }

    static final String HEALTHY = "web-14";

    /** One entry to ship. {@code written}: when the writer wrote it (an FPM access line: stamp + duration). */
    record Line(String host, SourceKind kind, String text, long written, String zone, String logFormat) {
        int physicalLines() {
            int n = 1;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
                n++;
            }
            return n;
        }
    }

    /** An injected burst and the incident it must yield. */
    record Burst(String host, String template, String cause, long firstLine, long firstGateway, long lastGateway,
                 long lastLine, long deadline) {}

    /** How the stamp of a template line is written. */
    enum Stamp { ACCESS, ERROR, FPM, FPM_ACCESS_Z, FPM_ACCESS_OFFSET, KERN, KERN_OFFSET }

    /**
     * A template line split around its stamp; the host name replaced by {@link #HOST_MARK}.
     * {@code seq}: its place in its file (the lines are kept in written order, which for FPM access
     * lines is computed and may differ from the file's order within a second).
     */
    record TLine(SourceKind kind, String before, String after, Stamp stamp, String fraction, long second, long written,
                 boolean gateway, boolean hasHost, int seq) {}

    /** A capture. {@code formatsFile}: its formats.properties as written, or null. */
    record Template(String name, ZoneId zone, Map<SourceKind, String> formats, String formatsFile, List<TLine> lines,
                    long first, long firstGateway, long lastGateway, long last) {
        long duration() {
            return last - first;
        }
    }

    private static final String HOST_MARK = "\u0001";

    private final Map<String, Template> templates = new LinkedHashMap<>();
    private final Template healthy;
    private final Stamps stamps = new Stamps();

    private FleetStream(Map<String, Template> templates, Template healthy) {
        this.templates.putAll(templates);
        this.healthy = healthy;
    }

    /** Loads the captures from {@code dir} (a folder per host), or from the classpath when dir is null. */
    static FleetStream load(Path dir) {
        Map<String, Template> t = new LinkedHashMap<>();
        for (String name : FAULTS.keySet()) {
            t.put(name, template(dir, name, false));
        }
        return new FleetStream(t, template(dir, HEALTHY, true));
    }

    /** The sample folder: {@code samples/fleet} or {@code ../samples/fleet} from here, else null (classpath). */
    static Path defaultSamples() {
        for (Path p : List.of(Path.of("samples", "fleet"), Path.of("..", "samples", "fleet"))) {
            if (Files.isDirectory(p.resolve(HEALTHY))) {
                return p;
            }
        }
        return null;
    }

    List<String> faultTemplates() {
        return new ArrayList<>(templates.keySet());
    }

    Template template(String name) {
        return templates.get(name);
    }

    long longestTemplate() {
        return templates.values().stream().mapToLong(Template::duration).max().orElse(0);
    }

    // ---- healthy traffic ----

    int healthyLines() {
        return healthy.lines.size();
    }

    /** The i-th healthy line (cyclic) of {@code host} at second {@code second}. */
    Line healthyLine(String host, long i, long second) {
        TLine l = healthy.lines.get((int) (i % healthy.lines.size()));
        return line(host, healthy, l, second, (l.written - l.second * 1000) + second * 1000);
    }

    // ---- bursts ----

    /** The lines of {@code template} on {@code host}, shifted by whole seconds, in written order. */
    List<Line> burstLines(String template, String host, long shiftSeconds) {
        Template t = templates.get(template);
        List<Line> out = new ArrayList<>(t.lines.size());
        for (TLine l : t.lines) {
            out.add(line(host, t, l, l.second + shiftSeconds, l.written + shiftSeconds * 1000));
        }
        return out;
    }

    /** Entries of a capture. */
    int size(String template) {
        return templates.get(template).lines.size();
    }

    /** When the {@code i}-th line (written order) of {@code template}, shifted by whole seconds, was written. */
    long writtenAt(String template, long shiftSeconds, int i) {
        return templates.get(template).lines.get(i).written + shiftSeconds * 1000;
    }

    /** The {@code i}-th line (written order) of {@code template} on {@code host}, shifted by whole seconds. */
    Line burstLine(String template, String host, long shiftSeconds, int i) {
        Template t = templates.get(template);
        TLine l = t.lines.get(i);
        return line(host, t, l, l.second + shiftSeconds, l.written + shiftSeconds * 1000);
    }

    /** The lines of one of {@code template}'s files on {@code host}, shifted by whole seconds, in the file's order. */
    List<Line> fileLines(String template, SourceKind kind, String host, long shiftSeconds) {
        Template t = templates.get(template);
        List<TLine> mine = new ArrayList<>();
        for (TLine l : t.lines) {
            if (l.kind == kind) {
                mine.add(l);
            }
        }
        mine.sort(Comparator.comparingInt(TLine::seq));
        List<Line> out = new ArrayList<>(mine.size());
        for (TLine l : mine) {
            out.add(line(host, t, l, l.second + shiftSeconds, l.written + shiftSeconds * 1000));
        }
        return out;
    }

    /** The healthy capture (its formats.properties is every healthy host's). */
    Template healthyTemplate() {
        return healthy;
    }

    Burst burst(String template, String host, long shiftSeconds, long quietMs, long graceMs) {
        Template t = templates.get(template);
        long s = shiftSeconds * 1000;
        return new Burst(host, template, FAULTS.get(template), t.first + s, t.firstGateway + s, t.lastGateway + s,
                t.last + s, t.lastGateway + s + quietMs + graceMs);
    }

    private Line line(String host, Template t, TLine l, long second, long written) {
        String stamp = stamps.format(l.stamp, t.zone, second);
        if (l.fraction != null) { // kernel: ISO second, the captured microseconds, then the offset
            stamp = stamp + l.fraction + stamps.format(Stamp.KERN_OFFSET, t.zone, second);
        }
        String text;
        if (l.hasHost) {
            text = (l.before + stamp + l.after).replace(HOST_MARK, host);
        } else {
            text = l.before.isEmpty() ? stamp.concat(l.after) : l.before + stamp + l.after;
        }
        return new Line(host, l.kind, text, written, t.zone.getId(), t.formats.get(l.kind));
    }

    // ---- templates ----

    private static final Pattern ACCESS_TIME = Pattern.compile("\\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}]");
    private static final Pattern ERROR_TIME = Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}");
    private static final Pattern FPM_TIME = Pattern.compile("^\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}]");
    private static final Pattern FPM_ACCESS_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{4})");
    private static final Pattern KERN_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?=,\\d+[+-]\\d{2}:\\d{2})");
    private static final Pattern KERN_OFFSET = Pattern.compile("^(,\\d+)([+-]\\d{2}:\\d{2})");
    private static final Pattern ACCESS_STATUS = Pattern.compile("\" ([1-5]\\d\\d) ");
    private static final Pattern FPM_ACCESS_STATUS = Pattern.compile("^\\S+ [A-Z]+ ([1-5]\\d\\d) ");

    private static Template template(Path dir, String name, boolean healthyOnly) {
        Properties formats = new Properties();
        String props = read(dir, name, "formats.properties");
        try {
            formats.load(new StringReader(props == null ? "" : props));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ZoneId zone = ZoneId.of(formats.getProperty("timezone", "UTC"));
        Map<SourceKind, String> fm = new EnumMap<>(SourceKind.class);
        if (formats.getProperty("nginx.access.log_format") != null) {
            fm.put(SourceKind.NGINX_ACCESS, formats.getProperty("nginx.access.log_format"));
        }
        if (formats.getProperty("fpm.access.format") != null) {
            fm.put(SourceKind.PHP_FPM_ACCESS, formats.getProperty("fpm.access.format"));
        }
        ParseContext ctx = ParseContext.of(zone);
        List<TLine> lines = new ArrayList<>();
        for (SourceKind kind : SourceKind.values()) {
            String text = read(dir, name, Sources.fileName(kind));
            if (text == null) {
                continue;
            }
            if (healthyOnly && kind != SourceKind.NGINX_ACCESS && kind != SourceKind.PHP_FPM_ACCESS) {
                continue;
            }
            List<String> entries = new ArrayList<>();
            MultilineJoiner joiner = MultilineJoiner.forKind(kind);
            long offset = 0;
            for (String physical : text.split("\n", -1)) {
                joiner.accept(physical, offset, e -> entries.add(e.text()));
                offset += physical.length() + 1;
            }
            joiner.flush(e -> entries.add(e.text()));
            int seq = 0;
            for (String entry : entries) {
                seq++;
                if (entry.isBlank()) {
                    continue;
                }
                if (healthyOnly && !healthyAccess(kind, entry)) {
                    continue;
                }
                ParseOutcome o = Parsers.forKind(kind, fm.get(kind)).parse(entry, ctx);
                if (!(o instanceof ParseOutcome.Parsed p)) {
                    throw new IllegalStateException("template " + name + "/" + Sources.fileName(kind)
                            + ": entry does not parse (" + ((ParseOutcome.Failed) o).reason() + "): " + entry);
                }
                LogEvent e = LogEvent.newBuilder().setHost(name).setFleet(null).setSource(kind)
                        .setTimestamp(Instant.ofEpochMilli(p.timestampMillis())).setOriginal(entry).setFile(null)
                        .setOrigin(null).setParsed(p.fields()).build();
                lines.add(split(name, kind, entry, Math.floorDiv(p.timestampMillis(), 1000), Lines.writtenAt(e),
                        Lines.isGatewayError(e), seq));
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException("template " + name + " has no lines");
        }
        lines.sort(Comparator.comparingLong(TLine::written));
        long first = lines.get(0).written;
        long last = lines.get(lines.size() - 1).written;
        long firstGw = lines.stream().filter(TLine::gateway).mapToLong(TLine::written).min().orElse(-1);
        long lastGw = lines.stream().filter(TLine::gateway).mapToLong(TLine::written).max().orElse(-1);
        if (!healthyOnly && firstGw < 0) {
            throw new IllegalStateException("template " + name + " has no gateway error line");
        }
        return new Template(name, zone, fm, props, List.copyOf(lines), first, firstGw, lastGw, last);
    }

    private static boolean healthyAccess(SourceKind kind, String entry) {
        Matcher m = kind == SourceKind.NGINX_ACCESS ? ACCESS_STATUS.matcher(entry) : FPM_ACCESS_STATUS.matcher(entry);
        return m.find() && m.group(1).charAt(0) < '5';
    }

    private static TLine split(String host, SourceKind kind, String entry, long second, long written, boolean gateway,
                               int seq) {
        Pattern p;
        Stamp stamp;
        switch (kind) {
            case NGINX_ACCESS -> {
                p = ACCESS_TIME;
                stamp = Stamp.ACCESS;
            }
            case NGINX_ERROR -> {
                p = ERROR_TIME;
                stamp = Stamp.ERROR;
            }
            case PHP_FPM, PHP_FPM_SLOW -> {
                p = FPM_TIME;
                stamp = Stamp.FPM;
            }
            case PHP_FPM_ACCESS -> {
                p = FPM_ACCESS_TIME;
                stamp = null;
            }
            case KERN -> {
                p = KERN_TIME;
                stamp = Stamp.KERN;
            }
            default -> throw new IllegalArgumentException("no template lines of " + kind);
        }
        Matcher m = p.matcher(entry);
        if (!m.find()) {
            throw new IllegalStateException("template " + host + ": " + kind + " entry without the expected stamp ("
                    + p + "): " + entry);
        }
        if (kind == SourceKind.PHP_FPM_ACCESS) {
            stamp = m.group(1).equals("Z") ? Stamp.FPM_ACCESS_Z : Stamp.FPM_ACCESS_OFFSET;
        }
        String before = entry.substring(0, m.start());
        String after = entry.substring(m.end());
        String fraction = null;
        if (kind == SourceKind.KERN) {
            // keep the microseconds; the offset is rewritten with the second (a zone's offset may change)
            Matcher o = KERN_OFFSET.matcher(after);
            if (!o.find()) {
                throw new IllegalStateException("kernel entry without ,micros+HH:MM: " + entry);
            }
            fraction = o.group(1);
            after = after.substring(o.end());
        }
        boolean hasHost = before.contains(host) || after.contains(host);
        return new TLine(kind, before.replace(host, HOST_MARK), after.replace(host, HOST_MARK), stamp, fraction, second,
                written, gateway, hasHost, seq);
    }

    private static String read(Path dir, String host, String file) {
        try {
            if (dir != null) {
                Path p = dir.resolve(host).resolve(file);
                return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
            }
            try (InputStream in = FleetStream.class.getClassLoader().getResourceAsStream("samples/fleet/" + host + "/" + file)) {
                return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading sample " + host + "/" + file, e);
        }
    }

    /**
     * Stamp strings by (format, zone, epoch second), cached: lines come roughly in time order, so one
     * second's stamp serves every host that writes in it.
     */
    static final class Stamps {
        private static final DateTimeFormatter ACCESS = DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss Z']'", Locale.ENGLISH);
        private static final DateTimeFormatter ERROR = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss", Locale.ROOT);
        private static final DateTimeFormatter FPM = DateTimeFormatter.ofPattern("'['dd-MMM-yyyy HH:mm:ss']'", Locale.ENGLISH);
        private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);
        private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("Z", Locale.ROOT);
        private static final DateTimeFormatter OFFSET_COLON = DateTimeFormatter.ofPattern("xxx", Locale.ROOT);

        private final Map<String, String> cache = new HashMap<>();

        String format(Stamp s, ZoneId zone, long second) {
            String key = s.ordinal() + zone.getId() + second; // a few distinct zones and formats
            String v = cache.get(key);
            if (v == null) {
                if (cache.size() > 20_000) {
                    cache.clear();
                }
                v = compute(s, zone, second);
                cache.put(key, v);
            }
            return v;
        }

        private static String compute(Stamp s, ZoneId zone, long second) {
            ZonedDateTime z = Instant.ofEpochSecond(second).atZone(zone);
            return switch (s) {
                case ACCESS -> z.format(ACCESS);
                case ERROR -> z.format(ERROR);
                case FPM -> z.format(FPM);
                case FPM_ACCESS_Z -> z.format(ISO) + "Z";
                case FPM_ACCESS_OFFSET -> z.format(ISO) + z.format(OFFSET);
                case KERN -> z.format(ISO);
                case KERN_OFFSET -> z.format(OFFSET_COLON);
            };
        }
    }
}
