package io.handoff.console;

import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IncidentBoardTest {

    static List<String> ids(List<Incident> list) {
        return list.stream().map(Incident::getId).toList();
    }

    @Test
    void theFinalRecordWinsOverAProvisionalOneReadLaterAndRevisionsOnlyMoveForward() {
        IncidentBoard b = new IncidentBoard();
        assertTrue(b.accept(TestIncidents.oom("x", IncidentStatus.OPEN, 1, RootCause.WORKER_CRASH)));
        assertFalse(b.accept(TestIncidents.oom("x", IncidentStatus.OPEN, 0, RootCause.UNKNOWN)), "an older revision");
        assertTrue(b.accept(TestIncidents.oom("x", IncidentStatus.CLOSED, 2, RootCause.OOM_KILL)));
        assertFalse(b.accept(TestIncidents.oom("x", IncidentStatus.CLOSED, 2, RootCause.OOM_KILL)),
                "the same final record from the other topic");
        assertFalse(b.accept(TestIncidents.oom("x", IncidentStatus.OPEN, 3, RootCause.WORKER_CRASH)),
                "a provisional record read later from the other topic");
        assertEquals(RootCause.OOM_KILL, b.incident("x").getRootCause());
        assertEquals(IncidentStatus.CLOSED, b.incident("x").getStatus());
        b.remove("x");
        assertEquals(List.of(), b.incidents(IncidentBoard.Filter.ALL));
    }

    @Test
    void listsAreNewestFirstFilteredAndClosedOnesCapped() {
        IncidentBoard b = new IncidentBoard(2, 10);
        Instant t = Instant.parse("2026-11-19T23:59:58Z");
        b.accept(TestIncidents.backlog("fra-web-01", "eu-central", t, IncidentStatus.CLOSED));
        b.accept(TestIncidents.backlog("fra-web-02", "eu-central", t.plusSeconds(60), IncidentStatus.CLOSED));
        b.accept(TestIncidents.backlog("web-01", null, t.plusSeconds(120), IncidentStatus.OPEN));
        b.accept(TestIncidents.backlog("fra-web-03", "eu-central", t.plusSeconds(180), IncidentStatus.CLOSED));
        assertEquals(List.of("fra-web-03@" + t.plusSeconds(180), "web-01@" + t.plusSeconds(120), "fra-web-02@" + t.plusSeconds(60)),
                ids(b.incidents(IncidentBoard.Filter.ALL)), "the oldest closed one went; the open one stays");
        assertEquals(List.of("web-01@" + t.plusSeconds(120)), ids(b.incidents(IncidentBoard.Filter.of(Map.of("fleet", "default")))));
        assertEquals(List.of("fra-web-02@" + t.plusSeconds(60)),
                ids(b.incidents(IncidentBoard.Filter.of(Map.of("host", "fra-web-02", "root_cause", "LISTEN_BACKLOG_OVERFLOW")))));
        assertEquals(List.of(), ids(b.incidents(IncidentBoard.Filter.of(Map.of("root_cause", "OOM_KILL")))));
        assertEquals(List.of("web-01@" + t.plusSeconds(120)), ids(b.incidents(IncidentBoard.Filter.of(Map.of("status", "open")))));
        assertEquals(new IncidentBoard.Facets(List.of("fra-web-02", "fra-web-03", "web-01"), List.of("default", "eu-central"),
                List.of("LISTEN_BACKLOG_OVERFLOW")), b.facets());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IncidentBoard.Filter.of(Map.of("status", "pending")));
        assertEquals("status: expected open or closed, got 'pending'", e.getMessage());
    }
}
