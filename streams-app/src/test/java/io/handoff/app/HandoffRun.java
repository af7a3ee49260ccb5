package io.handoff.app;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One run of the {@code handoff} command line in this process ({@link Main#run}), with no standard input, for the
 * tests of the commands: this module's (the application's jar alone) and the tools module's (every command).
 *
 * @param code the exit code
 * @param out  what it wrote on standard output
 * @param err  what it wrote on standard error
 */
public record HandoffRun(int code, String out, String err) {

    /** The version {@code handoff --version} prints. */
    public static final String VERSION = Main.VERSION;

    /** {@code handoff ARGS}. */
    public static HandoffRun handoff(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new HandoffRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The command line with every command on the class path, as {@code handoff} builds it (its output discarded). */
    public static CommandLine commandLine() {
        PrintStream none = new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return Main.commandLine(new ByteArrayInputStream(new byte[0]), none, none);
    }
}
