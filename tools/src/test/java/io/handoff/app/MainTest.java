package io.handoff.app;

import io.handoff.config.Command;
import io.handoff.config.Key;
import io.handoff.config.Keys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's contract: exit codes 0/1/2 and messages that say what was expected. */
class MainTest {

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        Result r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("usage: handoff <command> [options]"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownCommandNamesTheAcceptedOnes() {
        Result r = run("repaly");
        assertEquals(2, r.code());
        assertEquals("handoff: unknown command 'repaly'; expected one of: demo, replay, run, ship, parse, bench, help\n", r.err());
    }

    @Test
    void everyCommandHasHelpOnStdoutWithExit0() {
        for (String c : List.of("demo", "replay", "run", "ship", "parse", "bench")) {
            Result r = run(c, "--help");
            assertEquals(0, r.code(), c);
            assertTrue(r.out().startsWith("usage: handoff " + c), c + ": " + r.out());
            assertEquals("", r.err(), c);
        }
        Result r = run("help", "replay");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: handoff replay DIR"), r.out());
    }

    @Test
    void runAndShipHelpListEveryKeyWithItsEnvironmentName() {
        Result r = run("run", "--help");
        for (Key<?> key : Keys.of(Command.RUN)) {
            assertTrue(r.out().contains("  " + key.name() + " (" + key.env()), key.name());
        }
        r = run("ship", "--help");
        for (Key<?> key : Keys.of(Command.SHIP)) {
            assertTrue(r.out().contains("  " + key.name() + " (" + key.env()), key.name());
        }
    }

    @Test
    void badFlagValuesSayWhatWasExpected(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("web-01"));
        Result r = run("replay", dir.toString(), "--format", "xml");
        assertEquals(2, r.code());
        assertEquals("handoff replay: --format expects text or json, got 'xml'\n(see 'handoff replay --help')\n", r.err());

        r = run("replay", dir.toString(), "--timeout", "soon");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff replay: --timeout expects a duration like 500ms, 30s, 5m, 1h or PT30S,"
                + " got 'soon'"), r.err());

        r = run("replay", dir.toString(), "--partitions", "0");
        assertEquals("handoff replay: --partitions expects a positive whole number, got '0'\n(see 'handoff replay --help')\n", r.err());

        r = run("replay", dir.toString(), "--colour");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff replay: unknown option '--colour'; expected one of: --bootstrap-servers LIST,"),
                r.err());
    }

    @Test
    void replayChecksItsFolderBeforeStartingAnything(@TempDir Path dir) throws Exception {
        Result r = run("replay");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff replay: expected one folder DIR holding a folder per host, got none"), r.err());

        r = run("replay", dir.resolve("missing").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a folder; expected DIR/<host>/nginx-error.log"), r.err());

        Files.writeString(dir.resolve("nginx-error.log"), "x\n");
        r = run("replay", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds no host folders"), r.err());
    }

    @Test
    void runWithoutAClusterPointsAtTheWaysToGiveOne() {
        Result r = run("run", "--application-id", "x");
        if (System.getenv("HANDOFF_BOOTSTRAP_SERVERS") == null) {
            assertEquals(2, r.code());
            assertTrue(r.err().startsWith("handoff run: no Kafka cluster given: expected --bootstrap-servers,"
                    + " bootstrap.servers in --config, or HANDOFF_BOOTSTRAP_SERVERS"), r.err());
        }
    }

    @Test
    void parseRejectsAnUnknownSourceWithTheAcceptedKinds() {
        Result r = run("parse", "--source", "apache");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nginx-access, nginx-error, php-fpm, php-fpm-slow, php-fpm-access, kern"), r.err());
    }

    /** Exit code 2 and exactly this on stderr, nothing on stdout. */
    private static void assertUsage(List<String> args, String expected) {
        Result r = run(args.toArray(new String[0]));
        assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
        assertEquals(expected, r.err(), String.join(" ", args));
        assertEquals("", r.out(), String.join(" ", args));
    }

    @Test
    void aBadFlagOfEveryCommandSaysWhatWasExpected(@TempDir Path dir) throws Exception {
        assertUsage(List.of("run", "--partitions", "x"),
                "handoff run: --partitions expects a positive whole number, got 'x'\n(see 'handoff run --help')\n");
        assertUsage(List.of("run", "--http-port", "80800"),
                "handoff run: --http-port expects a port number 0..65535, got '80800'\n(see 'handoff run --help')\n");
        assertUsage(List.of("run", "--partitions"), "handoff run: --partitions expects a value\n(see 'handoff run --help')\n");
        assertUsage(List.of("run", "now"), "handoff run: takes no operands, got 'now'\n(see 'handoff run --help')\n");
        assertUsage(List.of("demo", "--timeout", "soon"), "handoff demo: --timeout expects a duration like 500ms, 30s, 5m, 1h"
                + " or PT30S, got 'soon'\n(see 'handoff demo --help')\n");
        assertUsage(List.of("demo", "--http-port", "0"),
                "handoff demo: --http-port is the console's port; it needs --serve\n(see 'handoff demo --help')\n");
        assertUsage(List.of("ship", "--bootstrap-servers", "k:9092", "--host", "h", "--file", "kern=/k", "--buffer-bytes",
                "lots"), "handoff ship: --buffer-bytes expects a size like 65536, 512KiB, 64MiB or 1GiB, got 'lots'\n"
                + "(see 'handoff ship --help')\n");
        assertUsage(List.of("parse", "--source", "kern", "--year", "twenty"),
                "handoff parse: bad --year 'twenty': expected a year such as 2026\n(see 'handoff parse --help')\n");
        assertUsage(List.of("bench", "--instances", "3"),
                "handoff bench: --instances: expected a number from 1 to 2, got 3\n(see 'handoff bench --help')\n");
        assertUsage(List.of("help", "shipp"),
                "handoff help: unknown command 'shipp'; expected one of: demo, replay, run, ship, parse, bench, help\n"
                        + "(see 'handoff help --help')\n");

        Result r = run("ship", "--host", "h", "--colour", "red");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff ship: unknown option '--colour'; expected one of: --bootstrap-servers LIST,"
                + " --buffer-bytes SIZE, --buffer-entries N, --close-timeout DURATION, --config FILE, --file KIND=PATH,"), r.err());

        // a value from --config is named by its key, one from a flag by the flag
        Path config = dir.resolve("run.properties");
        Files.writeString(config, "handoff.grace=soon\n");
        assertUsage(List.of("run", "--config", config.toString()), "handoff run: handoff.grace expects a duration like 500ms,"
                + " 30s, 5m, 1h or PT30S, got 'soon'\n(see 'handoff run --help')\n");
        Files.writeString(config, "handoff.http-port=http\n");
        assertUsage(List.of("run", "--config", config.toString(), "--http-port", "9090", "--bootstrap-servers", "127.0.0.1:1",
                "--schema-registry-url", "mock://x", "--http-bind", "every-interface"), "handoff run: --http-bind expects an IP"
                + " address such as 127.0.0.1, 0.0.0.0 or ::, got 'every-interface'\n(see 'handoff run --help')\n");
    }

    @Test
    void versionAndHelpOfTheWholeCommand() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertEquals("handoff " + Main.VERSION + "\n", r.out());
        assertEquals(r.out(), run("version").out());
        r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: handoff <command> [options]"), r.out());
        for (String c : List.of("demo", "replay", "run", "ship", "parse", "bench", "help")) {
            assertTrue(r.out().contains("\n  " + c + " "), c + " is listed: " + r.out());
        }
        assertEquals(r.out(), run("help").out());
        assertEquals(run("ship", "--help").out(), run("help", "ship").out());
    }

    @Test
    void completionIsABashScriptThatCompletesCommandsAndValues(@TempDir Path dir) throws Exception {
        Result r = run("completion");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -F _complete_handoff"), r.out());
        Path bash = Path.of("/bin/bash");
        Assumptions.assumeTrue(Files.isExecutable(bash), "no /bin/bash to run the script in");
        Path script = dir.resolve("handoff.bash");
        Files.writeString(script, r.out());
        assertEquals(List.of("parse"), complete(bash, script, "handoff pa"));
        assertEquals(List.of("nginx-access", "nginx-error"), complete(bash, script, "handoff parse --source ngi"));
        assertTrue(complete(bash, script, "handoff run --http-").containsAll(List.of("--http-port", "--http-bind")));
    }

    /** What bash offers for the last word of {@code line} with the completion script sourced. */
    private static List<String> complete(Path bash, Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        ProcessBuilder pb = new ProcessBuilder(bash.toString(), "-c", "source " + script + " 2>/dev/null; COMP_WORDS=(" + words
                + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE};"
                + " _complete_handoff 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> !l.isBlank()).map(String::strip).sorted().toList();
    }
}
