package io.handoff.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.handoff.avro.CausalStep;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.console.ConsoleJson;
import io.handoff.console.IncidentFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Turns the incident feed into Alertmanager alerts.
 *
 * <ul>
 *   <li>An incident that opens (status OPEN on the incident-updates topic) is posted as a firing alert:
 *       labels {@code alertname=HandoffIncident}, {@code root_cause}, {@code host}, {@code fleet}
 *       ({@code default} for hosts without one), {@code severity=warning}, {@code incident_id};
 *       annotations {@code summary}, {@code remedy}, {@code chain}, {@code culprit}, {@code console} (a link
 *       to the incident's page), and the same link as {@code generatorURL}.</li>
 *   <li>Each update is posted again; when the verdict changes (another root cause) the alert with the old
 *       labels is resolved and one with the new labels fires.</li>
 *   <li>When the incident closes its alert is resolved ({@code endsAt} now).</li>
 *   <li>A fleet incident is one alert {@code alertname=HandoffFleetIncident}, {@code severity=critical},
 *       with {@code fleet} and {@code root_cause}; it fires for {@link #FLEET_HOLD}. Routed with
 *       {@code group_by: [fleet]} its hosts' alerts arrive in the same notification, and the inhibit rule
 *       in {@code deploy/prometheus/alertmanager.yml} mutes them while it fires.</li>
 * </ul>
 *
 * Firing alerts are posted again every {@link #RESEND} with {@code endsAt} {@link #HOLD} ahead, as
 * Prometheus does: if every instance stops, Alertmanager resolves them by itself. Every instance posts
 * (each reads the whole feed); Alertmanager merges alerts with the same labels, so that is harmless.
 * While the feed reads the topics' history, nothing is posted; once it has caught up the incidents that
 * are still open fire. Posting happens on a thread of its own: a slow Alertmanager never holds up the
 * feed, and a failed post is logged, counted and made good by the next resend.
 */
public final class IncidentAlerts implements IncidentFeed.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentAlerts.class);
    private static final JsonFactory JSON = new JsonFactory();

    static final Duration HOLD = Duration.ofMinutes(5);
    static final Duration RESEND = Duration.ofMinutes(1);
    /** A fleet incident arrives when its window has closed; its alert fires this long. */
    static final Duration FLEET_HOLD = Duration.ofMinutes(30);

    private final AlertmanagerClient client;
    private final String consoleUrl;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    /** Firing alerts by incident id (fleet incidents: "fleet:" + id); touched on the executor only. */
    private final Map<String, Firing> firing = new LinkedHashMap<>();
    /** Incidents open at the end of the history, posted once the feed has caught up. */
    private final Map<String, Incident> openInHistory = new LinkedHashMap<>();
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    record Alert(Map<String, String> labels, Map<String, String> annotations, Instant startsAt, String generatorUrl) {}

    private record Firing(Alert alert, Instant expires) {}

    /**
     * @param consoleUrl base URL of the console for the links, e.g. {@code http://handoff.internal:8080/}
     */
    public IncidentAlerts(AlertmanagerClient client, String consoleUrl) {
        this(client, consoleUrl, Clock.systemUTC(), RESEND);
    }

    IncidentAlerts(AlertmanagerClient client, String consoleUrl, Clock clock, Duration resend) {
        this.client = client;
        this.consoleUrl = consoleUrl.endsWith("/") ? consoleUrl : consoleUrl + "/";
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "handoff-alerts");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleAtFixedRate(this::resend, resend.toMillis(), resend.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Alerts posted (one per alert in a successful request to every Alertmanager). */
    public long posted() {
        return posted.get();
    }

    /** Requests that failed. */
    public long failed() {
        return failed.get();
    }

    @Override
    public void incident(Incident incident, boolean live) {
        executor.execute(() -> {
            if (!live) {
                if (incident.getStatus() == IncidentStatus.OPEN) {
                    openInHistory.put(incident.getId(), incident);
                } else {
                    openInHistory.remove(incident.getId());
                }
                return;
            }
            post(update(incident));
        });
    }

    @Override
    public void caughtUp() {
        executor.execute(() -> {
            List<String> batch = new ArrayList<>();
            for (Incident i : openInHistory.values()) {
                batch.addAll(update(i));
            }
            openInHistory.clear();
            post(batch);
        });
    }

    @Override
    public void fleetIncident(FleetIncident fleet, boolean live) {
        if (!live) {
            return;
        }
        executor.execute(() -> {
            Instant now = clock.instant();
            Alert a = fleetAlert(fleet, now);
            Instant expires = now.plus(FLEET_HOLD);
            firing.put("fleet:" + fleet.getId(), new Firing(a, expires));
            post(List.of(json(a, until(now, expires))));
        });
    }

    /** The alerts to post for one incident record, updating what is firing. */
    private List<String> update(Incident i) {
        Instant now = clock.instant();
        Alert next = hostAlert(i, now);
        Firing prev = firing.get(i.getId());
        List<String> batch = new ArrayList<>();
        if (prev != null && !prev.alert().labels().equals(next.labels())) {
            batch.add(json(prev.alert(), now)); // the old verdict is over
        }
        if (i.getStatus() == IncidentStatus.OPEN) {
            firing.put(i.getId(), new Firing(next, null));
            batch.add(json(next, now.plus(HOLD)));
        } else {
            firing.remove(i.getId());
            batch.add(json(next, now));
        }
        return batch;
    }

    private void resend() {
        Instant now = clock.instant();
        List<String> batch = new ArrayList<>();
        firing.values().removeIf(f -> f.expires() != null && !f.expires().isAfter(now));
        for (Firing f : firing.values()) {
            batch.add(json(f.alert(), until(now, f.expires())));
        }
        post(batch);
    }

    private static Instant until(Instant now, Instant expires) {
        Instant hold = now.plus(HOLD);
        return expires != null && expires.isBefore(hold) ? expires : hold;
    }

    private void post(List<String> alerts) {
        if (alerts.isEmpty()) {
            return;
        }
        try {
            client.post("[" + String.join(",", alerts) + "]");
            posted.addAndGet(alerts.size());
        } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            LOG.warn("posting {} alert(s) failed (the next resend tries again): {}", alerts.size(), e.getMessage());
        }
    }

    Alert hostAlert(Incident i, Instant now) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("alertname", "HandoffIncident");
        labels.put("root_cause", i.getRootCause().name());
        labels.put("host", i.getHost());
        labels.put("fleet", fleetName(i.getFleet()));
        labels.put("severity", "warning");
        labels.put("incident_id", i.getId());
        String link = consoleUrl + "#/incident/" + URLEncoder.encode(i.getId(), StandardCharsets.UTF_8);
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put("summary", i.getSummary().isEmpty() ? i.getHost() + ": " + i.getRootCause() : i.getSummary());
        ann.put("remedy", i.getRemediation());
        ann.put("chain", chain(i));
        String culprit = ConsoleJson.culpritText(i.getCulprit());
        if (!culprit.isEmpty()) {
            ann.put("culprit", culprit);
        }
        ann.put("status", i.getStatus().name() + (i.getStatus() == IncidentStatus.OPEN ? " (revision " + i.getRevision() + ")" : ""));
        ann.put("console", link);
        return new Alert(labels, ann, earliest(i.getStartedAt(), now), link);
    }

    Alert fleetAlert(FleetIncident f, Instant now) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("alertname", "HandoffFleetIncident");
        labels.put("root_cause", f.getRootCause().name());
        labels.put("fleet", fleetName(f.getFleet()));
        labels.put("severity", "critical");
        labels.put("incident_id", f.getId());
        String link = consoleUrl + "#/fleet";
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put("summary", f.getSummary().isEmpty()
                ? f.getRootCause() + " on " + f.getHosts().size() + " hosts of " + fleetName(f.getFleet()) : f.getSummary());
        ann.put("remedy", f.getRemediation());
        ann.put("hosts", String.join(", ", f.getHosts()));
        if (!f.getCauses().isEmpty()) {
            ann.put("causes", new TreeMap<>(f.getCauses()).entrySet().stream()
                    .map(e -> e.getKey() + " on " + e.getValue()).collect(Collectors.joining(", ")));
        }
        if (f.getRecurrence() != null) {
            ann.put("recurrence", f.getRecurrence().getPeriod().name().toLowerCase(Locale.ROOT) + " at "
                    + f.getRecurrence().getTimeOfDayUtc() + " UTC, " + f.getRecurrence().getOccurrences() + " times"
                    + (f.getRecurrence().getLikelyTrigger() == null ? "" : " (" + f.getRecurrence().getLikelyTrigger() + ")"));
        }
        ann.put("console", link);
        return new Alert(labels, ann, earliest(f.getWindowStart(), now), link);
    }

    /** The chain in one line, root first: {@code FPM_RELOAD: … → LISTEN_BACKLOG_OVERFLOW: … → GATEWAY_ERRORS: …}. */
    static String chain(Incident i) {
        if (i.getCausalChain().isEmpty()) {
            List<String> causes = new ArrayList<>();
            for (RootCause c : i.getContributingCauses()) {
                causes.add(c.name());
            }
            return i.getRootCause().name() + (causes.isEmpty() ? "" : " (with " + String.join(", ", causes) + ")");
        }
        List<String> steps = new ArrayList<>();
        for (CausalStep s : i.getCausalChain()) {
            steps.add(s.getKind() + ": " + s.getDescription() + (s.getCount() > 1 ? " (" + s.getCount() + "×)" : ""));
        }
        return String.join(" → ", steps);
    }

    private static String fleetName(String fleet) {
        return fleet == null || fleet.isEmpty() ? "default" : fleet;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    static String json(Alert a, Instant endsAt) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeObjectFieldStart("labels");
            for (Map.Entry<String, String> e : a.labels().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("annotations");
            for (Map.Entry<String, String> e : a.annotations().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeStringField("startsAt", DateTimeFormatter.ISO_INSTANT.format(a.startsAt()));
            g.writeStringField("endsAt", DateTimeFormatter.ISO_INSTANT.format(endsAt.isBefore(a.startsAt()) ? a.startsAt() : endsAt));
            g.writeStringField("generatorURL", a.generatorUrl());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Waits until everything handed to the poster so far has been posted (for tests and a clean stop). */
    void flush() throws Exception {
        executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
