package io.handoff.config;

import java.net.InetAddress;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.handoff.config.Command.REPLAY;
import static io.handoff.config.Command.RUN;
import static io.handoff.config.Command.SHIP;

/**
 * Every setting of handoff, once: the loader ({@code io.handoff.app.ConfigLoader}), each command's
 * {@code --help}, the README's configuration table and the deployment files' environment names are made
 * from this table or tested against it.
 *
 * <p>One precedence everywhere: the default, then {@code --config FILE}, then the environment, then a
 * flag; the last one given wins ({@link #fromEnvironment} is the environment's layer). Kafka Streams and
 * client settings other than the three below pass through unchecked: {@code HANDOFF_KAFKA_<NAME>} in the
 * environment ({@code HANDOFF_KAFKA_SECURITY_PROTOCOL} → {@code security.protocol}).
 */
public final class Keys {
    private Keys() {}

    private static final Set<Command> APP = Set.of(RUN, REPLAY);

    // where the records go
    public static final Key<String> BOOTSTRAP_SERVERS = new Key<>("bootstrap.servers", Type.TEXT, null,
            "Kafka brokers, HOST:PORT,...", Set.of(RUN, REPLAY, SHIP));
    public static final Key<String> SCHEMA_REGISTRY_URL = new Key<>("schema.registry.url", Type.TEXT, null,
            "Schema Registry; mock://NAME keeps schemas in memory (one process only; replay's default)", APP);
    public static final Key<String> APPLICATION_ID = new Key<>("application.id", Type.TEXT, "handoff",
            "Kafka Streams application.id", Set.of(RUN));
    public static final Key<String> TOPIC_PREFIX = new Key<>("handoff.topic-prefix", Type.TEXT, "handoff",
            "prefix of every topic name", Set.of(RUN, REPLAY, SHIP));

    // reading the lines
    public static final Key<ZoneId> TIMEZONE = new Key<>("handoff.timezone", Type.ZONE, "UTC",
            "zone of zone-less stamps when the shipper sends no event.timezone", APP);
    public static final Key<String> NGINX_LOG_FORMAT = new Key<>("handoff.nginx.log-format", Type.TEXT, "combined",
            "nginx log_format of access logs when the shipper sends none (combined, main, or the format)", APP);
    public static final Key<String> FPM_ACCESS_FORMAT = new Key<>("handoff.fpm.access-format", Type.TEXT,
            "%R - %u %t \"%m %r\" %s", "PHP-FPM access.format when the shipper sends none", APP);

    // incidents
    public static final Key<Duration> QUIET_PERIOD = new Key<>("handoff.quiet-period", Type.DURATION, "30s",
            "an incident ends after this much event time without a gateway error; it closes 1 s later once every"
                    + " active log of the host has got there", APP);
    public static final Key<Duration> LOOK_BACK = new Key<>("handoff.look-back", Type.DURATION, "5m",
            "evidence this far before the first gateway error is taken in", APP);
    public static final Key<Duration> GRACE = new Key<>("handoff.grace", Type.DURATION, "10s",
            "how far behind the latest line of its own log a line may arrive and not count as late (a log of the"
                    + " host that is not there yet holds an incident while it delivers lines, see handoff.source-idle)", APP);
    public static final Key<Duration> IDLE_CLOSE = new Key<>("handoff.idle-close", Type.DURATION, "40s",
            "wall-clock silence of a host after which its open incident closes, counted only while the application"
                    + " is caught up and the broker answers (replay: 2s unless set)", APP);
    public static final Key<Duration> SOURCE_IDLE = new Key<>("handoff.source-idle", Type.DURATION, "5s",
            "wall-clock silence of one log of a host after which it no longer holds the host's open incident: a log"
                    + " that delivered a line within this holds an incident until it has passed last error + quiet"
                    + " period + 1 s, however far the host's other logs ran ahead; a log that stopped (the kernel log"
                    + " with nothing to say, the error log after the burst) holds nothing once silent this long. Counted"
                    + " only while caught up; keep it above the shipper's longest pause between two reads of a file that"
                    + " keeps pace (Filebeat: backoff.max + 1 s; 12s for its default backoff.max 10s) and below quiet"
                    + " period + 1 s so a stopped log never delays the close",
            APP);
    public static final Key<Integer> EVIDENCE_CAP = new Key<>("handoff.evidence-cap", Type.POSITIVE_INT, "50",
            "evidence lines kept per incident", APP);

