package io.handoff.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.handoff.config.HandoffConfig;
import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.avro.SourceKind;
import io.handoff.correlate.CorrelateStores;
import io.handoff.correlate.HostCorrelator;
import io.handoff.embedded.EmbeddedKafka;
import io.handoff.raw.Envelope;
import io.handoff.ship.Shipper;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code handoff bench}: generates a fleet stream from real captures ({@link FleetStream}), ships it
 * through handoff's shipper into an in-process broker and the real topology (exactly_once_v2), and
 * reports what it costs, next to the same run's ceiling (the same records produced and consumed
 * through the same broker, no processing) and SEC over the same lines.
 *
 * <p>Phases, in this order, each on its own topics and application id: the ceiling (the same raw
 * records through tuned clients, and through the shipper); the throughput run with one instance
 * (lines/s, incidents vs injected bursts, heap, RSS, state per host); with {@code --instances 2} the
 * same stream on two instances sharing the application id (and with {@code --kill-one}, one of them
 * crashed halfway: its incident ids must equal the one-instance run's, none lost, none duplicated,
 * read under read_committed); the live segment (event time = wall time: latency from a burst's last
 * gateway error to its incident on the topic); SEC; with {@code --storm}, the storm and as many
 * healthy lines, each with its ceiling. A throughput run ships its stream (records stamped with
 * their event time) while the topology is paused and then processes it as a backlog.
 *
 * <p>Progress goes to {@code err}, the table (or with {@code --json} one JSON object) to {@code out}.
 * Exit codes: 0 ran and every check held, 1 a failure or a check that did not hold (the report still
 * prints), 2 a usage error.
 */
