package io.handoff.replay;

import io.handoff.app.ConfigLoader;
import io.handoff.app.IncidentFormat;
import io.handoff.app.Offsets;
import io.handoff.app.ReplayClock;
import io.handoff.app.Topics;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import io.handoff.avro.Warning;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.cli.ReadsKeys;
import io.handoff.config.ConfigException;
import io.handoff.config.HandoffConfig;
import io.handoff.config.Keys;
import io.handoff.config.Type;
import io.handoff.console.Console;
import io.handoff.console.HtmlReport;
import io.handoff.console.ShutdownWait;
import io.handoff.demo.DemoFleet;
import io.handoff.embedded.EmbeddedKafka;
import io.handoff.fleet.FleetStage;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.ship.ReplaySource;
import io.handoff.ship.ShipException;
import io.handoff.topics.TopicNames;
import io.handoff.topology.HandoffTopology;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code handoff replay DIR} and {@code handoff demo}: ship a folder of host logs through the shipper
 * into Kafka (in-process unless {@code --bootstrap-servers}), run the real topology until every line
 * is consumed and every incident has closed, print the incidents, exit 0.
 */
public final class ReplayCommand {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayCommand.class);

    /** At the end of a replay, hosts fall silent: close their incidents after this much wall-clock silence. */
    static final Duration REPLAY_IDLE_CLOSE = Duration.ofSeconds(2);

    /** {@code handoff replay DIR}. */
    @Command(name = "replay", header = "replay a folder of host logs (DIR/<host>/nginx-error.log, ...) and print the incidents",
        synopsisHeading = "", descriptionHeading = "%n", optionListHeading = "%noptions:%n",
            sortOptions = false,
            customSynopsis = {
                "usage: handoff replay DIR [--format text|json] [--bootstrap-servers HOST:PORT,...]",
                "                          [--schema-registry-url URL] [--config FILE] [--topic-prefix P]",
                "                          [--partitions N] [--timeout DURATION] [--html FILE]"},
            description = {
                "Ships every line of DIR through handoff's shipper into Kafka, runs the topology until all input",
                "is consumed and every incident has closed, prints the incidents and exits 0.",
                "",
                "DIR holds one folder per host (the folder name is the host name) with any of nginx-access.log,",
                "nginx-error.log, php-fpm.log, php-fpm-slow.log, php-fpm-access.log, kern.log, and optionally",
                "formats.properties (nginx.access.log_format=..., fpm.access.format=..., timezone=..., fleet=...).",
                "Any number of hosts: they are shipped in batches whose files fit the open-file limit. Progress,",
                "with an estimate of the time left, goes to stderr every 5 s."})
    public static final class Replay implements Callable<Integer>, ReadsKeys {
        @Spec
        CommandSpec spec;
        @Mixin
        HelpOption help;
        @Parameters(arity = "0..*", paramLabel = "DIR", hidden = true)
        List<String> operands = new ArrayList<>();
        @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = {"text: readable lines;"
            + " json: one object per line (default ${DEFAULT-VALUE})",
            "{\"type\":\"incident\"|\"warning\"|\"fleet_incident\", ...}"})
        String format;
        @Option(names = "--bootstrap-servers", paramLabel = "LIST", description = "a Kafka cluster to use instead of the in-process broker")
        String bootstrapServers;
        @Option(names = "--schema-registry-url", paramLabel = "URL", descriptionKey = "schema.registry.url")
        String schemaRegistryUrl;
        @Option(names = "--config", paramLabel = "FILE", description = "properties: handoff.* keys and Kafka settings")
        Path config;
        @Option(names = "--topic-prefix", paramLabel = "P", description = {"topic prefix (unset: ${bundle:handoff.topic-prefix.default} in-process;"
                + " handoff-replay-<id> on a cluster, so a replay never mixes with a live pipeline's topics)"})
        String topicPrefix;
        @Option(names = "--partitions", paramLabel = "N", defaultValue = "2",
                description = "partitions of the topics it creates (default ${DEFAULT-VALUE})")
        String partitions;
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
                description = "give up after this long (default ${DEFAULT-VALUE})")
        String timeout;
        @Option(names = "--html", paramLabel = "FILE", description = {"also write the incidents, their causal chains and the"
                + " fleet heatmap into one self-contained HTML file (opens from disk, loads nothing from the network)"})
        String html;

        private final PrintStream out;
        private final PrintStream err;

        public Replay(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public io.handoff.config.Command reads() {
            return io.handoff.config.Command.REPLAY;
        }

        @Override
        public Integer call() {
            boolean json = json(spec, format);
            Duration timeout = timeout(spec, this.timeout);
            Path html = this.html == null ? null : htmlFile(spec, this.html);
            if (operands.size() != 1) {
                throw Cli.usage(spec, "expected one folder DIR holding a folder per host, got "
                        + (operands.isEmpty() ? "none" : String.join(" ", operands)));
            }
            Path dir = Path.of(operands.get(0));
            checkFolder(spec, dir);
            Map<String, String> overrides = new HashMap<>();
            if (bootstrapServers != null) {
                overrides.put(Keys.BOOTSTRAP_SERVERS.name(), bootstrapServers);
            }
            if (schemaRegistryUrl != null) {
                overrides.put(Keys.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
            }
            if (topicPrefix != null) {
                overrides.put(Keys.TOPIC_PREFIX.name(), topicPrefix);
            }
            Map<String, String> env = System.getenv();
            HandoffConfig loaded;
            try {
                loaded = HandoffConfig.of(ConfigLoader.resolve(io.handoff.config.Command.REPLAY, config, env, overrides));
            } catch (ConfigException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            if (!ConfigLoader.isSet(config, env, Keys.MAX_EVENT_AGE.name())) {
                loaded = loaded.withLimits(loaded.limits().withoutAgeBound()); // recorded time: any age is expected
            }
            boolean idleSet = ConfigLoader.isSet(config, env, Keys.IDLE_CLOSE.name());
            int partitions = Cli.value(spec, "--partitions", Type.POSITIVE_INT, this.partitions);
            View view = new View(html, null, "handoff replay of " + dir, null);
            Path tmp = tempDir();
            try {
                return new ReplayCommand(false, spec).replay(dir, loaded, idleSet, topicPrefix != null, partitions, json,
                        timeout, view, tmp, out, err);
            } catch (ParameterException e) {
                throw e;
            } catch (RuntimeException e) {
                // the broker, the cluster or the machine failed us: say what, in one line, not with a stack trace
                err.println("handoff replay: failed: " + message(e));
                return 1;
            } finally {
                deleteTree(tmp);
            }
        }
    }

    /** {@code handoff demo}. */
    @Command(name = "demo", header = "replay the bundled sample fleet through an in-process Kafka and print the incidents",
        synopsisHeading = "", descriptionHeading = "%n", optionListHeading = "%noptions:%n",
            sortOptions = false,
            customSynopsis = "usage: handoff demo [--format text|json] [--timeout DURATION] [--html FILE] [--serve [--http-port N]]",
            description = {
                "Starts an in-process Kafka broker and schema registry, replays the bundled sample fleet (real",
                "nginx 1.22 / php-fpm 8.2 / kernel logs captured while each fault was made on purpose, one host",
                "per fault) through the real topics and the real Kafka Streams topology, prints each classified",
                "incident as it closes and a summary table at the end. Progress goes to stderr.",
                "",
                "Beside them it replays fleet eu-central: 24 hosts over three nights built from those captures",
                "(re-timed and re-hosted), where logrotate's FPM reload at 00:00 UTC overflows most hosts' socket",
                "backlog every night: one fleet incident per night, the later ones named a daily recurrence.",
                "",
                "The demo reads no settings: it runs with the defaults of every handoff.* key."})
    public static final class Demo implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        HelpOption help;
        @Parameters(arity = "0..*", paramLabel = "ARG", hidden = true)
        List<String> operands = new ArrayList<>();
        @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
                description = "text: readable lines; json: one object per line (default ${DEFAULT-VALUE})")
        String format;
        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
                description = "give up after this long (default ${DEFAULT-VALUE})")
        String timeout;
        @Option(names = "--html", paramLabel = "FILE", description = "also write the incidents, chains and fleet heatmap into one self-contained HTML file")
        String html;
        @Option(names = "--serve", description = {"serve the incident console on http://127.0.0.1:PORT/ while the demo runs and"
                + " after it has finished, until Ctrl-C"})
        boolean serve;
        @Option(names = "--http-port", paramLabel = "N", defaultValue = "${bundle:handoff.http-port.default}",
                description = "the console's port with --serve (default ${DEFAULT-VALUE}, as handoff.http-port; 0 picks a free one)")
        String httpPort;

        private final PrintStream out;
        private final PrintStream err;

        public Demo(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            boolean json = json(spec, format);
            Duration timeout = timeout(spec, this.timeout);
            Path html = this.html == null ? null : htmlFile(spec, this.html);
            if (spec.commandLine().getParseResult().hasMatchedOption("--http-port") && !serve) {
                throw Cli.usage(spec, "--http-port is the console's port; it needs --serve");
            }
            Integer servePort = serve ? Cli.value(spec, "--http-port", Type.PORT, httpPort) : null;
            if (!operands.isEmpty()) {
                throw Cli.usage(spec, "takes no operands (to replay your own logs use 'handoff replay DIR')");
            }
            ShutdownWait stop = servePort == null ? null : ShutdownWait.register();
            Path tmp = tempDir();
            try {
                Path dir = Samples.extract(tmp.resolve("fleet"));
                DemoFleet.write(dir, dir);
                HandoffConfig loaded = HandoffConfig.defaults();
                loaded = loaded.withLimits(loaded.limits().withoutAgeBound()); // recorded time: any age is expected
                View view = new View(html, servePort, "handoff demo: the sample fleet", stop);
                return new ReplayCommand(true, spec).replay(dir, loaded, false, false, 2, json, timeout, view, tmp, out, err);
            } catch (ParameterException e) {
                throw e;
            } catch (RuntimeException e) {
                // the broker, the cluster or the machine failed us: say what, in one line, not with a stack trace
                err.println("handoff demo: failed: " + message(e));
                return 1;
            } finally {
                deleteTree(tmp);
                if (stop != null) {
                    stop.cleaned();
                }
            }
        }
    }

    private final boolean demo;
    /** The command whose usage errors this replay reports. */
    private final CommandSpec spec;

    private ReplayCommand(boolean demo, CommandSpec spec) {
        this.demo = demo;
        this.spec = spec;
    }

    private static boolean json(CommandSpec spec, String format) {
        if (format.equals("text")) {
            return false;
        }
        if (format.equals("json")) {
            return true;
        }
        throw Cli.usage(spec, "--format expects text or json, got '" + format + "'");
    }

    private static Duration timeout(CommandSpec spec, String text) {
        return Cli.value(spec, "--timeout", Type.DURATION, text);
    }

    /** What to show besides the printed incidents: an offline report, and the console while it runs. */
    record View(Path html, Integer servePort, String title, ShutdownWait stop) {}

    static Path htmlFile(CommandSpec spec, String value) {
        Path file = Path.of(value);
        Path parent = file.toAbsolutePath().getParent();
        if (value.isBlank() || Files.isDirectory(file) || parent == null || !Files.isDirectory(parent)) {
            throw Cli.usage(spec, "--html expects a file name in an existing folder, got '" + value + "'");
        }
        return file;
    }

    private int replay(Path dir, HandoffConfig loaded, boolean idleSet, boolean prefixSet, int partitions, boolean json,
                       Duration timeout, View view, Path tmp, PrintStream out, PrintStream err) {
        // everything about the folder is read and checked before anything starts
        ReplaySource source = readFolder(spec, dir);
        long totalBytes = sizeOf(spec, source);
        source.warnings().forEach(w -> err.println("handoff: " + w));
        String runId = UUID.randomUUID().toString().substring(0, 8);
        String bootstrap = loaded.streams().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        long t0 = System.nanoTime();
        EmbeddedKafka broker = null;
        KafkaStreams streams = null;
        Console console = null;
        ReplayShipping shipping = null;
        try {
            if (bootstrap == null) {
                err.println("handoff: starting an in-process Kafka broker (KRaft) …");
                broker = EmbeddedKafka.start(tmp.resolve("kafka"));
                bootstrap = broker.bootstrapServers();
                err.printf(Locale.ROOT, "handoff: broker up on %s in %.1f s%n", bootstrap, broker.startupTime().toMillis() / 1000.0);
            }
            Map<String, String> streamsProps = new TreeMap<>(loaded.streams());
            streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            streamsProps.putIfAbsent("schema.registry.url", "mock://handoff-replay-" + runId);
            streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
            TopicNames topics = broker == null && !prefixSet ? new TopicNames("handoff-replay-" + runId) : loaded.topics();
            HandoffConfig config = loaded.withTopics(topics).withStreams(streamsProps);
            if (!idleSet) {
                config = config.withIdleClose(REPLAY_IDLE_CLOSE);
            }
            // A replay's records carry the event time of old lines as their timestamp: with a time-based
            // retention the broker would delete them (at its next retention check, 30 s after it starts and
            // then every 5 minutes) before the application has read them. The topics a replay creates keep
            // their records.
            Topics.create(config, partitions, err, REPLAY_TOPIC_CONFIG);
            if (view.servePort() != null) {
                console = Console.start(config.streams(), config.topics());
                int port;
                try {
                    port = console.serve(view.servePort());
                } catch (IOException e) {
                    err.println("handoff: cannot serve the console on 127.0.0.1:" + view.servePort() + ": " + e.getMessage()
                            + " (choose another with --http-port, 0 picks a free one)");
                    return 1;
                }
                err.println("handoff: console on http://127.0.0.1:" + port + "/");
            }

            String appId = "handoff-replay-" + runId;
            HandoffMetrics metrics = new HandoffMetrics();
            Properties props = HandoffTopology.streamsProperties(config, appId, metrics);
            // A parse task reads six raw topics; a replay is one big backlog. Waiting up to 1 s for an empty
            // partition makes Streams merge them by record (event) time rather than in fetch order, so a
            // replay gives the same incidents every time (the bench measured the difference). Live, the
            // same wait would delay sparse topics, so handoff run keeps Streams' default.
            props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "1000");
            // silence means "the end" only once a stage's input is consumed; opened below, stage by stage
            CloseGate idle = CloseGate.afterInput();
            streams = new KafkaStreams(HandoffTopology.build(config, metrics, idle), props);
            Throwable[] failure = new Throwable[1];
            streams.setUncaughtExceptionHandler(e -> {
                failure[0] = e;
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();

            Output output = new Output(json, out, demo, view.html() != null);
            try (Watch watch = new Watch(config, appId, bootstrap)) {
                List<String> raw = Topics.raw(config.topics());
                int budget = ReplayShipping.openFileBudget();
                shipping = ReplayShipping.start(source, totalBytes, budget, config, new ReplayClock(config),
                        new BatchGate(streams, watch, raw, bufferedPerPartition(props), err));
                err.printf(Locale.ROOT, "handoff: shipping %,d files of %d hosts (%s)%s%n", source.fileCount(),
                        source.hosts().size(), bytes(totalBytes), shipping.batches() == 1 ? ""
                                : String.format(Locale.ROOT, " in %d batches of at most %,d open files", shipping.batches(),
                                budget));
                long deadline = System.nanoTime() + timeout.toNanos();
                ReplayProgress progress = new ReplayProgress();
                Map<TopicPartition, Long> rawTargets = null;
                Map<TopicPartition, Long> eventTargets = null;
                Map<TopicPartition, Long> incidentTargets = null;
                Map<TopicPartition, Long> fleetTargets = null;
                String phase = "shipping";
                double commitsWhenClosed = -1;
                long lastProgress = System.nanoTime();
                while (true) {
                    watch.poll(output);
                    if (failure[0] != null || streams.state() == KafkaStreams.State.ERROR) {
                        err.println("handoff: the topology failed: " + (failure[0] == null ? "state ERROR" : failure[0]));
                        return 1;
                    }
                    if (shipping.failure() != null) {
                        err.println("handoff replay: " + message(shipping.failure()));
                        return 1;
                    }
                    if (System.nanoTime() > deadline) {
                        err.println("handoff: gave up after " + timeout + " while " + phase
                                + " (raise --timeout for large folders)");
                        return 1;
                    }
                    if (phase.equals("shipping")) {
                        if (shipping.done()) {
                            err.printf(Locale.ROOT, "handoff: shipped %,d entries from %d hosts (%s)%n", shipping.entries(),
                                    source.hosts().size(), shipping.perSource());
                            rawTargets = watch.endOffsets(raw);
                            phase = "parsing";
                        }
                    } else if (phase.equals("parsing")) {
                        if (watch.consumed(rawTargets)) {
                            eventTargets = watch.lastDataOffsets(List.of(config.topics().correlateInput()));
                            phase = "correlating";
                        }
                    } else if (phase.equals("correlating")) {
                        if (watch.consumed(eventTargets)) {
                            idle.open(CloseGate.Stage.CORRELATE);
                            phase = "closing incidents";
                        }
                    } else if (phase.equals("closing incidents")) {
                        // the local store says every incident has closed before the transaction that carries the
                        // last of them has committed: read the incidents' end only after a commit that began later
                        if (HandoffTopology.openIncidents(streams) != 0) {
                            commitsWhenClosed = -1;
                        } else if (commitsWhenClosed < 0) {
                            commitsWhenClosed = commits(streams);
                        } else if (commits(streams) >= commitsWhenClosed + 2) {
                            incidentTargets = watch.lastDataOffsets(List.of(config.topics().incidents()));
                            phase = "fleet: reading incidents";
                        }
                    } else if (phase.equals("fleet: reading incidents")) {
                        // the fleet stage reads the incidents back; all of them must reach it
                        if (watch.consumed(incidentTargets)) {
                            fleetTargets = watch.lastDataOffsets(FleetStage.internalTopics(appId));
                            phase = "fleet: reading hosts";
                        }
                    } else if (phase.equals("fleet: reading hosts")) {
                        // and every host incident must reach its fleet window before windows may close: a window
                        // closed while a night's incidents still wait in the repartition topic would call them late
                        if (watch.consumed(fleetTargets)) {
                            idle.open(CloseGate.Stage.FLEET);
                            phase = "closing fleet windows";
                        }
                    } else if (watch.consumed(fleetTargets) && FleetStage.openWindows(streams) == 0 && watch.drained()) {
                        break;
                    }
                    long now = System.nanoTime();
                    if (now - lastProgress > PROGRESS_EVERY.toNanos()) {
                        lastProgress = now;
                        if (eventTargets == null || phase.equals("correlating")) {
                            err.println(progress.line(new ReplayProgress.Snapshot(now, shipping.totalBytes(),
                                    shipping.bytesRead(), shipping.entries(), shipping.done(), shipping.batch(),
                                    shipping.batches(), watch.committed(raw), metrics.total("lines"),
                                    watch.committed(List.of(config.topics().correlateInput())), output.incidents())));
                        } else {
                            err.printf(Locale.ROOT, "handoff: %s … %d incidents so far%n", phase, output.incidents());
                        }
                    }
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            err.println("handoff: " + countsLine(metrics));
            output.finish(err, secs);
            if (view.html() != null) {
                try {
                    HtmlReport.write(view.html(), view.title(), output.incidents, output.fleet);
                } catch (IOException e) {
                    err.println("handoff: cannot write the report " + view.html() + ": " + e.getMessage());
                    return 1;
                }
                err.println("handoff: report written to " + view.html());
            }
            if (console != null) {
                err.println("handoff: the console keeps serving (Ctrl-C stops)");
                view.stop().await();
            }
            return 0;
        } finally {
            if (shipping != null) {
                shipping.close();
            }
            if (console != null) {
                console.close();
            }
            if (streams != null) {
                // the state lives in the run's temporary folder, deleted with it
                streams.close(Duration.ofSeconds(20));
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** Commits the application's stream threads have made so far (their {@code commit-total}). */
    static double commits(KafkaStreams streams) {
        double n = 0;
        for (var m : streams.metrics().entrySet()) {
            if (m.getKey().name().equals("commit-total") && m.getKey().group().equals("stream-thread-metrics")
                    && m.getValue().metricValue() instanceof Number v) {
                n += v.doubleValue();
            }
        }
        return n;
    }

    /** Topic settings of the topics a replay creates (see {@link #replay}). */
    static final Map<String, String> REPLAY_TOPIC_CONFIG = Map.of("retention.ms", "-1");

    /** How often the progress line is printed. */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    /** The folder's layout, every formats.properties and that every log can be read; a problem is a usage error. */
    static ReplaySource readFolder(CommandSpec spec, Path dir) {
        try {
            return ReplaySource.open(dir);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }

    private static long sizeOf(CommandSpec spec, ReplaySource source) {
        try {
            return source.totalBytes();
        } catch (UncheckedIOException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }

    /** One line for what stopped the shipper: its message, without the exception's class where it says nothing. */
    static String message(Throwable t) {
        if (t instanceof UncheckedIOException || t instanceof ShipException) {
            return t.getMessage();
        }
        return t.toString();
    }

    private static String bytes(long n) {
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%,d KiB", (n + 1023) / 1024);
        }
        return String.format(Locale.ROOT, "%,.1f MiB", n / 1048576.0);
    }

    /** Lines per source, dead letters by stage and late lines, from the topology's counters. */
    static String countsLine(HandoffMetrics m) {
        Map<String, Long> lines = new TreeMap<>();
        Map<String, Long> dead = new TreeMap<>();
        Map<String, Long> late = new TreeMap<>();
        m.snapshot().forEach((k, v) -> {
            if (k.startsWith("lines{source=")) {
                lines.merge(k.substring("lines{source=".length(), k.length() - 1), v, Long::sum);
            } else if (k.startsWith("dead-letters{")) {
                dead.merge(tag(k, "stage"), v, Long::sum);
            } else if (k.startsWith("late{")) {
                late.merge(tag(k, "outcome"), v, Long::sum);
            }
        });
        return "parsed " + join(lines) + "; dead letters " + (dead.isEmpty() ? "none" : join(dead))
                + "; late lines " + (late.isEmpty() ? "none" : join(late));
    }

    private static String tag(String key, String name) {
        int i = key.indexOf(name + "=");
        if (i < 0) {
            return "?";
        }
        int end = key.indexOf(i + name.length() + 1 < key.length() ? ',' : '}', i);
        int close = key.indexOf('}', i);
        int stop = end < 0 ? close : Math.min(end, close);
        return key.substring(i + name.length() + 1, stop);
    }

    private static String join(Map<String, Long> m) {
        return m.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
                .collect(Collectors.joining(", "));
    }

    static void checkFolder(CommandSpec spec, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw Cli.usage(spec, "'" + dir + "' is not a folder; expected DIR/<host>/nginx-error.log, …");
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.noneMatch(Files::isDirectory)) {
                throw Cli.usage(spec, "'" + dir + "' holds no host folders; expected DIR/<host>/ with"
                        + " nginx-access.log, nginx-error.log, php-fpm.log, php-fpm-slow.log, php-fpm-access.log or kern.log");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("handoff-");
        } catch (IOException e) {
            throw new UncheckedIOException("creating a temporary folder", e);
        }
    }

    private static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not delete {}", p, e);
        }
    }

    /**
     * Prints outputs as they arrive and counts them; keeps the records only for the demo's summary
     * table or the HTML report, so a replay of any size holds no more than its counts (and, in text,
     * the incidents of labelled fleets until the fleet stage has told which of them it reports).
     */
    static final class Output {
        final boolean json;
        final PrintStream out;
        final boolean table;
        final boolean keep;
        final List<Incident> incidents = new ArrayList<>();
        final List<Warning> warnings = new ArrayList<>();
        final List<FleetIncident> fleet = new ArrayList<>();
        final Map<RootCause, Long> byCause = new EnumMap<>(RootCause.class);
        /** Text: incidents of labelled fleets wait for the fleet stage; one in a fleet incident is told by its line. */
        final List<Incident> held = new ArrayList<>();
        /** Ids of the host incidents the fleet incidents so far include. */
        private final Set<String> told = new HashSet<>();
        private int incidentCount;
        private int warningCount;
        private int fleetCount;

        /**
         * @param table print the summary table at the end (the demo, in text)
         * @param keep  keep every record (for an HTML report)
         */
        Output(boolean json, PrintStream out, boolean table, boolean keep) {
            this.json = json;
            this.out = out;
            this.table = table && !json;
            this.keep = keep || this.table;
        }

        void accept(SpecificRecord r) {
            if (r instanceof Incident i) {
                incidentCount++;
                byCause.merge(i.getRootCause(), 1L, Long::sum);
                if (keep) {
                    incidents.add(i);
                }
                if (!json && i.getFleet() != null) {
                    held.add(i);
                } else {
                    out.println(json ? IncidentFormat.json(i) : IncidentFormat.text(i) + "\n");
                }
            } else if (r instanceof Warning w) {
                warningCount++;
                if (keep) {
                    warnings.add(w);
                }
                out.println(json ? IncidentFormat.json(w) : IncidentFormat.text(w) + "\n");
            } else if (r instanceof FleetIncident f) {
                fleetCount++;
                told.addAll(f.getIncidentIds());
                if (keep) {
                    fleet.add(f);
                }
                out.println(json ? IncidentFormat.json(f) : IncidentFormat.text(f) + "\n");
            }
            out.flush();
        }

        int incidents() {
            return incidentCount;
        }

        void finish(PrintStream err, double secs) {
            for (Incident i : held) {
                if (!told.contains(i.getId())) {
                    out.println(IncidentFormat.text(i) + "\n");
                }
            }
            if (table) {
                out.println(summaryTable(incidents, warnings, fleet));
            }
            err.printf(Locale.ROOT, "handoff: %d incidents (%s), %d warnings, %d fleet incidents in %.1f s%n",
                    incidentCount,
                    byCause.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")),
                    warningCount, fleetCount, secs);
        }
    }

    static String summaryTable(List<Incident> incidents, List<Warning> warnings, List<FleetIncident> fleet) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"host", "started (UTC)", "root cause", "502", "504", "requests", "culprit"});
        // a host incident that is part of a fleet incident is told by the fleet row (hosts listed there)
        Set<String> inFleet = new HashSet<>();
        fleet.forEach(f -> inFleet.addAll(f.getIncidentIds()));
        List<Incident> sorted = new ArrayList<>(incidents);
        sorted.removeIf(i -> inFleet.contains(i.getId()));
        sorted.sort(Comparator.comparing(Incident::getHost).thenComparing(Incident::getStartedAt));
        for (Incident i : sorted) {
            rows.add(new String[] {i.getHost(), IncidentFormat.iso(i.getStartedAt()), i.getRootCause().name(),
                    String.valueOf(i.getStatusCounts().getOrDefault("502", 0L)),
                    String.valueOf(i.getStatusCounts().getOrDefault("504", 0L)),
                    String.valueOf(i.getTotalRequests()), IncidentFormat.culpritText(i.getCulprit())});
        }
        for (Warning w : warnings) {
            rows.add(new String[] {w.getHost(), IncidentFormat.iso(w.getStartedAt()), "warning: " + w.getKind().name(),
                    "-", "-", "-", IncidentFormat.culpritText(w.getCulprit())});
        }
        for (FleetIncident f : fleet) {
            rows.add(new String[] {(f.getFleet() == null ? "fleet" : f.getFleet()) + " (" + f.getHosts().size() + " hosts)",
                    IncidentFormat.iso(f.getWindowStart()),
                    f.getRootCause().name(), String.valueOf(f.getStatusCounts().getOrDefault("502", 0L)),
                    String.valueOf(f.getStatusCounts().getOrDefault("504", 0L)), String.valueOf(f.getTotalRequests()),
                    f.getRecurrence() == null ? "" : "recurs " + f.getRecurrence().getPeriod().name().toLowerCase(Locale.ROOT)
                            + " at " + f.getRecurrence().getTimeOfDayUtc()});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], Math.min(r[c].length(), 60));
            }
        }
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            for (int c = 0; c < r.length; c++) {
                String cell = r[c].length() > 60 ? r[c].substring(0, 59) + "…" : r[c];
                b.append(String.format(Locale.ROOT, "%-" + width[c] + "s", cell));
                b.append(c + 1 < r.length ? "  " : "");
            }
            b.append('\n');
            if (n == 0) {
                for (int c = 0; c < width.length; c++) {
                    b.append("-".repeat(width[c])).append(c + 1 < width.length ? "  " : "");
                }
                b.append('\n');
            }
        }
        return b.toString().stripTrailing();
    }

    /** The streams setting {@code buffered.records.per.partition} (Streams' default 1000). */
    static long bufferedPerPartition(Properties props) {
        Object v = props.get(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG);
        return v == null ? 1000 : Long.parseLong(v.toString().strip());
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs each shipped batch as a backlog (see {@link ReplayShipping}): before a batch, waits until the
     * application has consumed the raw topics and pauses it; after the batch, waits until its consumer
     * has fetched every raw partition the batch wrote to, then resumes it. Called on the shipping thread.
     */
    static final class BatchGate implements ReplayShipping.Gate {
        /** Longest wait for the fetch after a batch; past it the topology resumes anyway, and says so. */
        static final long FETCH_WAIT_MS = 30_000;

        private final KafkaStreams streams;
        private final Watch watch;
        private final List<String> raw;
        private final PrintStream err;
        private Map<TopicPartition, Long> start = Map.of();

        private final long bufferedPerPartition;

        BatchGate(KafkaStreams streams, Watch watch, List<String> raw, long bufferedPerPartition, PrintStream err) {
            this.streams = streams;
            this.watch = watch;
            this.raw = raw;
            this.bufferedPerPartition = bufferedPerPartition;
            this.err = err;
        }

        @Override
        public void beforeBatch(BooleanSupplier stopped) {
            watch.awaitConsumed(raw, stopped);
            streams.pause();
            start = watch.endOffsets(raw);
        }

        @Override
        public void afterBatch(BooleanSupplier stopped) {
            Map<TopicPartition, Offsets.Span> wrote = new HashMap<>();
            watch.endOffsets(raw).forEach((tp, end) -> wrote.put(tp, new Offsets.Span(start.getOrDefault(tp, 0L), end)));
            long deadline = System.nanoTime() + FETCH_WAIT_MS * 1_000_000;
            while (!stopped.getAsBoolean() && !Offsets.backlogFetched(List.of(streams), wrote, bufferedPerPartition)) {
                if (System.nanoTime() > deadline) {
                    err.println("handoff: the application had not fetched every raw partition " + FETCH_WAIT_MS / 1000
                            + " s after a batch was shipped; going on (some lines may count as late)");
                    break;
                }
                pause(20);
            }
            streams.resume();
        }
    }

    /**
     * Reads the output topics (read_committed) and tells when the application has consumed its input.
     * Completion is read from committed offsets, never guessed from time.
     */
    static final class Watch implements AutoCloseable {
        private final Admin admin;
        private final KafkaConsumer<byte[], byte[]> reader;
        private final String appId;
        private final String bootstrap;
        private final Map<String, SpecificAvroSerde<? extends SpecificRecord>> serdes = new HashMap<>();

        Watch(HandoffConfig config, String appId, String bootstrap) {
            this.appId = appId;
            this.bootstrap = bootstrap;
            Map<String, Object> a = new HashMap<>();
            config.streams().forEach((k, v) -> {
                if (AdminClientConfig.configNames().contains(k)) {
                    a.put(k, v);
                }
            });
            a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            admin = Admin.create(a);
            Map<String, Object> c = new HashMap<>(a);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
            reader = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Map<String, String> serdeConfig = new HashMap<>(config.streams());
            TopicNames t = config.topics();
            serdes.put(t.incidents(), SpecificAvroSerde.forValues(Incident.class, serdeConfig));
            serdes.put(t.warnings(), SpecificAvroSerde.forValues(Warning.class, serdeConfig));
            serdes.put(t.fleetIncidents(), SpecificAvroSerde.forValues(FleetIncident.class, serdeConfig));
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : serdes.keySet()) {
                for (PartitionInfo p : reader.partitionsFor(topic, Duration.ofSeconds(30))) {
                    parts.add(new TopicPartition(topic, p.partition()));
                }
            }
            reader.assign(parts);
            reader.seekToBeginning(parts);
        }

        void poll(Output output) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                SpecificRecord value = serdes.get(r.topic()).deserializer().deserialize(r.topic(), r.headers(), r.value());
                if (value != null) {
                    output.accept(value);
                }
            }
        }

        /** Whether the reader has read everything committed on the output topics so far. */
        boolean drained() {
            Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment(), Duration.ofSeconds(30));
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                if (reader.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        Map<TopicPartition, Long> lastDataOffsets(List<String> topics) {
            return Offsets.lastData(admin, bootstrap, topics);
        }

        /** Whether the application's committed offsets have reached the targets. */
        boolean consumed(Map<TopicPartition, Long> targets) {
            return Offsets.consumed(admin, appId, targets);
        }

        /** Records of {@code topics} the application has consumed (committed offsets, summed). */
        long committed(List<String> topics) {
            return Offsets.committedTotal(admin, appId, topics);
        }

        /** End offsets of {@code topics} (written without transactions: the raw topics). */
        Map<TopicPartition, Long> endOffsets(List<String> topics) {
            return Offsets.end(admin, topics, IsolationLevel.READ_UNCOMMITTED);
        }

        /**
         * Waits until the application has consumed everything written to {@code topics} so far, or until
         * {@code stopped} (called on the shipping thread: the admin client is thread-safe).
         */
        void awaitConsumed(List<String> topics, BooleanSupplier stopped) {
            Map<TopicPartition, Long> targets = endOffsets(topics);
            while (!stopped.getAsBoolean() && !consumed(targets)) {
                pause(100); // polling committed offsets; the topology commits every 100 ms
            }
        }

        @Override
        public void close() {
            reader.close(Duration.ofSeconds(5));
            admin.close(Duration.ofSeconds(5));
            serdes.values().forEach(SpecificAvroSerde::close);
        }
    }
}