    // the fleet
    public static final Key<Duration> FLEET_WINDOW = new Key<>("handoff.fleet.window", Type.DURATION, "2m",
            "fleet correlation window", APP);
    public static final Key<Integer> FLEET_MIN_HOSTS = new Key<>("handoff.fleet.min-hosts", Type.POSITIVE_INT, "3",
            "hosts needed for a fleet incident …", APP);
    public static final Key<Double> FLEET_MIN_SHARE = new Key<>("handoff.fleet.min-share", Type.SHARE, "0.10",
            "… or this share of the active fleet, 0..1", APP);
    public static final Key<Duration> FLEET_ACTIVE_WINDOW = new Key<>("handoff.fleet.active-window", Type.DURATION, "1h",
            "a host is active if it shipped a line within this", APP);
    public static final Key<Duration> RECURRENCE_TOLERANCE = new Key<>("handoff.recurrence.tolerance", Type.DURATION,
            "10m", "same UTC time of day within this", APP);
    public static final Key<Integer> RECURRENCE_MIN = new Key<>("handoff.recurrence.min", Type.POSITIVE_INT, "2",
            "recurring when seen on at least this many …", APP);
    public static final Key<Integer> RECURRENCE_DAYS = new Key<>("handoff.recurrence.days", Type.POSITIVE_INT, "3",
            "… of the last this many days, counting today", APP);

    // what the parse stage sends on
    public static final Key<Boolean> EVENTS_ENABLED = new Key<>("handoff.events.enabled", Type.BOOLEAN, "false",
            "also write every parsed line whole to <prefix>.events, for other consumers (the correlator reads"
                    + " <prefix>.correlate-input)", APP);
    public static final Key<Boolean> CORRELATE_TICKS = new Key<>("handoff.correlate.ticks", Type.BOOLEAN, "true",
            "lines without signal reach the correlator as small ticks; false sends every line whole", APP);

    // what handoff run serves and tells
    public static final Key<Integer> HTTP_PORT = new Key<>("handoff.http-port", Type.PORT, "8080",
            "port of the incident console (/), /health, /health/live and /metrics (Prometheus); 0 turns them off",
            Set.of(RUN));
    public static final Key<InetAddress> HTTP_BIND = new Key<>("handoff.http-bind", Type.ADDRESS, "127.0.0.1",
            "address they listen on (0.0.0.0 for all interfaces, as the container deployments set it)", Set.of(RUN));
    public static final Key<String> ALERTMANAGER_URL = new Key<>("handoff.alertmanager.url", Type.TEXT, null,
            "post each incident as an alert to this Alertmanager, resolve it when the incident closes (several"
                    + " comma separated)", Set.of(RUN));
    public static final Key<String> CONSOLE_URL = new Key<>("handoff.console.url", Type.TEXT, null,
            "the console's address in alert links (unset: http://HOSTNAME:PORT/, this host's name and handoff.http-port)", Set.of(RUN));

