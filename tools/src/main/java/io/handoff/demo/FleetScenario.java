package io.handoff.demo;

import io.handoff.avro.SourceKind;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
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
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a replay folder of many hosts over several days from captures of real nginx 1.22 / php-fpm
 * 8.2 runs ({@code samples/fleet/<host>}): every line is a real line of a template host, re-timed
 * (its timestamp rewritten, in the host's own time zone) and re-hosted (the template's host name,
 * e.g. in the FPM socket path, replaced). Nothing else in a line is invented.
 *
 * <ul>
 *   <li>{@link Role#BACKLOG_AFTER_RELOAD}: {@code web-01}, a listen-backlog overflow right after an
 *       FPM reload; placed so that the {@code Reloading in progress} notice is at the given instant.</li>
 *   <li>{@link Role#RELOAD_INTERRUPTION}: {@code web-12}, an FPM reload that does not wait
 *       (process_control_timeout = 0) and resets two checkouts in flight; placed so that its first
 *       {@code Reloading in progress} notice is at the given instant.</li>
 *   <li>{@link Role#WORKER_CRASH}: {@code web-06}, segfaulting workers; the first nginx error line
 *       at the instant.</li>
 *   <li>{@link Role#LOG_REOPEN}: {@code web-14}, healthy traffic with a PHP fatal error (a 500, not a
 *       gateway error) and FPM reopening its logs (SIGUSR1, as logrotate does); the reopen notice at
 *       the instant. The noise of a healthy host at midnight.</li>
 *   <li>{@link #traffic}: healthy access lines of {@code web-14} repeated over an interval (thinned
 *       by {@code keepEvery}), so that each host's event time moves on and its incidents close.</li>
 * </ul>
 *
 * The capture's own process start and stop lines (FPM "fpm is running", "Finishing ...", nginx
 * {@code [notice]} worker start/exit) are left out: they belong to the capture, not to the scenario;
 * the lines FPM writes during a reload are kept.
 */
public final class FleetScenario {

    public enum Role {
        BACKLOG_AFTER_RELOAD("web-01", e -> e.kind == SourceKind.PHP_FPM && e.text.contains("Reloading in progress")),
        RELOAD_INTERRUPTION("web-12", e -> e.kind == SourceKind.PHP_FPM && e.text.contains("Reloading in progress")),
        WORKER_CRASH("web-06", e -> e.kind == SourceKind.NGINX_ERROR),
        LOG_REOPEN("web-14", e -> e.kind == SourceKind.PHP_FPM && e.text.contains("log file re-opened"));

        final String template;
        final Predicate<Entry> anchor;

        Role(String template, Predicate<Entry> anchor) {
            this.template = template;
            this.anchor = anchor;
        }
    }

    /** Where a host runs: the zone its logs are written in and its fleet label (null: default fleet). */
    public record Host(String name, ZoneId zone, String fleet) {}

    private record Entry(SourceKind kind, String text, long time) {}

    private record Template(String host, Formats formats, List<Entry> entries) {}

    private final Path templates;
    private final int thin;
    private final Map<String, Template> loaded = new LinkedHashMap<>();
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, List<Entry>> out = new LinkedHashMap<>();

    /**
     * @param templates a folder holding the template hosts ({@code web-01}, {@code web-06}, {@code web-14})
     * @param thin      keep every {@code thin}-th healthy access line (nginx and FPM, status below 500) of the
     *                  templates placed by {@link #event}; 1 keeps them all. Gateway errors, error-log, FPM and
     *                  kernel lines are always kept.
     */
    public FleetScenario(Path templates, int thin) {
        if (thin < 1) {
            throw new IllegalArgumentException("thin: expected 1 or more, got " + thin);
        }
        this.templates = templates;
        this.thin = thin;
    }

    public FleetScenario(Path templates) {
        this(templates, 1);
    }

    public FleetScenario host(String name, ZoneId zone, String fleet) {
        hosts.put(name, new Host(name, zone, fleet));
        out.computeIfAbsent(name, k -> new ArrayList<>());
        return this;
    }

    public FleetScenario host(String name) {
        return host(name, ZoneOffset.UTC, null);
    }

    /** Places the role's template on the host with its anchor line at {@code at}. */
    public FleetScenario event(String host, Role role, Instant at) {
        Template t = template(role.template);
        Entry anchor = t.entries.stream().filter(role.anchor).findFirst().orElseThrow(() -> new IllegalStateException(
                "template " + role.template + " has no anchor line for " + role));
        long shift = at.toEpochMilli() - anchor.time;
        int healthy = 0;
        for (Entry e : t.entries) {
            if (isHealthyAccess(e) && healthy++ % thin != 0) {
                continue;
            }
            add(host, t, e, e.time + shift);
        }
        return this;
    }

    private static final Pattern ACCESS_STATUS = Pattern.compile("\" ([1-5]\\d\\d) ");
    private static final Pattern FPM_ACCESS_STATUS = Pattern.compile("^\\S+ [A-Z]+ ([1-5]\\d\\d) ");

    /** An nginx or FPM access line with a status below 500. */
    private static boolean isHealthyAccess(Entry e) {
        Matcher m = e.kind == SourceKind.NGINX_ACCESS ? ACCESS_STATUS.matcher(e.text)
                : e.kind == SourceKind.PHP_FPM_ACCESS ? FPM_ACCESS_STATUS.matcher(e.text) : null;
        return m != null && m.find() && m.group(1).charAt(0) < '5';
    }

    /**
     * Healthy nginx access lines of {@code web-14} over {@code [from, to)}: the template's traffic
     * repeated with its own timing, every {@code keepEvery}-th line kept.
     */
    public FleetScenario traffic(String host, Instant from, Instant to, int keepEvery) {
        Template t = template(Role.LOG_REOPEN.template);
        List<Entry> healthy = t.entries.stream().filter(e -> e.kind == SourceKind.NGINX_ACCESS && isHealthyAccess(e)).toList();
        long first = healthy.stream().mapToLong(Entry::time).min().orElseThrow();
        long period = healthy.stream().mapToLong(Entry::time).max().orElseThrow() - first + 1_000;
        int n = 0;
        for (long base = from.toEpochMilli(); base < to.toEpochMilli(); base += period) {
            for (Entry e : healthy) {
                long t2 = base + (e.time - first);
                if (t2 < to.toEpochMilli() && n++ % keepEvery == 0) {
                    add(host, t, e, t2);
                }
            }
        }
        return this;
    }

    /** Writes {@code dir/<host>/<source file>} and {@code formats.properties}; entries in time order. */
    public Path write(Path dir) {
        try {
            for (Map.Entry<String, List<Entry>> h : out.entrySet()) {
                Host host = hosts.get(h.getKey());
                Path hd = Files.createDirectories(dir.resolve(host.name));
                Map<SourceKind, StringBuilder> files = new EnumMap<>(SourceKind.class);
                List<Entry> entries = new ArrayList<>(h.getValue());
                entries.sort(Comparator.comparingLong(Entry::time));
                for (Entry e : entries) {
                    files.computeIfAbsent(e.kind, k -> new StringBuilder()).append(e.text).append('\n');
                }
                for (Map.Entry<SourceKind, StringBuilder> f : files.entrySet()) {
                    Files.writeString(hd.resolve(Sources.fileName(f.getKey())), f.getValue(), StandardCharsets.UTF_8);
                }
                Formats tf = template(Role.LOG_REOPEN.template).formats;
                StringBuilder p = new StringBuilder();
                p.append("nginx.access.log_format=").append(tf.nginxAccessLogFormat()).append('\n');
                p.append("fpm.access.format=").append(fpmFormat(tf.fpmAccessFormat(), host.zone)).append('\n');
                p.append("timezone=").append(host.zone.getId()).append('\n');
                if (host.fleet != null) {
                    p.append("fleet=").append(host.fleet).append('\n');
                }
                Files.writeString(hd.resolve(Formats.FILE_NAME), p, StandardCharsets.UTF_8);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the scenario to " + dir, e);
        }
    }

    // ---- re-timing and re-hosting ----

    private static final Pattern ACCESS_TIME = Pattern.compile("\\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}]");
    private static final Pattern ERROR_TIME = Pattern.compile("^\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2}");
    private static final Pattern FPM_TIME = Pattern.compile("^\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}]");
    private static final Pattern FPM_ACCESS_TIME = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{4})");
    private static final Pattern KERN_TIME = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})(,\\d+)?([+-]\\d{2}:\\d{2})");

    private static final DateTimeFormatter ACCESS = DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss Z']'", Locale.ENGLISH);
    private static final DateTimeFormatter ERROR = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter FPM = DateTimeFormatter.ofPattern("'['dd-MMM-yyyy HH:mm:ss']'", Locale.ENGLISH);
    private static final DateTimeFormatter ISO_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("Z", Locale.ROOT);
    private static final DateTimeFormatter OFFSET_COLON = DateTimeFormatter.ofPattern("xxx", Locale.ROOT);

    /** The FPM access format of a host in {@code zone}: {@code %z} instead of a literal {@code Z} outside UTC. */
    static String fpmFormat(String templateFormat, ZoneId zone) {
        return isUtc(zone) ? templateFormat : templateFormat.replace("%SZ}t", "%S%z}t");
    }

    private static boolean isUtc(ZoneId zone) {
        return zone.normalized().equals(ZoneOffset.UTC);
    }

    private void add(String host, Template t, Entry e, long at) {
        Host h = hosts.get(host);
        if (h == null) {
            throw new IllegalArgumentException("unknown host " + host + ": declare it with host(...) first");
        }
        String text = retime(e, at, h.zone).replace(t.host, host);
        out.get(host).add(new Entry(e.kind, text, at));
    }

    static String retime(Entry e, long at, ZoneId zone) {
        ZonedDateTime z = Instant.ofEpochMilli(at).atZone(zone);
        return switch (e.kind) {
            case NGINX_ACCESS -> replace(ACCESS_TIME, e.text, z.format(ACCESS));
            case NGINX_ERROR -> replace(ERROR_TIME, e.text, z.format(ERROR));
            case PHP_FPM -> replace(FPM_TIME, e.text, z.format(FPM));
            case PHP_FPM_ACCESS -> replace(FPM_ACCESS_TIME, e.text, z.format(ISO_SECONDS) + (isUtc(zone) ? "Z" : z.format(OFFSET)));
            case KERN -> {
                Matcher m = KERN_TIME.matcher(e.text);
                if (!m.find()) throw new IllegalStateException("kernel line without an ISO timestamp: " + e.text);
                yield z.format(ISO_SECONDS) + (m.group(2) == null ? "" : m.group(2)) + z.format(OFFSET_COLON)
                        + e.text.substring(m.end());
            }
            default -> throw new IllegalArgumentException("no template lines of " + e.kind);
        };
    }

    private static String replace(Pattern p, String text, String stamp) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("template line without the expected timestamp (" + p + "): " + text);
        }
        return text.substring(0, m.start()) + stamp + text.substring(m.end());
    }

    // ---- templates ----

    private Template template(String name) {
        return loaded.computeIfAbsent(name, n -> load(n, templates.resolve(n)));
    }

    private static Template load(String name, Path dir) {
        Formats f = Formats.load(dir.resolve(Formats.FILE_NAME));
        ZoneId zone = f.timezone() == null ? ZoneOffset.UTC : ZoneId.of(f.timezone());
        List<Entry> entries = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            Path file = dir.resolve(Sources.fileName(k));
            if (!Files.exists(file)) continue;
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading template " + file, e);
            }
            for (String text : join(k, lines)) {
                ParseOutcome o = Parsers.forKind(k, f.logFormat(k)).parse(text, ParseContext.of(zone));
                if (!(o instanceof ParseOutcome.Parsed p)) {
                    throw new IllegalStateException("template " + file + ": line does not parse ("
                            + ((ParseOutcome.Failed) o).reason() + "): " + text);
                }
                entries.add(new Entry(k, text, p.timestampMillis()));
            }
        }
        List<Long> reloads = entries.stream().filter(e -> e.kind == SourceKind.PHP_FPM
                && e.text.contains("Reloading in progress")).map(Entry::time).toList();
        entries.removeIf(e -> captureLifecycle(e, reloads));
        entries.sort(Comparator.comparingLong(Entry::time));
        return new Template(name, f, entries);
    }

    private static final Pattern FPM_LIFECYCLE = Pattern.compile(
            "test is successful|fpm is running|ready to handle connections|systemd monitor interval|Finishing \\.\\.\\.|exiting, bye-bye");

    /** The capture harness starting and stopping nginx and FPM (kept when FPM writes it during a reload). */
    private static boolean captureLifecycle(Entry e, List<Long> reloads) {
        if (e.kind == SourceKind.NGINX_ERROR) {
            return e.text.contains(" [notice] ");
        }
        if (e.kind == SourceKind.PHP_FPM && FPM_LIFECYCLE.matcher(e.text).find()) {
            return reloads.stream().noneMatch(r -> e.time >= r && e.time - r <= 1_000);
        }
        return false;
    }

    /** Entries of a file: nginx error continuation lines (FastCGI stderr) joined, blank lines dropped. */
    private static List<String> join(SourceKind k, List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            boolean continuation = switch (k) {
                case NGINX_ERROR -> !l.matches("^\\d{4}/\\d{2}/\\d{2} .*");
                case PHP_FPM -> !l.startsWith("[");
                default -> false;
            };
            if (l.isBlank()) continue;
            if (continuation && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "\n" + l);
            } else {
                out.add(l);
            }
        }
        return out;
    }
}
