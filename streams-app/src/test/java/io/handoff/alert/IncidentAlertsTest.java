package io.handoff.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import io.handoff.console.TestIncidents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incidents become alerts in a real Alertmanager (started on loopback with deploy/prometheus/alertmanager.yml)
 * and are read back from its API: an opening incident fires, a changed verdict replaces the alert, a
 * closed incident resolves it, a fleet incident fires once and inhibits its hosts' alerts.
 */
class IncidentAlertsTest {
    static Alertmanager am;

    @BeforeAll
    static void start() throws Exception {
        am = Alertmanager.start();
    }

    @AfterAll
    static void stop() {
        if (am != null) {
            am.close();
        }
    }

    static JsonNode only(List<JsonNode> alerts, String what) {
        assertEquals(1, alerts.size(), what + ": " + alerts);
        return alerts.get(0);
    }

    @Test
    void anIncidentFiresWhileOpenIsReplacedWhenTheVerdictChangesAndResolvesWhenItCloses() throws Exception {
        try (IncidentAlerts alerts = new IncidentAlerts(new AlertmanagerClient(am.url()), "http://console.example:8080")) {
            String id = "web-07@alerts-" + System.nanoTime();
            alerts.caughtUp();
            alerts.incident(TestIncidents.oom(id, IncidentStatus.OPEN, 0, RootCause.WORKER_CRASH), true);
            alerts.flush();
            JsonNode a = only(am.awaitAlerts(l -> l.size() == 1, "incident_id=\"" + id + "\""), "firing");
            assertEquals("HandoffIncident", a.at("/labels/alertname").asText());
            assertEquals("WORKER_CRASH", a.at("/labels/root_cause").asText());
            assertEquals("web-07", a.at("/labels/host").asText());
            assertEquals("default", a.at("/labels/fleet").asText());
            assertEquals("warning", a.at("/labels/severity").asText());
            assertEquals("active", a.at("/status/state").asText());
            assertEquals("web-07: 2×502 at 2026-11-21 11:02:04 UTC: the kernel killed an FPM worker for memory",
                    a.at("/annotations/summary").asText());
            assertTrue(a.at("/annotations/remedy").asText().startsWith("Do not raise pm.max_children"));
            assertEquals("OOM_KILL: kernel OOM killer killed php-fpm child 4569 → WORKER_RESET: FPM child 4569 exited on"
                    + " signal 9 → GATEWAY_ERRORS: 2×502 while the worker was gone (2×)", a.at("/annotations/chain").asText());
            String link = "http://console.example:8080/#/incident/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(link, a.at("/annotations/console").asText());
            assertEquals(link, a.at("/generatorURL").asText());
            assertEquals("2026-11-21T11:02:04.000Z", a.at("/startsAt").asText());

            alerts.incident(TestIncidents.oom(id, IncidentStatus.OPEN, 1, RootCause.OOM_KILL), true);
            alerts.flush();
            a = only(am.awaitAlerts(l -> l.size() == 1 && l.get(0).at("/labels/root_cause").asText().equals("OOM_KILL"),
                    "incident_id=\"" + id + "\""), "after the verdict changed");
            assertEquals("OOM_KILL", a.at("/labels/root_cause").asText());
            assertEquals("OPEN (revision 1)", a.at("/annotations/status").asText());

            alerts.incident(TestIncidents.oom(id, IncidentStatus.CLOSED, 2, RootCause.OOM_KILL), true);
            alerts.flush();
            assertEquals(List.of(), am.awaitAlerts(List::isEmpty, "incident_id=\"" + id + "\""), "resolved when closed");
            assertEquals(0, alerts.failed());
            assertEquals(4, alerts.posted(), "fire, resolve the old verdict and fire the new one, resolve");
        }
    }

