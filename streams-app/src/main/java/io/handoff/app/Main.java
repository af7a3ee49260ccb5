package io.handoff.app;

import io.handoff.bench.BenchCommand;
import io.handoff.ship.ShipCommand;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code handoff} command. Exit codes: 0 ok, 1 failure, 2 usage error (with a message that says
 * what was expected).
 */
public final class Main {
    static final String VERSION = Main.class.getPackage().getImplementationVersion() == null
            ? "dev" : Main.class.getPackage().getImplementationVersion();

    static final String USAGE = String.join("\n",
            "usage: handoff <command> [options]",
            "",
            "Finds out which nginx -> PHP-FPM handoff failed: classifies every burst of 502/504 on a",
            "host from its nginx, PHP-FPM and kernel logs, and sees one cause on many hosts as one",
            "fleet incident.",
            "",
            "commands:",
            "  demo     replay the bundled sample fleet through an in-process Kafka and print the incidents",
            "  replay   replay a folder of host logs (DIR/<host>/nginx-error.log, ...) and print the incidents",
            "  run      run the streaming application against a Kafka cluster",
            "  ship     tail a host's log files into Kafka (follows logrotate, resumes, never drops a line)",
            "  parse    parse log lines of one source and print one JSON object per event",
            "  bench    measure the pipeline on a generated fleet: lines/s vs the broker's ceiling, SEC, latency, state",
            "  help     show this text, or 'handoff help <command>'",
            "",
            "'handoff <command> --help' describes a command's options.");

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

    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            switch (command) {
                case "demo":
                    return new ReplayCommand(true).run(rest, out, err);
                case "replay":
                    return new ReplayCommand(false).run(rest, out, err);
                case "run":
                    return new RunCommand().run(rest, out, err);
                case "parse":
                    return ParseCli.run(rest, in, out, err);
                case "ship":
                    return ShipCommand.run(rest, out, err);
                case "bench":
                    return BenchCommand.run(rest, out, err);
                case "help":
                case "--help":
                case "-h":
                    return help(rest, in, out, err);
                case "version":
                case "--version":
                    out.println("handoff " + VERSION);
                    return 0;
                default:
                    err.println("handoff: unknown command '" + command
                            + "'; expected one of: demo, replay, run, ship, parse, bench, help");
                    return 2;
            }
        } catch (UsageException e) {
            err.println("handoff " + e.getMessage());
            err.println("(see 'handoff " + command + " --help')");
            return 2;
        }
    }

    private static int help(List<String> rest, InputStream in, PrintStream out, PrintStream err) {
        if (rest.isEmpty()) {
            out.println(USAGE);
            return 0;
        }
        String c = rest.get(0);
        if (List.of("demo", "replay", "run", "ship", "parse", "bench").contains(c)) {
            return run(List.of(c, "--help"), in, out, err);
        }
        err.println("handoff help: unknown command '" + c + "'; expected one of: demo, replay, run, ship, parse, bench");
        return 2;
    }
}
