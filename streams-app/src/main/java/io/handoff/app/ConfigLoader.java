package io.handoff.app;

import io.handoff.topics.TopicNames;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a {@link HandoffConfig}: defaults, then a properties file ({@code --config}), then
 * {@code HANDOFF_*} environment variables, then command-line flags; the last one wins.
 *
 * <p>handoff's own keys start with {@code handoff.}; their environment name is the key without
 * {@code handoff.}, upper-cased, with {@code .} and {@code -} as {@code _}, behind {@code HANDOFF_}
 * ({@code handoff.quiet-period} → {@code HANDOFF_QUIET_PERIOD}). Kafka and registry settings are
 * passed to Kafka Streams as they are; {@code HANDOFF_BOOTSTRAP_SERVERS},
 * {@code HANDOFF_SCHEMA_REGISTRY_URL} and {@code HANDOFF_APPLICATION_ID} set the three common ones and
 * {@code HANDOFF_KAFKA_<NAME>} sets any other ({@code HANDOFF_KAFKA_SECURITY_PROTOCOL} →
 * {@code security.protocol}).
 */
public final class ConfigLoader {
    /** handoff's own keys, with a line of help each (printed by {@code handoff run --help}). */
    public static final Map<String, String> KEYS = keys();

    private ConfigLoader() {}

