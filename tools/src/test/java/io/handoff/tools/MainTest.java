package io.handoff.tools;

import io.handoff.app.HandoffRun;
import io.handoff.config.Key;
import io.handoff.config.Keys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.handoff.app.HandoffRun.handoff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's contract: exit codes 0/1/2 and messages that say what was expected. */
class MainTest {

    @Test
    void noCommandPrintsUsageAndExits2() {
        HandoffRun r = handoff();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("usage: handoff <command> [options]"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownCommandNamesTheAcceptedOnes() {
        HandoffRun r = handoff("repaly");
        assertEquals(2, r.code());
        assertEquals("handoff: unknown command 'repaly'; expected one of: demo, replay, run, ship, parse, bench, help\n", r.err());
    }

    @Test
    void everyCommandHasHelpOnStdoutWithExit0() {
        for (String c : List.of("demo", "replay", "run", "ship", "parse", "bench")) {
            HandoffRun r = handoff(c, "--help");
            assertEquals(0, r.code(), c);
            assertTrue(r.out().startsWith("usage: handoff " + c), c + ": " + r.out());
            assertEquals("", r.err(), c);
        }
        HandoffRun r = handoff("help", "replay");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: handoff replay DIR"), r.out());
    }

    @Test
    void runAndShipHelpListEveryKeyWithItsEnvironmentName() {
        HandoffRun r = handoff("run", "--help");
        for (Key<?> key : Keys.of(io.handoff.config.Command.RUN)) {
            assertTrue(r.out().contains("  " + key.name() + " (" + key.env()), key.name());
        }
        r = handoff("ship", "--help");
        for (Key<?> key : Keys.of(io.handoff.config.Command.SHIP)) {
            assertTrue(r.out().contains("  " + key.name() + " (" + key.env()), key.name());
        }
    }

    /**
     * Every "default X" an option's help states, where X is not the option's real default: picocli's default value
     * (what the command reads when the flag is not given) or, for an option that sets a key, the table's.
     */
    static List<String> wrongDefaults(CommandLine root, int[] checked) {
        List<String> wrong = new ArrayList<>();
        for (CommandLine c : root.getSubcommands().values()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                String where = "handoff " + c.getCommandName() + " " + o.longestName();
                String text = String.join(" ", o.renderedDescription());
                Key<?> key = Keys.named(o.descriptionKey());
                if (key != null) {
                    checked[0]++;
                    String stated = key.defaultText() == null ? "(" + key.env() + ")"
                            : "(default " + key.defaultText() + "; " + key.env() + ")";
                    if (!text.endsWith(stated)) {
                        wrong.add(where + ": '" + text + "' does not end with the table's " + stated);
                    }
                    continue;
                }
                Matcher m = STATED_DEFAULT.matcher(text);
                while (m.find()) {
                    checked[0]++;
                    if (!m.group(1).equals(o.defaultValue())) {
                        wrong.add(where + ": states default '" + m.group(1) + "', its default value is " + o.defaultValue());
                    }
                }
            }
        }
        return wrong;
    }

    /** "default X" (not "defaults", not a setting such as default.replication.factor): X is what it states. */
    private static final Pattern STATED_DEFAULT = Pattern.compile("(?i)\\bdefault\\b(?![.-])\\s*:?\\s*([^;,)\\s]*)");

    @Test
    void noHelpStatesADefaultOtherThanTheRealOne() {
        int[] checked = {0};
        assertEquals(List.of(), wrongDefaults(HandoffRun.commandLine(), checked));
        assertTrue(checked[0] >= 30, "the stated defaults of every command are checked, " + checked[0] + " found");

        // and a default typed by hand that differs is caught
        int[] one = {0};
        CommandLine typo = new CommandLine(new Typo());
        assertEquals(List.of("handoff typo --timeout: states default '10m', its default value is 5m"),
                wrongDefaults(new CommandLine(new Root()).addSubcommand(typo), one));
    }

    @Command(name = "handoff")
    static final class Root {}

    @Command(name = "typo")
    static final class Typo {
        @Option(names = "--timeout", defaultValue = "5m", description = "give up after this long (default 10m)")
        String timeout;
    }

    @Test
    void badFlagValuesSayWhatWasExpected(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("web-01"));
        HandoffRun r = handoff("replay", dir.toString(), "--format", "xml");
        assertEquals(2, r.code());
        assertEquals("handoff replay: --format expects text or json, got 'xml'\n(see 'handoff replay --help')\n", r.err());

        r = handoff("replay", dir.toString(), "--timeout", "soon");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff replay: --timeout expects a duration like 500ms, 30s, 5m, 1h or PT30S,"
                + " got 'soon'"), r.err());

        r = handoff("replay", dir.toString(), "--partitions", "0");
        assertEquals("handoff replay: --partitions expects a positive whole number, got '0'\n(see 'handoff replay --help')\n", r.err());

        r = handoff("replay", dir.toString(), "--colour");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff replay: unknown option '--colour'; expected one of: --bootstrap-servers LIST,"),
                r.err());
    }

    @Test
    void replayChecksItsFolderBeforeStartingAnything(@TempDir Path dir) throws Exception {
        HandoffRun r = handoff("replay");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("handoff replay: expected one folder DIR holding a folder per host, got none"), r.err());

        r = handoff("replay", dir.resolve("missing").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a folder; expected DIR/<host>/nginx-error.log"), r.err());

        Files.writeString(dir.resolve("nginx-error.log"), "x\n");
        r = handoff("replay", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds no host folders"), r.err());
    }

    @Test
    void runWithoutAClusterPointsAtTheWaysToGiveOne() {
        HandoffRun r = handoff("run", "--application-id", "x");
        if (System.getenv("HANDOFF_BOOTSTRAP_SERVERS") == null) {
            assertEquals(2, r.code());
            assertTrue(r.err().startsWith("handoff run: no Kafka cluster given: expected --bootstrap-servers,"
                    + " bootstrap.servers in --config, or HANDOFF_BOOTSTRAP_SERVERS"), r.err());
        }
    }

    @Test
    void parseRejectsAnUnknownSourceWithTheAcceptedKinds() {
        HandoffRun r = handoff("parse", "--source", "apache");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nginx-access, nginx-error, php-fpm, php-fpm-slow, php-fpm-access, kern"), r.err());
    }

    /** Exit code 2 and exactly this on stderr, nothing on stdout. */
    private static void assertUsage(List<String> args, String expected) {
        HandoffRun r = handoff(args.toArray(new String[0]));
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

        HandoffRun r = handoff("ship", "--host", "h", "--colour", "red");
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
        HandoffRun r = handoff("--version");
        assertEquals(0, r.code());
        assertEquals("handoff " + HandoffRun.VERSION + "\n", r.out());
        assertEquals(r.out(), handoff("version").out());
        r = handoff("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: handoff <command> [options]"), r.out());
        for (String c : List.of("demo", "replay", "run", "ship", "parse", "bench", "help")) {
            assertTrue(r.out().contains("\n  " + c + " "), c + " is listed: " + r.out());
        }
        assertEquals(r.out(), handoff("help").out());
        assertEquals(handoff("ship", "--help").out(), handoff("help", "ship").out());
    }

    @Test
    void completionIsABashScriptThatCompletesCommandsAndValues(@TempDir Path dir) throws Exception {
        HandoffRun r = handoff("completion");
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
