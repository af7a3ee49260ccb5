package io.handoff.replay;

import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.RootCause;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SummaryTableTest {

    private static Incident incident(String host, RootCause cause, String at) {
        return Incident.newBuilder().setId(host + "@" + at).setHost(host).setRootCause(cause)
                .setStartedAt(Instant.parse(at)).setEndedAt(Instant.parse(at)).setStatusCounts(Map.of("502", 9L))
                .setTotalRequests(20).setRemediation("r").setConfidence(0.9).build();
    }

    @Test
    void hostIncidentsOfAFleetIncidentAreToldByItsRowAndTheRestStay() {
        Incident a = incident("fra-web-01", RootCause.LISTEN_BACKLOG_OVERFLOW, "2026-11-18T00:00:03Z");
        Incident b = incident("fra-web-02", RootCause.LISTEN_BACKLOG_OVERFLOW, "2026-11-18T00:00:04Z");
        Incident alone = incident("web-06", RootCause.WORKER_CRASH, "2026-11-21T11:00:55Z");
        FleetIncident f = FleetIncident.newBuilder().setId("eu-central/LISTEN_BACKLOG_OVERFLOW@2026-11-18T00:00:03Z")
                .setFleet("eu-central").setRootCause(RootCause.LISTEN_BACKLOG_OVERFLOW).setHosts(List.of("fra-web-01", "fra-web-02"))
                .setActiveHosts(24).setShareOfFleet(2 / 24.0).setWindowStart(Instant.parse("2026-11-18T00:00:03Z"))
                .setWindowEnd(Instant.parse("2026-11-18T00:00:04Z")).setStatusCounts(Map.of("502", 18L)).setTotalRequests(40)
                .setIncidentIds(List.of(a.getId(), b.getId())).setRemediation("r").build();
        String table = ReplayCommand.summaryTable(List.of(a, alone, b), List.of(), List.of(f));
        assertEquals(String.join("\n",
                "host                  started (UTC)         root cause               502  504  requests  culprit",
                "--------------------  --------------------  -----------------------  ---  ---  --------  -------",
                "web-06                2026-11-21T11:00:55Z  WORKER_CRASH             9    0    20               ",
                "eu-central (2 hosts)  2026-11-18T00:00:03Z  LISTEN_BACKLOG_OVERFLOW  18   0    40"), table);
    }
}
