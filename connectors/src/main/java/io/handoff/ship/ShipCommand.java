package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.config.Keys;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
 * nginx {@code log_format} needs no escaping; {@code #} starts a comment), then the environment
 * ({@code HANDOFF_BOOTSTRAP_SERVERS} and {@code HANDOFF_TOPIC_PREFIX}, {@link Keys}), then the flags; the
 * last one wins, as for every command. Files given as flags are added to the files of the config file.
 */
@Command(name = "ship", header = "tail a host's log files into Kafka (follows logrotate, resumes, never drops a line)",
        synopsisHeading = "", descriptionHeading = "%n", optionListHeading = "%noptions:%n",
        sortOptions = false,
        customSynopsis = {
            "usage: handoff ship --bootstrap-servers HOST:PORT --file KIND=PATH [--file KIND=PATH ...] [options]",
            "       handoff ship --config FILE [options]"},
        description = {
            "Tails a host's log files and publishes every entry (multi-line entries joined) to",
            "<prefix>.raw.<KIND> as a Filebeat-shaped JSON event keyed by the host name. Follows",
            "logrotate (rename+create and copytruncate), keeps the offset of the last entry Kafka",
            "acknowledged per file in the registry and resumes there after a restart. While Kafka",
            "cannot be reached it buffers and retries; when the buffer is full it stops reading the",
            "files (the lines wait on disk) - it never discards an entry. Stop it with SIGTERM/SIGINT.",
            "",
            "Settings: --config FILE, then HANDOFF_BOOTSTRAP_SERVERS and HANDOFF_TOPIC_PREFIX, then the",
            "flags; the last one wins."},
        footerHeading = "%n", footer = "durations: 200ms, 2s, 5m, 1h; sizes: 65536, 512KiB, 64MiB, 1GiB")
public final class ShipCommand implements Callable<Integer> {
    /** Config-file keys (flags are the same names with {@code --} and {@code -} for {@code .}). */
    static final List<String> KEYS = List.of("bootstrap.servers", "host", "file.<source>", "registry", "fleet",
            "timezone", "log-format.<source>", "topic-prefix", "poll-interval", "multiline-timeout", "rotate-grace",
            "buffer-bytes", "buffer-entries", "registry-interval", "close-timeout", "progress-every",
            "producer.<kafka producer setting>");
    /** The config file's keys that take one value, and the flags of the same names. */
    private static final List<String> FLAT = List.of("bootstrap.servers", "host", "registry", "fleet", "timezone",
            "topic-prefix", "poll-interval", "multiline-timeout", "rotate-grace", "buffer-bytes", "buffer-entries",
            "registry-interval", "close-timeout", "progress-every");

    @Spec
    CommandSpec spec;
    @Mixin
    HelpOption help;
    @Option(names = "--config", paramLabel = "FILE", description = {"key=value settings (keys: bootstrap.servers, host,"
            + " file.KIND, registry, fleet, timezone, log-format.KIND, topic-prefix, ..., producer.SETTING)"})
    Path config;
    @Option(names = "--bootstrap-servers", paramLabel = "LIST", descriptionKey = "bootstrap.servers")
    String bootstrapServers;
    @Option(names = "--file", paramLabel = "KIND=PATH", description = "a file to tail; KIND is one of ${COMPLETION-CANDIDATES}",
            completionCandidates = Kinds.class)
    List<String> files = new ArrayList<>();
    @Option(names = "--host", paramLabel = "NAME", description = "host.name and record key (default: this machine's host name)")
    String host;
    @Option(names = "--registry", paramLabel = "PATH", description = "offsets file (default ./handoff-ship.registry)")
    String registry;
    @Option(names = "--fleet", paramLabel = "LABEL", description = "fields.fleet of every event")
    String fleet;
    @Option(names = "--timezone", paramLabel = "ZONE", description = "event.timezone for zone-less timestamps (UTC, +02:00, Europe/Berlin)")
    String timezone;
    @Option(names = "--log-format", paramLabel = "KIND=FORMAT", description = {"fields.log_format: nginx log_format"
            + " (nginx-access) or FPM access.format (php-fpm-access) of that file"})
    List<String> logFormats = new ArrayList<>();
    @Option(names = "--topic-prefix", paramLabel = "PREFIX", descriptionKey = "handoff.topic-prefix")
    String topicPrefix;
    @Option(names = "--poll-interval", paramLabel = "DURATION", description = "how often idle files are looked at (default 200ms)")
    String pollInterval;
    @Option(names = "--multiline-timeout", paramLabel = "DURATION", description = "send an open multi-line entry after this long without a line (default 2s)")
    String multilineTimeout;
    @Option(names = "--rotate-grace", paramLabel = "DURATION", description = "read a rotated-away file until idle this long (default 5s)")
    String rotateGrace;
    @Option(names = "--buffer-bytes", paramLabel = "SIZE", description = "bound of unacknowledged entries, e.g. 64MiB (default 64MiB)")
    String bufferBytes;
    @Option(names = "--buffer-entries", paramLabel = "N", description = "bound of unacknowledged entries by count (default 100000)")
    String bufferEntries;
    @Option(names = "--registry-interval", paramLabel = "DURATION", description = "write the registry at most this often (default 1s)")
    String registryInterval;
    @Option(names = "--close-timeout", paramLabel = "DURATION", description = "on stop, wait this long for Kafka to take the buffer (default 30s)")
    String closeTimeout;
    @Option(names = "--progress-every", paramLabel = "DURATION", description = "print progress on stderr this often (default 30s; 0 = never)")
    String progressEvery;
    @Option(names = "--producer", paramLabel = "KEY=VALUE", description = "a Kafka producer setting (security.protocol, sasl.*, ssl.*, ...)")
    List<String> producer = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    /** Counted down to stop; null: SIGTERM/SIGINT stop it (a shutdown hook). */
    private final CountDownLatch stop;

    /** The command of {@code handoff ship}: reads the process's environment, stops on SIGTERM/SIGINT. */
    public ShipCommand(PrintStream out, PrintStream err) {
        this(out, err, System.getenv(), null);
    }

    ShipCommand(PrintStream out, PrintStream err, Map<String, String> env, CountDownLatch stop) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.stop = stop;
    }

    /** The sources' names, for {@code --help} and shell completion. */
    static final class Kinds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(SourceKind.values()).map(Sources::name).iterator();
        }
    }

    /** Parsed command line. */
    record Parsed(String bootstrap, Tailer.Settings settings, Duration progressEvery) {}

    /** Runs until {@code stop} is counted down or the tailer fails. */
    static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env, CountDownLatch stop) {
        return Cli.execute(new ShipCommand(out, err, env, stop), args, out, err);
    }

    /**
     * The command line parsed over the config file over the environment, without running anything.
     *
     * @throws ParameterException a usage error; the message says what was expected
     */
    static Parsed parse(List<String> args, Map<String, String> env) {
        ShipCommand c = new ShipCommand(System.out, System.err, env, new CountDownLatch(0));
        Cli.commandLine(c, System.out, System.err).parseArgs(args.toArray(new String[0]));
        return c.parsed();
    }

    @Override
    public Integer call() {
        Parsed p = parsed();
        if (stop != null) {
            return run(p, stop);
        }
        CountDownLatch signalled = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            signalled.countDown();
            try {
                done.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "handoff-ship-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(p, signalled);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that done is counted down
            }
        }
    }

    /** Runs until {@code stop} is counted down or the tailer fails. */
    private int run(Parsed p, CountDownLatch stop) {
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

    /** The settings: defaults, then the config file, then the environment, then the flags. */
    private Parsed parsed() {
        Map<String, String> flat = new LinkedHashMap<>();
        List<String[]> files = new ArrayList<>();
        Map<String, String> formats = new LinkedHashMap<>();
        Map<String, String> producer = new LinkedHashMap<>();
        // 1. the config file
        if (config != null) {
            readConfig(config, flat, files, formats, producer);
        }
        // 2. the environment
        Map<String, String> fromEnv = Keys.fromEnvironment(env, io.handoff.config.Command.SHIP);
        if (fromEnv.containsKey(Keys.BOOTSTRAP_SERVERS.name())) {
            flat.put("bootstrap.servers", fromEnv.get(Keys.BOOTSTRAP_SERVERS.name()));
        }
        if (fromEnv.containsKey(Keys.TOPIC_PREFIX.name())) {
            flat.put("topic-prefix", fromEnv.get(Keys.TOPIC_PREFIX.name()));
        }
        // 3. the flags
        for (String f : this.files) {
            files.add(pair("--file", f, "KIND=PATH"));
        }
        for (String f : logFormats) {
            String[] kv = pair("--log-format", f, "KIND=FORMAT");
            formats.put(kv[0], kv[1]);
        }
        for (String f : this.producer) {
            String[] kv = pair("--producer", f, "KEY=VALUE");
            producer.put(kv[0], kv[1]);
        }
        String[] given = {bootstrapServers, host, registry, fleet, timezone, topicPrefix, pollInterval, multilineTimeout,
            rotateGrace, bufferBytes, bufferEntries, registryInterval, closeTimeout, progressEvery};
        for (int i = 0; i < given.length; i++) {
            if (given[i] != null) {
                flat.put(FLAT.get(i), given[i]);
            }
        }
        String bootstrap = flat.get("bootstrap.servers");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw usage("no Kafka to ship to: expected --bootstrap-servers HOST:PORT (or bootstrap.servers in"
                    + " --config, or HANDOFF_BOOTSTRAP_SERVERS)");
        }
        if (files.isEmpty()) {
            throw usage("no file to tail: expected at least one --file KIND=PATH (KIND one of "
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
                throw usage("--timezone " + timezone + ": expected a zone such as UTC, +02:00 or Europe/Berlin");
            }
        }
        TopicNames topics;
        try {
            topics = new TopicNames(flat.getOrDefault("topic-prefix", Keys.TOPIC_PREFIX.defaultText()));
        } catch (IllegalArgumentException e) {
            throw usage("--" + e.getMessage());
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
        } catch (ParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** A usage error of {@code handoff ship}: exit code 2 with the message. */
    private ParameterException usage(String message) {
        return Cli.usage(spec, message);
    }

    private void readConfig(Path file, Map<String, String> flat, List<String[]> files,
                            Map<String, String> formats, Map<String, String> producer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("--config " + file + ": cannot read the file (" + e.getMessage() + ")");
        }
        for (int n = 0; n < lines.size(); n++) {
            String l = lines.get(n).strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw usage("--config " + file + " line " + (n + 1) + ": expected key=value, got '" + l + "'");
            }
            String key = l.substring(0, eq).strip();
            String value = l.substring(eq + 1).strip();
            if (key.startsWith("file.")) {
                files.add(new String[] {key.substring(5), value});
            } else if (key.startsWith("log-format.")) {
                formats.put(key.substring(11), value);
            } else if (key.startsWith("producer.")) {
                producer.put(key.substring(9), value);
            } else if (FLAT.contains(key)) {
                flat.put(key, value);
            } else {
                throw usage("--config " + file + " line " + (n + 1) + ": unknown key '" + key
                        + "'; accepted keys: " + String.join(", ", KEYS));
            }
        }
    }

    private String[] pair(String flag, String value, String shape) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw usage(flag + " " + value + ": expected " + shape);
        }
        return new String[] {value.substring(0, eq).trim(), value.substring(eq + 1).trim()};
    }

    private SourceKind kind(String where, String name) {
        try {
            return Sources.parse(name);
        } catch (IllegalArgumentException e) {
            throw usage(where + ": " + e.getMessage());
        }
    }

    private String defaultHost(Map<String, String> env) {
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
        throw usage("cannot find this machine's host name: expected --host NAME");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    Duration parseDuration(String key, String v) {
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw usage("--" + key + " " + v + ": expected a duration such as 200ms, 2s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            default: return Duration.ofHours(n);
        }
    }

    long parseSize(String key, String v) {
        Matcher m = SIZE.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw usage("--" + key + " " + v + ": expected a size such as 65536, 512KiB or 64MiB");
        }
        long n = Long.parseLong(m.group(1));
        String u = m.group(2) == null ? "b" : m.group(2);
        int shift = u.startsWith("k") ? 10 : u.startsWith("m") ? 20 : u.startsWith("g") ? 30 : 0;
        return n << shift;
    }

    private Duration duration(Map<String, String> flat, String key, Duration fallback) {
        String v = flat.get(key);
        return v == null ? fallback : parseDuration(key, v);
    }

    private long size(Map<String, String> flat, String key, long fallback) {
        String v = flat.get(key);
        return v == null ? fallback : parseSize(key, v);
    }

    private long count(Map<String, String> flat, String key, long fallback) {
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
        throw usage("--" + key + " " + v + ": expected a positive whole number");
    }
}
