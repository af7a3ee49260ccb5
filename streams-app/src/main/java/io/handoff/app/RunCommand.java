package io.handoff.app;

import io.handoff.alert.AlertmanagerClient;
import io.handoff.alert.IncidentAlerts;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.common.InputProgress;
import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.cli.ReadsKeys;
import io.handoff.config.ConfigException;
import io.handoff.config.HandoffConfig;
import io.handoff.config.Key;
import io.handoff.config.Keys;
import io.handoff.config.Type;
import io.handoff.console.Console;
import io.handoff.console.IncidentFeed;
import io.handoff.registry.CachedSchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClient;
import io.handoff.registry.SchemaRegistryClients;
import io.handoff.topology.HandoffTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code handoff run}: the long-running application against a real cluster. Configuration comes
 * from {@code --config}, {@code HANDOFF_*} variables and flags ({@link ConfigLoader}).
 *
 * <p>It serves {@code /health} from the first moment, waits (with back-off, never exiting) for its topics
 * and for the schema ids of its outputs ({@link StartChecks}), fits its bounds to the topics' settings, and
 * runs Kafka Streams until SIGTERM/SIGINT, which closes it cleanly and exits 0. A stream thread that fails
 * is replaced after a back-off (1 s doubling to 60 s), not turned into an exit: a failure of the
 * surroundings (broker, registry, disk) would only repeat after a restart. Exit codes: 0 stopped, 1 a
 * failure it cannot wait out (the registry refuses a schema, Kafka Streams in ERROR), 2 usage.
 */
@Command(name = "run", header = "run the streaming application against a Kafka cluster",
        synopsisHeading = "", descriptionHeading = "%n", optionListHeading = "%noptions:%n",
        sortOptions = false,
        customSynopsis = {
            "usage: handoff run [--bootstrap-servers HOST:PORT,...] [--schema-registry-url URL]",
            "                   [--config FILE] [--application-id ID] [--create-topics] [--partitions N]",
            "                   [--http-port N] [--http-bind ADDRESS] [--alertmanager-url URL]"},
        description = {
            "Runs the streaming application (parse -> correlate -> classify -> fleet) against a Kafka cluster until",
            "it is stopped: SIGTERM/SIGINT close it cleanly, exit code 0. Reads handoff.raw.<source>, writes",
            "handoff.incidents, handoff.incident-updates, handoff.warnings, handoff.fleet-incidents,",
            "handoff.incidents-ecs and handoff.dead-letter (and handoff.events with handoff.events.enabled=true);",
            "handoff.correlate-input is its own; docs/DEPLOY.md lists every topic with its settings. It waits, and",
            "says so on /health and in the log, while topics are missing or the schema registry cannot be reached;",
            "the schema ids it has used are kept in state.dir, so it runs on while the registry is away.",
            "",
            "stdout carries one line per change of an incident as it happens: 'open' within a second of a burst's",
            "first gateway errors (the verdict and chain so far), 'update' when the verdict changes, 'closed' with",
            "its counts, and 'fleet' for a fleet incident; the log goes to stderr."},
        footer = {
            "/health: 200 UP or DEGRADED (registry unreachable longer than handoff.unreachable-after, a stream",
            "thread replaced lately), 503 DOWN (starting, not running, broker unreachable longer than that);",
            "/health/live: 200 while the process serves (for liveness probes)."})
final class RunCommand implements Callable<Integer>, ReadsKeys {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;
    @Mixin
    HelpOption help;
    @Option(names = "--bootstrap-servers", paramLabel = "LIST", descriptionKey = "bootstrap.servers")
    String bootstrapServers;
    @Option(names = "--schema-registry-url", paramLabel = "URL", descriptionKey = "schema.registry.url")
    String schemaRegistryUrl;
    @Option(names = "--config", paramLabel = "FILE", description = "properties: Kafka Streams/client settings and handoff.* keys")
    Path config;
    @Option(names = "--application-id", paramLabel = "ID", descriptionKey = "application.id")
    String applicationId;
    @Option(names = "--create-topics", description = "create missing topics (with --partitions, replication as the broker's"
            + " default.replication.factor)")
    boolean createTopics;
    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6", description = "partitions of created topics (default ${DEFAULT-VALUE})")
    String partitions;
    @Option(names = "--http-port", paramLabel = "N", descriptionKey = "handoff.http-port")
    String httpPort;
    @Option(names = "--http-bind", paramLabel = "ADDRESS", descriptionKey = "handoff.http-bind")
    String httpBind;
    @Option(names = "--alertmanager-url", paramLabel = "URL", descriptionKey = "handoff.alertmanager.url")
    String alertmanagerUrl;

    private final PrintStream out;
    private final PrintStream err;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public io.handoff.config.Command reads() {
        return io.handoff.config.Command.RUN;
    }

