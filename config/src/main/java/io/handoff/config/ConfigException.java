package io.handoff.config;

/**
 * A setting that cannot be used, from a file, the environment or a flag: the message names the setting,
 * what was expected and what arrived. The commands report it as a usage error (exit code 2).
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
