package io.handoff.app;

import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.common.HandoffMetrics;
import io.handoff.config.ConfigException;
import io.handoff.config.Keys;
import io.handoff.topics.Sources;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthServerTest {
    private static final long T0 = 1_764_586_800_000L; // 2025-12-01T11:00:00Z
    private static final Duration AFTER = Duration.ofSeconds(30);

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code handoff_*} samples of an exposition: series → value. */
    static Map<String, Double> handoffSamples(String exposition) {
        Map<String, Double> m = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("handoff_")) {
                int space = line.lastIndexOf(' ');
                m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return m;
    }

    @Test
    void healthSaysWhatIsWrongAndForHowLong() {
        Reachability r = new Reachability();
        Health h = Health.of(KafkaStreams.State.CREATED, "the schema registry cannot be reached and the schema ids are not"
                + " cached yet (Connection refused)", r, AFTER, T0, 0, 0);
        assertEquals("DOWN", h.status());
        assertEquals(503, h.httpStatus());
        assertEquals("{\"status\":\"DOWN\",\"state\":\"STARTING\",\"broker\":{\"reachable\":true},\"registry\":{\"reachable\":true},"
                + "\"stream_thread_restarts\":0,\"reasons\":[\"starting: the schema registry cannot be reached and the schema ids"
                + " are not cached yet (Connection refused)\"]}\n", h.json());

        h = Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0, 0, 0);
        assertEquals("UP", h.status());
        assertEquals(200, h.httpStatus());

        r.unreachable(Reachability.Dependency.REGISTRY, T0, "Schema Registry http://r:8081: cannot connect");
        assertEquals("UP", Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 29_000, 0, 0).status(),
                "a blip shorter than handoff.unreachable-after is no news");
        h = Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 45_000, 0, 0);
        assertEquals("DEGRADED", h.status());
        assertEquals(200, h.httpStatus(), "the application goes on with its cached ids");
        assertTrue(h.json().contains("\"registry\":{\"reachable\":false,\"since\":\"2025-12-01T11:00:00Z\",\"for_seconds\":45,"
                + "\"error\":\"Schema Registry http://r:8081: cannot connect\"}"), h.json());

        r.unreachable(Reachability.Dependency.BROKER, T0 + 10_000, "org.apache.kafka.common.errors.TimeoutException: x");
        r.unreachable(Reachability.Dependency.BROKER, T0 + 20_000, "org.apache.kafka.common.errors.TimeoutException: y");
        h = Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 39_000, 0, 0);
        assertEquals("DEGRADED", h.status(), "the broker away for 29 s since its first failure at +10 s: not yet");
        h = Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 41_000, 0, 0);
        assertEquals("DOWN", h.status(), "the broker unreachable for 31 s");
        assertTrue(h.json().contains("\"broker\":{\"reachable\":false,\"since\":\"2025-12-01T11:00:10Z\",\"for_seconds\":31,"
                + "\"error\":\"org.apache.kafka.common.errors.TimeoutException: y\"}"), h.json());
        assertTrue(h.json().contains("the broker has been unreachable since 2025-12-01T11:00:10Z"), h.json());

        r.reachable(Reachability.Dependency.BROKER, T0 + 50_000);
        r.reachable(Reachability.Dependency.REGISTRY, T0 + 50_000);
        assertEquals("UP", Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 51_000, 0, 0).status());
        h = Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 51_000, 2, T0 + 50_000);
        assertEquals("DEGRADED", h.status());
        assertTrue(h.json().contains("\"stream_thread_restarts\":2"), h.json());
        assertEquals("UP", Health.of(KafkaStreams.State.RUNNING, null, r, AFTER, T0 + 50_000 + 11 * 60_000, 2, T0 + 50_000).status());
        assertEquals("DOWN", Health.of(KafkaStreams.State.PENDING_SHUTDOWN, null, r, AFTER, T0, 0, 0).status());
        assertEquals("UP", Health.of(KafkaStreams.State.REBALANCING, null, r, AFTER, T0, 0, 0).status());
    }

    @Test
    void endpointsOnTheGivenAddressOneHandlerPerPathAndMetricsArePrometheusText() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
        AtomicReference<Health> health = new AtomicReference<>(Health.of(KafkaStreams.State.CREATED, "looking for the topics",
                new Reachability(), AFTER, T0, 0, 0));
        try (PrometheusMetrics prometheus = new PrometheusMetrics()) {
            HandoffMetrics m = prometheus.handoff();
            prometheus.bindGauges(state::get, () -> 2);
            m.increment("lines", "source", "nginx-access");
            m.increment("lines", "source", "nginx-access");
            m.increment("dead-letters", "source", "nginx-error", "stage", "parse");
            m.increment("incidents", "root_cause", "OOM_KILL");
            try (HealthServer s = new HealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), health::get,
                    prometheus::scrape)) {
                assertEquals("127.0.0.1", s.address().getAddress().getHostAddress());
                HttpResponse<String> h = get(s.port(), "/health");
                assertEquals(503, h.statusCode());
                assertTrue(h.body().startsWith("{\"status\":\"DOWN\",\"state\":\"STARTING\""), h.body());
                state.set(KafkaStreams.State.RUNNING);
                health.set(Health.of(KafkaStreams.State.RUNNING, null, new Reachability(), AFTER, T0, 0, 0));
                h = get(s.port(), "/health");
                assertEquals(200, h.statusCode());
                assertEquals("application/json", h.headers().firstValue("Content-Type").orElse(""));
                assertEquals("{\"status\":\"ALIVE\"}\n", get(s.port(), "/health/live").body());
                assertEquals(404, get(s.port(), "/health/other").statusCode());
                assertEquals(404, get(s.port(), "/metrics/x").statusCode());

                HttpResponse<String> p = get(s.port(), "/metrics");
                assertEquals(200, p.statusCode());
                assertTrue(p.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
                Map<String, Double> samples = handoffSamples(p.body());
                assertEquals(2.0, samples.get("handoff_lines_total{source=\"nginx-access\"}"));
                assertEquals(1.0, samples.get("handoff_dead_letters_total{source=\"nginx-error\",stage=\"parse\"}"));
                assertEquals(1.0, samples.get("handoff_incidents_total{root_cause=\"OOM_KILL\"}"));
                assertEquals(2.0, samples.get("handoff_open_incidents"));
                assertEquals(1.0, samples.get("handoff_streams_running"));
                assertTrue(p.body().contains("# TYPE handoff_lines_total counter"), p.body());
                assertTrue(p.body().contains("# HELP handoff_lines_total Log lines parsed, by source."), p.body());
                assertTrue(p.body().contains("# TYPE handoff_open_incidents gauge"), p.body());
                assertTrue(p.body().contains("jvm_memory_used_bytes"), "JVM metrics are bound");

                // every other handoff series is there at 0 from the start, and nothing else is
                List<String> moved = List.of("handoff_lines_total{source=\"nginx-access\"}",
                        "handoff_dead_letters_total{source=\"nginx-error\",stage=\"parse\"}",
                        "handoff_incidents_total{root_cause=\"OOM_KILL\"}", "handoff_open_incidents",
                        "handoff_streams_running");
                List<String> unexpected = new ArrayList<>();
                samples.forEach((series, v) -> {
                    if (!moved.contains(series) && v != 0.0) {
                        unexpected.add(series + " " + v);
                    }
                });
                assertEquals(List.of(), unexpected);
                for (SourceKind k : SourceKind.values()) {
                    String src = Sources.name(k);
                    assertEquals(0.0, samples.get("handoff_late_total{outcome=\"dead-letter\",source=\"" + src + "\"}"));
                    assertTrue(samples.containsKey("handoff_lines_total{source=\"" + src + "\"}"));
                    assertEquals(0.0, samples.get("handoff_truncated_total{source=\"" + src + "\"}"));
                    for (String stage : List.of("envelope", "size", "time", "process")) {
                        assertEquals(0.0, samples.get("handoff_dead_letters_total{source=\"" + src + "\",stage=\"" + stage + "\"}"),
                                src + " " + stage);
                    }
                }
                for (RootCause c : RootCause.values()) {
                    assertTrue(samples.containsKey("handoff_incidents_total{root_cause=\"" + c + "\"}"), c.name());
                    assertTrue(samples.containsKey("handoff_fleet_incidents_total{root_cause=\"" + c + "\"}"), c.name());
                }
                assertEquals(0.0, samples.get("handoff_dead_letters_total{source=\"correlate-input\",stage=\"deserialize\"}"));
                assertEquals(0.0, samples.get("handoff_dead_letters_total{source=\"incidents\",stage=\"produce\"}"));
                assertEquals(0.0, samples.get("handoff_truncated_total{source=\"incidents\"}"));
                assertEquals(0.0, samples.get("handoff_stream_thread_restarts_total"));
                assertEquals(0.0, samples.get("handoff_warnings_below_threshold_total"));
            }
        }
    }

    @Test
    void snapshotListsOnlyTheCountersThatMoved() {
        HandoffMetrics m = new HandoffMetrics();
        assertEquals(Map.of(), m.snapshot());
        m.increment("late", "source", "kern", "outcome", "absorbed");
        m.increment("something-new", "k", "v");
        assertEquals(Map.of("late{source=kern,outcome=absorbed}", 1L, "something-new{k=v}", 1L), m.snapshot());
        assertEquals(1, m.total("late"));
        assertEquals(0, m.get("lines", "source", "kern"));
    }

    @Test
    void httpBindTakesAnAddressAndSaysWhatItExpected() {
        assertEquals("127.0.0.1", Keys.HTTP_BIND.read("127.0.0.1").getHostAddress());
        assertEquals("0.0.0.0", Keys.HTTP_BIND.read("0.0.0.0").getHostAddress());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("run", "--http-bind", "every-interface"), new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertEquals("handoff run: --http-bind expects an IP address such as 127.0.0.1, 0.0.0.0 or ::, got 'every-interface'\n"
                + "(see 'handoff run --help')\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(8080, Keys.HTTP_PORT.read("8080"));
        assertThrows(ConfigException.class, () -> Keys.HTTP_PORT.read("80800"));
    }
}
