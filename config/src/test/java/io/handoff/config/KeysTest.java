package io.handoff.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table: each key once, a default its own type reads, one rule for environment names, messages that say what was expected. */
class KeysTest {

    @Test
    void eachKeyOnceWithItsOwnVariableAndADefaultItsTypeReads() {
        Set<String> names = new HashSet<>();
        Set<String> envs = new HashSet<>();
        for (Key<?> k : Keys.ALL) {
            assertTrue(names.add(k.name()), "twice: " + k.name());
            assertTrue(envs.add(k.env()), "variable twice: " + k.env());
            assertTrue(k.env().matches("HANDOFF_[A-Z0-9_]+"), k.env());
            assertTrue(!k.commands().isEmpty(), k.name() + " is read by no command");
            assertTrue(!k.help().isBlank(), k.name() + " has no help");
            if (k.defaultText() != null) {
                k.defaultValue(); // throws when the table's own default does not read
            }
            assertEquals(k, Keys.named(k.name()));
        }
        assertNull(Keys.named("handoff.quiet-perod"));
    }

    @Test
    void environmentNamesFollowOneRule() {
        assertEquals("HANDOFF_QUIET_PERIOD", Keys.QUIET_PERIOD.env());
        assertEquals("HANDOFF_FLEET_MIN_HOSTS", Keys.FLEET_MIN_HOSTS.env());
        assertEquals("HANDOFF_BOOTSTRAP_SERVERS", Keys.BOOTSTRAP_SERVERS.env());
        assertEquals("HANDOFF_SCHEMA_REGISTRY_URL", Keys.SCHEMA_REGISTRY_URL.env());
        assertEquals("HANDOFF_HTTP_PORT", Keys.HTTP_PORT.env());
    }

    @Test
    void defaultsAreTheValuesTheApplicationRanWith() {
        assertEquals(Duration.ofSeconds(30), Keys.QUIET_PERIOD.defaultValue());
        assertEquals(Duration.ofDays(365), Keys.MAX_EVENT_AGE.defaultValue());
        assertEquals(16 * 1024, Keys.MAX_LINE_BYTES.defaultValue());
        assertEquals(1 << 20, Keys.MAX_ENTRY_BYTES.defaultValue());
        assertEquals(0.10, Keys.FLEET_MIN_SHARE.defaultValue());
        assertEquals(ZoneId.of("UTC"), Keys.TIMEZONE.defaultValue());
        assertEquals(8080, Keys.HTTP_PORT.defaultValue());
        assertEquals("127.0.0.1", Keys.HTTP_BIND.defaultValue().getHostAddress());
        assertNull(Keys.BOOTSTRAP_SERVERS.defaultValue());
    }

    @Test
    void typesReadTheSameTextsAndNameWhatWasExpected() {
        assertEquals(Duration.ofMillis(500), Type.DURATION.read("x", "500ms"));
        assertEquals(Duration.ofDays(2), Type.DURATION.read("x", " 2d "));
        assertEquals(Duration.ofSeconds(30), Type.DURATION.read("x", "PT30S"));
        assertEquals(Duration.ZERO, Type.DURATION_OR_OFF.read("x", "off"));
        assertEquals(64 * 1024, Type.BYTES.read("x", "64KiB"));
        assertEquals("handoff.grace expects a duration like 500ms, 30s, 5m, 1h or PT30S, got '30 s'",
                assertThrows(ConfigException.class, () -> Keys.GRACE.read("30 s")).getMessage());
        assertEquals("--partitions expects a positive whole number, got '0'",
                assertThrows(ConfigException.class, () -> Type.POSITIVE_INT.read("--partitions", "0")).getMessage());
        assertEquals("handoff.fleet.min-share expects a share between 0 and 1 such as 0.10, got '1.5'",
                assertThrows(ConfigException.class, () -> Keys.FLEET_MIN_SHARE.read("1.5")).getMessage());
        assertEquals("handoff.http-bind expects an IP address such as 127.0.0.1, 0.0.0.0 or ::, got 'example.com'",
                assertThrows(ConfigException.class, () -> Keys.HTTP_BIND.read("example.com")).getMessage());
    }