    @Test
    void aFleetIncidentIsOneCriticalAlertThatInhibitsItsHostsAlerts() throws Exception {
        try (IncidentAlerts alerts = new IncidentAlerts(new AlertmanagerClient(am.url()), "http://console.example:8080/")) {
            String fleet = "eu-test-" + System.nanoTime();
            Instant night = Instant.parse("2026-11-19T23:59:58Z");
            List<Incident> hosts = List.of(TestIncidents.backlog("fra-web-01", fleet, night, IncidentStatus.OPEN),
                    TestIncidents.backlog("fra-web-02", fleet, night, IncidentStatus.OPEN),
                    TestIncidents.backlog("fra-web-03", fleet, night, IncidentStatus.OPEN));
            alerts.caughtUp();
            hosts.forEach(i -> alerts.incident(i, true));
            alerts.flush();
            List<JsonNode> before = am.awaitAlerts(l -> l.size() == 3, "fleet=\"" + fleet + "\"");
            assertEquals(3, before.size(), before.toString());
            before.forEach(a -> assertEquals("active", a.at("/status/state").asText(), a.toString()));

            FleetIncident f = TestIncidents.fleet(fleet, hosts, 24);
            alerts.fleetIncident(f, true);
            alerts.flush();
            JsonNode fa = only(am.awaitAlerts(l -> l.size() == 1, "alertname=\"HandoffFleetIncident\"", "fleet=\"" + fleet + "\""),
                    "one alert for the fleet");
            assertEquals("critical", fa.at("/labels/severity").asText());
            assertEquals("LISTEN_BACKLOG_OVERFLOW", fa.at("/labels/root_cause").asText());
            assertEquals("fra-web-01, fra-web-02, fra-web-03", fa.at("/annotations/hosts").asText());
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 3", fa.at("/annotations/causes").asText());
            assertEquals("http://console.example:8080/#/fleet", fa.at("/annotations/console").asText());
            List<JsonNode> muted = am.awaitAlerts(l -> l.size() == 3 && l.stream().allMatch(a -> a.at("/status/state").asText().equals("suppressed")),
                    "alertname=\"HandoffIncident\"", "fleet=\"" + fleet + "\"");
            assertEquals(3, muted.size());
            for (JsonNode a : muted) {
                assertEquals("suppressed", a.at("/status/state").asText(), "host alert inhibited by the fleet alert: " + a);
                assertEquals(1, a.at("/status/inhibitedBy").size(), a.toString());
            }
        }
    }

    @Test
    void historyIsNotPostedButIncidentsStillOpenAtItsEndFireOnceCaughtUp() throws Exception {
        try (IncidentAlerts alerts = new IncidentAlerts(new AlertmanagerClient(am.url()), "http://c/")) {
            String closed = "web-07@history-closed-" + System.nanoTime();
            String open = "web-07@history-open-" + System.nanoTime();
            alerts.incident(TestIncidents.oom(closed, IncidentStatus.OPEN, 0, RootCause.OOM_KILL), false);
            alerts.incident(TestIncidents.oom(closed, IncidentStatus.CLOSED, 1, RootCause.OOM_KILL), false);
            alerts.incident(TestIncidents.oom(open, IncidentStatus.OPEN, 0, RootCause.OOM_KILL), false);
            alerts.flush();
            assertEquals(0, alerts.posted(), "nothing posted while reading history");
            alerts.caughtUp();
            alerts.flush();
            assertEquals(1, alerts.posted());
            only(am.awaitAlerts(l -> l.size() == 1, "incident_id=\"" + open + "\""), "the one still open fires");
            assertEquals(List.of(), am.alerts("incident_id=\"" + closed + "\""));
        }
    }

    @Test
    void firingAlertsAreResentWithTheirEndAheadAndAFailedPostIsCounted() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (IncidentAlerts alerts = new IncidentAlerts(new AlertmanagerClient(am.url()), "http://c/",
                Clock.fixed(now, ZoneOffset.UTC), Duration.ofMillis(200))) {
            String id = "web-07@resend-" + System.nanoTime();
            alerts.caughtUp();
            alerts.incident(TestIncidents.oom(id, IncidentStatus.OPEN, 0, RootCause.OOM_KILL), true);
            alerts.flush();
            long first = alerts.posted();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (alerts.posted() < first + 2 && System.nanoTime() < deadline) {
                Thread.sleep(50); // waiting for two resends of a 200 ms schedule, bounded
            }
            assertTrue(alerts.posted() >= first + 2, "resent: " + alerts.posted());
            JsonNode a = only(am.alerts("incident_id=\"" + id + "\""), "still one alert");
            assertEquals(now.plus(IncidentAlerts.HOLD), Instant.parse(a.at("/endsAt").asText()), "ends HOLD after the last post");
        }
        try (IncidentAlerts down = new IncidentAlerts(new AlertmanagerClient("http://127.0.0.1:" + Alertmanager.freePort()), "http://c/")) {
            down.caughtUp();
            down.incident(TestIncidents.oom("web-07@down", IncidentStatus.OPEN, 0, RootCause.OOM_KILL), true);
            down.flush();
            assertEquals(1, down.failed());
            assertEquals(0, down.posted());
        }
    }

    @Test
    void aBadAlertmanagerUrlIsRefusedWithWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AlertmanagerClient("alertmanager:9093"));
        assertEquals("Alertmanager URL: expected http(s)://host:port[/path], got 'alertmanager:9093'", e.getMessage());
        assertEquals(List.of(URI.create("http://a:9093/api/v2/alerts"), java.net.URI.create("http://b/am/api/v2/alerts")),
                new AlertmanagerClient("http://a:9093, http://b/am/").endpoints());
    }
}
