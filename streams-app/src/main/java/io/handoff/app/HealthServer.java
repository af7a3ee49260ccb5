package io.handoff.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP endpoints of {@code handoff run}, one handler per path:
 *
 * <ul>
 *   <li>{@code GET /health}: {@link Health} — 200 UP or DEGRADED, 503 DOWN, with the state of Kafka Streams,
 *       of the broker and the registry, and the reasons, as JSON. Use it for readiness.</li>
 *   <li>{@code GET /health/live}: 200 while the process serves requests. Use it for liveness: an outage of
 *       the broker or the registry is not cured by restarting the application.</li>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4 ({@link PrometheusMetrics}).</li>
 *   <li>whatever is {@linkplain #mount mounted}: the incident console at {@code /}.</li>
 * </ul>
 * Bound to the address given ({@code --http-bind}: loopback unless a deployment says otherwise).
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    HealthServer(InetSocketAddress bind, Supplier<Health> health, Supplier<String> metrics) throws IOException {
        server = HttpServer.create(bind, 0);
        // a few threads: a slow console client must not hold up /health
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "handoff-http");
            t.setDaemon(true);
            return t;
        }));
        handle("/health", ex -> {
            Health h = health.get();
            respond(ex, h.httpStatus(), "application/json", h.json());
        });
        handle("/health/live", ex -> respond(ex, 200, "application/json", "{\"status\":\"ALIVE\"}\n"));
        handle("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.start();
    }

    /** Serves exactly {@code path} (the JDK server would also hand it every path below); 404 for the rest. */
    private void handle(String path, HttpHandler handler) {
        server.createContext(path, ex -> {
            if (!ex.getRequestURI().getPath().equals(path)) {
                respond(ex, 404, "text/plain; charset=utf-8", "no such path: " + ex.getRequestURI().getPath() + "\n");
                return;
            }
            handler.handle(ex);
        });
    }

    /** Serves {@code path} and everything below it that no other context claims. */
    void mount(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** The address it listens on (the port chosen when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
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
