package io.handoff.topology;

import io.handoff.avro.SourceKind;
import io.handoff.common.HandoffMetrics;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every counter the topology moves is one of {@link HandoffMetrics#DECLARED}, with label values declared
 * too: only those exist at 0 from the start, so a series that is not declared appears on /metrics only
 * once it moves and a {@code rate()} or an alert misses its first increase.
 */
class DeclaredCountersTest {

    static Set<String> declaredKeys() {
        Set<String> keys = new TreeSet<>();
        for (HandoffMetrics.Declared d : HandoffMetrics.DECLARED) {
            for (Map<String, String> labels : d.labelSets()) {
                String[] tags = labels.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue()))
                        .toArray(String[]::new);
                keys.add(HandoffMetrics.key(d.name(), tags));
            }
        }
        return keys;
    }

    @Test
    void everyCounterTheTopologyMovesIsDeclared() throws Exception {
        List<Harness.Line> web06 = SampleFleetTest.host("web-06");
        List<Harness.Line> web14 = SampleFleetTest.host("web-14");
        try (Harness h = new Harness()) {
            for (Harness.Line l : web06) h.ship("web-06", l);
            for (Harness.Line l : web14) h.ship("web-14", l);
            // what the parse stage refuses (an empty value, random bytes, a real line re-dated to 2100) and a real
            // FastCGI entry grown past the line limit, which it cuts
            byte[] key = "web-06".getBytes(StandardCharsets.UTF_8);
            byte[] noise = new byte[512];
            new Random(12).nextBytes(noise);
            h.shipRaw(SourceKind.NGINX_ERROR, key, new byte[0]);
            h.shipRaw(SourceKind.NGINX_ERROR, key, noise);
            h.ship("web-06", SourceKind.NGINX_ERROR, ParseLimitsTest.EAGAIN.replace("2026/11/21", "2100/11/21"));
            h.ship("web-14", SourceKind.NGINX_ERROR, ParseLimitsTest.FASTCGI_HEAD + ParseLimitsTest.FASTCGI_FRAME.repeat(400)
                    + ParseLimitsTest.FASTCGI_TAIL);
            h.advance(Duration.ofMinutes(2));

            Map<String, Long> moved = h.metrics.snapshot();
            Set<String> undeclared = new TreeSet<>(moved.keySet());
            undeclared.removeAll(declaredKeys());
            assertEquals(Set.of(), undeclared, "counters that moved but do not exist from the start; moved: " + moved);
            for (String name : List.of("lines", "incidents", "incident-updates", "dead-letters", "truncated")) {
                assertTrue(moved.keySet().stream().anyMatch(k -> k.startsWith(name + "{")),
                        name + " moved in this test, so it is checked: " + moved);
            }
        }
    }
}