    // bounds on one record and on an outage
    public static final Key<Duration> MAX_EVENT_AGE = new Key<>("handoff.max-event-age", Type.DURATION_OR_OFF, "365d",
            "a line older than this (event time against the wall clock) is dead-lettered with stage time; 0 = no"
                    + " bound (replay, demo and bench replay recorded time and apply it only when set)", APP);
    public static final Key<Duration> MAX_EVENT_LEAD = new Key<>("handoff.max-event-lead", Type.DURATION, "15m",
            "a line more than this ahead of the wall clock is dead-lettered with stage time; keep it under the"
                    + " broker's log.message.timestamp.after.max.ms", APP);
    public static final Key<Integer> MAX_LINE_BYTES = new Key<>("handoff.max-line-bytes", Type.BYTES, "16KiB",
            "an entry longer than this is parsed whole and cut, with a marker, in the parsed line", APP);
    public static final Key<Integer> MAX_ENTRY_BYTES = new Key<>("handoff.max-entry-bytes", Type.BYTES, "1MiB",
            "a raw value larger than this is dead-lettered unparsed with its first 256 KiB", APP);
    public static final Key<Duration> UNREACHABLE_AFTER = new Key<>("handoff.unreachable-after", Type.DURATION, "30s",
            "the broker or the registry unreachable this long turns /health DOWN or DEGRADED", Set.of(RUN));

    // handoff ship: one host's files into the raw topics
    private static final Set<Command> SHIPPER = Set.of(SHIP);
    public static final Key<String> SHIP_HOST = new Key<>("handoff.ship.host", Type.TEXT, null,
            "host.name and record key of every event (unset: this machine's host name)", SHIPPER);
    public static final Key<String> SHIP_REGISTRY = new Key<>("handoff.ship.registry", Type.TEXT, "handoff-ship.registry",
            "the file that keeps, per log file, the offset after the last entry Kafka acknowledged", SHIPPER);
    public static final Key<String> SHIP_FLEET = new Key<>("handoff.ship.fleet", Type.TEXT, null,
            "fields.fleet of every event", SHIPPER);
    public static final Key<ZoneId> SHIP_TIMEZONE = new Key<>("handoff.ship.timezone", Type.ZONE, null,
            "event.timezone of every event, the zone of zone-less stamps (UTC, +02:00, Europe/Berlin; unset: none is"
                    + " sent and handoff.timezone applies)", SHIPPER);
    public static final Key<Duration> SHIP_POLL_INTERVAL = new Key<>("handoff.ship.poll-interval",
            Type.SPACED_DURATION, "200ms", "how often idle files are looked at", SHIPPER);
    public static final Key<Duration> SHIP_MULTILINE_TIMEOUT = new Key<>("handoff.ship.multiline-timeout",
            Type.SPACED_DURATION, "2s", "an open multi-line entry is sent after this long without a new line", SHIPPER);
    public static final Key<Duration> SHIP_ROTATE_GRACE = new Key<>("handoff.ship.rotate-grace", Type.SPACED_DURATION,
            "5s", "a rotated-away file is read until it has been idle this long", SHIPPER);
    public static final Key<Long> SHIP_BUFFER_BYTES = new Key<>("handoff.ship.buffer-bytes", Type.SIZE, "64MiB",
            "bound of the entries not yet acknowledged, in bytes; when full the files wait on disk", SHIPPER);
    public static final Key<Long> SHIP_BUFFER_ENTRIES = new Key<>("handoff.ship.buffer-entries", Type.POSITIVE_LONG,
            "100000", "bound of the entries not yet acknowledged, by count", SHIPPER);
    public static final Key<Duration> SHIP_REGISTRY_INTERVAL = new Key<>("handoff.ship.registry-interval",
            Type.SPACED_DURATION, "1s", "the registry is written at most this often (and on stop)", SHIPPER);
    public static final Key<Duration> SHIP_CLOSE_TIMEOUT = new Key<>("handoff.ship.close-timeout", Type.SPACED_DURATION,
            "30s", "on stop, how long Kafka is given to take the buffer", SHIPPER);
    public static final Key<Duration> SHIP_PROGRESS_EVERY = new Key<>("handoff.ship.progress-every",
            Type.SPACED_DURATION_OR_NEVER, "30s", "progress on stderr this often; 0 = never", SHIPPER);

