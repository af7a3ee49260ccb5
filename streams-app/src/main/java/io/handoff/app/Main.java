package io.handoff.app;

import io.handoff.cli.Cli;
import io.handoff.cli.HelpOption;
import io.handoff.ship.ShipCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

/**
 * The {@code handoff} command: its subcommands on picocli. Exit codes: 0 ok, 1 failure, 2 usage error
 * (with a message that says what was expected). The application's jar has {@code run}, {@code ship} and
 * {@code parse}; {@code demo}, {@code replay} and {@code bench} come from the tools jar when it is on the
 * class path ({@link ToolCommands}), as it is for {@code ./handoff}.
 */
public final class Main {
    static final String VERSION = Main.class.getPackage().getImplementationVersion() == null
            ? "dev" : Main.class.getPackage().getImplementationVersion();

    private Main() {}

    /** How long a stop (SIGTERM/SIGINT) may take before the process gives up on a clean close. */
    static final long STOP_TIMEOUT_SECONDS = 90;

    public static void main(String[] args) {
        ExitCode exit = new ExitCode();
        Runtime.getRuntime().addShutdownHook(new Thread(exit::awaitAndHalt, "handoff-exit"));
        int code = run(Arrays.asList(args), System.in, System.out, System.err);
        System.out.flush();
        System.err.flush();
        exit.set(code);
        System.exit(code);
    }

    /**
     * The exit code is the command's, also when SIGTERM/SIGINT stopped it. The JVM ends a signalled run with
     * 128 + the signal (143) once its shutdown hooks are done, whatever the main thread then returns; so one
     * hook waits for the command to finish its clean stop (the commands' own hooks tell them to stop) and ends
     * the process with the command's code: 0 after a clean stop.
     */
    static final class ExitCode {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile int code = 1;

        void set(int code) {
            this.code = code;
            done.countDown();
        }

        void awaitAndHalt() {
            try {
                if (!done.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    System.err.println("handoff: did not stop within " + STOP_TIMEOUT_SECONDS + " s; exiting with 1");
                    code = 1;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }
    }

    /** Runs {@code handoff ARGS} with these streams; returns the exit code. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        return commandLine(in, out, err).execute(args.toArray(new String[0]));
    }

    /** The order in which {@code handoff --help} lists the commands (help, completion and version come last). */
    static final List<String> ORDER = List.of("demo", "replay", "run", "ship", "parse", "bench");

    /** The command line with every subcommand, in the order {@code handoff --help} lists them. */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Handoff(err));
        List<Object> commands = new ArrayList<>(List.of(new RunCommand(out, err), new ShipCommand(out, err),
                new ParseCommand(in, out, err)));
        for (ToolCommands tools : ServiceLoader.load(ToolCommands.class)) {
            commands.addAll(tools.commands(in, out, err));
        }
        commands.sort(Comparator.comparingInt(Main::rank));
        commands.forEach(cl::addSubcommand);
        cl.addSubcommand(new Help(out, err));
        cl.addSubcommand(new Completion(out));
        cl.addSubcommand("version", new CommandLine(new Version(out)));
        Cli.configure(cl, out, err);
        return cl;
    }

    /** Where a command comes in {@link #ORDER}; one it does not name comes after those it names. */
    private static int rank(Object command) {
        int i = ORDER.indexOf(command.getClass().getAnnotation(Command.class).name());
        return i < 0 ? ORDER.size() : i;
    }

    @Command(name = "handoff", versionProvider = Main.VersionProvider.class, mixinStandardHelpOptions = true,
            synopsisHeading = "", customSynopsis = "usage: handoff <command> [options]",
            descriptionHeading = "%n",
            description = {
                "Finds out which nginx -> PHP-FPM handoff failed: classifies every burst of 502/504 on a",
                "host from its nginx, PHP-FPM and kernel logs, and sees one cause on many hosts as one",
                "fleet incident."},
            optionListHeading = "%noptions:%n",
            commandListHeading = "%ncommands:%n",
            footerHeading = "%n",
            footer = "'handoff <command> --help' describes a command's options; 'handoff completion' prints a bash completion script.")
    static final class Handoff implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        private final PrintStream err;

        Handoff(PrintStream err) {
            this.err = err;
        }

        /** No command: the usage, on stderr, exit code 2. */
        @Override
        public Integer call() {
            err.print(spec.commandLine().getUsageMessage());
            err.flush();
            return Cli.USAGE;
        }
    }

    /** {@code handoff help [COMMAND]}: the usage of handoff or of one command, on stdout. */
    @Command(name = "help", header = "show this text, or 'handoff help <command>'", synopsisHeading = "",
            customSynopsis = "usage: handoff help [COMMAND]", descriptionHeading = "%n",
            description = "The help of handoff, or of one command (the same as 'handoff COMMAND --help').")
    static final class Help implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        HelpOption help;
        @Parameters(arity = "0..1", paramLabel = "COMMAND", description = "the command to describe")
        String command;
        private final PrintStream out;
        private final PrintStream err;

        Help(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            CommandLine root = spec.parent().commandLine();
            if (command == null) {
                out.print(root.getUsageMessage());
                return 0;
            }
            CommandLine sub = root.getSubcommands().get(command);
            if (sub == null) {
                throw Cli.usage(spec, "unknown command '" + command + "'; expected one of: "
                        + String.join(", ", Cli.commands(root.getCommandSpec())));
            }
            out.print(sub.getUsageMessage());
            return 0;
        }
    }

    /** {@code handoff completion}: a bash script that completes handoff's commands and options. */
    @Command(name = "completion", hidden = true, header = "print a bash completion script", synopsisHeading = "",
            customSynopsis = "usage: handoff completion", descriptionHeading = "%n",
            description = {"Prints a bash script that completes handoff's commands and options:",
                "  source <(handoff completion)    or    handoff completion > /etc/bash_completion.d/handoff"})
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        HelpOption help;
        private final PrintStream out;

        Completion(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            out.print(AutoComplete.bash("handoff", spec.parent().commandLine()));
            return 0;
        }
    }

    /** {@code handoff version}, the same as {@code handoff --version}. */
    @Command(name = "version", hidden = true, description = "print the version")
    static final class Version implements Callable<Integer> {
        private final PrintStream out;

        Version(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            out.println("handoff " + VERSION);
            return 0;
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"handoff " + VERSION};
        }
    }
}