@Command(name = "bench", synopsisHeading = "", descriptionHeading = "%n", optionListHeading = "%noptions:%n",
        sortOptions = false,
        customSynopsis = {
            "usage: handoff bench [--hosts N] [--seconds S | --lines L] [--bursts K] [--partitions P]",
            "                     [--instances 1|2] [--kill-one] [--storm] [--json] [--sec PATH | --no-sec]",
            "                     [--quiet D] [--grace D] [--live-bursts N] [--live-quiet D] [--live-grace D]",
            "                     [--samples DIR] [--timeout D] [--set KEY=VALUE] [--report FILE]"},
        description = {
            "Generates a fleet stream from the real sample captures (healthy access traffic of web-14 plus",
            "bursts of each root cause made on web-01..web-13, re-hosted and re-timed), ships it through",
            "handoff's shipper into an in-process Kafka broker and the real topology (exactly_once_v2), and",
            "reports: lines/s end to end; the ceiling measured in the same run (the same records produced and",
            "consumed through the same broker by a tuned producer and consumer, no processing) and the ratio;",
            "incidents produced vs bursts injected; heap, RSS and state-store bytes per host; incident latency in",
            "a live segment (event time = wall time); and SEC (Debian package 'sec') over the same lines. Progress",
            "on stderr."},
        footer = {
            "D is a duration: 500ms, 30s, 2m. Exit: 0 every check held, 1 a failure or a check that did not",
            "hold, 2 usage error."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    HelpOption help;
    @Option(names = "--hosts", paramLabel = "N", defaultValue = "1000", description = "hosts in the fleet (default ${DEFAULT-VALUE})")
    String hosts;
    @Option(names = "--lines", paramLabel = "L", defaultValue = "300000", description = {"entries to ship in the throughput run"
            + " (default ${DEFAULT-VALUE}); the"
            + " healthy rate per host follows from L, N and the event-time span the bursts need"})
    String lines;
    @Option(names = "--seconds", paramLabel = "S", description = "instead of --lines: event-time span of the stream, at 10 lines/s per host")
    String seconds;
    @Option(names = "--bursts", paramLabel = "K", defaultValue = "26",
            description = "injected bursts, cycling through the 13 root causes (default ${DEFAULT-VALUE})")
    String bursts;
    @Option(names = "--partitions", paramLabel = "P", defaultValue = "4", description = "partitions of every topic (default ${DEFAULT-VALUE})")
    String partitions;
    @Option(names = "--instances", paramLabel = "1|2", defaultValue = "1", description = "2: also run the stream on two instances sharing the application id")
    String instances;
    @Option(names = "--kill-one", description = {"with --instances 2: crash one instance halfway, then compare incident ids"
            + " with the one-instance run (read_committed): none lost, none duplicated"})
    boolean killOne;
    @Option(names = "--storm", description = {"also the storm: every host inside an incident at the same time (one fault"
            + " capture each, first gateway errors in the same second), against the same number of healthy lines on the"
            + " same hosts; reports both, their ratio and the storm's ceiling"})
    boolean storm;
    @Option(names = "--json", description = "one JSON object on stdout instead of the table")
    boolean json;
    @Option(names = "--sec", paramLabel = "PATH", description = "SEC rule file (unset: bench/sec/handoff.sec from here or from ..)")
    String sec;
    @Option(names = "--no-sec", description = "skip SEC")
    boolean noSec;
    @Option(names = "--quiet", paramLabel = "D", defaultValue = "${bundle:handoff.quiet-period.default}",
            description = "quiet period of the throughput runs (default ${DEFAULT-VALUE}, as handoff.quiet-period)")
    String quiet;
    @Option(names = "--grace", paramLabel = "D", defaultValue = "${bundle:handoff.grace.default}",
            description = "grace of the throughput runs (default ${DEFAULT-VALUE}, as handoff.grace)")
    String grace;
    @Option(names = "--live-bursts", paramLabel = "N", defaultValue = "13",
            description = "bursts in the live segment (default ${DEFAULT-VALUE}; 0 skips it)")
    String liveBursts;
    @Option(names = "--live-quiet", paramLabel = "D", description = "quiet period of the live segment (unset: --quiet's)")
    String liveQuiet;
    @Option(names = "--live-grace", paramLabel = "D", description = "grace of the live segment (unset: --grace's)")
    String liveGrace;
    @Option(names = "--samples", paramLabel = "DIR", description = "the captures (unset: samples/fleet from here or from .., else the copy inside the jar)")
    String samples;
    @Option(names = "--timeout", paramLabel = "D", defaultValue = "10m", description = "give up a phase after this long (default ${DEFAULT-VALUE})")
    String timeout;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"a Kafka Streams or client setting for the topology"
            + " (repeatable); the throughput runs set max.task.idle.ms=1000 (--set max.task.idle.ms=0 for Streams' own"
            + " value), the live segment runs with Streams' defaults"})
    List<String> set = new ArrayList<>();
    @Option(names = "--report", paramLabel = "FILE", description = "also write the JSON report to FILE")
    String report;

    private final PrintStream out;
    private final PrintStream err;

    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Streams settings the bench runs the topology with, on top of {@code HandoffTopology.streamsProperties}
     * ({@code --set} overrides them). {@code max.task.idle.ms}: a parse task reads six raw topics; when it
     * does not wait for all of them, a backlog is merged in fetch order rather than in record-time order,
     * a host's event time runs ahead on one source, and its other sources' lines turn "late" (up to a third
     * of the lines in this bench with Streams' default 0), which makes incidents differ from run to run.
     */
    static final Map<String, String> BENCH_STREAMS = Map.of("max.task.idle.ms", "1000");
    /**
     * The bench ships into topics created a moment before, as replay does: one request in flight, so that
     * a broker's early NOT_LEADER_OR_FOLLOWER cannot send the idempotent producer into an
     * OUT_OF_ORDER_SEQUENCE_NUMBER loop (see ReplayCommand).
     */
    static final Map<String, Object> FRESH_TOPICS = Map.of("max.in.flight.requests.per.connection", 1);
    /**
     * Settings of every topic the bench creates. The stream's lines are stamped 2026-11-21 and their
     * records carry that time (events, incidents); with the broker's 7-day retention, its first retention
     * check (30 s after it starts) would delete them before they are read once that day is a week past.
     */
    static final Map<String, String> KEEP_RECORDS = Map.of("retention.ms", "-1");
    // The live segment runs with Streams' defaults (plus --set): live, the raw topics are nearly empty and
    // a parse task would wait up to max.task.idle.ms for the empty ones, which adds that much latency.

    /** The parsed options. */
    record Options(int hosts, long lines, long seconds, int bursts, int partitions, int instances, boolean killOne,
                   boolean json, Path secRules, boolean noSec, Duration quiet, Duration grace, int liveBursts,
                   Duration liveQuiet, Duration liveGrace, Path samples, Duration timeout, Map<String, String> streams,
                   Path report, boolean storm) {}

    /** Runs the bench without the {@code handoff} launcher: {@code java -cp handoff.jar io.handoff.bench.BenchCommand …}. */
    public static void main(String[] args) {
        EmbeddedKafka.quietBrokerLogging();
        int code = run(List.of(args), System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** {@code handoff bench ARGS} on these streams; returns the exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return Cli.execute(new BenchCommand(out, err), args, out, err);
    }

    @Override
    public Integer call() {
        quietStartupWarnings();
        Options o = options();
        try {
            return new Bench(o, out, err).run();
        } catch (RuntimeException e) {
            err.println("handoff bench: failed: " + e);
            return 1;
        }
    }

    /**
     * Start-up warnings every bench run would print (a fresh KRaft log, the broker creating
     * __consumer_offsets, Streams' advice on processing.exception.handler.global.enabled): set to
     * error unless the logger's level is set already. slf4j-simple reads these when a logger is created.
     */
    private static void quietStartupWarnings() {
        for (String name : List.of("org.apache.kafka.controller.QuorumController",
                "kafka.server.DefaultAutoTopicCreationManager", "org.apache.kafka.streams.StreamsConfig")) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "error");
            }
        }
    }

    /** The options, checked: a bad value is a usage error that says what was expected. */
    Options options() {
        Map<String, String> v = new HashMap<>();
        String[][] given = {{"hosts", hosts}, {"seconds", seconds}, {"lines", lines}, {"bursts", bursts},
            {"partitions", partitions}, {"instances", instances}, {"sec", sec}, {"quiet", quiet}, {"grace", grace},
            {"live-bursts", liveBursts}, {"live-quiet", liveQuiet}, {"live-grace", liveGrace}, {"samples", samples},
            {"timeout", timeout}, {"report", report}};
        for (String[] g : given) {
            if (g[1] != null) {
                v.put(g[0], g[1]);
            }
        }
        if (killOne) {
            v.put("kill-one", "true");
        }
        if (noSec) {
            v.put("no-sec", "true");
        }
        Map<String, String> streams = new TreeMap<>();
        for (String kv : set) {
            int e = kv.indexOf('=');
            if (e <= 0) {
                throw usage("--set: expected KEY=VALUE (a Kafka Streams or client setting), got '" + kv + "'");
            }
            streams.put(kv.substring(0, e).strip(), kv.substring(e + 1).strip());
        }
        if (v.containsKey("seconds") && spec.commandLine().getParseResult().hasMatchedOption("--lines")) {
            throw usage("give either --seconds S or --lines L, not both");
        }
        if (v.containsKey("sec") && v.containsKey("no-sec")) {
            throw usage("give either --sec PATH or --no-sec, not both");
        }
        int instances = (int) number(v, "instances", 1, 2);
        boolean kill = v.containsKey("kill-one");
        if (kill && instances != 2) {
            throw usage("--kill-one needs --instances 2 (one instance is crashed, the other takes over)");
        }
        Duration quiet = duration(v, "quiet");
        Duration grace = duration(v, "grace");
        long lines = v.containsKey("seconds") ? -1 : number(v, "lines", 1, Long.MAX_VALUE);
        return new Options((int) number(v, "hosts", 1, 1_000_000), lines,
                v.containsKey("seconds") ? number(v, "seconds", 1, 86_400 * 7) : -1, (int) number(v, "bursts", 0, 100_000),
                (int) number(v, "partitions", 1, 64), instances, kill, json,
                v.containsKey("sec") ? Path.of(v.get("sec")) : null, v.containsKey("no-sec"), quiet, grace,
                (int) number(v, "live-bursts", 0, 1000), v.containsKey("live-quiet") ? duration(v, "live-quiet") : quiet,
                v.containsKey("live-grace") ? duration(v, "live-grace") : grace,
                v.containsKey("samples") ? Path.of(v.get("samples")) : null, duration(v, "timeout"), Map.copyOf(streams),
                v.containsKey("report") ? Path.of(v.get("report")) : null, storm);
    }

    /** The option's value (given, or its default) as a whole number from min to max. */
    private long number(Map<String, String> v, String name, long min, long max) {
        String s = v.get(name);
        long n;
        try {
            n = Long.parseLong(s.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw usage("--" + name + ": expected a whole number, got '" + s + "'");
        }
        if (n < min || n > max) {
            throw usage("--" + name + ": expected " + (max == Long.MAX_VALUE ? "at least " + min
                    : "a number from " + min + " to " + max) + ", got " + n);
        }
        return n;
    }

    /** The option's value (given, or its default) as a duration. */
    private Duration duration(Map<String, String> v, String name) {
        String s = v.get(name);
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(s.strip());
        if (!m.matches()) {
            throw usage("--" + name + ": expected a duration like 500ms, 30s, 2m or 1h, got '" + s + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** A usage error of {@code handoff bench}: exit code 2 with the message. */
    private ParameterException usage(String message) {
        return Cli.usage(spec, message);
    }

    /** One bench run. */
    static final class Bench {
        private final Options o;
        private final PrintStream out;
        private final PrintStream err;
        private final String runId = UUID.randomUUID().toString().substring(0, 8);
        private final Map<String, Object> report = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();
        private final AtomicLong offsets = new AtomicLong();

        Bench(Options o, PrintStream out, PrintStream err) {
            this.o = o;
            this.out = out;
            this.err = err;
        }

        private void progress(String fmt, Object... args) {
            err.printf(Locale.ROOT, "handoff bench: " + fmt + "%n", args);
            err.flush();
        }

        int run() {
            long t0 = System.nanoTime();
            Path tmp;
            try {
                tmp = Files.createTempDirectory("handoff-bench-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a temporary folder: " + e.getMessage(), e);
            }
            EmbeddedKafka broker = null;
            try {
                Path samples = o.samples != null ? o.samples : FleetStream.defaultSamples();
                FleetStream fleet = FleetStream.load(samples);
                // every burst is followed by healthy traffic past its deadline, so incidents close in event
                // time; the wall-clock idle close would split bursts whenever processing lags the stream
                Map<String, String> throughputStreams = new TreeMap<>(BENCH_STREAMS);
                throughputStreams.putAll(o.streams);
                HandoffConfig base = HandoffConfig.defaults().withCloseTimes(o.quiet, o.grace, Duration.ofHours(1))
                        .withStreams(throughputStreams)
                        .withLimits(HandoffConfig.Limits.defaults().withoutAgeBound()); // captures of a fixed day
                Plan plan = new Plan(fleet, o.hosts, o.lines, o.seconds, o.bursts, o.quiet.toMillis(), o.grace.toMillis(),
                        base.lookBack().toMillis()).count();
                progress("fleet: %d hosts, %,d entries (%,d physical lines) over %d s of event time, %.2f healthy lines/s "
                                + "per host, %d bursts; captures from %s", o.hosts, plan.entries, plan.physicalLines,
                        plan.seconds, plan.rate, plan.bursts.size(), samples == null ? "the jar" : samples);
                machine();
                Map<String, Object> stream = new LinkedHashMap<>();
                stream.put("hosts", o.hosts);
                stream.put("entries", plan.entries);
                stream.put("physical_lines", plan.physicalLines);
                stream.put("event_seconds", plan.seconds);
                stream.put("healthy_lines_per_host_per_s", round(plan.rate, 3));
                stream.put("bursts", plan.bursts.size());
                stream.put("partitions", o.partitions);
                stream.put("quiet_s", o.quiet.toMillis() / 1000.0);
                stream.put("grace_s", o.grace.toMillis() / 1000.0);
                stream.put("streams_settings", throughputStreams);
                report.put("stream", stream);

                progress("starting an in-process Kafka broker (KRaft) …");
                broker = EmbeddedKafka.start(tmp.resolve("kafka"));
                String bootstrap = broker.bootstrapServers();
                String registry = "mock://handoff-bench-" + runId;

                Map<String, Object> ceilingReport = ceiling(plan, bootstrap, "mix");
                double ceiling = (double) ceilingReport.get("lines_per_s");
                Map<String, Object> one = throughput(plan, base, bootstrap, registry, tmp, 1, false, "e2e1");
                double e2e = (double) one.get("lines_per_s");
                report.put("ceiling", ceilingReport);
                one.put("ratio_to_ceiling", round(e2e / ceiling, 3));
                report.put("one_instance", one);
                if (o.instances == 2) {
                    Map<String, Object> two = throughput(plan, base, bootstrap, registry, tmp, 2, o.killOne,
                            o.killOne ? "e2e2k" : "e2e2");
                    two.put("ratio_to_ceiling", round((double) two.get("lines_per_s") / ceiling, 3));
                    two.put("speedup_over_one", round((double) two.get("lines_per_s") / e2e, 3));
                    if (o.killOne) {
                        compareIds(one, two);
                    }
                    report.put("two_instances", two);
                }
                if (o.liveBursts > 0) {
                    report.put("live", live(fleet, base, bootstrap, registry, tmp));
                }
                if (!o.noSec) {
                    report.put("sec", sec(plan, tmp, e2e));
                }
                if (o.storm) {
                    report.put("storm", storm(fleet, base, bootstrap, registry, tmp));
                }
                broker.close();
                broker = null;
                report.put("seconds_total", round((System.nanoTime() - t0) / 1e9, 1));
                report.put("checks_failed", failures);
                print();
                return failures.isEmpty() ? 0 : 1;
            } finally {
                if (broker != null) {
                    broker.close();
                }
                deleteTree(tmp);
            }
        }

        private void machine() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpus", Runtime.getRuntime().availableProcessors());
            m.put("cpu_model", cpuModel());
            m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
            m.put("load_average_at_start", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
            report.put("machine", m);
        }

        private static String cpuModel() {
            try (Stream<String> s = Files.lines(Path.of("/proc/cpuinfo"))) {
                return s.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .findFirst().orElse("?");
            } catch (IOException | RuntimeException e) {
                return "?";
            }
        }

        private Envelope envelope(FleetStream.Line l) {
            return Envelope.of(l.text(), l.host(), FILES.get(l.kind()), offsets.getAndIncrement())
                    .withMeta(Instant.now(), l.zone(), null, l.logFormat());
        }

        private static final Map<SourceKind, String> FILES = Map.of(
                SourceKind.NGINX_ACCESS, "/var/log/nginx/access.log",
                SourceKind.NGINX_ERROR, "/var/log/nginx/error.log",
                SourceKind.PHP_FPM, "/var/log/php8.2-fpm.log",
                SourceKind.PHP_FPM_SLOW, "/var/log/php8.2-fpm-slow.log",
                SourceKind.PHP_FPM_ACCESS, "/var/log/php8.2-fpm-access.log",
                SourceKind.KERN, "/var/log/kern.log");

        // ---- the ceiling: the same records through the same broker, no processing ----

        /**
         * The producer of the ceiling: the broker's, not the shipper's. Idempotent with acks=all like the
         * shipper, but lingering 50 ms into 1 MiB lz4 batches. One request in flight, as on every fresh topic
         * of the in-process broker (see FRESH_TOPICS: with five, a run's producer looped on
         * OUT_OF_ORDER_SEQUENCE_NUMBER until its records expired); a request carries the batches of every
         * partition, up to 16 MiB.
         */
        static final Map<String, Object> TUNED_PRODUCER = Map.of(
                "acks", "all", "enable.idempotence", true, "compression.type", "lz4", "linger.ms", 50,
                "batch.size", 1 << 20, "max.request.size", 16 << 20, "buffer.memory", 128L << 20,
                "max.in.flight.requests.per.connection", 1);
        /** The consumer of the ceiling: large fetches that wait for 1 MiB or 100 ms. */
        static final Map<String, Object> TUNED_CONSUMER = Map.of(
                "fetch.min.bytes", 1 << 20, "fetch.max.wait.ms", 100, "max.partition.fetch.bytes", 8 << 20,
                "fetch.max.bytes", 64 << 20, "max.poll.records", 20_000);
        /** Records are encoded before the clock starts unless they would take more than this share of the heap. */
        static final double PRE_ENCODE_HEAP_SHARE = 0.25;

        /**
         * The ceiling of {@code plan}: its raw records (the shipper's Filebeat-shaped JSON, keyed by host)
         * produced by a tuned producer into six fresh raw topics and read back by a tuned consumer, nothing
         * else; the records are encoded before the clock starts, so what is timed is the broker and the
         * clients. Also, for comparison with earlier reports, the same records through handoff's shipper
         * (one request in flight, 256 KB batches, encoding included): {@code shipper_lines_per_s}.
         */
        private Map<String, Object> ceiling(Plan plan, String bootstrap, String tag) {
            Map<String, Object> r = new LinkedHashMap<>();
            // twice, the better counts: the first run also warms up the broker's and the clients' code
            double first = tunedCeiling(plan, bootstrap, tag + "-a", r);
            double second = tunedCeiling(plan, bootstrap, tag + "-b", r);
            double tuned = Math.max(first, second);
            double shipper = shipperCeiling(plan, bootstrap, tag);
            r.put("lines_per_s", round(tuned, 0));
            r.put("runs_lines_per_s", List.of(round(first, 0), round(second, 0)));
            r.put("shipper_lines_per_s", round(shipper, 0));
            r.put("producer", new TreeMap<>(TUNED_PRODUCER));
            r.put("consumer", new TreeMap<>(TUNED_CONSUMER));
            return r;
        }

        private TopicNames ceilingTopics(String name, String bootstrap) {
            TopicNames topics = new TopicNames("bench-" + name + "-" + runId);
            List<String> raw = new ArrayList<>();
            for (SourceKind k : SourceKind.values()) {
                raw.add(topics.raw(k));
            }
            try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                a.createTopics(raw.stream().map(n -> new NewTopic(n, Optional.of(o.partitions), Optional.empty())
                        .configs(KEEP_RECORDS)).toList()).all().get(60, TimeUnit.SECONDS);
                awaitLeaders(a, raw);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating the ceiling topics", e);
            } catch (Exception e) {
                throw new IllegalStateException("creating the ceiling topics: " + e.getMessage(), e);
            }
            return topics;
        }

        /** A reader of the six raw topics from their start; counts records until {@code expected} or the timeout. */
        private final class CeilingReader implements AutoCloseable {
            final KafkaConsumer<byte[], byte[]> consumer;
            final Thread thread;
            volatile boolean stop;
            volatile long consumed;
            volatile long end;
            volatile Throwable failed;

            CeilingReader(TopicNames topics, String bootstrap, Map<String, Object> tuning, long expected) {
                Map<String, Object> c = new HashMap<>(tuning);
                c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                List<TopicPartition> parts = new ArrayList<>();
                for (SourceKind k : SourceKind.values()) {
                    String t = topics.raw(k);
                    consumer.partitionsFor(t, Duration.ofSeconds(30)).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                consumer.poll(Duration.ZERO);
                thread = new Thread(() -> {
                    try {
                        long deadline = System.nanoTime() + o.timeout.toNanos();
                        long n = 0;
                        while (n < expected && !stop && System.nanoTime() < deadline) {
                            n += consumer.poll(Duration.ofMillis(100)).count();
                            consumed = n;
                        }
                        end = System.nanoTime();
                    } catch (WakeupException e) {
                        // close() while reading: the run failed elsewhere
                    } catch (Throwable t) {
                        failed = t;
                    } finally {
                        consumer.close(Duration.ofSeconds(5));
                    }
                }, "bench-ceiling-reader");
                thread.start();
            }

            /** Seconds from {@code t0} to the last record read. */
            double await(long t0, long expected) throws InterruptedException {
                thread.join();
                if (failed != null || consumed < expected) {
                    throw new IllegalStateException("ceiling: consumed " + consumed + " of " + expected
                            + (failed == null ? " before the timeout" : ": " + failed));
                }
                return (end - t0) / 1e9;
            }

            /** Stops the reader (it owns its consumer, which is not thread-safe) and waits for it. */
            @Override
            public void close() {
                stop = true;
                consumer.wakeup();
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private double tunedCeiling(Plan plan, String bootstrap, String tag, Map<String, Object> report) {
            TopicNames topics = ceilingTopics("ceiling-" + tag, bootstrap);
            Map<SourceKind, String> topic = new EnumMap<>(SourceKind.class);
            for (SourceKind k : SourceKind.values()) {
                topic.put(k, topics.raw(k));
            }
            // about 500 bytes a record: encode first when that fits in a quarter of the heap
            boolean preEncode = plan.entries * 600 < Runtime.getRuntime().maxMemory() * PRE_ENCODE_HEAP_SHARE;
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(preEncode ? (int) plan.entries : 0);
            Map<String, byte[]> keys = new HashMap<>();
            Function<FleetStream.Line, ProducerRecord<byte[], byte[]>> encode = l -> new ProducerRecord<>(
                    topic.get(l.kind()), null, l.written(), keys.computeIfAbsent(l.host(), h -> h.getBytes(StandardCharsets.UTF_8)),
                    envelope(l).toJson());
            if (preEncode) {
                plan.forEach(l -> records.add(encode.apply(l)));
            }
            report.put("records_pre_encoded", preEncode);
            Map<String, Object> pc = new HashMap<>(TUNED_PRODUCER);
            pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pc.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-ceiling-producer");
            progress("ceiling (%s): producing and consuming %,d records with a tuned producer and consumer%s …", tag,
                    plan.entries, preEncode ? " (encoded beforehand)" : "");
            Throwable[] sendFailure = new Throwable[1];
            Callback onAck = (md, e) -> {
                if (e != null && sendFailure[0] == null) {
                    sendFailure[0] = e;
                }
            };
            try (CeilingReader reader = new CeilingReader(topics, bootstrap, TUNED_CONSUMER, plan.entries);
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc, new ByteArraySerializer(),
                         new ByteArraySerializer())) {
                long t0 = System.nanoTime();
                if (preEncode) {
                    for (ProducerRecord<byte[], byte[]> rec : records) {
                        producer.send(rec, onAck);
                    }
                } else {
                    plan.forEach(l -> producer.send(encode.apply(l), onAck));
                }
                producer.flush();
                if (sendFailure[0] != null) {
                    throw new IllegalStateException("ceiling: a record could not be produced: " + sendFailure[0], sendFailure[0]);
                }
                double secs = reader.await(t0, plan.entries);
                double rate = plan.entries / secs;
                progress("ceiling (%s): %,.0f records/s (%,d in %.1f s)", tag, rate, plan.entries, secs);
                return rate;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** The same records through handoff's shipper (the ceiling of the earlier reports). */
        private double shipperCeiling(Plan plan, String bootstrap, String tag) {
            TopicNames topics = ceilingTopics("shipper-ceiling-" + tag, bootstrap);
            progress("ceiling (%s): the same records through the shipper …", tag);
            try (CeilingReader reader = new CeilingReader(topics, bootstrap, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    5000), plan.entries)) {
                long t0 = System.nanoTime();
                try (Shipper shipper = Shipper.create(bootstrap, topics, FRESH_TOPICS)) {
                    plan.forEach(l -> shipper.send(l.kind(), envelope(l), l.written()));
                    shipper.flush();
                }
                double secs = reader.await(t0, plan.entries);
                double rate = plan.entries / secs;
                progress("ceiling (%s): through the shipper %,.0f records/s (%,d in %.1f s)", tag, rate, plan.entries, secs);
                return rate;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** Waits until every partition of {@code topics} has a leader (a producer that starts earlier can stall). */
        static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                boolean all;
                try {
                    all = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    all = false; // created, but not in the metadata the broker answers from yet
                }
                if (all) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics have no leader after 60 s: " + topics);
                }
                Thread.sleep(100); // polling the controller's answer, bounded by the deadline
            }
        }

        // ---- the storm ----

        /**
         * Every host inside an incident at once ({@link Plan#storm}) against the same number of healthy
         * lines on the same hosts over the same event time, each through the whole pipeline (one
         * instance), with the storm's own ceiling.
         */
        private Map<String, Object> storm(FleetStream fleet, HandoffConfig base, String bootstrap, String registry, Path tmp) {
            long lookBack = base.lookBack().toMillis();
            Plan storm = Plan.storm(fleet, o.hosts, o.quiet.toMillis(), o.grace.toMillis(), lookBack).count();
            Plan calm = new Plan(fleet, o.hosts, storm.entries, storm.seconds, 0, o.quiet.toMillis(), o.grace.toMillis(),
                    lookBack).count();
            progress("storm: %d hosts, each inside an incident from the same second: %,d entries (%,d physical lines)"
                    + " over %d s; the same hosts healthy: %,d entries", o.hosts, storm.entries, storm.physicalLines,
                    storm.seconds, calm.entries);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("hosts", o.hosts);
            r.put("entries", storm.entries);
            r.put("physical_lines", storm.physicalLines);
            r.put("healthy_entries", calm.entries);
            r.put("event_seconds", storm.seconds);
            Map<String, Object> c = ceiling(storm, bootstrap, "storm");
            double ceiling = (double) c.get("lines_per_s");
            r.put("ceiling", c);
            Map<String, Object> healthy = throughput(calm, base, bootstrap, registry, tmp, 1, false, "healthy");
            Map<String, Object> stormy = throughput(storm, base, bootstrap, registry, tmp, 1, false, "storm");
            double h = (double) healthy.get("lines_per_s");
            double st = (double) stormy.get("lines_per_s");
            healthy.put("ratio_to_ceiling", round(h / ceiling, 3));
            stormy.put("ratio_to_ceiling", round(st / ceiling, 3));
            r.put("healthy", healthy);
            r.put("storm", stormy);
            r.put("healthy_over_storm", round(h / st, 2));
            progress("storm: %,.0f lines/s against %,.0f healthy: %.2f× slower; %.3f of the storm's ceiling", st, h, h / st,
                    st / ceiling);
            if (!o.noSec) {
                r.put("sec", sec(storm, tmp, st));
            }
            return r;
        }

        // ---- throughput runs ----

        private Map<String, Object> throughput(Plan plan, HandoffConfig base, String bootstrap, String registry, Path tmp,
                                               int instances, boolean kill, String name) {
            String prefix = "bench-" + name + "-" + runId;
            Map<String, Object> r = new LinkedHashMap<>();
            try (MemorySampler memory = new MemorySampler();
                 Pipeline p = new Pipeline(bootstrap, base, prefix, o.partitions, instances, kill, tmp.resolve("state"),
                    registry)) {
                progress("%s: starting %d instance%s of the topology (exactly_once_v2) …", name, instances,
                        instances == 1 ? "" : "s");
                p.start(Duration.ofMinutes(2));
                // the stream is shipped while the topology waits, then processed as a backlog: a topology that
                // processes while the records arrive merges its raw partitions out of step (lines turn late)
                p.pause();
                long[] sent = new long[1];
                long t0 = System.nanoTime();
                long[] lastProgress = {t0};
                try (Shipper shipper = Shipper.create(bootstrap, p.config.topics(), FRESH_TOPICS)) {
                    plan.forEach(l -> {
                        shipper.send(l.kind(), envelope(l), l.written());
                        sent[0]++;
                        if ((sent[0] & 0x3fff) == 0) {
                            long now = System.nanoTime();
                            if (now - lastProgress[0] > TimeUnit.SECONDS.toNanos(5)) {
                                lastProgress[0] = now;
                                progress("%s: shipped %,d of %,d entries", name, sent[0], plan.entries);
                            }
                            p.checkFailed();
                        }
                    });
                    shipper.flush();
                }
                double shipSecs = (System.nanoTime() - t0) / 1e9;
                long deadline = System.nanoTime() + o.timeout.toNanos();
                if (!p.resumeWhenFetched(Duration.ofSeconds(30))) {
                    progress("%s: not every raw partition was fetched 30 s after shipping; resumed anyway", name);
                }
                long tProcess = System.nanoTime();
                if (kill) {
                    long half = plan.entries / 2;
                    waitFor(p, deadline, name, "parsing the first half", () -> p.rawConsumed() >= half);
                    progress("%s: crashing instance 1 after %,d of %,d entries were consumed", name, p.rawConsumed(),
                            plan.entries);
                    p.kill(1);
                }
                Map<TopicPartition, Long> rawTargets = p.rawTargets();
                waitFor(p, deadline, name, "parsing", () -> p.consumed(rawTargets));
                Map<TopicPartition, Long> eventTargets = p.eventTargets();
                waitFor(p, deadline, name, "correlating", () -> p.consumed(eventTargets));
                double secs = (System.nanoTime() - t0) / 1e9;
                double processSecs = (System.nanoTime() - tProcess) / 1e9;
                double rate = plan.entries / secs;
                progress("%s: %,.0f lines/s end to end (%,d entries in %.1f s: shipping %.1f s, then processing %.1f s ="
                        + " %,.0f lines/s)", name, rate, plan.entries, secs, shipSecs, processSecs, plan.entries / processSecs);
                // an incident leaves the open store at once, its record only with the transaction's commit: read
                // the outputs to their end once nothing has been open for longer than a commit takes
                long[] zeroSince = {Long.MAX_VALUE};
                waitFor(p, deadline, name, "closing incidents", () -> {
                    if (p.open() != 0) {
                        zeroSince[0] = Long.MAX_VALUE;
                        return false;
                    }
                    zeroSince[0] = Math.min(zeroSince[0], System.nanoTime());
                    return System.nanoTime() - zeroSince[0] > TimeUnit.SECONDS.toNanos(2) && p.drained();
                });
                r.put("instances", instances);
                r.put("killed_one", kill);
                r.put("lines_per_s", round(rate, 0));
                r.put("seconds", round(secs, 2));
                r.put("shipping_s", round(shipSecs, 2));
                r.put("processing_s", round(processSecs, 2));
                r.put("processing_lines_per_s", round(plan.entries / processSecs, 0));
                r.put("physical_lines_per_s", round(plan.physicalLines / secs, 0));
                r.put("correctness", correctness(plan.bursts, p.outputs(), name));
                r.put("counters", counters(p));
                r.put("state", state(p, plan.hosts));
                r.put("memory", memory.report());
                r.put("ids", p.outputs().stream().filter(x -> x.type().equals("incident")).map(Pipeline.Output::id)
                        .sorted().toList());
            }
            return r;
        }

        interface Check {
            boolean done();
        }

        private void waitFor(Pipeline p, long deadline, String name, String phase, Check check) {
            long last = System.nanoTime();
            while (!check.done()) {
                p.checkFailed();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": gave up after " + o.timeout + " while " + phase);
                }
                p.poll(100);
                if (System.nanoTime() - last > TimeUnit.SECONDS.toNanos(5)) {
                    last = System.nanoTime();
                    progress("%s: %s …", name, phase);
                }
            }
        }

        /** Every injected burst must yield exactly one incident, with its capture's label; nothing else may come out. */
        private Map<String, Object> correctness(List<FleetStream.Burst> bursts, List<Pipeline.Output> outputs, String name) {
            List<Pipeline.Output> incidents = outputs.stream().filter(x -> x.type().equals("incident")).toList();
            Map<String, List<Pipeline.Output>> byHost = new HashMap<>();
            incidents.forEach(i -> byHost.computeIfAbsent(i.host(), h -> new ArrayList<>()).add(i));
            int matched = 0;
            int wrongCause = 0;
            int missing = 0;
            int split = 0;
            Set<String> used = new HashSet<>();
            List<String> problems = new ArrayList<>();
            for (FleetStream.Burst b : bursts) {
                List<Pipeline.Output> mine = byHost.getOrDefault(b.host(), List.of()).stream()
                        .filter(i -> i.startedAt() >= b.firstLine() - 1000 && i.startedAt() <= b.lastGateway() + 1000)
                        .toList();
                mine.forEach(i -> used.add(i.id() + "#" + i.arrivedAt()));
                if (mine.isEmpty()) {
                    missing++;
                    problems.add(b.host() + " " + b.template() + ": no incident (expected " + b.cause() + ")");
                } else if (mine.size() > 1) {
                    split++;
                    problems.add(b.host() + " " + b.template() + ": " + mine.size() + " incidents "
                            + mine.stream().map(Pipeline.Output::cause).toList() + " (expected one " + b.cause() + ")");
                } else if (!mine.get(0).cause().equals(b.cause())) {
                    wrongCause++;
                    problems.add(b.host() + " " + b.template() + ": " + mine.get(0).cause() + " (expected " + b.cause() + ")");
                } else {
                    matched++;
                }
            }
            long extra = incidents.stream().filter(i -> !used.contains(i.id() + "#" + i.arrivedAt())).count();
            incidents.stream().filter(i -> !used.contains(i.id() + "#" + i.arrivedAt())).limit(5)
                    .forEach(i -> problems.add("extra incident " + i.id() + " " + i.cause()));
            long distinct = incidents.stream().map(Pipeline.Output::id).distinct().count();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("injected", bursts.size());
            c.put("incidents", incidents.size());
            c.put("matched", matched);
            c.put("wrong_cause", wrongCause);
            c.put("missing", missing);
            c.put("split", split);
            c.put("extra", extra);
            c.put("duplicates", incidents.size() - distinct);
            c.put("warnings", outputs.stream().filter(x -> x.type().equals("warning")).count());
            boolean ok = matched == bursts.size() && extra == 0 && incidents.size() == distinct;
            c.put("ok", ok);
            c.put("problems", problems);
            if (!ok) {
                failures.add(name + ": injected " + bursts.size() + " bursts, " + matched + " matched: " + problems);
            }
            progress("%s: %d bursts injected, %d incidents, %d matched with the right cause%s", name, bursts.size(),
                    incidents.size(), matched, ok ? "" : " — " + problems);
            return c;
        }

        private void compareIds(Map<String, Object> one, Map<String, Object> two) {
            @SuppressWarnings("unchecked")
            List<String> a = (List<String>) one.get("ids");
            @SuppressWarnings("unchecked")
            List<String> b = (List<String>) two.get("ids");
            List<String> lost = a.stream().filter(x -> !b.contains(x)).toList();
            List<String> added = b.stream().filter(x -> !a.contains(x)).toList();
            long dups = b.size() - b.stream().distinct().count();
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("same_ids_as_one_instance", lost.isEmpty() && added.isEmpty() && dups == 0);
            k.put("lost", lost);
            k.put("new", added);
            k.put("duplicated", dups);
            two.put("kill_check", k);
            if (!lost.isEmpty() || !added.isEmpty() || dups != 0) {
                failures.add("kill-one: lost " + lost + ", new " + added + ", " + dups + " duplicated");
            }
            progress("kill-one: %s (lost %d, new %d, duplicated %d)", lost.isEmpty() && added.isEmpty() && dups == 0
                    ? "the same incident ids as one instance" : "DIFFERENT incident ids", lost.size(), added.size(), dups);
        }

        /** The topology's own counters: lines parsed, dead letters and late lines by outcome. */
        private static Map<String, Object> counters(Pipeline p) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("lines_parsed", p.metrics.total("lines"));
            c.put("dead_letters", p.metrics.total("dead-letters"));
            c.put("late", p.metrics.total("late"));
            Map<String, Long> detail = new TreeMap<>();
            p.metrics.snapshot().forEach((k, v) -> {
                if (k.startsWith("dead-letters") || k.startsWith("late")) {
                    detail.put(k, v);
                }
            });
            c.put("detail", detail);
            return c;
        }

        // ---- state and memory ----

        private Map<String, Object> state(Pipeline p, int hosts) {
            Map<String, Object> s = new LinkedHashMap<>();
            Map<String, Long> logical = new TreeMap<>();
            Map<String, Long> keys = new TreeMap<>();
            for (Pipeline.Instance i : p.alive()) {
                for (String store : CorrelateStores.NAMES) {
                    long[] kv = storeBytes(i.streams, store);
                    logical.merge(store, kv[0], Long::sum);
                    keys.merge(store, kv[1], Long::sum);
                }
            }
            long logicalTotal = logical.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Long> dirs = p.storeDirectoryBytes();
            long dirTotal = dirs.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Double> mem = p.rocksMetric("size-all-mem-tables");
            Map<String, Double> sst = p.rocksMetric("total-sst-files-size");
            s.put("entries_per_store", keys);
            s.put("logical_bytes_per_store", logical);
            s.put("logical_bytes_per_host", round((double) logicalTotal / hosts, 1));
            s.put("quiet_host_logical_bytes", round(keys.getOrDefault(HostCorrelator.CLOCK_STORE, 0L) == 0
                    ? 0 : (double) logical.get(HostCorrelator.CLOCK_STORE)
                    / keys.get(HostCorrelator.CLOCK_STORE), 1));
            s.put("rocksdb_dir_bytes_per_store", dirs);
            s.put("rocksdb_dir_bytes_per_host", round((double) dirTotal / hosts, 1));
            s.put("rocksdb_memtable_bytes", sum(mem));
            s.put("rocksdb_sst_bytes", sum(sst));
            return s;
        }

        private static long sum(Map<String, Double> m) {
            return (long) m.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** A correlator store's value as its store writes it (versioned Avro). */
        @SuppressWarnings("unchecked")
        private static long valueBytes(String store, Object value) {
            var serde = (Serde<Object>) CorrelateStores.valueSerde(store);
            return serde.serializer().serialize(store, value).length;
        }

        /** Bytes of keys + values and the number of entries of a store, over the instance's active tasks. */
        private static long[] storeBytes(KafkaStreams streams, String name) {
            long bytes = 0;
            long n = 0;
            try {
                ReadOnlyKeyValueStore<Object, Object> store = streams.store(StoreQueryParameters.fromNameAndType(name,
                        QueryableStoreTypes.keyValueStore()));
                try (KeyValueIterator<Object, Object> it = store.all()) {
                    while (it.hasNext()) {
                        var kv = it.next();
                        n++;
                        bytes += kv.key.toString().getBytes(StandardCharsets.UTF_8).length;
                        bytes += kv.value instanceof byte[] b ? b.length : kv.value instanceof Long ? 8
                                : valueBytes(name, kv.value);
                    }
                }
            } catch (RuntimeException e) {
                return new long[] {-1, -1};
            }
            return new long[] {bytes, n};
        }

        /**
         * Samples the heap in use and the RSS every 50 ms while a run goes on: the peaks of the run
         * (the memory pools' own peaks would add up eden, survivor and old peaks that never coincide).
         */
        static final class MemorySampler implements AutoCloseable {
            private final Thread thread;
            private volatile boolean stop;
            private volatile long heapPeak;
            private volatile long rssPeakKb;

            MemorySampler() {
                thread = new Thread(() -> {
                    while (!stop) {
                        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                        heapPeak = Math.max(heapPeak, used);
                        rssPeakKb = Math.max(rssPeakKb, procStatus("VmRSS"));
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "bench-memory-sampler");
                thread.setDaemon(true);
                thread.start();
            }

            Map<String, Object> report() {
                System.gc();
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("heap_used_after_gc_mib", round(used / 1048576.0, 1));
                m.put("heap_peak_mib", round(heapPeak / 1048576.0, 1));
                m.put("heap_max_mib", Runtime.getRuntime().maxMemory() >> 20);
                m.put("rss_mib", round(procStatus("VmRSS") / 1024.0, 1));
                m.put("rss_peak_mib", round(rssPeakKb / 1024.0, 1));
                return m;
            }

            @Override
            public void close() {
                stop = true;
                thread.interrupt();
            }
        }

        /** A kB field of /proc/self/status, -1 if unknown. */
        private static long procStatus(String field) {
            try (Stream<String> s = Files.lines(Path.of("/proc/self/status"))) {
                return s.filter(l -> l.startsWith(field + ":")).map(l -> l.replaceAll("[^0-9]", ""))
                        .mapToLong(Long::parseLong).findFirst().orElse(-1);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        // ---- the live segment ----

        /**
         * Event time = wall time. Each live burst's capture is shifted so that its last gateway error is
         * written at a wall-clock instant; everything up to that line is shipped at that instant (the
         * burst compressed into one moment), the capture's later lines when the clock reaches them, and
         * from the early close on (last gateway error + quiet + 1 s, past the incident's window) the host's
         * healthy traffic goes on at 4 lines/s. Latency: from
         * the last gateway error's instant to the incident read (read_committed) from the topic; and the
         * first provisional record's, from the instant the burst's first gateway error was shipped to its
         * OPEN record read from the incident-updates topic.
         */
        private Map<String, Object> live(FleetStream fleet, HandoffConfig base, String bootstrap, String registry, Path tmp) {
            long quiet = o.liveQuiet.toMillis();
            long grace = o.liveGrace.toMillis();
            HandoffConfig cfg = base.withCloseTimes(o.liveQuiet, o.liveGrace, o.liveQuiet.plus(o.liveGrace).plusSeconds(30))
                    .withStreams(o.streams);
            // captures whose gateway errors never pause longer than the quiet period: one incident each
            List<String> eligible = fleet.faultTemplates().stream().filter(t -> maxGatewayGap(fleet, t) < quiet).toList();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("quiet_s", quiet / 1000.0);
            r.put("grace_s", grace / 1000.0);
            r.put("streams_settings", o.streams);
            if (eligible.isEmpty()) {
                r.put("note", "no capture fits a quiet period of " + o.liveQuiet);
                return r;
            }
            try (Pipeline p = new Pipeline(bootstrap, cfg, "bench-live-" + runId, o.partitions, 1, false, tmp.resolve("state"),
                    registry)) {
                progress("live: starting the topology; %d bursts, quiet %s, grace %s …", o.liveBursts, o.liveQuiet, o.liveGrace);
                p.start(Duration.ofMinutes(2));
                long startSecond = System.currentTimeMillis() / 1000 + 2;
                List<FleetStream.Burst> bursts = new ArrayList<>();
                record Due(long at, long seq, FleetStream.Line line) {}
                PriorityQueue<Due> queue = new PriorityQueue<>(Comparator.comparingLong(Due::at).thenComparingLong(Due::seq));
                long seq = 0;
                long end = 0;
                for (int i = 0; i < o.liveBursts; i++) {
                    String t = eligible.get(i % eligible.size());
                    String host = String.format(Locale.ROOT, "live-%03d", i);
                    long target = startSecond + i; // one burst ends per second
                    long shift = target - Math.floorDiv(fleet.template(t).lastGateway(), 1000);
                    FleetStream.Burst b = fleet.burst(t, host, shift, quiet, grace);
                    bursts.add(b);
                    for (FleetStream.Line l : fleet.burstLines(t, host, shift)) {
                        queue.add(new Due(Math.max(l.written(), b.lastGateway()), seq++, l));
                    }
                    end = Math.max(end, b.deadline() + 15_000);
                    long k = 0;
                    // the host's healthy traffic resumes in the first whole second past its window and the
                    // early close (last error + quiet + 1 s): no line of it is in the window, and its logs
                    // pass the early close as a live host's do
                    long resume = Math.floorDiv(b.lastGateway() + quiet + 1_000 + 999, 1_000) * 1_000;
                    for (long at = resume; at < b.deadline() + 15_000; at += 250) {
                        queue.add(new Due(at, seq++, fleet.healthyLine(host, i * 37L + k++, at / 1000)));
                    }
                }
                Map<String, Long> latency = new TreeMap<>();
                Map<String, FleetStream.Burst> byHost = new HashMap<>();
                bursts.forEach(b -> byHost.put(b.host(), b));
                Map<String, Long> firstShipped = new HashMap<>();
                Map<String, Long> provisional = new TreeMap<>();
                try (Shipper shipper = Shipper.create(bootstrap, p.config.topics(), FRESH_TOPICS)) {
                    long deadline = System.currentTimeMillis() + (end - System.currentTimeMillis()) + o.timeout.toMillis();
                    while (latency.size() < bursts.size() && System.currentTimeMillis() < deadline) {
                        long now = System.currentTimeMillis();
                        while (!queue.isEmpty() && queue.peek().at() <= now) {
                            FleetStream.Line l = queue.poll().line();
                            shipper.send(l.kind(), envelope(l), l.written());
                            FleetStream.Burst b = byHost.get(l.host());
                            if (b != null && l.written() >= b.firstGateway() && l.written() <= b.lastGateway()) {
                                firstShipped.putIfAbsent(l.host(), now);
                            }
                        }
                        p.checkFailed();
                        p.poll(queue.isEmpty() ? 100 : Math.max(0, Math.min(50, queue.peek().at() - now)));
                        for (Pipeline.Output x : p.outputs()) {
                            for (FleetStream.Burst b : bursts) {
                                if (x.type().equals("incident") && x.host().equals(b.host())
                                        && x.startedAt() <= b.lastGateway() + 1000 && !latency.containsKey(b.host())) {
                                    latency.put(b.host(), x.arrivedAt() - b.lastGateway());
                                }
                                if (x.type().equals("update-OPEN") && x.host().equals(b.host())
                                        && x.startedAt() <= b.lastGateway() + 1000 && firstShipped.containsKey(b.host())
                                        && !provisional.containsKey(b.host())) {
                                    provisional.put(b.host(), x.arrivedAt() - firstShipped.get(b.host()));
                                }
                            }
                        }
                    }
                }
                List<Long> l = new ArrayList<>(latency.values());
                l.sort(null);
                r.put("bursts", bursts.size());
                r.put("templates", eligible);
                r.put("incidents_seen", latency.size());
                r.put("latency_p50_s", l.isEmpty() ? null : round(percentile(l, 50) / 1000.0, 2));
                r.put("latency_p99_s", l.isEmpty() ? null : round(percentile(l, 99) / 1000.0, 2));
                r.put("latency_max_s", l.isEmpty() ? null : round(l.get(l.size() - 1) / 1000.0, 2));
                r.put("latency_minus_quiet_p99_s", l.isEmpty() ? null : round((percentile(l, 99) - quiet) / 1000.0, 2));
                Map<String, Object> byCapture = new TreeMap<>(); // which capture sets the percentiles
                bursts.forEach(b -> byCapture.put(b.template() + " " + b.host(), latency.containsKey(b.host())
                        ? round(latency.get(b.host()) / 1000.0, 2) : null));
                r.put("latency_by_capture_s", byCapture);
                List<Long> open = new ArrayList<>(provisional.values());
                open.sort(null);
                r.put("provisional_seen", open.size());
                r.put("provisional_latency_p50_s", open.isEmpty() ? null : round(percentile(open, 50) / 1000.0, 2));
                r.put("provisional_latency_p99_s", open.isEmpty() ? null : round(percentile(open, 99) / 1000.0, 2));
                r.put("provisional_latency_max_s", open.isEmpty() ? null : round(open.get(open.size() - 1) / 1000.0, 2));
                r.put("correctness", correctness(bursts, p.outputs(), "live"));
                if (latency.size() < bursts.size()) {
                    failures.add("live: " + (bursts.size() - latency.size()) + " bursts without an incident in time");
                }
                progress("live: latency p50 %.2f s, p99 %.2f s (quiet %s + grace %s); first provisional record p50 %.2f s,"
                        + " p99 %.2f s (%d/%d)", percentile(l, 50) / 1000.0, percentile(l, 99) / 1000.0, o.liveQuiet,
                        o.liveGrace, open.isEmpty() ? Double.NaN : percentile(open, 50) / 1000.0,
                        open.isEmpty() ? Double.NaN : percentile(open, 99) / 1000.0, open.size(), bursts.size());
            }
            return r;
        }

        private static long maxGatewayGap(FleetStream fleet, String template) {
            long prev = -1;
            long gap = 0;
            for (FleetStream.TLine l : fleet.template(template).lines()) {
                if (l.gateway()) {
                    if (prev >= 0) {
                        gap = Math.max(gap, l.written() - prev);
                    }
                    prev = l.written();
                }
            }
            return gap;
        }

        static long percentile(List<Long> sorted, int p) {
            if (sorted.isEmpty()) {
                return 0;
            }
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }

        // ---- SEC ----

        private Map<String, Object> sec(Plan plan, Path tmp, double e2eEntriesPerSecond) {
            Map<String, Object> r = new LinkedHashMap<>();
            String bin = SecBaseline.secBinary();
            Path rules = o.secRules != null ? o.secRules : SecBaseline.defaultRules();
            SecBaseline.Result res;
            if (bin == null || rules == null) {
                res = SecBaseline.run(bin, rules, null, plan.physicalLines, tmp);
            } else {
                Path input = tmp.resolve("sec-input.log");
                long n = SecBaseline.writeInput(plan, input);
                progress("sec: running SEC over the same %,d lines …", n);
                res = SecBaseline.run(bin, rules, input, n, tmp);
            }
            r.put("ran", res.ran());
            r.put("note", res.note());
            if (res.ran()) {
                double secLps = res.linesPerSecond();
                double handoffPhysical = e2eEntriesPerSecond * plan.physicalLines / plan.entries;
                r.put("lines", res.lines());
                r.put("seconds", round(res.seconds(), 2));
                r.put("lines_per_s", round(secLps, 0));
                r.put("incidents", res.incidents());
                r.put("handoff_over_sec", round(handoffPhysical / secLps, 2));
                progress("sec: %,.0f lines/s (%d incidents); handoff/SEC = %.2f", secLps, res.incidents(),
                        handoffPhysical / secLps);
            } else {
                progress("sec: %s", res.note());
            }
            return r;
        }

        // ---- output ----

        private void print() {
            String json;
            try {
                json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (o.report != null) {
                try {
                    Files.writeString(o.report, json + "\n", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println("handoff bench: could not write the report to " + o.report + ": " + e.getMessage());
                }
            }
            if (o.json) {
                out.println(json);
                return;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"figure", "value", "note"});
            @SuppressWarnings("unchecked")
            Map<String, Object> stream = (Map<String, Object>) report.get("stream");
            rows.add(row("fleet", stream.get("hosts") + " hosts, " + fmt(stream.get("entries")) + " entries",
                    stream.get("bursts") + " bursts, " + stream.get("partitions") + " partitions"));
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) report.get("ceiling");
            rows.add(row("ceiling (produce+consume)", fmt(c.get("lines_per_s")) + " lines/s",
                    "same records, same broker, tuned clients; through the shipper " + fmt(c.get("shipper_lines_per_s"))));
            instanceRows(rows, "1 instance", get("one_instance"));
            if (report.containsKey("two_instances")) {
                instanceRows(rows, "2 instances", get("two_instances"));
            }
            Map<String, Object> live = get("live");
            if (live != null && live.get("latency_p50_s") != null) {
                rows.add(row("incident latency p50 / p99", live.get("latency_p50_s") + " s / " + live.get("latency_p99_s") + " s",
                        "quiet " + live.get("quiet_s") + " s + grace " + live.get("grace_s") + " s; "
                                + live.get("incidents_seen") + "/" + live.get("bursts") + " bursts"));
                rows.add(row("first provisional record p50 / p99", live.get("provisional_latency_p50_s") + " s / "
                        + live.get("provisional_latency_p99_s") + " s", "from the first gateway error shipped; "
                        + live.get("provisional_seen") + "/" + live.get("bursts") + " bursts"));
            }
            Map<String, Object> sec = get("sec");
            if (sec != null) {
                if (Boolean.TRUE.equals(sec.get("ran"))) {
                    rows.add(row("SEC (1 process)", fmt(sec.get("lines_per_s")) + " lines/s",
                            sec.get("incidents") + " INCIDENT lines"));
                    rows.add(row("handoff / SEC", sec.get("handoff_over_sec") + "×", "physical lines/s, same lines"));
                } else {
                    rows.add(row("SEC", "-", String.valueOf(sec.get("note"))));
                }
            }
            Map<String, Object> storm = get("storm");
            if (storm != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> sc = (Map<String, Object>) storm.get("ceiling");
                rows.add(row("storm", storm.get("hosts") + " hosts, " + fmt(storm.get("entries")) + " entries",
                        "every host inside an incident from the same second; ceiling " + fmt(sc.get("lines_per_s"))
                                + " lines/s"));
                @SuppressWarnings("unchecked")
                Map<String, Object> h = (Map<String, Object>) storm.get("healthy");
                @SuppressWarnings("unchecked")
                Map<String, Object> st = (Map<String, Object>) storm.get("storm");
                instanceRows(rows, "same hosts healthy", h);
                instanceRows(rows, "storm", st);
                rows.add(row("healthy / storm", storm.get("healthy_over_storm") + "×", "lines/s, same number of lines"));
            }
            rows.add(row("checks", failures.isEmpty() ? "all held" : failures.size() + " failed",
                    failures.isEmpty() ? "" : String.join("; ", failures)));
            out.println(table(rows));
        }

        private void instanceRows(List<String[]> rows, String label, Map<String, Object> r) {
            rows.add(row("end to end, " + label, fmt(r.get("lines_per_s")) + " lines/s",
                    r.get("ratio_to_ceiling") + " of ceiling" + (r.containsKey("speedup_over_one")
                            ? ", " + r.get("speedup_over_one") + "× one instance" : "")
                            + (Boolean.TRUE.equals(r.get("killed_one")) ? ", one crashed halfway" : "")));
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) r.get("correctness");
            rows.add(row("  incidents vs injected", c.get("incidents") + " / " + c.get("injected"),
                    c.get("matched") + " matched with the right cause" + (Boolean.TRUE.equals(c.get("ok")) ? "" : ": "
                            + c.get("problems"))));
            @SuppressWarnings("unchecked")
            Map<String, Object> counters = (Map<String, Object>) r.get("counters");
            rows.add(row("  late lines / dead letters", fmt(counters.get("late")) + " / " + fmt(counters.get("dead_letters")),
                    "of " + fmt(counters.get("lines_parsed")) + " lines parsed"));
            if (r.containsKey("kill_check")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> k = (Map<String, Object>) r.get("kill_check");
                rows.add(row("  ids vs 1 instance", Boolean.TRUE.equals(k.get("same_ids_as_one_instance")) ? "same" : "DIFFERENT",
                        "lost " + ((List<?>) k.get("lost")).size() + ", new " + ((List<?>) k.get("new")).size()
                                + ", duplicated " + k.get("duplicated")));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) r.get("memory");
            rows.add(row("  heap / RSS", m.get("heap_used_after_gc_mib") + " MiB after GC, peak " + m.get("heap_peak_mib")
                    + " / " + m.get("rss_peak_mib") + " MiB peak", "whole JVM (max heap " + m.get("heap_max_mib")
                    + " MiB): broker, generator, shipper included"));
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) r.get("state");
            rows.add(row("  state per host", s.get("logical_bytes_per_host") + " B logical, "
                    + s.get("rocksdb_dir_bytes_per_host") + " B on disk", "quiet host: " + s.get("quiet_host_logical_bytes")
                    + " B (clock entry)"));
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> get(String key) {
            return (Map<String, Object>) report.get(key);
        }

        private static String[] row(String a, String b, String c) {
            return new String[] {a, b, c};
        }

        private static String fmt(Object n) {
            return n instanceof Number x ? String.format(Locale.ROOT, "%,.0f", x.doubleValue()) : String.valueOf(n);
        }

        private static String table(List<String[]> rows) {
            int[] w = new int[3];
            for (String[] r : rows) {
                for (int i = 0; i < 3; i++) {
                    w[i] = Math.max(w[i], Math.min(r[i].length(), 70));
                }
            }
            StringBuilder b = new StringBuilder();
            for (int n = 0; n < rows.size(); n++) {
                String[] r = rows.get(n);
                for (int i = 0; i < 3; i++) {
                    String cell = r[i].length() > 70 && i < 2 ? r[i].substring(0, 69) + "…" : r[i];
                    b.append(i < 2 ? String.format(Locale.ROOT, "%-" + w[i] + "s  ", cell) : cell);
                }
                b.append('\n');
                if (n == 0) {
                    b.append("-".repeat(w[0])).append("  ").append("-".repeat(w[1])).append("  ").append("-".repeat(w[2])).append('\n');
                }
            }
            return b.toString().stripTrailing();
        }

        static double round(double v, int digits) {
            double f = Math.pow(10, digits);
            return Math.round(v * f) / f;
        }

        private static void deleteTree(Path p) {
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temporary folder: best effort
            }
        }
    }
}