    /** Every key, in the order of the README's table. */
    public static final List<Key<?>> ALL = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, APPLICATION_ID, TOPIC_PREFIX,
            TIMEZONE, NGINX_LOG_FORMAT, FPM_ACCESS_FORMAT, QUIET_PERIOD, LOOK_BACK, GRACE, IDLE_CLOSE, SOURCE_IDLE,
            EVIDENCE_CAP, FLEET_WINDOW, FLEET_MIN_HOSTS, FLEET_MIN_SHARE, FLEET_ACTIVE_WINDOW, RECURRENCE_TOLERANCE,
            RECURRENCE_MIN, RECURRENCE_DAYS, EVENTS_ENABLED, CORRELATE_TICKS, HTTP_PORT, HTTP_BIND, ALERTMANAGER_URL,
            CONSOLE_URL, MAX_EVENT_AGE, MAX_EVENT_LEAD, MAX_LINE_BYTES, MAX_ENTRY_BYTES, UNREACHABLE_AFTER, SHIP_HOST,
            SHIP_REGISTRY, SHIP_FLEET, SHIP_TIMEZONE, SHIP_POLL_INTERVAL, SHIP_MULTILINE_TIMEOUT, SHIP_ROTATE_GRACE,
            SHIP_BUFFER_BYTES, SHIP_BUFFER_ENTRIES, SHIP_REGISTRY_INTERVAL, SHIP_CLOSE_TIMEOUT, SHIP_PROGRESS_EVERY);

    /**
     * The names {@code handoff ship}'s {@code --config} file had for its keys before they were in this table
     * ({@code poll-interval} for {@code handoff.ship.poll-interval}): still read, with a warning naming the key.
     */
    public static final Map<String, Key<?>> SHIP_FORMER_NAMES = formerNames(SHIP_HOST, SHIP_REGISTRY, SHIP_FLEET,
            SHIP_TIMEZONE, TOPIC_PREFIX, SHIP_POLL_INTERVAL, SHIP_MULTILINE_TIMEOUT, SHIP_ROTATE_GRACE, SHIP_BUFFER_BYTES,
            SHIP_BUFFER_ENTRIES, SHIP_REGISTRY_INTERVAL, SHIP_CLOSE_TIMEOUT, SHIP_PROGRESS_EVERY);

    /** Each key by its name without {@code handoff.ship.} or {@code handoff.}. */
    private static Map<String, Key<?>> formerNames(Key<?>... keys) {
        Map<String, Key<?>> m = new LinkedHashMap<>();
        for (Key<?> k : keys) {
            m.put(k.name().replaceFirst("^handoff\\.(ship\\.)?", ""), k);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The prefix of the environment variables that pass any other Kafka setting through. */
    public static final String KAFKA_ENV_PREFIX = "HANDOFF_KAFKA_";

    private static final Map<String, Key<?>> BY_NAME = byName();

    private static Map<String, Key<?>> byName() {
        Map<String, Key<?>> m = new LinkedHashMap<>();
        for (Key<?> k : ALL) {
            if (m.put(k.name(), k) != null) {
                throw new IllegalStateException("key " + k.name() + " twice");
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The key of this name, or null. */
    public static Key<?> named(String name) {
        return BY_NAME.get(name);
    }

    /** The keys {@code command} reads, in table order. */
    public static List<Key<?>> of(Command command) {
        return ALL.stream().filter(k -> k.usedBy(command)).toList();
    }

    /**
     * The environment's layer for {@code command}: by key name, the value of each of its keys whose variable
     * is set and not blank (trimmed). It goes over the file's values and under the flags'.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> env, Command command) {
        Map<String, String> s = new LinkedHashMap<>();
        for (Key<?> k : of(command)) {
            String v = env.get(k.env());
            if (v != null && !v.isBlank()) {
                s.put(k.name(), v.trim());
            }
        }
        return s;
    }
}
