package io.handoff.app;

import io.handoff.config.ConfigException;
import io.handoff.config.Command;
import io.handoff.config.HandoffConfig;
import io.handoff.config.Keys;
import io.handoff.parse.Parsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @Test
    void defaultsWhenNothingIsGiven() {
        HandoffConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertEquals(HandoffConfig.defaults(), c);
    }

    @Test
    void fileThenEnvironmentThenFlagsLastOneWins(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("handoff.properties");
        Files.writeString(f, String.join("\n",
                "bootstrap.servers=file:9092",
                "schema.registry.url=http://file:8081",
                "handoff.quiet-period=45s",
                "handoff.grace=20s",
                "handoff.timezone=Europe/Berlin",
                "handoff.fleet.min-share=0.25",
                "security.protocol=SSL",
                ""));
        HandoffConfig c = ConfigLoader.load(f,
                Map.of("HANDOFF_GRACE", "5s", "HANDOFF_BOOTSTRAP_SERVERS", "env:9092", "HANDOFF_KAFKA_CLIENT_ID", "x1",
                        "HANDOFF_FLEET_MIN_HOSTS", "7", "PATH", "/bin"),
                Map.of("bootstrap.servers", "flag:9092"));
        assertEquals(Duration.ofSeconds(45), c.quietPeriod());      // file
        assertEquals(Duration.ofSeconds(5), c.grace());             // env beats file
        assertEquals(ZoneId.of("Europe/Berlin"), c.defaultZone());
        assertEquals(0.25, c.fleetMinShare());
        assertEquals(7, c.fleetMinHosts());
        assertEquals(Map.of("bootstrap.servers", "flag:9092",      // flag beats env and file
                "schema.registry.url", "http://file:8081",
                "security.protocol", "SSL",
                "client.id", "x1"), c.streams());
    }

    @Test
    void environmentNamesFollowOneRule() {
        assertEquals("HANDOFF_QUIET_PERIOD", ConfigLoader.envName("handoff.quiet-period"));
        assertEquals("HANDOFF_FLEET_MIN_HOSTS", ConfigLoader.envName("handoff.fleet.min-hosts"));
        assertEquals("HANDOFF_NGINX_LOG_FORMAT", ConfigLoader.envName("handoff.nginx.log-format"));
    }

    @Test
    void aTypoInAHandoffKeyIsAnErrorThatListsTheKeys(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "handoff.quiet-perod=10s\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f, Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("--config " + f + ": unknown key 'handoff.quiet-perod'; handoff's keys are"
                + " handoff.topic-prefix, handoff.timezone,"), e.getMessage());
    }

    @Test
    void badValuesAreNamed() {
        assertEquals("handoff.quiet-period expects a duration like 500ms, 30s, 5m, 1h or PT30S, got 'thirty'",
                assertThrows(ConfigException.class,
                        () -> ConfigLoader.load(null, Map.of("HANDOFF_QUIET_PERIOD", "thirty"), Map.of())).getMessage());
        assertEquals("handoff.fleet.min-share expects a share between 0 and 1 such as 0.10, got '10%'",
                assertThrows(ConfigException.class,
                        () -> ConfigLoader.load(null, Map.of("HANDOFF_FLEET_MIN_SHARE", "10%"), Map.of())).getMessage());
        assertEquals("handoff.timezone expects a time zone like UTC, +02:00 or Europe/Berlin, got 'Mars/Olympus'",
                assertThrows(ConfigException.class,
                        () -> ConfigLoader.load(null, Map.of("HANDOFF_TIMEZONE", "Mars/Olympus"), Map.of())).getMessage());
        assertEquals("--config /nonexistent/h.properties: cannot read the file (/nonexistent/h.properties)",
                assertThrows(ConfigException.class,
                        () -> ConfigLoader.load(Path.of("/nonexistent/h.properties"), Map.of(), Map.of())).getMessage());
    }

    @Test
    void recordLimitsAndOutageThresholdsAreConfigurable(@TempDir Path dir) throws Exception {
        HandoffConfig.Limits d = ConfigLoader.load(null, Map.of(), Map.of()).limits();
        assertEquals(HandoffConfig.Limits.defaults(), d);
        assertEquals(Duration.ofDays(365), d.maxEventAge());
        assertEquals(Duration.ofMinutes(15), d.maxEventLead());
        assertEquals(16384, d.maxLineBytes());
        assertEquals(1 << 20, d.maxEntryBytes());
        assertEquals(Duration.ofSeconds(30), d.unreachableAfter());

        Path f = dir.resolve("limits.properties");
        Files.writeString(f, "handoff.max-event-age=0\nhandoff.max-line-bytes=64KiB\n");
        HandoffConfig.Limits l = ConfigLoader.load(f, Map.of("HANDOFF_MAX_EVENT_LEAD", "5m", "HANDOFF_MAX_ENTRY_BYTES", "4MiB",
                "HANDOFF_UNREACHABLE_AFTER", "10s"), Map.of()).limits();
        assertTrue(!l.ageBounded(), "0 lifts the bound on age");
        assertEquals(Duration.ofMinutes(5), l.maxEventLead());
        assertEquals(64 * 1024, l.maxLineBytes());
        assertEquals(4 << 20, l.maxEntryBytes());
        assertEquals(Duration.ofSeconds(10), l.unreachableAfter());
        assertTrue(ConfigLoader.isSet(f, Map.of(), "handoff.max-event-age"));
        assertTrue(!ConfigLoader.isSet(f, Map.of(), "handoff.max-event-lead"));
        assertTrue(ConfigLoader.isSet(null, Map.of("HANDOFF_MAX_EVENT_LEAD", "5m"), "handoff.max-event-lead"));

        assertEquals("handoff.max-line-bytes expects a size in bytes like 16384, 16KiB or 1MiB, got 'big'",
                assertThrows(ConfigException.class,
                        () -> ConfigLoader.load(null, Map.of("HANDOFF_MAX_LINE_BYTES", "big"), Map.of())).getMessage());
        assertEquals("handoff.max-event-lead expects a duration like 500ms, 30s, 5m, 1h or PT30S, got 'soon'",
                assertThrows(ConfigException.class,
                        () -> ConfigLoader.load(null, Map.of("HANDOFF_MAX_EVENT_LEAD", "soon"), Map.of())).getMessage());
    }

    @Test
    void runsOwnKeysFollowTheSamePrecedence(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("run.properties");
        Files.writeString(f, "handoff.http-port=9001\nhandoff.http-bind=0.0.0.0\napplication.id=from-file\n");
        Map<String, String> file = ConfigLoader.resolve(Command.RUN, f, Map.of(), Map.of());
        assertEquals(9001, HandoffConfig.value(file, Keys.HTTP_PORT));
        assertEquals("0.0.0.0", HandoffConfig.value(file, Keys.HTTP_BIND).getHostAddress());
        Map<String, String> env = ConfigLoader.resolve(Command.RUN, f,
                Map.of("HANDOFF_HTTP_PORT", "9002", "HANDOFF_APPLICATION_ID", "from-env"), Map.of());
        assertEquals(9002, HandoffConfig.value(env, Keys.HTTP_PORT), "the environment beats the file");
        assertEquals("0.0.0.0", HandoffConfig.value(env, Keys.HTTP_BIND).getHostAddress());
        assertEquals("from-env", env.get("application.id"));
        Map<String, String> flags = ConfigLoader.resolve(Command.RUN, f, Map.of("HANDOFF_HTTP_PORT", "9002"),
                Map.of("handoff.http-port", "9003"));
        assertEquals(9003, HandoffConfig.value(flags, Keys.HTTP_PORT), "a flag beats the environment");
        assertEquals(8080, HandoffConfig.value(Map.of(), Keys.HTTP_PORT), "the table's default");
    }

    @Test
    void theDefaultsAreTheTables() {
        HandoffConfig d = HandoffConfig.defaults();
        assertEquals(Keys.QUIET_PERIOD.defaultValue(), d.quietPeriod());
        assertEquals(Keys.GRACE.defaultValue(), d.grace());
        assertEquals("combined", d.nginxLogFormat());
        assertEquals(Keys.FPM_ACCESS_FORMAT.defaultText(), d.fpmAccessFormat());
        assertEquals(Parsers.FPM_ACCESS_DEFAULT, d.fpmAccessFormat(), "the parser's default is the table's");
        assertEquals(Keys.TOPIC_PREFIX.defaultText(), d.topics().prefix());
        assertEquals(Map.of(), d.streams());
    }
}
