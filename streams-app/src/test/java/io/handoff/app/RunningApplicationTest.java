package io.handoff.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.alert.Alertmanager;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.console.Browser;
import io.handoff.console.TestIncidents;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.ship.ReplaySource;
import io.handoff.ship.Shipper;
import io.handoff.topics.TopicNames;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.opentest4j.TestAbortedException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handoff run} on a real broker, as an operator runs it: real captures (web-07's OOM kill,
 * web-09's socket permissions) shipped through the topology, provisional records on the
 * incident-updates topic, and then what a person and their tools see: the console in Chromium, the
 * alerts in a real Alertmanager, the metrics scraped by a real Prometheus. Each part skips when its
 * program is not installed.
 */
@KafkaBroker.Use
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunningApplicationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "console-it-" + UUID.randomUUID().toString().substring(0, 8);
    static final TopicNames TOPICS = new TopicNames(PREFIX);
    static final String REGISTRY = "mock://" + PREFIX;

    static Path dir;
    static Alertmanager alertmanager;
    static Thread app;
    static int port;
    static final AtomicInteger exit = new AtomicInteger(-1);
    static final ByteArrayOutputStream appErr = new ByteArrayOutputStream();
    static final ByteArrayOutputStream appOut = new ByteArrayOutputStream();

    @BeforeAll
    static void startTheApplication(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        dir = Files.createTempDirectory("handoff-running-");
        try {
            alertmanager = Alertmanager.start();
        } catch (TestAbortedException e) {
            alertmanager = null; // the alert test skips; the rest runs
        }
        port = Alertmanager.freePort();
        KafkaBroker.createTopics(Map.of(TOPICS.incidentUpdates(), 1));
        Path config = dir.resolve("handoff.properties");
        Files.writeString(config, String.join("\n",
                "handoff.topic-prefix=" + PREFIX,
                "handoff.idle-close=2s",
                "handoff.max-event-age=0", // the captures are of a fixed day, which ages
                "handoff.console.url=http://127.0.0.1:" + port + "/",
                "state.dir=" + dir.resolve("state"),
                ""));
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", bootstrap, "--schema-registry-url", REGISTRY,
                "--config", config.toString(), "--application-id", PREFIX, "--create-topics", "--partitions", "1",
                "--http-port", String.valueOf(port)));
        if (alertmanager != null) {
            args.addAll(List.of("--alertmanager-url", alertmanager.url()));
        }
        app = new Thread(() -> exit.set(Main.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(appOut, true, StandardCharsets.UTF_8),
                new PrintStream(appErr, true, StandardCharsets.UTF_8))), "handoff-run-under-test");
        app.start();
        await("the application is RUNNING", () -> status("/health") == 200);

        // two real captures through shipper, broker and topology
        Path hosts = dir.resolve("hosts");
        for (String h : List.of("web-07", "web-09")) {
            copy(Path.of("..", "samples", "fleet", h), hosts.resolve(h));
        }
        try (Shipper shipper = Shipper.create(bootstrap, TOPICS)) {
            shipper.ship(ReplaySource.open(hosts), p -> { });
        }
        // provisional (open) records come first; wait for both final ones
        await("both captured incidents reach the console, closed", () -> api("/api/incidents").get("closed").size() >= 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.interrupt(); // handoff run closes Kafka Streams, the console and the HTTP server
            app.join(60_000);
        }
        if (alertmanager != null) {
            alertmanager.close();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    static int status(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static JsonNode api(String path) throws Exception {
        return JSON.readTree(get(path));
    }

    /** Polls a condition, bounded; fails with what the application printed. */
    static void await(String what, BooleanSupplierX condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            boolean ok;
            try {
                ok = condition.get();
            } catch (Exception e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() > deadline || exit.get() >= 0) {
                throw new AssertionError("timed out waiting until " + what + "; handoff run said:\n" + appErr.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(200); // polling the application's HTTP API, bounded by the deadline
        }
    }

    interface BooleanSupplierX {
        boolean get() throws Exception;
    }

    static void produce(String topic, String key, SpecificRecord value) {
        Class<? extends SpecificRecord> type = value.getClass();
        try (SpecificAvroSerde<SpecificRecord> serde = new SpecificAvroSerde<>();
             KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            serde.configure(Map.of("schema.registry.url", REGISTRY), false);
            p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), serde.serializer().serialize(topic, value))).get();
        } catch (Exception e) {
            throw new IllegalStateException("producing a " + type.getSimpleName() + " to " + topic, e);
        }
    }

    @Test
    @Order(1)
    void theApiServesTheCapturedIncidentsAndNothingLeavesForTheInternet() throws Exception {
        JsonNode list = api("/api/incidents");
        List<String> closed = new ArrayList<>();
        list.get("closed").forEach(i -> closed.add(i.get("host").asText() + " " + i.get("root_cause").asText()));
        assertEquals(List.of("web-09 SOCKET_PERMISSION_DENIED", "web-07 OOM_KILL"), closed, "newest first");
        assertEquals(0, list.get("open").size());
        JsonNode oom = api("/api/incidents/" + URLEncoder.encode(list.get("closed").get(1).get("id").asText(), StandardCharsets.UTF_8));
        assertEquals("OOM_KILL", oom.get("root_cause").asText());
        assertTrue(oom.get("evidence").size() > 0);
        assertEquals(1, api("/api/incidents?root_cause=OOM_KILL").get("closed").size());
        assertEquals(404, status("/api/incidents/nope"));
        assertEquals(400, status("/api/incidents?limit=x"));
        String page = get("/") + get("/assets/console.js") + get("/assets/console.css");
        assertFalse(page.replace("http://www.w3.org/2000/svg", "").matches("(?s).*https?://.*"), "no address outside the console");
    }

    @Test
    @Order(2)
    void stdoutTellsEachIncidentAsItOpensAndAsItCloses() throws Exception {
        JsonNode closed = api("/api/incidents").get("closed");
        await("the incident log has both closed lines", () -> appOut.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("closed  ")).count() >= 2);
        List<String> lines = appOut.toString(StandardCharsets.UTF_8).lines().toList();
        for (JsonNode i : closed) {
            String id = i.get("id").asText();
            List<String> mine = lines.stream().filter(l -> l.endsWith("  id " + id)).toList();
            assertTrue(mine.size() >= 2, () -> id + ": " + lines);
            assertTrue(mine.get(0).startsWith("open    " + i.get("host").asText() + "  "), mine::toString);
            assertTrue(mine.get(0).contains("  since "), mine::toString);
            String last = mine.get(mine.size() - 1);
            assertTrue(last.startsWith("closed  " + i.get("host").asText() + "  " + i.get("root_cause").asText() + "  "), mine::toString);
            assertTrue(last.contains(" requests  chain: "), last);
            assertEquals(1, mine.stream().filter(l -> l.startsWith("open    ")).count(), mine::toString);
            assertEquals(1, mine.stream().filter(l -> l.startsWith("closed  ")).count(), mine::toString);
            assertTrue(mine.subList(1, mine.size() - 1).stream().allMatch(l -> l.startsWith("update  ")), mine::toString);
        }
        assertEquals(List.of(), lines.stream().filter(l -> !l.matches("(open|update|closed) {2,}\\S+ {2}[A-Z_]+ {2}.* {2}id \\S+")).toList(),
                "nothing else on stdout");
    }

    @Test
    @Order(3)
    void theConsoleInChromiumShowsOpenAndClosedIncidentsFiltersAndAnIncidentsPage() throws Exception {
        String id = "web-07@" + PREFIX + "-open";
        produce(TOPICS.incidentUpdates(), id, TestIncidents.oom(id, IncidentStatus.OPEN, 0, RootCause.OOM_KILL));
        await("the open incident reaches the console", () -> api("/api/status").get("open").asInt() == 1);
        try (Browser b = Browser.start()) {
            b.open("http://127.0.0.1:" + port + "/");
            b.await("the open incidents table", d -> !b.all("open-incidents").isEmpty());
            List<WebElement> open = b.find("open-incidents").findElements(By.cssSelector("[data-testid='incident-row']"));
            assertEquals(1, open.size());
            assertEquals(id, open.get(0).getAttribute("data-id"));
            List<WebElement> closed = b.find("closed-incidents").findElements(By.cssSelector("[data-testid='incident-row']"));
            assertEquals(2, closed.size());
            assertTrue(closed.get(0).getText().contains("SOCKET_PERMISSION_DENIED"), closed.get(0).getText());
            assertTrue(b.find("source").getText().startsWith("live"), b.find("source").getText());
            b.screenshot("console-incidents");

            new Select(b.find("filter-root_cause")).selectByVisibleText("SOCKET_PERMISSION_DENIED");
            b.await("the filtered list", d -> d.getCurrentUrl().contains("root_cause=SOCKET_PERMISSION_DENIED")
                    && b.all("no-open").size() == 1 && b.all("incident-row").size() == 1);
            assertTrue(b.all("incident-row").get(0).getText().contains("web-09"));

            b.find("clear-filters").click();
            b.await("all incidents again", d -> b.all("incident-row").size() == 3);
            b.find("open-incidents").findElement(By.cssSelector("[data-testid='incident-link']")).click();
            b.await("the incident page", d -> !b.all("incident-title").isEmpty());
            assertEquals("OOM_KILL on web-07 OPEN", b.find("incident-title").getText());
            List<WebElement> steps = b.all("chain-step");
            assertEquals(3, steps.size());
            assertTrue(steps.get(0).getText().contains("kernel OOM killer killed php-fpm child 4569"), steps.get(0).getText());
            assertTrue(steps.get(0).getText().contains("invoked oom-killer"), "the step's evidence line");
            assertEquals(3, b.all("evidence-row").size());
            assertTrue(b.all("evidence-row").get(0).getText().contains("kern"), "source of the line");
            assertEquals("95%", b.find("confidence").getText());
            assertEquals("2×502 of 26 requests", b.find("counts").getText());
            assertTrue(b.find("remedy").getText().startsWith("Do not raise pm.max_children"));
            b.screenshot("console-incident");

            produce(TOPICS.incidentUpdates(), id, TestIncidents.oom(id, IncidentStatus.CLOSED, 1, RootCause.OOM_KILL));
            b.await("the page follows the incident to CLOSED", d -> b.find("incident-title").getText().endsWith("CLOSED"));
        }
    }

    @Test
    @Order(4)
    void alertsForAnIncidentOfTheFeedReachAlertmanagerAndResolve() throws Exception {
        Assumptions.assumeTrue(alertmanager != null, "no Alertmanager: apt-get install prometheus-alertmanager");
        String id = "web-07@" + PREFIX + "-alert";
        produce(TOPICS.incidentUpdates(), id, TestIncidents.oom(id, IncidentStatus.OPEN, 0, RootCause.WORKER_CRASH));
        List<JsonNode> firing = alertmanager.awaitAlerts(l -> l.size() == 1, "incident_id=\"" + id + "\"");
        assertEquals(1, firing.size(), appErr.toString(StandardCharsets.UTF_8));
        assertEquals("WORKER_CRASH", firing.get(0).at("/labels/root_cause").asText());
        assertEquals("http://127.0.0.1:" + port + "/#/incident/" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                firing.get(0).at("/annotations/console").asText());
        produce(TOPICS.incidentUpdates(), id, TestIncidents.oom(id, IncidentStatus.OPEN, 1, RootCause.OOM_KILL));
        assertEquals("OOM_KILL", alertmanager.awaitAlerts(l -> l.size() == 1 && l.get(0).at("/labels/root_cause").asText().equals("OOM_KILL"),
                "incident_id=\"" + id + "\"").get(0).at("/labels/root_cause").asText());
        produce(TOPICS.incidentUpdates(), id, TestIncidents.oom(id, IncidentStatus.CLOSED, 2, RootCause.OOM_KILL));
        assertEquals(List.of(), alertmanager.awaitAlerts(List::isEmpty, "incident_id=\"" + id + "\""));

        String fleet = "eu-" + PREFIX;
        Incident member = TestIncidents.backlog("fra-web-01", fleet, Instant.parse("2026-11-19T23:59:58Z"), IncidentStatus.CLOSED);
        FleetIncident f = TestIncidents.fleet(fleet, List.of(member), 24);
        produce(TOPICS.fleetIncidents(), fleet + "|" + f.getRootCause(), f);
        assertEquals(1, alertmanager.awaitAlerts(l -> l.size() == 1, "alertname=\"HandoffFleetIncident\"", "fleet=\"" + fleet + "\"").size());
    }

    @Test
    @Order(5)
    void aRealPrometheusScrapesTheApplicationAndEvaluatesTheRules() throws Exception {
        Path prometheus = Path.of("/usr/bin/prometheus");
        Assumptions.assumeTrue(Files.isExecutable(prometheus), "no Prometheus: apt-get install prometheus");
        int promPort = Alertmanager.freePort();
        Path pdir = dir.resolve("prometheus");
        Files.createDirectories(pdir);
        Files.writeString(pdir.resolve("prometheus.yml"), String.join("\n",
                "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                "rule_files: ['" + Path.of("..", "deploy", "prometheus", "handoff-rules.yml").toAbsolutePath() + "']",
                "scrape_configs:",
                "  - job_name: handoff",
                "    static_configs: [{targets: ['127.0.0.1:" + port + "']}]",
                ""));
        Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + pdir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + pdir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(pdir.resolve("prometheus.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            Function<String, JsonNode> query = q -> {
                try {
                    return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query="
                            + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body())
                            .at("/data/result");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            await("Prometheus has scraped handoff", () -> query.apply("up{job=\"handoff\"} == 1").size() == 1);
            assertTrue(query.apply("handoff_lines_total{job=\"handoff\",source=\"nginx-error\"} > 0").size() == 1);
            assertEquals(RootCause.values().length, query.apply("handoff_incidents_total{job=\"handoff\"}").size(),
                    "every root cause's counter is there from the start");
            assertEquals(1, query.apply("handoff_incidents_total{job=\"handoff\",root_cause=\"OOM_KILL\"} == 1").size());
            assertEquals(1, query.apply("handoff_streams_running{job=\"handoff\"} == 1").size());
            assertFalse(query.apply("kafka_consumer_fetch_manager_records_lag_max{job=\"handoff\"}").isEmpty(),
                    "the consumer-lag series the HandoffConsumerLag rule reads");
            await("the rules are loaded and evaluated", () -> {
                JsonNode groups = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                        + "/api/v1/rules")).build(), HttpResponse.BodyHandlers.ofString()).body()).at("/data/groups");
                int ok = 0;
                for (JsonNode g : groups) {
                    for (JsonNode r : g.get("rules")) {
                        ok += "ok".equals(r.path("health").asText()) ? 1 : 0;
                    }
                }
                return ok == 6;
            });
            assertEquals(0, query.apply("ALERTS{alertname=~\"Handoff.*\",alertstate=\"firing\"}").size(), "a healthy application fires nothing");
        } finally {
            p.destroy();
            p.waitFor();
        }
    }
}
