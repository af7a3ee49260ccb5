package io.handoff.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.siem.JsonWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The console's HTTP side, mounted at {@code /} of {@code handoff run}'s port and of
 * {@code handoff demo --serve}. Every path is relative, so the console also works behind a proxy
 * that serves it under a prefix.
 *
 * <pre>
 *   GET /                          the page (HTML; its CSS and script from /assets/, nothing from elsewhere)
 *   GET /assets/console.css|js
 *   GET /api/incidents?host=&amp;fleet=&amp;root_cause=&amp;limit=   open and closed incidents that match, newest first
 *   GET /api/incidents/{id}        one incident in full (404 when unknown)
 *   GET /api/fleet                 fleet incidents and the heatmap's marks
 *   GET /api/status                {"caught_up":…,"incidents":…,"fleet_incidents":…,"version":…}
 * </pre>
 */
public final class ConsoleHttp implements HttpHandler {
    /** Closed incidents a list returns unless {@code limit} says otherwise. */
    static final int DEFAULT_LIMIT = 200;

    private final IncidentBoard board;
    private final BooleanSupplier caughtUp;

    public ConsoleHttp(IncidentBoard board, BooleanSupplier caughtUp) {
        this.board = board;
        this.caughtUp = caughtUp;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                respond(ex, 405, "text/plain; charset=utf-8", "expected GET or HEAD, got " + ex.getRequestMethod() + "\n");
                return;
            }
            route(ex, ex.getRequestURI().getRawPath(), query(ex.getRequestURI().getRawQuery()));
        } catch (IllegalArgumentException e) {
            respond(ex, 400, "application/json", "{\"error\":" + quote(e.getMessage()) + "}\n");
        }
    }

    private void route(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        switch (path) {
            case "/", "/index.html" -> respond(ex, 200, "text/html; charset=utf-8", ConsolePage.served());
            case "/assets/console.css" -> respond(ex, 200, "text/css; charset=utf-8", ConsolePage.asset("console.css"));
            case "/assets/console.js" -> respond(ex, 200, "text/javascript; charset=utf-8", ConsolePage.asset("console.js"));
            case "/api/incidents" -> respond(ex, 200, "application/json", incidents(q));
            case "/api/fleet" -> respond(ex, 200, "application/json",
                    ConsoleJson.fleetView(board.fleetIncidents(), board.incidents(IncidentBoard.Filter.ALL), board.version()));
            case "/api/status" -> respond(ex, 200, "application/json", status());
            default -> {
                if (path.startsWith("/api/incidents/")) {
                    String id = URLDecoder.decode(path.substring("/api/incidents/".length()), StandardCharsets.UTF_8);
                    Incident i = board.incident(id);
                    if (i == null) {
                        respond(ex, 404, "application/json", "{\"error\":" + quote("no incident '" + id + "' on this console") + "}\n");
                    } else {
                        respond(ex, 200, "application/json", ConsoleJson.incident(i));
                    }
                } else {
                    respond(ex, 404, "text/plain; charset=utf-8", "not found: " + path
                            + " (the console is at /, its API under /api/)\n");
                }
            }
        }
    }

    private String incidents(Map<String, String> q) {
        IncidentBoard.Filter f = IncidentBoard.Filter.of(q);
        int limit = DEFAULT_LIMIT;
        if (q.containsKey("limit")) {
            try {
                limit = Integer.parseInt(q.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit: expected a positive whole number, got '" + q.get("limit") + "'");
            }
        }
        List<Incident> open = f.status() == IncidentStatus.CLOSED ? List.of() : board.incidents(f.withStatus(IncidentStatus.OPEN));
        List<Incident> closed = f.status() == IncidentStatus.OPEN ? List.of() : board.incidents(f.withStatus(IncidentStatus.CLOSED));
        return ConsoleJson.incidents(open, closed.subList(0, Math.min(limit, closed.size())), board.facets(), closed.size(),
                board.version());
    }

    private String status() {
        List<Incident> all = board.incidents(IncidentBoard.Filter.ALL);
        long open = all.stream().filter(i -> i.getStatus() == IncidentStatus.OPEN).count();
        return "{\"caught_up\":" + caughtUp.getAsBoolean() + ",\"incidents\":" + all.size() + ",\"open\":" + open
                + ",\"fleet_incidents\":" + board.fleetIncidents().size() + ",\"version\":" + board.version() + "}\n";
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static String quote(String s) {
        return JsonWriter.object(g -> g.writeStringField("m", s)).replaceFirst("^\\{\"m\":", "").replaceFirst("}$", "");
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        // the page loads nothing from elsewhere, and says so to the browser
        ex.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'");
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
}
