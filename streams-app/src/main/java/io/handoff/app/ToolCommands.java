package io.handoff.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * Commands that are not in the application's jar: {@code demo}, {@code replay} and {@code bench} live in the
 * tools module (with the demo fleet's generators, the bundled sample fleet and the in-process broker), which
 * registers them here through {@link java.util.ServiceLoader}. {@code ./handoff} runs the tools jar and has
 * every command; the container image holds the application's jar alone: {@code run}, {@code ship},
 * {@code parse}.
 */
public interface ToolCommands {
    /** The commands, each a picocli {@code @Command} object, writing to these streams. */
    List<Object> commands(InputStream in, PrintStream out, PrintStream err);
}
