package io.handoff.app;

import io.handoff.topology.HandoffMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthServerTest {

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Metric metric(MetricName name, Object value) {
        return new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
    }

    @Test
    void healthFollowsTheStreamsStateAndMetricsArePrometheusText() throws Exception {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
        HandoffMetrics m = new HandoffMetrics();
        m.increment("lines", "source", "nginx-access");
        m.increment("lines", "source", "nginx-access");
        m.increment("dead-letters", "source", "nginx-error", "stage", "parse");
        m.increment("incidents", "root_cause", "OOM_KILL");
        MetricName lag = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "c-1", "topic", "handoff.events", "partition", "0"));
        MetricName nan = new MetricName("process-latency-avg", "stream-task-metrics", "", Map.of("task-id", "0_0"));
        try (HealthServer s = new HealthServer(0, state::get, m, () -> 2,
                () -> Map.of(lag, metric(lag, 7.0), nan, metric(nan, Double.NaN)))) {
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
            assertEquals(String.join("\n",
                    "# TYPE handoff_dead_letters_total counter",
                    "handoff_dead_letters_total{source=\"nginx-error\",stage=\"parse\"} 1",
                    "# TYPE handoff_incidents_total counter",
                    "handoff_incidents_total{root_cause=\"OOM_KILL\"} 1",
                    "# TYPE handoff_lines_total counter",
                    "handoff_lines_total{source=\"nginx-access\"} 2",
                    "# TYPE handoff_open_incidents gauge",
                    "handoff_open_incidents 2",
                    "# TYPE kafka_consumer_fetch_manager_metrics_records_lag gauge",
                    "kafka_consumer_fetch_manager_metrics_records_lag{client_id=\"c-1\",partition=\"0\",topic=\"handoff.events\"} 7",
                    ""), p.body(), "a NaN metric is left out; names are sanitised; counters sorted");
        }
    }
}
