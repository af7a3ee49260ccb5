package io.handoff.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.handoff.topology.HandoffMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code /health} and {@code /metrics} of {@code handoff run}.
 *
 * <ul>
 *   <li>{@code GET /health}: 200 while Kafka Streams is RUNNING or REBALANCING (a rebalance is
 *       healthy), 503 otherwise; the body is {@code {"status":"UP"|"DOWN","state":"RUNNING"}}. Use it
 *       for liveness and readiness.</li>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4: handoff's counters
 *       ({@code handoff_lines_total{source}}, {@code handoff_dead_letters_total{source,stage}},
 *       {@code handoff_late_total{source,outcome}}, {@code handoff_incidents_total{root_cause}},
 *       {@code handoff_warnings_total{kind}}), the gauge {@code handoff_open_incidents}, and every
 *       numeric Kafka Streams / client metric as {@code kafka_<group>_<name>{tags}}.</li>
 * </ul>
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    HealthServer(int port, Supplier<KafkaStreams.State> state, HandoffMetrics metrics, LongSupplier openIncidents,
                 Supplier<Map<MetricName, ? extends Metric>> streamsMetrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "handoff-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", ex -> {
            KafkaStreams.State s = state.get();
            boolean up = s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
            respond(ex, up ? 200 : 503, "application/json",
                    "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + s + "\"}\n");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                prometheus(metrics, openIncidents.getAsLong(), streamsMetrics.get())));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }

    /** handoff's counter names → Prometheus names. */
    private static final Map<String, String> COUNTERS = Map.of(
            "lines", "handoff_lines_total",
            "dead-letters", "handoff_dead_letters_total",
            "late", "handoff_late_total",
            "incidents", "handoff_incidents_total",
            "warnings", "handoff_warnings_total",
            "blank-lines", "handoff_blank_lines_total",
            "warnings-below-threshold", "handoff_warnings_below_threshold_total");

    static String prometheus(HandoffMetrics metrics, long openIncidents, Map<MetricName, ? extends Metric> streams) {
        StringBuilder b = new StringBuilder(8192);
        Map<String, StringBuilder> families = new TreeMap<>();
        metrics.snapshot().forEach((key, value) -> {
            int brace = key.indexOf('{');
            String name = brace < 0 ? key : key.substring(0, brace);
            String prom = COUNTERS.getOrDefault(name, "handoff_" + sanitize(name) + "_total");
            StringBuilder f = families.computeIfAbsent(prom, k -> new StringBuilder());
            f.append(prom);
            if (brace >= 0) {
                f.append('{');
                String[] tags = key.substring(brace + 1, key.length() - 1).split(",");
                for (int i = 0; i < tags.length; i++) {
                    int eq = tags[i].indexOf('=');
                    f.append(i > 0 ? "," : "").append(sanitize(tags[i].substring(0, eq))).append("=\"")
                            .append(escape(tags[i].substring(eq + 1))).append('"');
                }
                f.append('}');
            }
            f.append(' ').append(value).append('\n');
        });
        families.forEach((name, lines) -> b.append("# TYPE ").append(name).append(" counter\n").append(lines));
        b.append("# TYPE handoff_open_incidents gauge\nhandoff_open_incidents ").append(Math.max(0, openIncidents)).append('\n');
        Map<String, StringBuilder> kafka = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streams.entrySet()) {
            Object v = e.getValue().metricValue();
            if (!(v instanceof Number n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
                continue;
            }
            MetricName m = e.getKey();
            String name = "kafka_" + sanitize(m.group()) + "_" + sanitize(m.name());
            StringBuilder f = kafka.computeIfAbsent(name, k -> new StringBuilder());
            f.append(name);
            if (!m.tags().isEmpty()) {
                f.append('{');
                boolean first = true;
                for (Map.Entry<String, String> t : new TreeMap<>(m.tags()).entrySet()) {
                    f.append(first ? "" : ",").append(sanitize(t.getKey())).append("=\"").append(escape(t.getValue())).append('"');
                    first = false;
                }
                f.append('}');
            }
            f.append(' ').append(format(n.doubleValue())).append('\n');
        }
        kafka.forEach((name, lines) -> b.append("# TYPE ").append(name).append(" gauge\n").append(lines));
        return b.toString();
    }

    private static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isLetterOrDigit(c) && c < 128 ? Character.toLowerCase(c) : '_');
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
