package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.Incident;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.handoff.avro.SourceKind.NGINX_ACCESS;
import static io.handoff.avro.SourceKind.NGINX_ERROR;
import static io.handoff.topology.HandoffTopologyTest.EAGAIN;
import static io.handoff.topology.HandoffTopologyTest.access;
import static io.handoff.topology.HandoffTopologyTest.error;
import static io.handoff.topology.HandoffTopologyTest.l;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an open incident costs does not grow with its lines or with the evidence cap: a burst of 1,200
 * gateway errors keeps a counters record of a few hundred bytes and nine lines of each kind (the first
 * eight and the latest), so a line costs the same at the first error as at the thousandth.
 */
class StateCostTest {

    static HandoffConfig withCap(int cap) {
        return HandoffConfig.of(Map.of("handoff.evidence-cap", String.valueOf(cap)));
    }

    @ParameterizedTest(name = "evidence cap {0}")
    @ValueSource(ints = {50, 500})
    void aLongBurstKeepsSmallCountersAndNineLinesOfEachKind(int cap) {
        try (Harness h = new Harness(withCap(cap))) {
            long[] header = new long[4];
            int n = 0;
            for (int s = 0; s < 60; s++) {
                for (int i = 0; i < 10; i++) {
                    String t = String.format("00:%02d:%02d", 10 + s / 60, s % 60);
                    h.ship("web-s", l(NGINX_ERROR, error(t, "error", EAGAIN)));
                    h.ship("web-s", l(NGINX_ACCESS, access(t, 502, "GET / HTTP/1.1")));
                }
                if (s == 0 || s == 9 || s == 29 || s == 59) {
                    header[n++] = h.stored(Harness.OPEN, "web-s").length;
                }
            }
            assertEquals(18, h.entries(Harness.LINES), "two kinds, nine lines each");
            assertTrue(header[3] < 512, "the counters after 1,200 lines: " + header[3] + " bytes");
            assertTrue(header[3] - header[0] < 128, "the counters grew by " + (header[3] - header[0]) + " bytes over 1,200 lines");
            h.advance(Duration.ofSeconds(41));
            List<Incident> out = h.incidents();
            assertEquals(1, out.size());
            assertEquals(1_200, out.get(0).getEvidenceTotal());
            assertEquals(Map.of("502", 600L), out.get(0).getStatusCounts());
            assertEquals(18, out.get(0).getEvidence().size(), "every kept line fits under either cap");
            assertEquals(0, h.entries(Harness.LINES), "closed: its lines are gone");
        }
    }
}
