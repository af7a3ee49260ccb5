package io.handoff.topology;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.Incident;
import io.handoff.common.CloseGate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.handoff.avro.SourceKind.NGINX_ACCESS;
import static io.handoff.avro.SourceKind.NGINX_ERROR;
import static io.handoff.topology.HandoffTopologyTest.REFUSED;
import static io.handoff.topology.HandoffTopologyTest.access;
import static io.handoff.topology.HandoffTopologyTest.error;
import static io.handoff.topology.HandoffTopologyTest.l;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The wall-clock idle close (40 s by default) counts a host's silence only while the partition is live:
 * caught up with its input and the broker answering ({@link CloseGate#live}). Behind, or with the broker
 * away, silence says nothing; when the partition is live again, every host's silence counts from zero.
 */
class IdleCloseGateTest {
    /** A progress monitor the test sets by hand. */
    static final class Switch implements CloseGate.Progress {
        volatile boolean caughtUp = true;

        @Override
        public boolean caughtUp(int partition) {
            return caughtUp;
        }
    }

    static void burst(Harness h) {
        h.ship("web-i", l(NGINX_ERROR, error("00:00:10", "error", REFUSED)));
        h.ship("web-i", l(NGINX_ACCESS, access("00:00:10", 502, "GET / HTTP/1.1")));
        h.ship("web-i", l(NGINX_ACCESS, access("00:00:11", 502, "GET / HTTP/1.1")));
    }

    @Test
    void aSilentHostClosesAfterTheIdleTimeWhileLive() {
        Switch progress = new Switch();
        try (Harness h = new Harness(HandoffConfig.defaults(), CloseGate.live(progress))) {
            burst(h);
            h.advance(Duration.ofSeconds(39));
            assertEquals(List.of(), h.incidents());
            h.advance(Duration.ofSeconds(2));
            assertEquals(1, h.incidents().size());
        }
    }

    @Test
    void behindOrWithTheBrokerAwaySilenceDoesNotCountAndCountsFromZeroAfter() {
        Switch progress = new Switch();
        try (Harness h = new Harness(HandoffConfig.defaults(), CloseGate.live(progress))) {
            burst(h);
            h.advance(Duration.ofSeconds(30));
            progress.caughtUp = false; // the broker goes away 30 s into the host's silence
            h.advance(Duration.ofSeconds(1));
            for (int i = 0; i < 10; i++) {
                h.advance(Duration.ofSeconds(30));
            }
            assertEquals(List.of(), h.incidents(), "five minutes without the broker close nothing");
            progress.caughtUp = true;
            h.advance(Duration.ofSeconds(1));
            // the host's shipper delivers what it buffered: the burst goes on
            h.ship("web-i", l(NGINX_ACCESS, access("00:00:12", 502, "GET / HTTP/1.1")));
            h.advance(Duration.ofSeconds(39));
            assertEquals(List.of(), h.incidents(), "silence counts from zero after the outage");
            h.advance(Duration.ofSeconds(2));
            List<Incident> out = h.incidents();
            assertEquals(1, out.size(), "one incident, with every line");
            assertEquals(Map.of("502", 3L), out.get(0).getStatusCounts());
        }
    }

    @Test
    void whenThePartitionIsLiveAgainEveryHostsSilenceStartsOver() {
        Switch progress = new Switch();
        progress.caughtUp = false; // a backlog: the application works through it
        try (Harness h = new Harness(HandoffConfig.defaults(), CloseGate.live(progress))) {
            burst(h);
            h.advance(Duration.ofMinutes(10));
            assertEquals(List.of(), h.incidents());
            progress.caughtUp = true;
            h.advance(Duration.ofSeconds(1));
            h.advance(Duration.ofSeconds(38));
            assertEquals(List.of(), h.incidents());
            h.advance(Duration.ofSeconds(2));
            assertEquals(1, h.incidents().size());
        }
    }
}
