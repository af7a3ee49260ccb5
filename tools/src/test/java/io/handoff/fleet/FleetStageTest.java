package io.handoff.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.Recurrence;
import io.handoff.avro.RecurrencePeriod;
import io.handoff.avro.RootCause;
import io.handoff.demo.FleetScenario;
import io.handoff.demo.FleetScenario.Role;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet stage end to end: a replay folder built from real captures (re-timed, re-hosted) is
 * shipped into the whole topology (parse → correlate → fleet) in a TopologyTestDriver, the way
 * {@code handoff replay} ships and ends it ({@link FleetHarness#replaying()}); the fleet incidents that
 * come out are asserted exactly, and that nothing else came out. The same folder shipped live, each line
 * at its written time, gives the same.
 */
class FleetStageTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NIGHT1 = Instant.parse("2026-11-21T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);
    /** web-01: the first 502 comes 3 s after the reload notice, the last one a second later. */
    static final Duration FIRST_ERROR_AFTER_RELOAD = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    static String host(int n) {
        return String.format("web-%03d", n);
    }

    static List<String> hosts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(FleetStageTest::host).toList();
    }

    /** Reload at 00:00:00–00:00:03 UTC (per host), so its first 502 is at 00:00:03–00:00:06. */
    static Instant reloadAt(Instant midnight, int host) {
        return midnight.plusSeconds(host % 4);
    }

    static String incidentId(String host, Instant midnight) {
        int n = Integer.parseInt(host.substring(4));
        return host + "@" + reloadAt(midnight, n).plus(FIRST_ERROR_AFTER_RELOAD);
    }

    static FleetScenario scenario() {
        return new FleetScenario(FleetHarness.TEMPLATES, 10);
    }

    /** Healthy traffic around a time on every host, so each host's event time moves on and its incidents close. */
    static void traffic(FleetScenario s, List<String> hosts, Instant around) {
        for (String h : hosts) s.traffic(h, around.minusSeconds(120), around.plusSeconds(330), 40);
    }

    @Test
    void thirtyHostsThreeNightsAreThreeFleetIncidentsTheLaterOnesADailyRecurrence() {
        List<String> all = hosts(1, 30);
        List<List<String>> hit = List.of(hosts(1, 24), hosts(2, 24), hosts(1, 25));
        FleetScenario s = scenario();
        all.forEach(s::host);
        for (int d = 0; d < 3; d++) {
            Instant midnight = NIGHT1.plus(DAY.multipliedBy(d));
            traffic(s, all, midnight);
            for (String h : all) {
                int n = Integer.parseInt(h.substring(4));
                if (hit.get(d).contains(h)) {
                    s.event(h, Role.BACKLOG_AFTER_RELOAD, reloadAt(midnight, n));
                } else {
                    s.event(h, Role.LOG_REOPEN, midnight); // healthy: logrotate reopens FPM's logs, a PHP fatal (500)
                }
            }
        }
        // noise: one host's workers crash alone at 03:00 on the second night
        Instant crash = NIGHT1.plus(DAY).plusSeconds(3 * 3600);
        traffic(s, List.of(host(30)), crash);
        s.event(host(30), Role.WORKER_CRASH, crash);
        s.write(dir);

        try (FleetHarness h = FleetHarness.replaying()) {
            h.replay(dir);
            h.idle();
            List<Incident> incidents = h.incidents();
            List<FleetIncident> fleet = h.fleet();
            assertEquals(3, fleet.size(), () -> "fleet incidents: " + fleet);
            assertEquals(24 + 23 + 25 + 1, incidents.size());
            assertEquals(List.of(host(30)), incidents.stream().filter(i -> i.getRootCause() == RootCause.WORKER_CRASH)
                    .map(Incident::getHost).toList(), "the lone crash is a host incident only");
            assertEquals(List.of(), h.warnings());

            List<Long> starts = new ArrayList<>();
            for (int d = 0; d < 3; d++) {
                Instant midnight = NIGHT1.plus(DAY.multipliedBy(d));
                FleetIncident f = fleet.get(d);
                List<String> hosts = hit.get(d);
                Instant start = midnight.plus(FIRST_ERROR_AFTER_RELOAD); // web-004's, whose reload is at 00:00:00
                assertEquals("default/LISTEN_BACKLOG_OVERFLOW@" + start, f.getId());
                assertNull(f.getFleet());
                assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, f.getRootCause());
                assertEquals(hosts, f.getHosts());
                assertEquals(30, f.getActiveHosts());
                assertEquals(hosts.size() / 30.0, f.getShareOfFleet(), 1e-9);
                assertEquals(start, f.getWindowStart());
                assertEquals(midnight.plusSeconds(7), f.getWindowEnd(), "the last 502 of the hosts that reloaded at 00:00:03");
                assertEquals(Map.of("502", 9L * hosts.size()), f.getStatusCounts(), "web-01's nine 502s on each host");
                List<Incident> mine = incidents.stream().filter(i -> i.getRootCause() == RootCause.LISTEN_BACKLOG_OVERFLOW
                        && !i.getStartedAt().isBefore(midnight) && i.getStartedAt().isBefore(midnight.plusSeconds(60))).toList();
                assertEquals(mine.stream().mapToLong(Incident::getTotalRequests).sum(), f.getTotalRequests());
                assertEquals(hosts.stream().map(x -> incidentId(x, midnight)).toList(), f.getIncidentIds());
                assertEquals("FPM reload (Reloading in progress)", f.getCommonTrigger());
                assertEquals(FleetRemedies.remedy(RootCause.LISTEN_BACKLOG_OVERFLOW, true), f.getRemediation());
                assertTrue(f.getRemediation().contains("listen.backlog = 4096") && f.getRemediation().contains("Stagger"));
                starts.add(start.toEpochMilli());
            }
            assertNull(fleet.get(0).getRecurrence());
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 24 of 30 hosts at 00:00 UTC, after an FPM reload", fleet.get(0).getSummary());

            Recurrence r2 = fleet.get(1).getRecurrence();
            assertEquals(RecurrencePeriod.DAILY, r2.getPeriod());
            assertEquals("00:00", r2.getTimeOfDayUtc());
            assertEquals(2, r2.getOccurrences());
            assertEquals("scheduled FPM reload (logrotate/cron)", r2.getLikelyTrigger());
            assertEquals(List.of(Instant.ofEpochMilli(starts.get(0))), r2.getPrevious());
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 23 of 30 hosts at 00:00 UTC, after the nightly FPM reload — second night running",
                    fleet.get(1).getSummary());

            Recurrence r3 = fleet.get(2).getRecurrence();
            assertEquals(RecurrencePeriod.DAILY, r3.getPeriod());
            assertEquals("00:00", r3.getTimeOfDayUtc());
            assertEquals(3, r3.getOccurrences());
            assertEquals(List.of(Instant.ofEpochMilli(starts.get(0)), Instant.ofEpochMilli(starts.get(1))), r3.getPrevious());
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 25 of 30 hosts at 00:00 UTC, after the nightly FPM reload — third night running",
                    fleet.get(2).getSummary());

            assertEquals(List.of(), h.fleet(), "nothing else");
            assertEquals(0, h.openWindows());
            assertEquals(0, h.count(FleetStage.HOSTS_STORE));
            assertEquals(1, h.metrics.get("fleet-windows-below-threshold", "root_cause", "WORKER_CRASH"));
            assertEquals(0, h.metrics.total("fleet-late"));
        }
    }

    @Test
    void aLoneCrashOnOneHostAtOnePmIsNoFleetIncident() {
        List<String> all = hosts(1, 10);
        Instant at = Instant.parse("2026-11-21T13:00:00Z");
        FleetScenario s = scenario();
        all.forEach(s::host);
        traffic(s, all, at);
        s.event(host(3), Role.WORKER_CRASH, at);
        s.write(dir);
        try (FleetHarness h = FleetHarness.replaying()) {
            h.replay(dir);
            h.idle();
            List<Incident> incidents = h.incidents();
            assertEquals(1, incidents.size(), () -> "incidents: " + incidents);
            assertEquals(RootCause.WORKER_CRASH, incidents.get(0).getRootCause(), incidents.get(0)::getSummary);
            assertEquals(host(3), incidents.get(0).getHost());
            assertEquals(List.of(), h.fleet());
            assertEquals(1, h.metrics.get("fleet-windows-below-threshold", "root_cause", "WORKER_CRASH"),
                    "one host is 10% of the active fleet, but a single host never makes a fleet incident");
            assertEquals(0, h.openWindows());
        }
    }

    @Test
    void twoCausesInTheSameMinuteAreTwoFleetIncidents() {
        List<String> all = hosts(1, 8);
        FleetScenario s = scenario();
        all.forEach(s::host);
        traffic(s, all, NIGHT1);
        for (int n = 1; n <= 4; n++) s.event(host(n), Role.BACKLOG_AFTER_RELOAD, reloadAt(NIGHT1, n));
        for (int n = 5; n <= 7; n++) s.event(host(n), Role.WORKER_CRASH, NIGHT1.plusSeconds(20 + n));
        s.event(host(8), Role.LOG_REOPEN, NIGHT1);
        s.write(dir);
        try (FleetHarness h = FleetHarness.replaying()) {
            h.replay(dir);
            h.idle();
            List<Incident> incidents = h.incidents();
            assertEquals(7, incidents.size(), () -> "incidents: " + incidents);
            var records = h.fleet.readKeyValuesToList();
            assertEquals(List.of("|LISTEN_BACKLOG_OVERFLOW", "|WORKER_CRASH"), records.stream().map(kv -> kv.key).toList(),
                    "keyed fleet|cause, the default fleet empty");
            List<FleetIncident> fleet = records.stream().map(kv -> kv.value).toList();

            FleetIncident backlog = fleet.get(0);
            assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, backlog.getRootCause());
            assertEquals(hosts(1, 4), backlog.getHosts());
            assertEquals(8, backlog.getActiveHosts());
            assertEquals(0.5, backlog.getShareOfFleet(), 1e-9);
            assertEquals(NIGHT1.plusSeconds(3), backlog.getWindowStart());
            assertEquals(Map.of("502", 36L), backlog.getStatusCounts());
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 4 of 8 hosts at 00:00 UTC, after an FPM reload", backlog.getSummary());

            FleetIncident crash = fleet.get(1);
            assertEquals(RootCause.WORKER_CRASH, crash.getRootCause());
            assertEquals(hosts(5, 7), crash.getHosts());
            assertEquals(8, crash.getActiveHosts());
            assertEquals(3 / 8.0, crash.getShareOfFleet(), 1e-9);
            assertEquals(NIGHT1.plusSeconds(25), crash.getWindowStart(), "web-005's first nginx 104");
            long crash502 = incidents.stream().filter(i -> i.getRootCause() == RootCause.WORKER_CRASH)
                    .mapToLong(i -> i.getStatusCounts().getOrDefault("502", 0L)).sum();
            assertEquals(Map.of("502", crash502), crash.getStatusCounts());
            assertTrue(crash502 >= 3, "each crashing host shows its 502s: " + crash502);
            assertNull(crash.getCommonTrigger(), "no reload behind the crashes");
            assertEquals(FleetRemedies.remedy(RootCause.WORKER_CRASH, false), crash.getRemediation());
            assertEquals("WORKER_CRASH on 3 of 8 hosts at 00:00 UTC", crash.getSummary());
            assertNull(crash.getRecurrence());
            assertEquals(List.of(), h.fleet());
        }
    }

    @Test
    void hostsInDifferentTimeZonesAlignInUtc() throws Exception {
        FleetScenario s = scenario();
        s.host(host(1)).host(host(2))
                .host(host(3), ZoneId.of("Europe/Berlin"), null).host(host(4), ZoneId.of("Europe/Berlin"), null)
                .host(host(5), ZoneId.of("America/New_York"), null).host(host(6), ZoneId.of("Asia/Kolkata"), null);
        List<String> all = hosts(1, 6);
        traffic(s, all, NIGHT1);
        for (int n = 1; n <= 6; n++) s.event(host(n), Role.BACKLOG_AFTER_RELOAD, reloadAt(NIGHT1, n));
        s.write(dir);
        // the files really are in local time: 00:00 UTC is 01:00 in Berlin, 19:00 the day before in New York
        assertTrue(Files.readString(dir.resolve(host(3)).resolve("php-fpm.log"), StandardCharsets.UTF_8)
                .contains("[21-Nov-2026 01:00:03] NOTICE: Reloading in progress ..."));
        assertTrue(Files.readString(dir.resolve(host(5)).resolve("nginx-error.log"), StandardCharsets.UTF_8)
                .startsWith("2026/11/20 19:00:0"));
        assertTrue(Files.readString(dir.resolve(host(6)).resolve("nginx-access.log"), StandardCharsets.UTF_8)
                .contains("/Nov/2026:05:3"));
        try (FleetHarness h = FleetHarness.replaying()) {
            h.replay(dir);
            h.idle();
            assertEquals(6, h.incidents().size());
            List<FleetIncident> fleet = h.fleet();
            assertEquals(1, fleet.size(), () -> "fleet incidents: " + fleet);
            FleetIncident f = fleet.get(0);
            assertEquals(all, f.getHosts());
            assertEquals(NIGHT1.plusSeconds(3), f.getWindowStart());
            assertEquals(NIGHT1.plusSeconds(7), f.getWindowEnd());
            assertEquals(all.stream().map(x -> incidentId(x, NIGHT1)).toList(), f.getIncidentIds());
            assertEquals(Map.of("502", 54L), f.getStatusCounts());
        }
    }

    @Test
    void shareIsOfTheHostsOwnFleetAndTwoHostsOfASmallFleetAreEnough() {
        FleetScenario s = scenario();
        List<String> eu = hosts(1, 10);
        List<String> us = hosts(11, 35);
        eu.forEach(x -> s.host(x, ZoneId.of("UTC"), "eu-1"));
        us.forEach(x -> s.host(x, ZoneId.of("UTC"), "us-1"));
        traffic(s, eu, NIGHT1);
        traffic(s, us, NIGHT1);
        for (int n : new int[] {1, 2, 11, 12}) s.event(host(n), Role.BACKLOG_AFTER_RELOAD, reloadAt(NIGHT1, n));
        s.write(dir);
        try (FleetHarness h = FleetHarness.replaying()) {
            h.replay(dir);
            h.idle();
            assertEquals(4, h.incidents().size());
            List<FleetIncident> fleet = h.fleet();
            assertEquals(1, fleet.size(), () -> "fleet incidents: " + fleet);
            FleetIncident f = fleet.get(0);
            assertEquals("eu-1", f.getFleet());
            assertEquals(hosts(1, 2), f.getHosts());
            assertEquals(10, f.getActiveHosts());
            assertEquals(0.2, f.getShareOfFleet(), 1e-9);
            assertEquals("eu-1/LISTEN_BACKLOG_OVERFLOW@" + NIGHT1.plusSeconds(4), f.getId());
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 2 of 10 hosts of fleet eu-1 at 00:00 UTC, after an FPM reload", f.getSummary());
            assertEquals(1, h.metrics.get("fleet-windows-below-threshold", "root_cause", "LISTEN_BACKLOG_OVERFLOW"),
                    "us-1: 2 of 25 hosts (8%) and fewer than 3");
            assertEquals(List.of(), h.fleet());
        }
    }

    /**
     * The nightly reload overflows most hosts' queues and cuts a few hosts' checkouts (they do not wait),
     * two nights: 8 LISTEN_BACKLOG_OVERFLOW and 3 FPM_RELOAD_INTERRUPTION a night, a healthy host.
     */
    static void mixedLabels(Path dir) {
        List<String> all = hosts(1, 12);
        FleetScenario s = scenario();
        all.forEach(s::host);
        for (int d = 0; d < 2; d++) {
            Instant midnight = NIGHT1.plus(DAY.multipliedBy(d));
            traffic(s, all, midnight);
            for (int n = 1; n <= 8; n++) s.event(host(n), Role.BACKLOG_AFTER_RELOAD, reloadAt(midnight, n));
            for (int n = 9; n <= 11; n++) s.event(host(n), Role.RELOAD_INTERRUPTION, midnight.plusSeconds(n % 3));
            s.event(host(12), Role.LOG_REOPEN, midnight);
        }
        s.write(dir);
    }

    @Test
    void oneReloadWithMixedLabelsIsOneFleetIncidentPerNightWithTheBreakdown() throws Exception {
        // two labels, one spike, one fleet record a night with hosts per label
        mixedLabels(dir);
        try (FleetHarness h = FleetHarness.replaying()) {
            TestOutputTopic<String, String> ecs = h.driver.createOutputTopic(h.config.topics().incidentsEcs(),
                    new StringDeserializer(), new StringDeserializer());
            h.replay(dir);
            h.idle();
            List<Incident> incidents = h.incidents();
            Map<RootCause, Long> labels = new TreeMap<>();
            incidents.forEach(i -> labels.merge(i.getRootCause(), 1L, Long::sum));
            assertEquals(Map.of(RootCause.LISTEN_BACKLOG_OVERFLOW, 16L, RootCause.FPM_RELOAD_INTERRUPTION, 6L), labels);
            for (Incident i : incidents) {
                assertTrue(i.getCausalChain().stream().anyMatch(st -> st.getKind().equals("FPM_RELOAD")), i::getSummary);
            }
            List<FleetIncident> fleet = h.fleet();
            assertEquals(2, fleet.size(), () -> "one fleet incident a night: " + fleet);
            for (int d = 0; d < 2; d++) {
                FleetIncident f = fleet.get(d);
                assertEquals(RootCause.LISTEN_BACKLOG_OVERFLOW, f.getRootCause(), "the label of most hosts");
                assertEquals(hosts(1, 11), f.getHosts());
                assertEquals(Map.of("LISTEN_BACKLOG_OVERFLOW", 8, "FPM_RELOAD_INTERRUPTION", 3), f.getCauses());
                assertEquals(12, f.getActiveHosts());
                assertEquals("FPM reload (Reloading in progress)", f.getCommonTrigger());
                assertEquals(11, f.getIncidentIds().size());
            }
            assertEquals("LISTEN_BACKLOG_OVERFLOW on 11 of 12 hosts at 00:00 UTC (8 LISTEN_BACKLOG_OVERFLOW,"
                    + " 3 FPM_RELOAD_INTERRUPTION), after an FPM reload", fleet.get(0).getSummary());
            assertNull(fleet.get(0).getRecurrence());
            assertEquals(RecurrencePeriod.DAILY, fleet.get(1).getRecurrence().getPeriod(), "the reload's schedule, whatever the labels");
            // the SIEM's copy: each fleet record once, with the same breakdown
            List<JsonNode> fleetDocs = new ArrayList<>();
            for (String doc : ecs.readValuesToList()) {
                JsonNode d = JSON.readTree(doc);
                if (d.at("/event/dataset").asText().equals("handoff.fleet_incident")) {
                    fleetDocs.add(d);
                }
            }
            assertEquals(2, fleetDocs.size());
            for (int d = 0; d < 2; d++) {
                assertEquals(fleet.get(d).getId(), fleetDocs.get(d).at("/event/id").asText());
                assertEquals("{\"FPM_RELOAD_INTERRUPTION\":3,\"LISTEN_BACKLOG_OVERFLOW\":8}", fleetDocs.get(d).at("/handoff/causes").toString());
            }
            assertEquals(List.of(), h.fleet());
            assertEquals(0, h.openWindows());
            assertEquals(0, h.count(FleetStage.HOSTS_STORE));
        }
    }

    @Test
    void replayingTheSameFolderTwiceGivesTheSameIncidentsAndFleetRecords() {
        List<String> all = hosts(1, 10);
        FleetScenario s = scenario();
        all.forEach(s::host);
        traffic(s, all, NIGHT1);
        for (int n = 1; n <= 7; n++) s.event(host(n), Role.BACKLOG_AFTER_RELOAD, reloadAt(NIGHT1, n));
        for (int n = 8; n <= 10; n++) s.event(host(n), Role.RELOAD_INTERRUPTION, NIGHT1.plusSeconds(n % 3));
        s.write(dir);
        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (FleetHarness h = FleetHarness.replaying()) {
                h.replay(dir);
                h.idle();
                List<String> out = new ArrayList<>();
                h.incidents().stream().map(i -> i.getId() + " " + i.getRootCause() + " " + i.getCausalChain())
                        .sorted().forEach(out::add);
                h.fleet().stream().map(f -> f.toString().replaceAll("\"active_hosts\": \\d+", "")).forEach(out::add);
                runs.add(out);
            }
        }
        assertEquals(11, runs.get(0).size(), () -> String.join("\n", runs.get(0)));
        assertEquals(runs.get(0), runs.get(1));
    }

    /** An incident as the fleet sees it, and what the SIEM reads of it: everything but the provisional records' count. */
    static String outline(Incident i) {
        return i.getId() + " " + i.getRootCause() + " " + i.getStartedAt() + ".." + i.getEndedAt() + " " + i.getStatusCounts()
                + " " + i.getUpstreamErrorsByErrno() + " requests " + i.getTotalRequests() + " evidence " + i.getEvidenceTotal()
                + " " + i.getCausalChain();
    }

    /**
     * Shipped live — each line at its written time, the wall clock moving as a running application's —
     * the two nights give what their replay gives: the same incidents, labels and chains, and the same
     * two fleet records. Live, an incident closes by the hosts' clocks once its logs that delivered the
     * burst have been silent for source-idle, well inside the fleet window's grace, so none is late.
     */
    @Test
    void shippedLiveTheNightsGiveWhatTheirReplayGives() {
        mixedLabels(dir);
        List<String> replayed = new ArrayList<>();
        List<FleetIncident> replayedFleet;
        try (FleetHarness h = FleetHarness.replaying()) {
            h.replay(dir);
            h.idle();
            h.incidents().stream().map(FleetStageTest::outline).sorted().forEach(replayed::add);
            replayedFleet = h.fleet();
        }
        assertEquals(22, replayed.size(), () -> String.join("\n", replayed));
        assertEquals(2, replayedFleet.size(), () -> "fleet: " + replayedFleet);
        try (FleetHarness h = new FleetHarness()) {
            h.live(dir);
            List<Incident> closedWhileLive = h.incidents();
            assertEquals(22, closedWhileLive.size(), "every incident closed while its night was still being shipped");
            h.idle();
            assertEquals(List.of(), h.incidents(), "nothing was left open");
            assertEquals(replayed, closedWhileLive.stream().map(FleetStageTest::outline).sorted().toList());
            List<FleetIncident> fleet = h.fleet();
            assertEquals(replayedFleet, fleet);
            assertEquals(0, h.metrics.total("fleet-late"));
            assertEquals(List.of(), h.warnings());
            assertEquals(0, h.openWindows());
        }
    }
}
