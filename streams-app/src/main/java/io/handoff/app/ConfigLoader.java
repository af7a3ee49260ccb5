package io.handoff.app;

import io.handoff.config.Command;
import io.handoff.config.ConfigException;
import io.handoff.config.HandoffConfig;
import io.handoff.config.Key;
import io.handoff.config.Keys;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Resolves a {@link HandoffConfig}: defaults, then a properties file ({@code --config}), then
 * {@code HANDOFF_*} environment variables, then command-line flags; the last one wins. The keys, their
 * defaults and their environment names are {@link Keys}'s.
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
    private ConfigLoader() {}

    /** The environment name of a key. */
    public static String envName(String key) {
        return Key.envName(key);
    }

    /**
     * The configuration of {@code handoff run}.
     *
     * @param file      properties file, or null
     * @param env       the environment (System.getenv() in production)
     * @param overrides settings from flags, by key
     */
    public static HandoffConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return HandoffConfig.of(resolve(Command.RUN, file, env, overrides));
    }

    /**
     * The settings in force for {@code command}, by key: handoff's keys and Kafka/registry settings, after the
     * precedence above ({@link HandoffConfig#of} builds the config from them; a command reads a key the
     * topology does not need, such as {@code handoff.alertmanager.url}, from here).
     *
     * @throws ConfigException an unreadable file or an unknown {@code handoff.} key in it
     */
    public static Map<String, String> resolve(Command command, Path file, Map<String, String> env,
                                              Map<String, String> overrides) {
        Map<String, String> s = new TreeMap<>(read(file));
        s.putAll(Keys.fromEnvironment(env, command));
        env.forEach((k, v) -> {
            if (k.startsWith(Keys.KAFKA_ENV_PREFIX) && k.length() > Keys.KAFKA_ENV_PREFIX.length()) {
                s.put(k.substring(Keys.KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        s.putAll(overrides);
        return s;
    }

    /** The settings of a properties file (none for null); an unknown handoff key is refused with the known ones. */
    static Map<String, String> read(Path file) {
        Map<String, String> s = new TreeMap<>();
        if (file == null) {
            return s;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("--config " + file + ": cannot read the file (" + e.getMessage() + ")");
        }
        p.stringPropertyNames().forEach(n -> s.put(n.trim(), p.getProperty(n).trim()));
        for (String n : s.keySet()) {
            if (n.startsWith("handoff.") && Keys.named(n) == null) {
                throw new ConfigException("--config " + file + ": unknown key '" + n + "'; handoff's keys are "
                        + String.join(", ", Keys.ALL.stream().map(Key::name).filter(k -> k.startsWith("handoff.")).toList()));
            }
        }
        return s;
    }

    /** Whether {@code key} was set in the file or the environment (not left at its default). */
    public static boolean isSet(Path file, Map<String, String> env, String key) {
        String v = env.get(Key.envName(key));
        return v != null && !v.isBlank() || read(file).containsKey(key);
    }
}
