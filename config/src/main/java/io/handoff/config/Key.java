package io.handoff.config;

import java.util.Locale;
import java.util.Set;

/**
 * One setting: its name in a properties file, its type, its default, its environment variable and its
 * help text, and the commands that read it. {@link Keys} holds every one.
 *
 * @param name         the key in {@code --config FILE} ({@code handoff.quiet-period}, {@code bootstrap.servers})
 * @param type         how its text is read
 * @param defaultText  the default as text (read by {@code type}), or null when there is none
 * @param help         one line for {@code --help} and the README
 * @param commands     the commands that read it from a file or the environment
 * @param <T>          the value
 */
public record Key<T>(String name, Type<T> type, String defaultText, String help, Set<Command> commands) {

    public Key {
        commands = Set.copyOf(commands);
    }

    /**
     * The environment variable: {@code HANDOFF_} and the name without {@code handoff.}, upper-case, with
     * {@code .} and {@code -} as {@code _} ({@code handoff.quiet-period} → {@code HANDOFF_QUIET_PERIOD},
     * {@code bootstrap.servers} → {@code HANDOFF_BOOTSTRAP_SERVERS}).
     */
    public String env() {
        return envName(name);
    }

    /** The environment variable of any key, by the rule of {@link #env()}. */
    public static String envName(String key) {
        String rest = key.startsWith("handoff.") ? key.substring("handoff.".length()) : key;
        return "HANDOFF_" + rest.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The default, or null when the key has none. */
    public T defaultValue() {
        return defaultText == null ? null : type.read(name, defaultText);
    }

    /** {@code text} read as this key's type; a bad one is a {@link ConfigException} naming the key. */
    public T read(String text) {
        return type.read(name, text);
    }

    /** Whether {@code command} reads this key. */
    public boolean usedBy(Command command) {
        return commands.contains(command);
    }

    @Override
    public String toString() {
        return name;
    }
}
