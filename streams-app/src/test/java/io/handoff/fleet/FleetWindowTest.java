package io.handoff.fleet;

import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The fleet window alone, fed host incidents and heartbeats directly (the topics the stage reads),
 * with explicit timestamps: anchoring, grace, late incidents, one host twice, the active window.
 */
class FleetWindowTest {
    static final Instant T = Instant.parse("2026-11-21T00:00:00Z");

    static Incident incident(String host, Instant start, long n502, boolean reload) {
        return Incident.newBuilder()
                .setId(host + "@" + start).setHost(host).setFleet(null).setRootCause(RootCause.LISTEN_BACKLOG_OVERFLOW)
                .setStartedAt(start).setEndedAt(start.plusSeconds(2))
                .setStatusCounts(Map.of("502", n502)).setTotalRequests(n502 + 10)
                .setRemediation("host remedy")
                .setContributingCauses(reload ? List.of(RootCause.FPM_RELOAD_INTERRUPTION) : List.of())
                .setConfidence(0.9).build();
    }

    static void incident(FleetHarness h, String host, Instant start) {
        h.incidentsIn.pipeInput(host, incident(host, start, 5, true), start);
    }

    static void heartbeat(FleetHarness h, String host, Instant at) {
        h.activityIn.pipeInput(host, new Heartbeat(null, at.toEpochMilli()), at);
    }

    @Test
    void aBurstAcrossMidnightStaysOneWindowAnchoredAtItsFirstIncident() {
        try (FleetHarness h = new FleetHarness()) {
            incident(h, "web-1", T.minusSeconds(2));
            incident(h, "web-2", T.plusSeconds(1));
            incident(h, "web-3", T.plusSeconds(3));
            h.idle();
            List<FleetIncident> out = h.fleet();
            assertEquals(1, out.size(), () -> "fleet: " + out);
            FleetIncident f = out.get(0);
            assertEquals(List.of("web-1", "web-2", "web-3"), f.getHosts());
            assertEquals(T.minusSeconds(2), f.getWindowStart());
            assertEquals(T.plusSeconds(5), f.getWindowEnd());
            assertEquals(3, f.getActiveHosts(), "no heartbeats: the hosts hit are the active fleet");
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 3 of 3 hosts at 00:00 UTC, after an FPM reload", f.getSummary());
        }
    }

    @Test
    void theWindowClosesWhenTheFleetsEventTimePassesWindowPlusGraceNotBefore() {
        try (FleetHarness h = new FleetHarness()) {
            Duration grace = FleetStage.grace(h.config);
            assertEquals(Duration.ofSeconds(30 + 10 + 120), grace, "quiet period + correlator grace + fleet window");
            Instant closes = T.plus(h.config.fleetWindow()).plus(grace);
            incident(h, "web-1", T);
            incident(h, "web-2", T.plusSeconds(1));
            incident(h, "web-3", T.plusSeconds(119)); // within the window, anchored at T
            heartbeat(h, "web-9", closes.minusMillis(1));
            assertEquals(List.of(), h.fleet(), "still in its grace");
            assertEquals(1, h.openWindows());
            heartbeat(h, "web-9", closes);
            List<FleetIncident> out = h.fleet();
            assertEquals(1, out.size());
            assertEquals(List.of("web-1", "web-2", "web-3"), out.get(0).getHosts());
            assertEquals(4, out.get(0).getActiveHosts(), "web-9's heartbeat makes it active");
            assertEquals(0, h.openWindows());
            assertEquals(0, h.count(FleetStage.HOSTS_STORE));
        }
    }

    @Test
    void anIncidentStartingAfterTheWindowOpensTheNextOne() {
        try (FleetHarness h = new FleetHarness()) {
            for (int i = 1; i <= 3; i++) incident(h, "web-" + i, T.plusSeconds(i));
            for (int i = 4; i <= 6; i++) incident(h, "web-" + i, T.plusSeconds(130 + i)); // > 2 min after the anchor
            h.idle();
            List<FleetIncident> out = h.fleet();
            assertEquals(2, out.size(), () -> "fleet: " + out);
            assertEquals(List.of("web-1", "web-2", "web-3"), out.get(0).getHosts());
            assertEquals(List.of("web-4", "web-5", "web-6"), out.get(1).getHosts());
        }
    }

    @Test
    void anIncidentWhoseWindowHasClosedIsCountedLateAndOpensNothing() {
        try (FleetHarness h = new FleetHarness()) {
            for (int i = 1; i <= 3; i++) incident(h, "web-" + i, T.plusSeconds(i));
            heartbeat(h, "web-9", T.plus(Duration.ofMinutes(10)));
            assertEquals(1, h.fleet().size());
            incident(h, "web-4", T.plusSeconds(4));
            h.idle();
            assertEquals(List.of(), h.fleet());
            assertEquals(1, h.metrics.get("fleet-late", "root_cause", "LISTEN_BACKLOG_OVERFLOW"));
            assertEquals(0, h.openWindows());
        }
    }

