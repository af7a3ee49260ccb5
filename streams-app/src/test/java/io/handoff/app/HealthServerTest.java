package io.handoff.app;

import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;
import io.handoff.topology.HandoffMetrics;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthServerTest {

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
    void healthFollowsTheStreamsStateAndMetricsArePrometheusText() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
        try (PrometheusMetrics prometheus = new PrometheusMetrics()) {
            HandoffMetrics m = prometheus.handoff();
            prometheus.bindGauges(state::get, () -> 2);
            m.increment("lines", "source", "nginx-access");
            m.increment("lines", "source", "nginx-access");
            m.increment("dead-letters", "source", "nginx-error", "stage", "parse");
            m.increment("incidents", "root_cause", "OOM_KILL");
            try (HealthServer s = new HealthServer(0, state::get, prometheus::scrape)) {
                HttpResponse<String> h = get(s.port(), "/health");
                assertEquals(503, h.statusCode());
                assertEquals("{\"status\":\"DOWN\",\"state\":\"CREATED\"}\n", h.body());
                state.set(KafkaStreams.State.REBALANCING);
                assertEquals(200, get(s.port(), "/health").statusCode());
                state.set(KafkaStreams.State.RUNNING);
                h = get(s.port(), "/health");
                assertEquals(200, h.statusCode());
                assertEquals("{\"status\":\"UP\",\"state\":\"RUNNING\"}\n", h.body());

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
                    assertEquals(0.0, samples.get("handoff_late_total{outcome=\"dead-letter\",source=\"" + Sources.name(k) + "\"}"));
                    assertTrue(samples.containsKey("handoff_lines_total{source=\"" + Sources.name(k) + "\"}"));
                }
                for (RootCause c : RootCause.values()) {
                    assertTrue(samples.containsKey("handoff_incidents_total{root_cause=\"" + c + "\"}"), c.name());
                    assertTrue(samples.containsKey("handoff_fleet_incidents_total{root_cause=\"" + c + "\"}"), c.name());
                }
                assertEquals(0.0, samples.get("handoff_dead_letters_total{source=\"events\",stage=\"deserialize\"}"));
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
}
