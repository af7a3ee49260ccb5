package io.handoff.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.SourceKind;
import io.handoff.config.HandoffConfig;
import io.handoff.embedded.ApicurioRegistry;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.RestartableBroker;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.ship.ReplaySource;
import io.handoff.ship.ShipSummary;
import io.handoff.ship.Shipper;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault-injection suite (part of {@code mvn -B verify}; {@code -DskipFaults} leaves it out): a real KRaft broker that is stopped and
 * started, a real schema registry (Apicurio, a child JVM with its data on disk) that is stopped and started,
 * and {@code handoff run} as a child JVM on the topics docs/DEPLOY.md lists — killed with -9 mid-burst,
 * stopped with SIGTERM. Each case ships real captured lines (re-timed to yesterday, re-hosted so that each
 * case has its own hosts) or the poison inputs, and counts what came out for its hosts: lines in
 * against lines parsed + dead-lettered (+ blank lines, which are counted, not dead-lettered), incidents
 * against the ones expected, and whether the application stayed up (its stream-thread restarts). The
 * table is written to {@code target/faults-report.md}; docs/RELIABILITY.md holds a run's figures.
 */
@Tag("faults")
class FaultSuiteTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final TopicNames T = TopicNames.defaults();
    private static final Duration WAIT = Duration.ofSeconds(240);
    /** handoff.idle-close of the runs: long enough that a killed application's open incident is still open when it is killed. */
    private static final Duration IDLE_CLOSE = Duration.ofSeconds(20);
    private static final LocalDate YESTERDAY = LocalDate.now(ZoneOffset.UTC).minusDays(1);

    private static Path dir;
    private static RestartableBroker broker;
    private static ApicurioRegistry registry;
    private static final List<Row> rows = new ArrayList<>();
    private static int appRuns;

    /** One line of the report. */
    record Row(String id, String cause, String done, long in, long parsed, long blank, Map<String, Long> deadLetters,
               String incidents, String app, boolean ok) {
        long dead() {
            return deadLetters.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @BeforeAll
    static void start(@TempDir Path tmp) throws Exception {
        Path jarDir = Paths.get(System.getProperty("apicurio.dir", "target/apicurio"));
        Optional<Path> jar = ApicurioRegistry.runnerJar(jarDir);
        Assumptions.assumeTrue(jar.isPresent(), "the fault suite needs Apicurio under " + jarDir.toAbsolutePath()
                + " (the faults profile unpacks it; -DskipFaults leaves it out)");
        dir = tmp;
        broker = new RestartableBroker(tmp.resolve("kafka"), Map.of());
        broker.start();
        registry = ApicurioRegistry.start(jar.get(), tmp.resolve("registry"));
        DeployedTopicsBrokerTest.createTopics(broker.bootstrapServers(), DeployedTopicsBrokerTest.composeTopics());
        // a cluster that takes large entries on the nginx error topic (the documented topics keep the 1 MB default)
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, T.raw(SourceKind.NGINX_ERROR)),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(16 << 20)),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (!rows.isEmpty()) {
            String table = table();
            System.out.println(table);
            Files.writeString(Path.of("target", "faults-report.md"), table);
        }
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------- the application

    /** A running {@code handoff run}: its process and HTTP port. */
    record App(Child child, int port) {
        Health health() throws InterruptedException {
            HttpResponse<String> r = child.awaitHttp(port, "/health", x -> true, Duration.ofSeconds(30));
            return new Health(r.statusCode(), r.body());
        }

        HttpResponse<String> awaitHealth(String status) throws InterruptedException {
            return child.awaitHttp(port, "/health", r -> r.body().contains("\"status\":\"" + status + "\""), WAIT);
        }

        long threadRestarts() throws InterruptedException {
            String body = child.awaitHttp(port, "/metrics", r -> r.statusCode() == 200, Duration.ofSeconds(30)).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("handoff_stream_thread_restarts_total ")) {
                    return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()); // Prometheus text: 0.0
                }
            }
            throw new AssertionError("no handoff_stream_thread_restarts_total in /metrics");
        }

        boolean alive() {
            return child.process.isAlive();
        }
    }

    record Health(int code, String body) {}

    static App startApp(String appId, String prefix, Path state) {
        int port = Child.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("HANDOFF_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("HANDOFF_SCHEMA_REGISTRY_URL", registry.url());
        env.put("HANDOFF_APPLICATION_ID", appId);
        env.put("HANDOFF_TOPIC_PREFIX", prefix);
        env.put("HANDOFF_HTTP_PORT", String.valueOf(port));
        env.put("HANDOFF_IDLE_CLOSE", IDLE_CLOSE.toSeconds() + "s");
        env.put("HANDOFF_UNREACHABLE_AFTER", "5s");
        env.put("HANDOFF_KAFKA_STATE_DIR", state.toString());
        env.put("HANDOFF_KAFKA_COMMIT_INTERVAL_MS", "200");
        Child c = Child.start(dir.resolve("logs"), "run-" + (++appRuns) + "-" + appId, env, "run");
        return new App(c, port);
    }

    // ---------------------------------------------------------------- inputs

    /** Ships a re-timed, re-hosted copy of a sample host as handoff replay does; returns the entries sent. */
    static long ship(String sample, String host) throws IOException {
        Path folder = SampleHosts.copy(ROOT.resolve("samples/fleet").resolve(sample), host, YESTERDAY,
                dir.resolve("fleet-" + host));
        try (Shipper shipper = Shipper.create(broker.bootstrapServers(), T, Map.of("max.in.flight.requests.per.connection", 1))) {
            ShipSummary s = shipper.ship(ReplaySource.open(folder), new ReplayClock(HandoffConfig.defaults()), p -> { });
            return s.entries();
        }
    }

    /** Entries of a sample host that are blank (php-fpm writes one after its config test): counted, not events. */
    static long blanks(String host) {
        long n = 0;
        try (ReplaySource.Entries it = ReplaySource.open(dir.resolve("fleet-" + host)).entries()) {
            for (ReplaySource.Item i = it.next(); i != null; i = it.next()) {
                if (i.entry().text().isBlank()) {
                    n++;
                }
            }
        }
        return n;
    }

    static void produce(SourceKind kind, String host, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "max.request.size", 16 << 20, "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : values) {
                p.send(new ProducerRecord<>(T.raw(kind), host.getBytes(StandardCharsets.UTF_8), v)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A real nginx error line (web-01) at {@code time}. */
    static String eagainAt(Instant time) {
        String stamp = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss").withZone(ZoneOffset.UTC).format(time);
        return stamp + " [error] 14427#14427: *350 connect() to unix:/run/php/php8.2-fpm-web-01.sock failed (11: Resource"
                + " temporarily unavailable) while connecting to upstream, client: 127.0.1.85, server: _, request: \"GET /shop/"
                + " HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-01.sock:\", host: \"shop.example.test\"";
    }

    /** A real multi-line nginx error entry (web-14's FastCGI stderr) grown to {@code bytes} with more stack frames. */
    static byte[] fastcgiEntry(int bytes) {
        String day = YESTERDAY.format(DateTimeFormatter.ofPattern("yyyy/MM/dd"));
        StringBuilder b = new StringBuilder(bytes + 1024).append(day).append(
                " 11:07:07 [error] 9107#9107: *273 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error:"
                + " Call to undefined function create_function() in /srv/handoff/wp/wp-content/plugins/legacy-widgets/"
                + "legacy-widgets.php:8\nStack trace:\n");
        while (b.length() < bytes) {
            b.append("#0 /srv/handoff/wp/wp-content/themes/astra-child/functions.php(34): legacy_widgets_render()\n");
        }
        b.append("#4 {main}\n  thrown in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php on line 8\""
                + " while reading response header from upstream, client: 127.0.1.226, server: _, request: \"GET"
                + " /?widget=tagcloud HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-14.sock:\", host:"
                + " \"shop.example.test\"");
        return text(b.toString());
    }

    // ---------------------------------------------------------------- outputs

    /** Records of a topic by key (host), read_committed: what a consumer of handoff's outputs sees. */
    static Map<String, List<ConsumerRecord<byte[], byte[]>>> byHost(String topic) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> m = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Drain.topic(broker.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED,
                Duration.ofSeconds(60))) {
            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            m.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    static long events(String host) {
        // one record per parsed line on the correlator's input, whole or a tick
        return byHost(T.correlateInput()).getOrDefault(host, List.of()).size();
    }

    /** Dead letters of a host by stage (read with the registry: call while it runs). */
    static Map<String, Long> deadLetters(String host) {
        SpecificAvroSerde<DeadLetter> serde = SpecificAvroSerde.forValues(DeadLetter.class, Map.of("schema.registry.url",
                registry.url()));
        Map<String, Long> stages = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : byHost(T.deadLetter()).getOrDefault(host, List.of())) {
            stages.merge(serde.deserializer().deserialize(T.deadLetter(), r.value()).getStage(), 1L, Long::sum);
        }
        return stages;
    }

    /** Incidents of a host on the ECS mirror: root cause per incident id (a repeated id is a duplicate). */
    static List<String> incidents(String host) throws IOException {
        List<String> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> r : Drain.topic(broker.bootstrapServers(), T.incidentsEcs(),
                IsolationLevel.READ_COMMITTED, Duration.ofSeconds(60))) {
            JsonNode d = json.readTree(r.value());
            if (host.equals(d.path("host").path("name").asText())) {
                out.add(d.path("event").path("id").asText() + " " + d.path("handoff").path("root_cause").asText());
            }
        }
        return out;
    }

    /** Polls {@code value} until {@code ok}, at most {@link #WAIT}: waiting on outputs, never a fixed sleep. */
    static <V> V await(Supplier<V> value, java.util.function.Predicate<V> ok, String what) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        V v = value.get();
        while (!ok.test(v)) {
            if (System.nanoTime() > until) {
                throw new AssertionError(what + ": still " + v + " after " + WAIT);
            }
            Thread.sleep(500); // between polls of the topics
            v = value.get();
        }
        return v;
    }

    static List<String> incidentsQuietly(String host) {
        try {
            return incidents(host);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Ships a sample host, waits for its lines and its one incident, and records the row. */
    static Row sampleCase(String id, String cause, String done, String sample, String host, String rootCause, App app,
                          long in) throws Exception {
        long blank = blanks(host);
        long parsed = await(() -> events(host), n -> n >= in - blank, host + " events");
        List<String> inc = await(() -> incidentsQuietly(host), l -> !l.isEmpty(), host + " incidents");
        Map<String, Long> dl = deadLetters(host);
        boolean ok = parsed + blank + dl.values().stream().mapToLong(Long::longValue).sum() == in
                && inc.size() == 1 && inc.get(0).endsWith(" " + rootCause) && app.alive();
        Row r = new Row(id, cause, done, in, parsed, blank, dl, inc.size() + " " + rootCause(inc) + " (expected 1 " + rootCause + ")",
                app.alive() ? "up, " + app.threadRestarts() + " thread restarts" : "exited " + app.child().process.exitValue(), ok);
        rows.add(r);
        return r;
    }

    private static String rootCause(List<String> incidents) {
        return incidents.stream().map(s -> s.substring(s.indexOf(' ') + 1)).distinct().reduce((a, b) -> a + "," + b).orElse("");
    }

    // ---------------------------------------------------------------- the run

    @Test
    void noRecordStopsTheApplicationAndNoOutageLosesALine() throws Exception {
        Path state = dir.resolve("state");
        App app = startApp("handoff", T.prefix(), state);
        app.awaitHealth("UP");

        // 0. a sample host, all well
        long in = ship("web-01", "base-01");
        check(sampleCase("0", "-", "web-01's captured burst, re-timed to yesterday", "web-01", "base-01",
                "LISTEN_BACKLOG_OVERFLOW", app, in));

        // 1, 10 and the rest of the poison inputs: each its own host, each one outcome
        Instant now = Instant.now();
        poison(app, "1", "zone-less line read 2 h ahead", "ahead-2h", List.of(text(eagainAt(now.plus(Duration.ofHours(2))))),
                0, Map.of("time", 1L));
        poison(app, "1", "line stamped 2100", "year-2100", List.of(text(eagainAt(Instant.parse("2100-06-01T12:00:00Z")))),
                0, Map.of("time", 1L));
        poison(app, "2", "600 KB nginx error entry", "entry-600k", List.of(fastcgiEntry(600 * 1024)), 1, Map.of());
        poison(app, "2", "2 MB nginx error entry", "entry-2m", List.of(fastcgiEntry(2 * 1024 * 1024)), 0, Map.of("size", 1L));
        poison(app, "+", "10 MB value", "value-10m", List.of(fastcgiEntry(10 * 1024 * 1024)), 0, Map.of("size", 1L));
        poison(app, "10", "empty value", "empty", List.of(new byte[0]), 0, Map.of("envelope", 1L));
        poison(app, "10", "line dated 1970", "year-1970", List.of(text(eagainAt(Instant.parse("1970-01-01T00:00:05Z")))),
                0, Map.of("time", 1L));
        Random random = new Random(12);
        List<byte[]> noise = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] b = new byte[1 + random.nextInt(4096)];
            random.nextBytes(b);
            noise.add(b);
        }
        poison(app, "+", "20 values of random bytes", "random", noise, 0, null);

        // 3. the registry away while running: the ids are cached, processing goes on, /health says so
        registry.stop();
        Health degraded = awaitStatus(app, "DEGRADED");
        long in3 = ship("web-03", "registry-03");
        long blank3 = blanks("registry-03");
        long parsed = await(() -> events("registry-03"), n -> n >= in3 - blank3, "registry-03 events while the registry is down");
        registry.start();
        app.awaitHealth("UP");
        Row reg = sampleCase("3", "registry unreachable while running", "Apicurio stopped; web-03 shipped; /health "
                + degraded.code() + " " + status(degraded) + " (" + which(degraded, "registry") + "); " + parsed + " lines parsed before it came back",
                "web-03", "registry-03", "WORKER_POOL_EXHAUSTED", app, in3);
        check(reg);

        // 4, 8. the broker away: Kafka Streams retries, /health DOWN (503) after handoff.unreachable-after; lines a
        // shipper sends meanwhile wait in its buffer and arrive when the broker is back
        long in6 = ship("web-06", "broker-06");
        await(() -> events("broker-06"), n -> n >= in6 - blanks("broker-06"), "broker-06 events");
        broker.stop();
        Health down = awaitStatus(app, "DOWN");
        java.util.concurrent.CompletableFuture<Long> during = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return ship("web-09", "broker-09");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        broker.start();
        long in9 = during.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        app.awaitHealth("UP");
        check(sampleCase("4", "broker stopped and started", "web-06 shipped and processed; broker stopped: /health "
                + down.code() + " " + status(down) + " (" + which(down, "broker") + "); started again", "web-06", "broker-06", "WORKER_CRASH", app, in6));
        check(sampleCase("4", "lines shipped while the broker is away", "web-09 shipped while the broker was stopped (the"
                + " shipper buffers), delivered when it was back", "web-09", "broker-09", "SOCKET_PERMISSION_DENIED", app, in9));

        // kill -9 mid-burst: the open incident is restored from its changelog, nothing lost or doubled
        long inClean = shipInTwo("web-07", "clean-07", "\u0000no such mark", app)[1]; // all of it, sent as the killed run's
        Row clean = sampleCase("kill", "-", "web-07 shipped, no fault: the reference for the next row", "web-07", "clean-07",
                "OOM_KILL", app, inClean);
        check(clean);
        long[] parts = shipInTwo("web-07", "kill-07", "\" 502 ", app);
        App before = app;
        await(() -> openIncidents(before), n -> n >= 1, "kill-07: the burst open in the application's state");
        long eventsAtKill = events("kill-07");
        app.child().kill();
        shipRest("kill-07", parts[0]);
        app = startApp("handoff", T.prefix(), state);
        app.awaitHealth("UP");
        Row killed = sampleCase("kill", "-", "web-07 shipped up to its first 502; handoff run killed with -9 with the burst open"
                + " (" + eventsAtKill + " lines committed); the rest shipped; started again", "web-07", "kill-07", "OOM_KILL", app,
                parts[1]);
        check(killed);
        assertEquals(incidentFields("clean-07"), incidentFields("kill-07"), "field for field the incident of a run without fault");

        // 4. the broker away mid-burst for longer than handoff.idle-close: a host's silence does not count while
        // the broker is away, so the burst gives one incident, the same as without the outage (no early, partial one)
        long[] half = shipInTwo("web-07", "outage-07", "\" 502 ", app);
        App open = app;
        await(() -> openIncidents(open), n -> n >= 1, "outage-07: the burst open in the application's state");
        broker.stop();
        Health away = awaitStatus(app, "DOWN");
        Thread.sleep(IDLE_CLOSE.plusSeconds(10).toMillis()); // the outage itself: longer than the idle close
        broker.start();
        app.awaitHealth("UP");
        shipRest("outage-07", half[0]);
        await(() -> events("outage-07"), n -> n >= half[1] - blanks("outage-07"), "outage-07 events");
        await(() -> openIncidents(open), n -> n == 0, "outage-07: the burst closed");
        Row outage = sampleCase("4", "broker stopped mid-burst", "web-07 shipped up to its first 502; broker stopped for "
                + IDLE_CLOSE.plusSeconds(10).toSeconds() + " s (idle close " + IDLE_CLOSE.toSeconds() + " s): /health " + away.code()
                + " " + status(away) + " (" + which(away, "broker") + "); started again; the rest shipped", "web-07", "outage-07", "OOM_KILL", app, half[1]);
        check(outage);
        assertEquals(incidentFields("clean-07"), incidentFields("outage-07"), "field for field the incident of a run without fault");

        // 9. SIGTERM: exit 0
        int code = app.child().terminate(Duration.ofSeconds(90));
        rows.add(new Row("9", "SIGTERM to handoff run", "SIGTERM after the cases above", 0, 0, 0, Map.of(),
                "-", "exit " + code, code == 0));
        assertEquals(0, code, app.child().tail());

        // 3 again, with a restart: the registry away when the application starts, its ids cached from before
        registry.stop();
        app = startApp("handoff", T.prefix(), state);
        Health cached = awaitStatus(app, "DEGRADED");
        long in8 = ship("web-08", "cached-08");
        long blank8 = blanks("cached-08");
        long parsedCached = await(() -> events("cached-08"), n -> n >= in8 - blank8, "cached-08 events while the registry is down");
        registry.start();
        app.awaitHealth("UP");
        check(sampleCase("3", "registry unreachable at a restart", "Apicurio stopped, handoff run restarted: /health "
                + cached.code() + " " + status(cached) + " (" + which(cached, "registry") + "); web-08 shipped, " + parsedCached + " lines parsed from cached ids",
                "web-08", "cached-08", "REQUEST_TERMINATED", app, in8));
        assertEquals(0, app.child().terminate(Duration.ofSeconds(90)));
    }

    /**
     * Ships a sample host's entries (in event time order, sent now, as a live shipper) up to and including the
     * first one containing {@code mark}; returns {index after it, all entries}. {@link #shipRest} sends the rest.
     */
    private static long[] shipInTwo(String sample, String host, String mark, App app) throws IOException {
        Path folder = SampleHosts.copy(ROOT.resolve("samples/fleet").resolve(sample), host, YESTERDAY, dir.resolve("fleet-" + host));
        List<ReplaySource.Item> items = items(folder);
        int split = 0;
        while (split < items.size() && !items.get(split).entry().text().contains(mark)) {
            split++;
        }
        split = Math.min(items.size(), split + 1);
        try (Shipper shipper = Shipper.create(broker.bootstrapServers(), T, Map.of("max.in.flight.requests.per.connection", 1))) {
            for (ReplaySource.Item i : items.subList(0, split)) {
                shipper.send(i.host(), i.kind(), i.file().toString(), i.entry());
            }
            shipper.flush();
        }
        return new long[] {split, items.size()};
    }

    private static void shipRest(String host, long from) throws IOException {
        List<ReplaySource.Item> items = items(dir.resolve("fleet-" + host));
        try (Shipper shipper = Shipper.create(broker.bootstrapServers(), T, Map.of("max.in.flight.requests.per.connection", 1))) {
            for (ReplaySource.Item i : items.subList((int) from, items.size())) {
                shipper.send(i.host(), i.kind(), i.file().toString(), i.entry());
            }
            shipper.flush();
        }
    }

    private static List<ReplaySource.Item> items(Path folder) {
        List<ReplaySource.Item> items = new ArrayList<>();
        try (ReplaySource.Entries it = ReplaySource.open(folder).entries(new ReplayClock(HandoffConfig.defaults()))) {
            for (ReplaySource.Item i = it.next(); i != null; i = it.next()) {
                items.add(i);
            }
        }
        return items;
    }

    private static long openIncidents(App app) {
        try {
            String body = app.child().awaitHttp(app.port(), "/metrics", r -> r.statusCode() == 200, Duration.ofSeconds(30)).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("handoff_open_incidents ")) {
                    return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()); // Prometheus text: 0.0
                }
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** What an incident says, without what names its host: root cause, times, counts, evidence, culprit. */
    private static String incidentFields(String host) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> r : Drain.topic(broker.bootstrapServers(), T.incidentsEcs(),
                IsolationLevel.READ_COMMITTED, Duration.ofSeconds(60))) {
            JsonNode d = json.readTree(r.value());
            if (host.equals(d.path("host").path("name").asText())) {
                com.fasterxml.jackson.databind.node.ObjectNode h = (com.fasterxml.jackson.databind.node.ObjectNode) d.path("handoff").deepCopy();
                // lines of the same second may arrive in either order across the raw topics: compare them sorted
                List<String> evidence = new ArrayList<>();
                h.path("evidence").forEach(e -> evidence.add(e.path("time").asText() + " " + e.path("source").asText() + " "
                        + e.path("line").asText() + " " + e.path("signal").asText()));
                evidence.sort(null);
                h.remove("evidence");
                return d.path("@timestamp").asText() + " " + d.path("event").path("end").asText() + " " + h + " " + evidence;
            }
        }
        return "(no incident of " + host + ")";
    }

    private static String status(Health h) {
        int i = h.body().indexOf("\"status\":\"");
        return i < 0 ? "?" : h.body().substring(i + 10, h.body().indexOf('"', i + 10));
    }

    /** What /health names as unreachable; it must be {@code expected} (the broker or the registry) and only that. */
    private static String which(Health h, String expected) {
        boolean broker = h.body().contains("the broker has been unreachable");
        boolean registry = h.body().contains("the schema registry has been unreachable");
        String named = broker && registry ? "broker and registry" : broker ? "broker" : registry ? "registry" : "nothing";
        assertEquals(expected, named, "/health names what cannot be reached: " + h.body());
        return named;
    }

    private static Health awaitStatus(App app, String status) throws InterruptedException {
        HttpResponse<String> r = app.awaitHealth(status);
        return new Health(r.statusCode(), r.body());
    }

    /** Produces poison values for {@code host} and waits for their one outcome each. */
    private static void poison(App app, String id, String what, String host, List<byte[]> values, long parsed,
                               Map<String, Long> stages) throws Exception {
        produce(SourceKind.NGINX_ERROR, host, values);
        long in = values.size();
        long p = await(() -> events(host) + deadLetterCount(host), n -> n >= in, host + ": an outcome for every value");
        Map<String, Long> dl = deadLetters(host);
        long events = events(host);
        boolean ok = events == parsed && events + dl.values().stream().mapToLong(Long::longValue).sum() == in && app.alive()
                && (stages == null || dl.equals(stages));
        Row r = new Row(id, what, "produced to " + T.raw(SourceKind.NGINX_ERROR), in, events, 0, dl, "-",
                app.alive() ? "up, " + app.threadRestarts() + " thread restarts" : "exited", ok);
        rows.add(r);
        check(r);
        assertTrue(p >= in);
    }

    private static long deadLetterCount(String host) {
        return byHost(T.deadLetter()).getOrDefault(host, List.of()).size();
    }

    private static void check(Row r) {
        assertTrue(r.ok(), "case " + r.id() + " (" + r.cause() + "): " + r);
    }

    static String table() {
        StringBuilder b = new StringBuilder();
        b.append("| # | case | what was done | lines in | parsed | blank | dead-lettered (stage) | incidents | application | ok |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            StringBuilder dl = new StringBuilder(String.valueOf(r.dead()));
            if (!r.deadLetters().isEmpty()) {
                dl.append(" (");
                new LinkedHashMap<>(r.deadLetters()).forEach((k, v) -> dl.append(dl.charAt(dl.length() - 1) == '(' ? "" : ", ")
                        .append(k).append(' ').append(v));
                dl.append(')');
            }
            b.append("| ").append(r.id()).append(" | ").append(r.cause()).append(" | ").append(r.done()).append(" | ")
                    .append(r.in()).append(" | ").append(r.parsed()).append(" | ").append(r.blank()).append(" | ").append(dl)
                    .append(" | ").append(r.incidents()).append(" | ").append(r.app()).append(" | ")
                    .append(r.ok() ? "yes" : "**no**").append(" |\n");
        }
        return b.toString();
    }
}