    @Test
    void theSwitchesOfTheCorrelatorsInputAreTrueOrFalse() {
        assertEquals(false, Keys.EVENTS_ENABLED.defaultValue());
        assertEquals(true, Keys.CORRELATE_TICKS.defaultValue());
        HandoffConfig c = HandoffConfig.of(Map.of("handoff.events.enabled", "TRUE", "handoff.correlate.ticks", " false "));
        assertTrue(c.eventsTopic());
        assertTrue(!c.ticks());
        assertTrue(!HandoffConfig.defaults().eventsTopic() && HandoffConfig.defaults().ticks());
        assertEquals("handoff.correlate.ticks expects true or false, got 'yes'",
                assertThrows(ConfigException.class, () -> Keys.CORRELATE_TICKS.read("yes")).getMessage());
    }

    @Test
    void theShippersFormerNamesAreItsKeysWithoutTheirPrefix() {
        assertEquals(List.of("host", "registry", "fleet", "timezone", "topic-prefix", "poll-interval", "multiline-timeout",
                "rotate-grace", "buffer-bytes", "buffer-entries", "registry-interval", "close-timeout", "progress-every"),
                List.copyOf(Keys.SHIP_FORMER_NAMES.keySet()));
        Set<Key<?>> renamed = new HashSet<>(Keys.SHIP_FORMER_NAMES.values());
        assertEquals(Keys.of(Command.SHIP).stream().filter(k -> k != Keys.BOOTSTRAP_SERVERS).collect(Collectors.toSet()),
                renamed, "every key of handoff ship but bootstrap.servers (its name never changed) had a former name");
        assertEquals(Keys.TOPIC_PREFIX, Keys.SHIP_FORMER_NAMES.get("topic-prefix"));
        assertEquals("HANDOFF_SHIP_POLL_INTERVAL", Keys.SHIP_POLL_INTERVAL.env());
    }

    @Test
    void theShippersTypesReadWhatItsFileAlwaysTook() {
        assertEquals(Duration.ofSeconds(2), Type.SPACED_DURATION.read("x", "2 s"));
        assertEquals(Duration.ofMillis(200), Type.SPACED_DURATION.read("x", "200MS"));
        assertEquals(Duration.ZERO, Type.SPACED_DURATION_OR_NEVER.read("x", "0"));
        assertEquals(Duration.ofSeconds(30), Keys.SHIP_PROGRESS_EVERY.defaultValue());
        assertEquals(1L << 30, Type.SIZE.read("x", "1GiB"));
        assertEquals(512L << 10, Type.SIZE.read("x", "512 kb"));
        assertEquals(64L << 20, Keys.SHIP_BUFFER_BYTES.defaultValue());
        assertEquals(100_000L, Keys.SHIP_BUFFER_ENTRIES.defaultValue());
        assertEquals("x expects a size like 65536, 512KiB, 64MiB or 1GiB, got '0'",
                assertThrows(ConfigException.class, () -> Type.SIZE.read("x", "0")).getMessage());
        assertEquals("handoff.ship.rotate-grace expects a duration like 200ms, 2s, 5m or 1h, got '5 sec'",
                assertThrows(ConfigException.class, () -> Keys.SHIP_ROTATE_GRACE.read("5 sec")).getMessage());
    }

    @Test
    void theEnvironmentLayerHoldsTheSetVariablesOfTheCommandsKeys() {
        Map<String, String> env = Map.of("HANDOFF_BOOTSTRAP_SERVERS", " k:9092 ", "HANDOFF_TOPIC_PREFIX", "p",
                "HANDOFF_QUIET_PERIOD", "45s", "HANDOFF_GRACE", " ", "PATH", "/bin");
        assertEquals(Map.of("bootstrap.servers", "k:9092", "handoff.topic-prefix", "p"),
                Keys.fromEnvironment(env, Command.SHIP), "ship reads two keys; a value is trimmed");
        assertEquals(Map.of("bootstrap.servers", "k:9092", "handoff.topic-prefix", "p", "handoff.quiet-period", "45s"),
                Keys.fromEnvironment(env, Command.RUN), "a blank variable is not set");
    }
}
