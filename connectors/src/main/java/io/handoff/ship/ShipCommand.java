package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code handoff ship}: tails a host's log files into the raw topics with a {@link Tailer} until the
 * process is stopped (SIGTERM/SIGINT), then sends what is buffered, records the offsets and exits.
 * Exit codes: 0 stopped cleanly, 1 failure (delivery failed for good, unreadable registry or file),
 * 2 usage error.
 *
 * <p>Settings come from {@code --config FILE} (lines {@code key=value}, taken literally so that an
 * nginx {@code log_format} needs no escaping; {@code #} starts a comment), then {@code HANDOFF_BOOTSTRAP_SERVERS}
 * and {@code HANDOFF_TOPIC_PREFIX}, then the flags; the last one wins. Files given as flags are added
 * to the files of the config file.
 */
public final class ShipCommand {
    private ShipCommand() {}

    /** Config-file keys (flags are the same names with {@code --} and {@code -} for {@code .}). */
    static final List<String> KEYS = List.of("bootstrap.servers", "host", "file.<source>", "registry", "fleet",
            "timezone", "log-format.<source>", "topic-prefix", "poll-interval", "multiline-timeout", "rotate-grace",
            "buffer-bytes", "buffer-entries", "registry-interval", "close-timeout", "progress-every",
            "producer.<kafka producer setting>");

    public static String usage() {
        return String.join("\n",
                "usage: handoff ship --bootstrap-servers HOST:PORT --file KIND=PATH [--file KIND=PATH ...] [options]",
                "       handoff ship --config FILE [options]",
                "",
                "Tails a host's log files and publishes every entry (multi-line entries joined) to",
                "<prefix>.raw.<KIND> as a Filebeat-shaped JSON event keyed by the host name. Follows",
                "logrotate (rename+create and copytruncate), keeps the offset of the last entry Kafka",
                "acknowledged per file in the registry and resumes there after a restart. While Kafka",
                "cannot be reached it buffers and retries; when the buffer is full it stops reading the",
                "files (the lines wait on disk) - it never discards an entry. Stop it with SIGTERM/SIGINT.",
                "",
                "options:",
                "  --config FILE             key=value settings (keys: bootstrap.servers, host, file.KIND,",
                "                            registry, fleet, timezone, log-format.KIND, topic-prefix, ...,",
                "                            producer.SETTING); flags override them",
                "  --bootstrap-servers LIST  Kafka brokers (or HANDOFF_BOOTSTRAP_SERVERS)",
                "  --file KIND=PATH          a file to tail; KIND is one of " + Sources.names(),
                "  --host NAME               host.name and record key (default: this machine's host name)",
                "  --registry PATH           offsets file (default ./handoff-ship.registry)",
                "  --fleet LABEL             fields.fleet of every event",
                "  --timezone ZONE           event.timezone for zone-less timestamps (UTC, +02:00, Europe/Berlin)",
                "  --log-format KIND=FORMAT  fields.log_format: nginx log_format (nginx-access) or FPM",
                "                            access.format (php-fpm-access) of that file",
                "  --topic-prefix PREFIX     topic prefix (default handoff, or HANDOFF_TOPIC_PREFIX)",
                "  --poll-interval DURATION  how often idle files are looked at (default 200ms)",
                "  --multiline-timeout DUR   send an open multi-line entry after this long without a line (default 2s)",
                "  --rotate-grace DURATION   read a rotated-away file until idle this long (default 5s)",
                "  --buffer-bytes SIZE       bound of unacknowledged entries, e.g. 64MiB (default 64MiB)",
                "  --buffer-entries N        bound of unacknowledged entries by count (default 100000)",
                "  --registry-interval DUR   write the registry at most this often (default 1s)",
                "  --close-timeout DURATION  on stop, wait this long for Kafka to take the buffer (default 30s)",
                "  --progress-every DURATION print progress on stderr this often (default 30s; 0 = never)",
                "  --producer KEY=VALUE      a Kafka producer setting (security.protocol, sasl.*, ssl.*, ...)",
                "",
                "durations: 200ms, 2s, 5m, 1h; sizes: 65536, 512KiB, 64MiB, 1GiB");
    }

    /** Thrown for a usage error; the message says what was expected. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    /** Parsed command line. */
    record Parsed(String bootstrap, Tailer.Settings settings, Duration progressEvery) {}

    /** Runs until the JVM is asked to stop (SIGTERM/SIGINT). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                done.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "handoff-ship-shutdown");
        boolean hooked = false;
        try {
            if (!args.contains("--help") && !args.contains("-h")) {
                Runtime.getRuntime().addShutdownHook(hook);
                hooked = true;
            }
            return run(args, out, err, System.getenv(), stop);
        } finally {
            done.countDown();
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it returns now that done is counted down
                }
            }
        }
    }

    /** Runs until {@code stop} is counted down or the tailer fails. */
    static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env, CountDownLatch stop) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(usage());
            return 0;
        }
        Parsed p;
        try {
            p = parse(args, env);
        } catch (UsageError e) {
            err.println("handoff ship: " + e.getMessage());
            err.println("(see 'handoff ship --help')");
            return 2;
        }
        Tailer.Settings s = p.settings();
        Tailer tailer;
        try {
            tailer = Tailer.open(p.bootstrap(), s);
        } catch (RuntimeException e) {
            err.println("handoff ship: " + e.getMessage());
            return 1;
        }
        err.println("handoff ship: host " + s.host() + ", " + s.sources().size() + " files -> " + p.bootstrap()
                + " (topics " + s.topics().prefix() + ".raw.*), registry " + s.registry().toAbsolutePath());
        for (Tailer.Source src : s.sources()) {
            err.println("  " + Sources.name(src.kind()) + ": " + src.path() + " -> " + s.topics().raw(src.kind()));
        }
        int code = 0;
        try {
            tailer.start();
            long every = p.progressEvery().toMillis();
            while (true) {
                boolean stopped = stop.await(every > 0 ? every : 500, TimeUnit.MILLISECONDS);
                if (stopped || tailer.failure() != null) {
                    break;
                }
                if (every > 0) {
                    err.println("handoff ship: " + tailer.metrics().describe());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                tailer.close();
            } catch (RuntimeException e) {
                err.println("handoff ship: " + e.getMessage());
                code = 1;
            }
        }
        Throwable f = tailer.failure();
        if (f != null) {
            err.println("handoff ship: stopped: " + f.getMessage());
            err.println("handoff ship: the registry keeps the offset of the last acknowledged entry; fix the cause"
                    + " and restart to send the rest");
            code = 1;
        }
        err.println("handoff ship: " + tailer.metrics().describe());
        return code;
    }

    /** Parses flags over the config file over the environment. */
    static Parsed parse(List<String> args, Map<String, String> env) throws UsageError {
        Map<String, String> flat = new LinkedHashMap<>();
        List<String[]> files = new ArrayList<>();
        Map<String, String> formats = new LinkedHashMap<>();
        Map<String, String> producer = new LinkedHashMap<>();
        // 1. --config, wherever it is
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--config")) {
                if (i + 1 >= args.size()) {
                    throw new UsageError("--config expects a file");
                }
                readConfig(Path.of(args.get(i + 1)), flat, files, formats, producer);
            }
        }
        // 2. environment
        if (env.get("HANDOFF_BOOTSTRAP_SERVERS") != null && !env.get("HANDOFF_BOOTSTRAP_SERVERS").isBlank()) {
            flat.putIfAbsent("bootstrap.servers", env.get("HANDOFF_BOOTSTRAP_SERVERS").trim());
        }
        if (env.get("HANDOFF_TOPIC_PREFIX") != null && !env.get("HANDOFF_TOPIC_PREFIX").isBlank()) {
            flat.putIfAbsent("topic-prefix", env.get("HANDOFF_TOPIC_PREFIX").trim());
        }
        // 3. flags
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UsageError("unexpected argument '" + a + "': expected options only (--file KIND=PATH, ...)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq > 0 && !name.startsWith("file") && !name.startsWith("log-format") && !name.startsWith("producer")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new UsageError(a + " expects a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "config":
                    break;
                case "file":
                    files.add(pair(a, value, "KIND=PATH"));
                    break;
                case "log-format":
                    String[] f = pair(a, value, "KIND=FORMAT");
                    formats.put(f[0], f[1]);
                    break;
                case "producer":
                    String[] kv = pair(a, value, "KEY=VALUE");
                    producer.put(kv[0], kv[1]);
                    break;
                case "bootstrap-servers":
                    flat.put("bootstrap.servers", value);
                    break;
                default:
                    if (!List.of("host", "registry", "fleet", "timezone", "topic-prefix", "poll-interval",
                            "multiline-timeout", "rotate-grace", "buffer-bytes", "buffer-entries", "registry-interval",
                            "close-timeout", "progress-every").contains(name)) {
                        throw new UsageError("unknown option '" + a + "'");
                    }
                    flat.put(name, value);
            }
        }
        String bootstrap = flat.get("bootstrap.servers");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new UsageError("no Kafka to ship to: expected --bootstrap-servers HOST:PORT (or bootstrap.servers in"
                    + " --config, or HANDOFF_BOOTSTRAP_SERVERS)");
        }
        if (files.isEmpty()) {
            throw new UsageError("no file to tail: expected at least one --file KIND=PATH (KIND one of "
                    + Sources.names() + ")");
        }
        List<Tailer.Source> sources = new ArrayList<>();
        for (String[] f : files) {
            sources.add(new Tailer.Source(kind("--file " + f[0] + "=" + f[1], f[0]), Path.of(f[1])));
        }
        Map<SourceKind, String> logFormats = new EnumMap<>(SourceKind.class);
        for (Map.Entry<String, String> e : formats.entrySet()) {
            logFormats.put(kind("--log-format " + e.getKey() + "=…", e.getKey()), e.getValue());
        }
        String host = flat.get("host");
        if (host == null || host.isBlank()) {
            host = defaultHost(env);
        }
        String timezone = flat.get("timezone");
        if (timezone != null) {
            try {
                ZoneId.of(timezone);
            } catch (RuntimeException e) {
                throw new UsageError("--timezone " + timezone + ": expected a zone such as UTC, +02:00 or Europe/Berlin");
            }
        }
        TopicNames topics;
        try {
            topics = new TopicNames(flat.getOrDefault("topic-prefix", TopicNames.DEFAULT_PREFIX));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--" + e.getMessage());
        }
        Tailer.Settings d = Tailer.Settings.of(host, List.of(new Tailer.Source(SourceKind.KERN, Path.of("x"))),
                Path.of("x"));
        try {
            Tailer.Settings s = new Tailer.Settings(host, sources,
                    Path.of(flat.getOrDefault("registry", "handoff-ship.registry")), flat.get("fleet"), timezone,
                    logFormats, topics,
                    duration(flat, "poll-interval", d.pollInterval()),
                    duration(flat, "multiline-timeout", d.multilineTimeout()),
                    duration(flat, "rotate-grace", d.rotateGrace()),
                    size(flat, "buffer-bytes", d.maxBufferedBytes()),
                    (int) Math.min(Integer.MAX_VALUE, count(flat, "buffer-entries", d.maxBufferedEntries())),
                    duration(flat, "registry-interval", d.registryInterval()),
                    duration(flat, "close-timeout", d.closeTimeout()),
                    producer);
            Duration progress = flat.containsKey("progress-every") && flat.get("progress-every").trim().equals("0")
                    ? Duration.ZERO : duration(flat, "progress-every", Duration.ofSeconds(30));
            return new Parsed(bootstrap.trim(), s, progress);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    private static void readConfig(Path file, Map<String, String> flat, List<String[]> files,
                                   Map<String, String> formats, Map<String, String> producer) throws UsageError {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageError("--config " + file + ": cannot read the file (" + e.getMessage() + ")");
        }
        for (int n = 0; n < lines.size(); n++) {
            String l = lines.get(n).strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new UsageError("--config " + file + " line " + (n + 1) + ": expected key=value, got '" + l + "'");
            }
            String key = l.substring(0, eq).strip();
            String value = l.substring(eq + 1).strip();
            if (key.startsWith("file.")) {
                files.add(new String[] {key.substring(5), value});
            } else if (key.startsWith("log-format.")) {
                formats.put(key.substring(11), value);
            } else if (key.startsWith("producer.")) {
                producer.put(key.substring(9), value);
            } else if (List.of("bootstrap.servers", "host", "registry", "fleet", "timezone", "topic-prefix",
                    "poll-interval", "multiline-timeout", "rotate-grace", "buffer-bytes", "buffer-entries",
                    "registry-interval", "close-timeout", "progress-every").contains(key)) {
                flat.put(key, value);
            } else {
                throw new UsageError("--config " + file + " line " + (n + 1) + ": unknown key '" + key
                        + "'; accepted keys: " + String.join(", ", KEYS));
            }
        }
    }

    private static String[] pair(String flag, String value, String shape) throws UsageError {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new UsageError(flag + " " + value + ": expected " + shape);
        }
        return new String[] {value.substring(0, eq).trim(), value.substring(eq + 1).trim()};
    }

    private static SourceKind kind(String where, String name) throws UsageError {
        try {
            return Sources.parse(name);
        } catch (IllegalArgumentException e) {
            throw new UsageError(where + ": " + e.getMessage());
        }
    }

    private static String defaultHost(Map<String, String> env) throws UsageError {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            if (h != null && !h.isBlank()) {
                return h;
            }
        } catch (IOException e) {
            // fall through
        }
        String h = env.get("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        throw new UsageError("cannot find this machine's host name: expected --host NAME");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    static Duration parseDuration(String key, String v) throws UsageError {
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageError("--" + key + " " + v + ": expected a duration such as 200ms, 2s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            default: return Duration.ofHours(n);
        }
    }

    static long parseSize(String key, String v) throws UsageError {
        Matcher m = SIZE.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageError("--" + key + " " + v + ": expected a size such as 65536, 512KiB or 64MiB");
        }
        long n = Long.parseLong(m.group(1));
        String u = m.group(2) == null ? "b" : m.group(2);
        int shift = u.startsWith("k") ? 10 : u.startsWith("m") ? 20 : u.startsWith("g") ? 30 : 0;
        return n << shift;
    }

    private static Duration duration(Map<String, String> flat, String key, Duration fallback) throws UsageError {
        String v = flat.get(key);
        return v == null ? fallback : parseDuration(key, v);
    }

    private static long size(Map<String, String> flat, String key, long fallback) throws UsageError {
        String v = flat.get(key);
        return v == null ? fallback : parseSize(key, v);
    }

    private static long count(Map<String, String> flat, String key, long fallback) throws UsageError {
        String v = flat.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // message below
        }
        throw new UsageError("--" + key + " " + v + ": expected a positive whole number");
    }
}