    private static String defaultConsoleUrl(int httpPort) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return "http://" + host + ":" + httpPort + "/";
    }

    private volatile boolean stopping;
    private volatile String starting = "reading the configuration";

    @Override
    public Integer call() {
        // a flag's value is checked under its own name; the file's and the environment's under the key's
        Map<String, String> overrides = new HashMap<>();
        flag(overrides, Keys.BOOTSTRAP_SERVERS, bootstrapServers);
        flag(overrides, Keys.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        flag(overrides, Keys.APPLICATION_ID, applicationId);
        flag(overrides, Keys.ALERTMANAGER_URL, alertmanagerUrl);
        if (httpPort != null) {
            Cli.value(spec, "--http-port", Type.PORT, httpPort);
            overrides.put(Keys.HTTP_PORT.name(), httpPort);
        }
        if (httpBind != null) {
            Cli.value(spec, "--http-bind", Type.ADDRESS, httpBind);
            overrides.put(Keys.HTTP_BIND.name(), httpBind);
        }
        int partitions = Cli.value(spec, "--partitions", Type.POSITIVE_INT, this.partitions);
        Map<String, String> settings;
        HandoffConfig config;
        int httpPort;
        InetAddress bind;
        try {
            settings = ConfigLoader.resolve(io.handoff.config.Command.RUN, this.config, System.getenv(), overrides);
            config = HandoffConfig.of(settings);
            httpPort = HandoffConfig.value(settings, Keys.HTTP_PORT);
            bind = HandoffConfig.value(settings, Keys.HTTP_BIND);
        } catch (ConfigException e) {
            throw Cli.usage(spec, e.getMessage());
        }
        AlertmanagerClient alertmanager = null;
        String alertmanagerUrl = settings.get(Keys.ALERTMANAGER_URL.name());
        if (alertmanagerUrl != null && !alertmanagerUrl.isBlank()) {
            try {
                alertmanager = new AlertmanagerClient(alertmanagerUrl);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, Keys.ALERTMANAGER_URL.name() + " (--alertmanager-url): " + e.getMessage());
            }
        }
        if (!config.streams().containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw Cli.usage(spec, "no Kafka cluster given: expected --bootstrap-servers, bootstrap.servers in"
                    + " --config, or HANDOFF_BOOTSTRAP_SERVERS (for a self-contained run try 'handoff demo')");
        }
        if (!config.streams().containsKey("schema.registry.url")) {
            throw Cli.usage(spec, "no Schema Registry given: expected --schema-registry-url, schema.registry.url"
                    + " in --config, or HANDOFF_SCHEMA_REGISTRY_URL");
        }
        String appId = config.streams().getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, Keys.APPLICATION_ID.defaultText());
        config = withRegistryDefaults(config, appId);

        PrometheusMetrics prometheus = new PrometheusMetrics();
        HandoffMetrics metrics = prometheus.handoff();
        Reachability reach = new Reachability();
        AtomicLong restarts = new AtomicLong();
        AtomicLong lastRestart = new AtomicLong();
        KafkaStreams[] running = new KafkaStreams[1];
        HealthServer http = null;
        if (httpPort > 0) {
            try {
                Duration after = config.limits().unreachableAfter();
                http = new HealthServer(new InetSocketAddress(bind, httpPort),
                        () -> Health.of(running[0] == null ? KafkaStreams.State.CREATED : running[0].state(), starting, reach,
                                after, System.currentTimeMillis(), restarts.get(), lastRestart.get()),
                        prometheus::scrape);
            } catch (IOException e) {
                err.println("handoff run: cannot serve /health and /metrics on " + bind.getHostAddress() + ":" + httpPort + ": "
                        + e.getMessage());
                prometheus.close();
                return 1;
            }
            err.println("handoff run: /health, /health/live and /metrics on " + http.address().getAddress().getHostAddress()
                    + ":" + http.address().getPort());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            KafkaStreams s;
            synchronized (this) {
                stopping = true;
                s = running[0];
            }
            if (s != null) {
                s.close(Duration.ofSeconds(30));
            }
            stopped.countDown();
        }, "handoff-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<String, Object> adminConfig = new LinkedHashMap<>(config.streams());
        adminConfig.keySet().retainAll(AdminClientConfig.configNames());
        SchemaRegistryClient registryProbe = SchemaRegistryClients.forUrl(config.streams().get("schema.registry.url"),
                config.streams());
        Console console = null;
        IncidentAlerts alerts = null;
        InputProgress progress = null;
        try (Admin admin = Admin.create(adminConfig);
             Probes probes = new Probes(admin, registryProbe, reach, probeEvery(config))) {
            if (createTopics) {
                starting = "creating topics";
                Topics.create(config, partitions, err);
            }
            // a host's silence closes its incident only while its partition is caught up and the broker answers
            progress = InputProgress.start(adminConfig, appId, Topics.raw(config.topics()), config.topics().correlateInput(),
                    Duration.ofSeconds(1));
            CloseGate gate = CloseGate.live(progress);
            Topology topology = HandoffTopology.build(config, metrics, gate);
            starting = "looking for the topics";
            if (!StartChecks.awaitTopics(admin, StartChecks.topics(topology), reach, w -> starting = w, () -> stopping)) {
                return 0;
            }
            Set<String> sinks = StartChecks.sinks(topology);
            HandoffConfig fitted = StartChecks.fitToCluster(admin, sinks, config);
            if (!fitted.equals(config)) {
                config = fitted;
                topology = HandoffTopology.build(config, metrics, gate);
            }
            starting = "learning the schema ids of the outputs";
            if (!StartChecks.awaitSchemas(config, sinks, reach, w -> starting = w, () -> stopping)) {
                return 0;
            }
            // every instance reads the incident topics itself: the console shows the whole view and alerts go out
            // whichever instance a load balancer or a restart leaves
            alerts = alertmanager == null ? null
                    : new IncidentAlerts(alertmanager, settings.getOrDefault(Keys.CONSOLE_URL.name(), defaultConsoleUrl(httpPort)));
            // the incident log on stdout (an incident as it opens, changes and closes) reads the same feed
            IncidentFeed.Listener log = new IncidentLog(out);
            console = Console.start(config.streams(), config.topics(), alerts == null ? new IncidentFeed.Listener[] {log}
                    : new IncidentFeed.Listener[] {log, alerts});
            if (http != null) {
                http.mount("/", console.handler());
                err.println("handoff run: the incident console on " + http.address().getAddress().getHostAddress() + ":"
                        + http.address().getPort() + "/");
            }
            Properties props = HandoffTopology.streamsProperties(config, appId, metrics);
            KafkaStreams streams = new KafkaStreams(topology, props);
            prometheus.bind(streams, () -> HandoffTopology.openIncidents(streams));
            streams.setUncaughtExceptionHandler(e -> {
                long n = restarts.incrementAndGet();
                long now = System.currentTimeMillis();
                long quiet = now - lastRestart.getAndSet(now);
                metrics.increment("stream-thread-restarts");
                long wait = backoffSeconds(n, quiet);
                LOG.error("stream thread failed ({}); replacing it in {} s", e.toString(), wait, e);
                try {
                    for (long t = 0; t < wait * 10 && !stopping; t++) {
                        Thread.sleep(100); // the back-off before the replacement, awake for a stop
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                return stopping ? StreamThreadExceptionResponse.SHUTDOWN_CLIENT : StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.setStateListener((now, before) -> {
                LOG.info("state {} -> {}", before, now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    stopped.countDown();
                }
            });
            synchronized (this) {
                if (stopping) {
                    return 0;
                }
                running[0] = streams;
            }
            err.println("handoff run: application '" + appId + "' on " + config.streams().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + ", topics " + config.topics().prefix() + ".*");
            streams.start();
            starting = null;
            stopped.await();
            KafkaStreams.State end = streams.state();
            streams.close(Duration.ofSeconds(30));
            if (end == KafkaStreams.State.ERROR) {
                err.println("handoff run: Kafka Streams stopped in state ERROR (see the log)");
                return 1;
            }
            return 0;
        } catch (IllegalStateException e) {
            err.println("handoff run: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stopping ? 0 : 1;
        } finally {
            KafkaStreams s = running[0];
            if (s != null) {
                s.close(Duration.ofSeconds(30)); // also when interrupted (a test running Main in a thread)
            }
            if (http != null) {
                http.close();
            }
            if (console != null) {
                console.close();
            }
            if (progress != null) {
                progress.close();
            }
            if (alerts != null) {
                alerts.close();
            }
            prometheus.close();
            if (!stopping) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs: it closes Kafka Streams itself
                }
            }
        }
    }

    /**
     * The registry settings {@code handoff run} needs unless configured: the durable id cache in the state
     * directory ({@code <state.dir>/<application.id>.schema-ids.json}), and timeouts short enough that a
     * registry that does not answer is noticed within seconds, not a minute.
     */
    static HandoffConfig withRegistryDefaults(HandoffConfig config, String appId) {
        Map<String, String> s = new TreeMap<>(config.streams());
        String stateDir = s.getOrDefault(StreamsConfig.STATE_DIR_CONFIG,
                Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString());
        s.putIfAbsent(CachedSchemaRegistryClient.CACHE_FILE_CONFIG, Path.of(stateDir, appId + ".schema-ids.json").toString());
        s.putIfAbsent("http.connect.timeout.ms", "5000");
        s.putIfAbsent("http.read.timeout.ms", "10000");
        return config.withStreams(s);
    }

    /**
     * Seconds to wait before replacing a failed stream thread: 1 s after ten quiet minutes, else doubling with
     * each failure ({@code failures} counts them all) up to 60 s, so that a failure that repeats (a registry
     * away, a full disk) is retried without spinning.
     */
    static long backoffSeconds(long failures, long msSinceLastFailure) {
        if (failures <= 1 || msSinceLastFailure > Duration.ofMinutes(10).toMillis()) {
            return 1;
        }
        return Math.min(60, 1L << Math.min(6, failures - 1));
    }

    private static Duration probeEvery(HandoffConfig config) {
        long ms = config.limits().unreachableAfter().toMillis() / 3;
        return Duration.ofMillis(Math.max(500, Math.min(5_000, ms)));
    }

    /** A flag's value for {@code key}, when given. */
    private static void flag(Map<String, String> overrides, Key<String> key, String value) {
        if (value != null) {
            overrides.put(key.name(), value);
        }
    }
}
