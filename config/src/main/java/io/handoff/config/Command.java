package io.handoff.config;

import java.util.Locale;

/**
 * The commands of {@code handoff} that read settings from a file or the environment, as {@link Key#commands()}
 * names them ({@code demo} runs with the defaults; {@code bench} and {@code parse} take flags only).
 */
public enum Command {
    RUN, REPLAY, SHIP;

    /** The name on the command line ({@code run}). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
