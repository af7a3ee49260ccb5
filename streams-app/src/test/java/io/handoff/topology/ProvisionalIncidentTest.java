package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.handoff.avro.SourceKind.KERN;
import static io.handoff.avro.SourceKind.NGINX_ACCESS;
import static io.handoff.avro.SourceKind.NGINX_ERROR;
import static io.handoff.avro.SourceKind.PHP_FPM;
import static io.handoff.topology.HandoffTopologyTest.RESET;
import static io.handoff.topology.HandoffTopologyTest.access;
import static io.handoff.topology.HandoffTopologyTest.error;
import static io.handoff.topology.HandoffTopologyTest.fpm;
import static io.handoff.topology.HandoffTopologyTest.l;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An incident in progress goes out on handoff.incident-updates, keyed by its id: OPEN with the verdict
 * so far as soon as its first gateway error is processed, an update when the verdict changes (looked at
 * at most about once a second, not per line), and the final record, CLOSED, there and on
 * handoff.incidents, which gets nothing else.
 */
class ProvisionalIncidentTest {
    static final String OOM = "2026-11-21T00:00:02,000000+00:00 Out of memory: Killed process 22077 (php-fpm8.2) total-vm:812340kB, anon-rss:256144kB, file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:680kB oom_score_adj:0";
    static final String KILLED = "[pool www] child 22077 exited on signal 9 (SIGKILL) after 12.345678 seconds from start";

    @Test
    void openAtOnceThenAnUpdatePerNewVerdictThenClosedOnBothTopics() {
        try (Harness h = new Harness()) {
            h.ship("web-p", l(NGINX_ACCESS, access("00:00:02", 502, "GET /import HTTP/1.1")));
            List<KeyValue<String, Incident>> first = h.updates();
            assertEquals(1, first.size(), "the provisional record goes out with the first gateway error");
            assertEquals("web-p@2026-11-21T00:00:02Z", first.get(0).key);
            Incident open = first.get(0).value;
            assertEquals(IncidentStatus.OPEN, open.getStatus());
            assertEquals(0, open.getRevision());
            assertEquals(RootCause.UNKNOWN, open.getRootCause(), "a 502 and nothing else, so far");
            assertEquals(List.of(), h.incidents());

            // the kernel and FPM lines that explain it arrive; many lines within the same second of wall time
            h.ship("web-p", l(KERN, OOM));
            h.ship("web-p", l(PHP_FPM, fpm("00:00:02", "WARNING", KILLED)));
            for (int s = 2; s < 8; s++) {
                h.ship("web-p", l(NGINX_ERROR, error("00:00:0" + s, "error", RESET)));
                h.ship("web-p", l(NGINX_ACCESS, access("00:00:0" + s, 502, "GET /import HTTP/1.1")));
            }
            assertEquals(List.of(), h.updates(), "not diagnosed per line: within a second of the last look, nothing");
            h.advance(Duration.ofSeconds(1));
            List<KeyValue<String, Incident>> update = h.updates();
            assertEquals(1, update.size());
            assertEquals("web-p@2026-11-21T00:00:02Z", update.get(0).key);
            assertEquals(IncidentStatus.OPEN, update.get(0).value.getStatus());
            assertEquals(1, update.get(0).value.getRevision());
            assertEquals(RootCause.OOM_KILL, update.get(0).value.getRootCause(), update.get(0).value::getSummary);
            assertEquals(Map.of("502", 7L), update.get(0).value.getStatusCounts());

            // more of the same: the counts grow, the verdict does not change, no update
            h.ship("web-p", l(NGINX_ERROR, error("00:00:08", "error", RESET)));
            h.ship("web-p", l(NGINX_ACCESS, access("00:00:08", 502, "GET /import HTTP/1.1")));
            h.advance(Duration.ofSeconds(2));
            assertEquals(List.of(), h.updates());

            h.idle();
            List<Incident> closed = h.incidents();
            assertEquals(1, closed.size(), "one final record on handoff.incidents");
            Incident i = closed.get(0);
            assertEquals(IncidentStatus.CLOSED, i.getStatus());
            assertEquals(2, i.getRevision());
            assertEquals(RootCause.OOM_KILL, i.getRootCause());
            assertEquals(Map.of("502", 8L), i.getStatusCounts());
            List<KeyValue<String, Incident>> last = h.updates();
            assertEquals(1, last.size());
            assertEquals(i.getId(), last.get(0).key);
            assertEquals(i, last.get(0).value, "the same final record on the updates topic");
            assertEquals(List.of(), h.warnings());
            assertEquals(List.of(), h.deadLetters());
        }
    }

    @Test
    void aPendingWarningGoesOutOnlyWhenItCloses() {
        try (Harness h = new Harness()) {
            h.ship("web-w", l(PHP_FPM, fpm("00:00:01", "WARNING", HandoffTopologyTest.MAX_CHILDREN)));
            h.advance(Duration.ofSeconds(5));
            assertEquals(List.of(), h.updates(), "warnings have no provisional records");
        }
    }

    @Test
    void twoHostsEachGetTheirOwnRecordsAndRevisions() {
        try (Harness h = new Harness(HandoffConfig.defaults())) {
            h.ship("web-a", l(NGINX_ACCESS, access("00:00:02", 502, "GET / HTTP/1.1")));
            h.ship("web-b", l(NGINX_ACCESS, access("01:00:02", 504, "GET / HTTP/1.1")));
            List<KeyValue<String, Incident>> u = h.updates();
            assertEquals(List.of("web-a@2026-11-21T00:00:02Z", "web-b@2026-11-21T01:00:02Z"), u.stream().map(kv -> kv.key).toList());
            assertEquals(List.of(0, 0), u.stream().map(kv -> kv.value.getRevision()).toList());
            h.idle();
            assertEquals(2, h.incidents().size());
            List<KeyValue<String, Incident>> closed = h.updates();
            assertEquals(2, closed.size());
            closed.forEach(kv -> {
                assertEquals(IncidentStatus.CLOSED, kv.value.getStatus());
                assertEquals(1, kv.value.getRevision());
            });
        }
    }
}