    private static Map<String, String> keys() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("handoff.topic-prefix", "prefix of every topic name (default handoff)");
        k.put("handoff.timezone", "zone of zone-less stamps when the shipper sends no event.timezone (default UTC)");
        k.put("handoff.nginx.log-format", "nginx log_format of access logs when the shipper sends none (default combined)");
        k.put("handoff.fpm.access-format", "PHP-FPM access.format when the shipper sends none (default '%R - %u %t \"%m %r\" %s')");
        k.put("handoff.quiet-period", "an incident ends after this much event time without a gateway error (default 30s)");
        k.put("handoff.look-back", "evidence this far before the first gateway error is taken in (default 5m)");
        k.put("handoff.grace", "how far behind the latest line of its own log a line may arrive and not be late; how long an"
                + " incident waits for a log that lags (default 10s)");
        k.put("handoff.idle-close", "wall-clock silence of a host after which its open incident closes, counted while the"
                + " application is caught up and the broker answers (default 40s)");
        k.put("handoff.evidence-cap", "evidence lines kept per incident (default 50)");
        k.put("handoff.fleet.window", "fleet correlation window (default 2m)");
        k.put("handoff.fleet.min-hosts", "hosts needed for a fleet incident (default 3) …");
        k.put("handoff.fleet.min-share", "… or this share of the active fleet, 0..1 (default 0.10)");
        k.put("handoff.fleet.active-window", "a host is active if it shipped a line within this (default 1h)");
        k.put("handoff.recurrence.tolerance", "same UTC time of day within this (default 10m)");
        k.put("handoff.recurrence.min", "recurring when seen on at least this many … (default 2)");
        k.put("handoff.recurrence.days", "… of the last this many days, counting today (default 3)");
        k.put("handoff.alertmanager.url", "post incidents as alerts to this Alertmanager (several comma separated; default none)");
        k.put("handoff.console.url", "the console's address in alert links (default http://<host name>:<http port>/)");
        k.put("handoff.max-event-age", "a line older than this (event time against the wall clock) is dead-lettered,"
                + " stage time; 0 = no bound (default 365d; replay, demo, bench: none unless set)");
        k.put("handoff.max-event-lead", "a line more than this ahead of the wall clock is dead-lettered, stage time;"
                + " keep it under the broker's log.message.timestamp.after.max.ms (default 15m)");
        k.put("handoff.max-line-bytes", "an entry longer than this is cut to it, with a marker, in handoff.events"
                + " (default 16KiB)");
        k.put("handoff.max-entry-bytes", "a raw value larger than this is dead-lettered unparsed, its first bytes kept"
                + " (default 1MiB)");
        k.put("handoff.unreachable-after", "the broker or registry unreachable this long turns /health DEGRADED or"
                + " DOWN (default 30s)");
        return Collections.unmodifiableMap(k);
    }

    /** The environment name of a handoff key. */
    public static String envName(String key) {
        String rest = key.startsWith("handoff.") ? key.substring("handoff.".length()) : key;
        return "HANDOFF_" + rest.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * @param file      properties file, or null
     * @param env       the environment (System.getenv() in production)
     * @param overrides settings from flags, by key
     */
    public static HandoffConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return from(resolve(file, env, overrides));
    }

    /**
     * The settings in force, by key: handoff's keys and Kafka/registry settings, after the precedence
     * above ({@link #load} builds the config from them; a command reads a key the topology does not need,
     * such as {@code handoff.alertmanager.url}, from here).
     */
    public static Map<String, String> resolve(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> s = new TreeMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UsageException("--config " + file + ": cannot read the file (" + e.getMessage() + ")");
            }
            p.stringPropertyNames().forEach(n -> s.put(n.trim(), p.getProperty(n).trim()));
            for (String n : s.keySet()) {
                if (n.startsWith("handoff.") && !KEYS.containsKey(n)) {
                    throw new UsageException("--config " + file + ": unknown key '" + n + "'; handoff's keys are "
                            + String.join(", ", KEYS.keySet()));
                }
            }
        }
        for (String key : KEYS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) {
                s.put(key, v);
            }
        }
        putEnv(env, s, "HANDOFF_BOOTSTRAP_SERVERS", "bootstrap.servers");
        putEnv(env, s, "HANDOFF_SCHEMA_REGISTRY_URL", "schema.registry.url");
        putEnv(env, s, "HANDOFF_APPLICATION_ID", "application.id");
        env.forEach((k, v) -> {
            if (k.startsWith("HANDOFF_KAFKA_") && k.length() > "HANDOFF_KAFKA_".length()) {
                s.put(k.substring("HANDOFF_KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        s.putAll(overrides);
        return s;
    }

    private static void putEnv(Map<String, String> env, Map<String, String> s, String var, String key) {
        String v = env.get(var);
        if (v != null && !v.isBlank()) {
            s.put(key, v.trim());
        }
    }

    /** Builds the config from resolved settings; every value is checked and a bad one named. */
    static HandoffConfig from(Map<String, String> s) {
        HandoffConfig d = HandoffConfig.defaults();
        Map<String, String> streams = new TreeMap<>();
        s.forEach((k, v) -> {
            if (!k.startsWith("handoff.")) {
                streams.put(k, v);
            }
        });
        return new HandoffConfig(
                new TopicNames(s.getOrDefault("handoff.topic-prefix", d.topics().prefix())),
                zone(s, "handoff.timezone", d.defaultZone()),
                s.getOrDefault("handoff.nginx.log-format", d.nginxLogFormat()),
                s.getOrDefault("handoff.fpm.access-format", d.fpmAccessFormat()),
                duration(s, "handoff.quiet-period", d.quietPeriod()),
                duration(s, "handoff.look-back", d.lookBack()),
                duration(s, "handoff.grace", d.grace()),
                duration(s, "handoff.idle-close", d.idleClose()),
                positive(s, "handoff.evidence-cap", d.evidenceCap()),
                duration(s, "handoff.fleet.window", d.fleetWindow()),
                positive(s, "handoff.fleet.min-hosts", d.fleetMinHosts()),
                share(s, "handoff.fleet.min-share", d.fleetMinShare()),
                duration(s, "handoff.fleet.active-window", d.activeWindow()),
                duration(s, "handoff.recurrence.tolerance", d.recurrenceTolerance()),
                positive(s, "handoff.recurrence.min", d.recurrenceMin()),
                positive(s, "handoff.recurrence.days", d.recurrenceDays()),
                Map.copyOf(streams),
                new HandoffConfig.Limits(
                        optionalDuration(s, "handoff.max-event-age", d.limits().maxEventAge()),
                        duration(s, "handoff.max-event-lead", d.limits().maxEventLead()),
                        bytes(s, "handoff.max-line-bytes", d.limits().maxLineBytes()),
                        bytes(s, "handoff.max-entry-bytes", d.limits().maxEntryBytes()),
                        duration(s, "handoff.unreachable-after", d.limits().unreachableAfter())));
    }

    /** Whether {@code key} was set in the file, the environment or a flag (not left at its default). */
    static boolean isSet(Path file, Map<String, String> env, String key) {
        if (env.containsKey(envName(key))) {
            return true;
        }
        if (file == null) {
            return false;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            return false;
        }
        return p.containsKey(key);
    }

    /** A duration, or {@code 0}/{@code off} for none ({@link Duration#ZERO}). */
    private static Duration optionalDuration(Map<String, String> s, String key, Duration fallback) {
        String v = s.get(key);
        if (v == null) {
            return fallback;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0") || t.equals("off") || t.equals("none")) {
            return Duration.ZERO;
        }
        return Options.durationValue(key, v);
    }

    /** {@code 16384}, {@code 16KiB}, {@code 1MiB} (also k/KB/M/MB, binary multiples). */
    static int bytes(Map<String, String> s, String key, int fallback) {
        String v = s.get(key);
        if (v == null) {
            return fallback;
        }
        Matcher m = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib)?")
                .matcher(v.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2);
            long size = unit.startsWith("k") ? n << 10 : unit.startsWith("m") ? n << 20 : n;
            if (size > 0 && size <= Integer.MAX_VALUE) {
                return (int) size;
            }
        }
        throw new UsageException(key + " expects a size in bytes like 16384, 16KiB or 1MiB, got '" + v + "'");
    }

    private static Duration duration(Map<String, String> s, String key, Duration fallback) {
        String v = s.get(key);
        return v == null ? fallback : Options.durationValue(key, v);
    }

    private static ZoneId zone(Map<String, String> s, String key, ZoneId fallback) {
        String v = s.get(key);
        return v == null ? fallback : Options.zoneValue(key, v);
    }

    private static int positive(Map<String, String> s, String key, int fallback) {
        String v = s.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // message below
        }
        throw new UsageException(key + " expects a positive whole number, got '" + v + "'");
    }

    private static double share(Map<String, String> s, String key, double fallback) {
        String v = s.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // message below
        }
        throw new UsageException(key + " expects a share between 0 and 1 such as 0.10, got '" + v + "'");
    }
}
