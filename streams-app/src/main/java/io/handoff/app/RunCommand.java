package io.handoff.app;

import io.handoff.alert.AlertmanagerClient;
import io.handoff.alert.IncidentAlerts;
import io.handoff.console.Console;
import io.handoff.console.IncidentFeed;
import io.handoff.topology.CloseGate;
import io.handoff.topology.HandoffMetrics;
import io.handoff.topology.InputProgress;
import io.handoff.topology.HandoffTopology;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code handoff run}: the long-running application against a real cluster. Configuration comes
 * from {@code --config}, {@code HANDOFF_*} variables and flags ({@link ConfigLoader}).
 */
final class RunCommand {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    static final String DEFAULT_APPLICATION_ID = "handoff";

    static final String HELP = String.join("\n",
            "usage: handoff run [--bootstrap-servers HOST:PORT,...] [--schema-registry-url URL]",
            "                   [--config FILE] [--application-id ID] [--create-topics] [--partitions N]",
            "                   [--http-port N] [--alertmanager-url URL]",
            "",
            "Runs the streaming application (parse -> correlate -> classify) against a Kafka cluster until",
            "it is stopped (SIGTERM/SIGINT close it cleanly). Reads handoff.raw.<source>, writes",
            "handoff.events, handoff.incidents, handoff.warnings and handoff.dead-letter.",
            "",
            "options:",
            "  --bootstrap-servers LIST   Kafka brokers (or bootstrap.servers in --config, or HANDOFF_BOOTSTRAP_SERVERS)",
            "  --schema-registry-url URL  Schema Registry (or schema.registry.url, or HANDOFF_SCHEMA_REGISTRY_URL);",
            "                             mock://NAME keeps schemas in memory (single process only)",
            "  --config FILE              properties: Kafka Streams/client settings and handoff.* keys",
            "  --application-id ID        Kafka Streams application.id (default handoff)",
            "  --create-topics            create missing topics (with --partitions, replication from the broker default)",
            "  --partitions N             partitions of created topics (default 6)",
            "  --http-port N              port of the incident console (/), /health and /metrics (Prometheus); 0 turns",
            "                             them off (default 8080, or HANDOFF_HTTP_PORT)",
            "  --alertmanager-url URL     post each incident as an alert to this Alertmanager, resolve it when the",
            "                             incident closes (or handoff.alertmanager.url, or HANDOFF_ALERTMANAGER_URL)",
            "",
            "handoff.* keys (environment: HANDOFF_ + the key without handoff., upper-case, . and - as _):");

    static final String ALERTMANAGER_URL = "handoff.alertmanager.url";
    static final String CONSOLE_URL = "handoff.console.url";

