package io.handoff.alert;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts alerts to one or more Alertmanagers ({@code POST /api/v2/alerts}, the API Prometheus uses).
 * With several URLs (an Alertmanager cluster), every alert goes to each of them, as Prometheus does;
 * the cluster deduplicates.
 */
public final class AlertmanagerClient {
    private final List<URI> endpoints;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param urls comma-separated base URLs, e.g. {@code http://alertmanager:9093} or
     *             {@code http://monitoring/alertmanager/}
     */
    public AlertmanagerClient(String urls) {
        List<URI> list = new ArrayList<>();
        for (String u : urls.split(",")) {
            String t = u.trim();
            if (t.isEmpty()) {
                continue;
            }
            URI base;
            try {
                base = URI.create(t.endsWith("/") ? t : t + "/");
            } catch (IllegalArgumentException e) {
                base = null;
            }
            if (base == null || base.getHost() == null
                    || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))) {
                throw new IllegalArgumentException("Alertmanager URL: expected http(s)://host:port[/path], got '" + t + "'");
            }
            list.add(base.resolve("api/v2/alerts"));
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("Alertmanager URL: expected http(s)://host:port[/path], got '" + urls + "'");
        }
        endpoints = List.copyOf(list);
    }

    public List<URI> endpoints() {
        return endpoints;
    }

    /**
     * Posts a JSON array of alerts to every Alertmanager.
     *
     * @throws IOException naming the Alertmanager and what it answered, when any of them refused or failed
     */
    public void post(String alertsJson) throws IOException {
        IOException failed = null;
        for (URI endpoint : endpoints) {
            HttpRequest req = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(alertsJson, StandardCharsets.UTF_8)).build();
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 2) {
                    throw new IOException("Alertmanager " + endpoint + " answered " + r.statusCode() + ": " + r.body().strip());
                }
            } catch (IOException e) {
                failed = failed == null ? e : failed;
                if (failed != e) {
                    failed.addSuppressed(e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while posting to " + endpoint, e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
