package io.handoff.cli;

import io.handoff.config.ConfigException;
import io.handoff.config.Type;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * How every {@code handoff} command is run on picocli: help on {@code out} with exit code 0, a usage error
 * on {@code err} as "handoff COMMAND: what was expected, got what" and "(see 'handoff COMMAND --help')"
 * with exit code 2, a failure exit code 1. Option values are read in the commands with {@link #value},
 * so that a bad one says the same whether it came from a flag, a file or the environment.
 */
public final class Cli {
    /** The usage error's exit code. */
    public static final int USAGE = 2;

    /** Help is laid out for this many columns (its hand-made lines are narrower). */
    static final int USAGE_WIDTH = 120;

    private Cli() {}

    /** Runs {@code command} (an object annotated with picocli's {@code @Command}) on {@code args}. */
    public static int execute(Object command, List<String> args, PrintStream out, PrintStream err) {
        return commandLine(command, out, err).execute(args.toArray(new String[0]));
    }

    /**
     * The command line of {@code command}, written to {@code out} and {@code err}: options may be given
     * again (the last one wins), {@code @file} is an operand like any other, and the help of a command that
     * {@link ReadsKeys reads settings} lists them from the table.
     */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        return configure(new CommandLine(command), out, err);
    }

    /** {@link #commandLine} for a command line built already, with its subcommands: set for all of them. */
    public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        cl.setOut(writer(out));
        cl.setErr(writer(err));
        cl.setUsageHelpWidth(USAGE_WIDTH);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandSpec spec = ex.getCommandLine().getCommandSpec();
            PrintWriter w = ex.getCommandLine().getErr();
            w.println(who(spec) + ": " + message(ex));
            if (spec.parent() != null || !spec.name().equals("handoff")) {
                w.println("(see '" + who(spec) + " --help')");
            }
            w.flush();
            return USAGE;
        });
        KeyHelp.apply(cl);
        summariesOnlyInTheList(cl);
        return cl;
    }

    /**
     * A command's {@code header} is its line in its parent's list of commands; its own help begins with its
     * synopsis ("usage: handoff COMMAND ...").
     */
    private static void summariesOnlyInTheList(CommandLine cl) {
        List<String> keys = new ArrayList<>(cl.getHelpSectionKeys());
        keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
        keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER);
        cl.setHelpSectionKeys(keys);
        cl.getSubcommands().values().forEach(Cli::summariesOnlyInTheList);
    }

    /** A usage error of the command {@code spec}: exit code 2 with {@code message}. */
    public static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * {@code text} given to {@code option}, read as {@code type}: a bad one is a usage error
     * "OPTION expects …, got 'TEXT'".
     */
    public static <T> T value(CommandSpec spec, String option, Type<T> type, String text) {
        try {
            return type.read(option, text);
        } catch (ConfigException e) {
            throw usage(spec, e.getMessage());
        }
    }

    /** {@code handoff} or {@code handoff COMMAND}. */
    static String who(CommandSpec spec) {
        return spec.parent() == null && spec.name().equals("handoff") ? "handoff" : "handoff " + spec.name();
    }

    /** What was expected and what arrived, in handoff's words rather than picocli's. */
    static String message(ParameterException ex) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("-") && arg.length() > 1 && !arg.equals("-")) {
                return "unknown option '" + arg.split("=", 2)[0] + "'; expected one of: " + String.join(", ", options(spec));
            }
            if (!spec.subcommands().isEmpty()) {
                return "unknown command '" + arg + "'; expected one of: " + String.join(", ", commands(spec));
            }
            return "takes no operands, got '" + arg + "'";
        }
        if (ex instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                return o.longestName() + " expects a value";
            }
            return "expected " + missing.paramLabel();
        }
        return ex.getMessage();
    }

    /** The subcommands a user is shown, in their order. */
    public static List<String> commands(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        spec.subcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && !names.contains(sub.getCommandName())) {
                names.add(sub.getCommandName());
            }
        });
        return names;
    }

    /** {@code --name LABEL} or {@code --name}, sorted. */
    static List<String> options(CommandSpec spec) {
        List<String> all = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden()) {
                all.add(o.longestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : ""));
            }
        }
        all.sort(null);
        return all;
    }

    /** Writes through the stream's own print methods, so that help has the bytes the stream's other text has. */
    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] cbuf, int off, int len) {
                stream.print(new String(cbuf, off, len));
            }

            @Override
            public void flush() {
                stream.flush();
            }

            @Override
            public void close() {
                stream.flush();
            }
        }, true);
    }
}