    private static String defaultConsoleUrl(int httpPort) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return "http://" + host + ":" + httpPort + "/";
    }

    private static void closeAll(Console console, IncidentAlerts alerts) {
        if (console != null) {
            console.close();
        }
        if (alerts != null) {
            alerts.close();
        }
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        Options o = Options.parse("run", args,
                Set.of("bootstrap-servers", "schema-registry-url", "config", "application-id", "partitions", "http-port",
                        "alertmanager-url"),
                Set.of("create-topics", "help"));
        if (o.has("help")) {
            out.println(HELP);
            ConfigLoader.KEYS.forEach((k, v) -> out.printf("  %-30s %s%n", k, v));
            return 0;
        }
        if (!o.operands().isEmpty()) {
            throw new UsageException("run: takes no operands, got '" + o.operands().get(0) + "'");
        }
        Map<String, String> overrides = new HashMap<>();
        if (o.has("bootstrap-servers")) {
            overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, o.get("bootstrap-servers"));
        }
        if (o.has("schema-registry-url")) {
            overrides.put("schema.registry.url", o.get("schema-registry-url"));
        }
        if (o.has("application-id")) {
            overrides.put(StreamsConfig.APPLICATION_ID_CONFIG, o.get("application-id"));
        }
        if (o.has("alertmanager-url")) {
            overrides.put(ALERTMANAGER_URL, o.get("alertmanager-url"));
        }
        Map<String, String> settings = ConfigLoader.resolve(o.has("config") ? Path.of(o.get("config")) : null, System.getenv(),
                overrides);
        HandoffConfig config = ConfigLoader.from(settings);
        AlertmanagerClient alertmanager = null;
        if (settings.get(ALERTMANAGER_URL) != null && !settings.get(ALERTMANAGER_URL).isBlank()) {
            try {
                alertmanager = new AlertmanagerClient(settings.get(ALERTMANAGER_URL));
            } catch (IllegalArgumentException e) {
                throw new UsageException("run: " + ALERTMANAGER_URL + " (--alertmanager-url): " + e.getMessage());
            }
        }
        if (!config.streams().containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new UsageException("run: no Kafka cluster given: expected --bootstrap-servers, bootstrap.servers in"
                    + " --config, or HANDOFF_BOOTSTRAP_SERVERS (for a self-contained run try 'handoff demo')");
        }
        if (!config.streams().containsKey("schema.registry.url")) {
            throw new UsageException("run: no Schema Registry given: expected --schema-registry-url, schema.registry.url"
                    + " in --config, or HANDOFF_SCHEMA_REGISTRY_URL");
        }
        int partitions = o.positiveInt("partitions", 6);
        if (o.has("create-topics")) {
            Topics.create(config, partitions, err);
        }
        String appId = config.streams().getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        PrometheusMetrics prometheus = new PrometheusMetrics();
        HandoffMetrics metrics = prometheus.handoff();
        Properties props = HandoffTopology.streamsProperties(config, appId, metrics);
        // a host's silence closes its incident only while its partition is caught up and the broker answers
        Map<String, Object> adminConfig = new HashMap<>(config.streams());
        adminConfig.keySet().retainAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        InputProgress progress = InputProgress.start(adminConfig, appId, Topics.raw(config.topics()), config.topics().events(),
                Duration.ofSeconds(1));
        KafkaStreams streams = new KafkaStreams(HandoffTopology.build(config, metrics, CloseGate.live(progress)), props);
        prometheus.bind(streams, () -> HandoffTopology.openIncidents(streams));
        String portText = o.get("http-port", System.getenv().getOrDefault("HANDOFF_HTTP_PORT", "8080"));
        int httpPort;
        try {
            httpPort = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            httpPort = -1;
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new UsageException("run: --http-port expects a port number 0..65535, got '" + portText + "'");
        }
        // every instance reads the incident topics itself: the console shows the whole view and alerts go out
        // whichever instance a load balancer or a restart leaves
        IncidentAlerts alerts = alertmanager == null ? null
                : new IncidentAlerts(alertmanager, settings.getOrDefault(CONSOLE_URL, defaultConsoleUrl(httpPort)));
        Console console = httpPort > 0 || alerts != null
                ? Console.start(config.streams(), config.topics(), alerts == null ? new IncidentFeed.Listener[0]
                        : new IncidentFeed.Listener[] {alerts})
                : null;
        HealthServer http = null;
        if (httpPort > 0) {
            try {
                http = new HealthServer(httpPort, streams::state, prometheus::scrape);
            } catch (java.io.IOException e) {
                err.println("handoff run: cannot serve /health and /metrics on port " + httpPort + ": " + e.getMessage());
                closeAll(console, alerts);
                progress.close();
                return 1;
            }
            http.mount("/", console.handler());
            err.println("handoff run: the incident console (/), /health and /metrics on port " + http.port());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the application down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            stopped.countDown();
        }, "handoff-shutdown"));
        err.println("handoff run: application '" + appId + "' on " + config.streams().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)
                + ", topics " + config.topics().prefix() + ".*");
        streams.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        KafkaStreams.State end = streams.state();
        streams.close(Duration.ofSeconds(30));
        progress.close();
        if (http != null) {
            http.close();
        }
        closeAll(console, alerts);
        prometheus.close();
        return end == KafkaStreams.State.ERROR ? 1 : 0;
    }
}
