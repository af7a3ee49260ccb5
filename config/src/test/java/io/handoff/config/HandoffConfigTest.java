package io.handoff.config;

import io.handoff.topics.TopicNames;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Each {@code withX} changes its fields and keeps every other: the configuration the same settings would build. */
class HandoffConfigTest {
    /** A setting of every field other than its default, and one Kafka setting. */
    private static final Map<String, String> SETTINGS = Map.ofEntries(Map.entry("bootstrap.servers", "k:9092"),
            Map.entry("handoff.topic-prefix", "p"), Map.entry("handoff.timezone", "Europe/Berlin"),
            Map.entry("handoff.nginx.log-format", "main"), Map.entry("handoff.fpm.access-format", "%R %s"),
            Map.entry("handoff.quiet-period", "31s"), Map.entry("handoff.look-back", "6m"), Map.entry("handoff.grace", "11s"),
            Map.entry("handoff.idle-close", "41s"), Map.entry("handoff.evidence-cap", "51"),
            Map.entry("handoff.fleet.window", "3m"), Map.entry("handoff.fleet.min-hosts", "4"),
            Map.entry("handoff.fleet.min-share", "0.2"), Map.entry("handoff.fleet.active-window", "2h"),
            Map.entry("handoff.recurrence.tolerance", "11m"), Map.entry("handoff.recurrence.min", "3"),
            Map.entry("handoff.recurrence.days", "4"), Map.entry("handoff.max-event-age", "30d"),
            Map.entry("handoff.max-event-lead", "16m"), Map.entry("handoff.max-line-bytes", "32KiB"),
            Map.entry("handoff.max-entry-bytes", "2MiB"), Map.entry("handoff.unreachable-after", "31s"),
            Map.entry("handoff.source-idle", "6s"), Map.entry("handoff.events.enabled", "true"),
            Map.entry("handoff.correlate.ticks", "false"));

    private static HandoffConfig with(String... keyValues) {
        Map<String, String> m = new HashMap<>(SETTINGS);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return HandoffConfig.of(m);
    }

    @Test
    void eachWithChangesItsFieldsAndKeepsEveryOther() {
        HandoffConfig base = HandoffConfig.of(SETTINGS);
        assertNotEquals(HandoffConfig.defaults(), base);
        assertEquals(with("handoff.topic-prefix", "q"), base.withTopics(new TopicNames("q")));
        assertEquals(with("handoff.quiet-period", "5s", "handoff.grace", "1s", "handoff.idle-close", "2s"),
                base.withCloseTimes(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertEquals(with("handoff.idle-close", "2s"), base.withIdleClose(Duration.ofSeconds(2)));
        assertEquals(with("handoff.max-event-age", "0"), base.withLimits(base.limits().withoutAgeBound()));
        assertEquals(with("handoff.events.enabled", "false"), base.withEventsTopic(false));
        assertEquals(with("handoff.correlate.ticks", "true"), base.withTicks(true));
        Map<String, String> streams = new HashMap<>(SETTINGS);
        streams.remove("bootstrap.servers");
        streams.put("security.protocol", "SSL");
        assertEquals(HandoffConfig.of(streams), base.withStreams(Map.of("security.protocol", "SSL")));
    }
}
