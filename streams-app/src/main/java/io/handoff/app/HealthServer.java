package io.handoff.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /health} and {@code /metrics} of {@code handoff run}.
 *
 * <ul>
 *   <li>{@code GET /health}: 200 while Kafka Streams is RUNNING or REBALANCING (a rebalance is
 *       healthy), 503 otherwise; the body is {@code {"status":"UP"|"DOWN","state":"RUNNING"}}. Use it
 *       for liveness and readiness.</li>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4 ({@link PrometheusMetrics}).</li>
 *   <li>whatever is {@linkplain #mount mounted}: the incident console at {@code /}.</li>
 * </ul>
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    HealthServer(int port, Supplier<KafkaStreams.State> state, Supplier<String> metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        // a few threads: a slow console client must not hold up /health
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
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
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.start();
    }

    /** Serves {@code path} and everything below it that no other context claims. */
    void mount(String path, HttpHandler handler) {
        server.createContext(path, handler);
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

    @Override
    public void close() {
        server.stop(0);
    }
}
