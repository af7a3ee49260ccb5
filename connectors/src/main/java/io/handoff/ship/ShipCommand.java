package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.cli.ReadsKeys;
import io.handoff.config.Key;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code handoff ship}: tails a host's log files into the raw topics with a {@link Tailer} until the
 * process is stopped (SIGTERM/SIGINT), then sends what is buffered, records the offsets and exits.
 * Exit codes: 0 stopped cleanly, 1 failure (delivery failed for good, unreadable registry or file),
 * 2 usage error.
 *
 * <p>Its settings are keys of {@link Keys} ({@code handoff.ship.*}, {@code bootstrap.servers},
 * {@code handoff.topic-prefix}): the default, then {@code --config FILE} (lines {@code key=value}, taken
 * literally so that an nginx {@code log_format} needs no escaping; {@code #} starts a comment), then the
 * environment, then the flags; the last one wins, as for every command. The file's former names of the keys
 * ({@code poll-interval}, {@link Keys#SHIP_FORMER_NAMES}) are still read, each with a warning; the key's own
 * name wins over its former one. Files given as flags are added to the files of the config file.
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
            "files (the lines wait on disk) - it never discards an entry. Stop it with SIGTERM/SIGINT."},
        footerHeading = "%n", footer = "durations: 200ms, 2s, 5m, 1h; sizes: 65536, 512KiB, 64MiB, 1GiB")
public final class ShipCommand implements Callable<Integer>, ReadsKeys {
    /** Config-file keys: the table's keys of {@code handoff ship} and the three families of many values. */
    static final List<String> KEYS = keys();

    private static List<String> keys() {
        List<String> k = new ArrayList<>(Keys.of(io.handoff.config.Command.SHIP).stream().map(Key::name).toList());
        k.addAll(List.of("file.<source>", "log-format.<source>", "producer.<kafka producer setting>"));
        return List.copyOf(k);
    }

    @Spec
    CommandSpec spec;
    @Mixin
    HelpOption help;
    @Option(names = "--config", paramLabel = "FILE", description = {"key=value settings, taken literally: the keys"
            + " below, file.KIND=PATH, log-format.KIND=FORMAT, producer.SETTING=VALUE"})
    Path config;
    @Option(names = "--bootstrap-servers", paramLabel = "LIST", descriptionKey = "bootstrap.servers")
    String bootstrapServers;
    @Option(names = "--file", paramLabel = "KIND=PATH", description = "a file to tail; KIND is one of ${COMPLETION-CANDIDATES}",
            completionCandidates = Kinds.class)
    List<String> files = new ArrayList<>();
    @Option(names = "--host", paramLabel = "NAME", descriptionKey = "handoff.ship.host")
    String host;
    @Option(names = "--registry", paramLabel = "PATH", descriptionKey = "handoff.ship.registry")
    String registry;
    @Option(names = "--fleet", paramLabel = "LABEL", descriptionKey = "handoff.ship.fleet")
    String fleet;
    @Option(names = "--timezone", paramLabel = "ZONE", descriptionKey = "handoff.ship.timezone")
    String timezone;
    @Option(names = "--log-format", paramLabel = "KIND=FORMAT", description = {"fields.log_format: nginx log_format"
            + " (nginx-access) or FPM access.format (php-fpm-access) of that file"})
    List<String> logFormats = new ArrayList<>();
    @Option(names = "--topic-prefix", paramLabel = "PREFIX", descriptionKey = "handoff.topic-prefix")
    String topicPrefix;
    @Option(names = "--poll-interval", paramLabel = "DURATION", descriptionKey = "handoff.ship.poll-interval")
    String pollInterval;
    @Option(names = "--multiline-timeout", paramLabel = "DURATION", descriptionKey = "handoff.ship.multiline-timeout")
    String multilineTimeout;
    @Option(names = "--rotate-grace", paramLabel = "DURATION", descriptionKey = "handoff.ship.rotate-grace")
    String rotateGrace;
    @Option(names = "--buffer-bytes", paramLabel = "SIZE", descriptionKey = "handoff.ship.buffer-bytes")
    String bufferBytes;
    @Option(names = "--buffer-entries", paramLabel = "N", descriptionKey = "handoff.ship.buffer-entries")
    String bufferEntries;
    @Option(names = "--registry-interval", paramLabel = "DURATION", descriptionKey = "handoff.ship.registry-interval")
    String registryInterval;
    @Option(names = "--close-timeout", paramLabel = "DURATION", descriptionKey = "handoff.ship.close-timeout")
    String closeTimeout;
    @Option(names = "--progress-every", paramLabel = "DURATION", descriptionKey = "handoff.ship.progress-every")
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

    @Override
    public io.handoff.config.Command reads() {
        return io.handoff.config.Command.SHIP;
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
        return parse(args, env, System.err);
    }

    /** {@link #parse(List, Map)} with the warnings on {@code err}. */
    static Parsed parse(List<String> args, Map<String, String> env, PrintStream err) {
        ShipCommand c = new ShipCommand(System.out, err, env, new CountDownLatch(0));
        Cli.commandLine(c, System.out, err).parseArgs(args.toArray(new String[0]));
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

    /** A setting's text and what a message calls it: the flag, the key as the file wrote it, or the variable. */
    private record Given(String text, String where) {}

    /** The settings: defaults, then the config file, then the environment, then the flags. */
    private Parsed parsed() {
        Map<Key<?>, Given> given = new LinkedHashMap<>();
        List<String[]> files = new ArrayList<>();
        Map<String, String> formats = new LinkedHashMap<>();
        Map<String, String> producer = new LinkedHashMap<>();
        // 1. the config file
        if (config != null) {
            readConfig(config, given, files, formats, producer);
        }
        // 2. the environment
        Keys.fromEnvironment(env, io.handoff.config.Command.SHIP).forEach((name, text) -> {
            Key<?> k = Keys.named(name);
            given.put(k, new Given(text, k.env()));
        });
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
        flag(given, Keys.BOOTSTRAP_SERVERS, "--bootstrap-servers", bootstrapServers);
        flag(given, Keys.SHIP_HOST, "--host", host);
        flag(given, Keys.SHIP_REGISTRY, "--registry", registry);
        flag(given, Keys.SHIP_FLEET, "--fleet", fleet);
        flag(given, Keys.SHIP_TIMEZONE, "--timezone", timezone);
        flag(given, Keys.TOPIC_PREFIX, "--topic-prefix", topicPrefix);
        flag(given, Keys.SHIP_POLL_INTERVAL, "--poll-interval", pollInterval);
        flag(given, Keys.SHIP_MULTILINE_TIMEOUT, "--multiline-timeout", multilineTimeout);
        flag(given, Keys.SHIP_ROTATE_GRACE, "--rotate-grace", rotateGrace);
        flag(given, Keys.SHIP_BUFFER_BYTES, "--buffer-bytes", bufferBytes);
        flag(given, Keys.SHIP_BUFFER_ENTRIES, "--buffer-entries", bufferEntries);
        flag(given, Keys.SHIP_REGISTRY_INTERVAL, "--registry-interval", registryInterval);
        flag(given, Keys.SHIP_CLOSE_TIMEOUT, "--close-timeout", closeTimeout);
        flag(given, Keys.SHIP_PROGRESS_EVERY, "--progress-every", progressEvery);

        Given bootstrap = given.get(Keys.BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.text().isBlank()) {
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
        Given host = given.get(Keys.SHIP_HOST);
        String hostName = host == null || host.text().isBlank() ? defaultHost(env) : host.text();
        Given fleet = given.get(Keys.SHIP_FLEET);
        Given timezone = given.get(Keys.SHIP_TIMEZONE);
        if (timezone != null) {
            value(given, Keys.SHIP_TIMEZONE); // the zone is sent as written, once it is one
        }
        TopicNames topics;
        try {
            topics = new TopicNames(value(given, Keys.TOPIC_PREFIX));
        } catch (IllegalArgumentException e) {
            throw usage("--" + e.getMessage());
        }
        try {
            Tailer.Settings s = new Tailer.Settings(hostName, sources, Path.of(value(given, Keys.SHIP_REGISTRY)),
                    fleet == null ? null : fleet.text(), timezone == null ? null : timezone.text().trim(),
                    logFormats, topics,
                    value(given, Keys.SHIP_POLL_INTERVAL),
                    value(given, Keys.SHIP_MULTILINE_TIMEOUT),
                    value(given, Keys.SHIP_ROTATE_GRACE),
                    value(given, Keys.SHIP_BUFFER_BYTES),
                    (int) Math.min(Integer.MAX_VALUE, value(given, Keys.SHIP_BUFFER_ENTRIES)),
                    value(given, Keys.SHIP_REGISTRY_INTERVAL),
                    value(given, Keys.SHIP_CLOSE_TIMEOUT),
                    producer);
            return new Parsed(bootstrap.text().trim(), s, value(given, Keys.SHIP_PROGRESS_EVERY));
        } catch (ParameterException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private static void flag(Map<Key<?>, Given> given, Key<?> key, String flag, String text) {
        if (text != null) {
            given.put(key, new Given(text, flag));
        }
    }

    /** The key's value as given, or its default; a text its type cannot read is a usage error naming where it came from. */
    private <T> T value(Map<Key<?>, Given> given, Key<T> key) {
        Given g = given.get(key);
        if (g == null) {
            return key.defaultValue();
        }
        return Cli.value(spec, g.where(), key.type(), g.text());
    }

    /** A usage error of {@code handoff ship}: exit code 2 with the message. */
    private ParameterException usage(String message) {
        return Cli.usage(spec, message);
    }

    private void readConfig(Path file, Map<Key<?>, Given> given, List<String[]> files,
                            Map<String, String> formats, Map<String, String> producer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("--config " + file + ": cannot read the file (" + e.getMessage() + ")");
        }
        Map<Key<?>, Integer> byName = new LinkedHashMap<>();
        List<Object[]> byFormerName = new ArrayList<>();
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
            Key<?> k = Keys.named(key);
            if (key.startsWith("file.")) {
                files.add(new String[] {key.substring(5), value});
            } else if (key.startsWith("log-format.")) {
                formats.put(key.substring(11), value);
            } else if (key.startsWith("producer.")) {
                producer.put(key.substring(9), value);
            } else if (k != null && k.usedBy(io.handoff.config.Command.SHIP)) {
                given.put(k, new Given(value, key));
                byName.put(k, n + 1);
            } else if (Keys.SHIP_FORMER_NAMES.containsKey(key)) {
                byFormerName.add(new Object[] {key, value, n + 1});
            } else {
                throw usage("--config " + file + " line " + (n + 1) + ": unknown key '" + key
                        + "'; accepted keys: " + String.join(", ", KEYS));
            }
        }
        for (Object[] former : byFormerName) {
            String name = (String) former[0];
            Key<?> k = Keys.SHIP_FORMER_NAMES.get(name);
            Integer line = byName.get(k);
            if (line == null) {
                given.put(k, new Given((String) former[1], name));
                err.println("handoff ship: warning: --config " + file + " line " + former[2] + ": '" + name
                        + "' is the former name of '" + k.name() + "'; it is read as that, rename it");
            } else {
                err.println("handoff ship: warning: --config " + file + " line " + former[2] + ": '" + name
                        + "' is the former name of '" + k.name() + "', which line " + line + " sets too; '"
                        + k.name() + "' wins");
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
}