    @Test
    void twoBurstsOfOneHostInAWindowAreOneHostWithBothIncidents() {
        try (FleetHarness h = new FleetHarness()) {
            incident(h, "web-1", T);
            h.incidentsIn.pipeInput("web-1", incident("web-1", T.plusSeconds(50), 7, true), T.plusSeconds(50));
            incident(h, "web-2", T.plusSeconds(1));
            h.idle();
            List<FleetIncident> out = h.fleet();
            assertEquals(1, out.size(), () -> "fleet: " + out);
            FleetIncident f = out.get(0);
            assertEquals(List.of("web-1", "web-2"), f.getHosts(), "2 hosts of 2 active: under min-hosts, over min-share");
            assertEquals(1.0, f.getShareOfFleet(), 1e-9);
            assertEquals(List.of("web-1@" + T, "web-1@" + T.plusSeconds(50), "web-2@" + T.plusSeconds(1)), f.getIncidentIds());
            assertEquals(Map.of("502", 17L), f.getStatusCounts());
            assertEquals(47, f.getTotalRequests());
            assertEquals(T.plusSeconds(52), f.getWindowEnd());
            assertEquals("FPM reload (Reloading in progress)", f.getCommonTrigger());
        }
    }

    @Test
    void onlyHostsSeenWithinTheActiveWindowBeforeTheStartCountAsActive() {
        try (FleetHarness h = new FleetHarness()) {
            heartbeat(h, "web-old", T.minus(Duration.ofMinutes(61)));
            heartbeat(h, "web-recent", T.minus(Duration.ofMinutes(59)));
            for (int i = 1; i <= 3; i++) heartbeat(h, "web-" + i, T.minusSeconds(30));
            for (int i = 1; i <= 3; i++) incident(h, "web-" + i, T.plusSeconds(i));
            h.idle();
            List<FleetIncident> out = h.fleet();
            assertEquals(1, out.size());
            assertEquals(4, out.get(0).getActiveHosts(), "web-1..3 and web-recent; web-old shipped nothing in the last hour");
            assertEquals(0.75, out.get(0).getShareOfFleet(), 1e-9);
            assertNull(out.get(0).getRecurrence());
        }
    }

    static Incident incident(String host, Instant start, RootCause label, boolean reload) {
        return Incident.newBuilder(incident(host, start, 5, reload)).setRootCause(label).build();
    }

    @Test
    void hostsOfOneReloadAreOneRecordWhateverTheirLabelsOtherCausesOfTheMinuteStayApart() {
        try (FleetHarness h = new FleetHarness()) {
            for (int i = 1; i <= 4; i++) {
                h.incidentsIn.pipeInput("r" + i, incident("r" + i, T.plusSeconds(i), RootCause.LISTEN_BACKLOG_OVERFLOW, true), T);
            }
            for (int i = 1; i <= 2; i++) {
                h.incidentsIn.pipeInput("i" + i, incident("i" + i, T.plusSeconds(i), RootCause.FPM_RELOAD_INTERRUPTION, false), T);
            }
            for (int i = 1; i <= 3; i++) {
                h.incidentsIn.pipeInput("c" + i, incident("c" + i, T.plusSeconds(20 + i), RootCause.WORKER_CRASH, false), T);
            }
            h.idle();
            List<FleetIncident> out = h.fleet();
            assertEquals(2, out.size(), () -> "fleet: " + out);
            FleetIncident reload = out.stream().filter(f -> f.getCommonTrigger() != null).findFirst().orElseThrow();
            assertEquals(List.of("i1", "i2", "r1", "r2", "r3", "r4"), reload.getHosts());
            assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, reload.getRootCause());
            assertEquals(Map.of("LISTEN_BACKLOG_OVERFLOW", 4, "FPM_RELOAD_INTERRUPTION", 2), reload.getCauses());
            FleetIncident crash = out.stream().filter(f -> f.getCommonTrigger() == null).findFirst().orElseThrow();
            assertEquals(RootCause.WORKER_CRASH, crash.getRootCause());
            assertEquals(Map.of("WORKER_CRASH", 3), crash.getCauses());
            assertEquals(List.of("c1", "c2", "c3"), crash.getHosts());
        }
    }

    @Test
    void windowsDependOnTheStartsNotOnTheOrderTheIncidentsArriveIn() {
        // starts at 0, 90, 150 and 200 s: the window of the earliest (0–120 s) and the next (150–270 s),
        // whichever incident reaches the stage first
        List<Instant> starts = List.of(T, T.plusSeconds(90), T.plusSeconds(150), T.plusSeconds(200));
        List<List<String>> hostsPerRun = new ArrayList<>();
        for (List<Integer> order : List.of(List.of(0, 1, 2, 3), List.of(1, 3, 0, 2), List.of(3, 2, 1, 0))) {
            try (FleetHarness h = new FleetHarness()) {
                for (int i : order) {
                    for (String x : new String[] {"a", "b"}) {
                        String host = x + i;
                        h.incidentsIn.pipeInput(host, incident(host, starts.get(i), 5, true), T);
                    }
                }
                h.idle();
                List<String> hosts = new ArrayList<>();
                h.fleet().forEach(f -> hosts.add(f.getWindowStart() + " " + f.getHosts()));
                hostsPerRun.add(hosts);
            }
        }
        assertEquals(List.of(T + " [a0, a1, b0, b1]", T.plusSeconds(150) + " [a2, a3, b2, b3]"), hostsPerRun.get(0));
        assertEquals(hostsPerRun.get(0), hostsPerRun.get(1));
        assertEquals(hostsPerRun.get(0), hostsPerRun.get(2));
    }
}
