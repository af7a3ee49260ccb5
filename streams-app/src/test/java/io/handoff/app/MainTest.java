package io.handoff.app;

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
    void runHelpListsEveryHandoffKeyWithItsEnvironmentName() {
        Result r = run("run", "--help");
        for (String key : ConfigLoader.KEYS.keySet()) {
            assertTrue(r.out().contains("  " + key + " "), key);
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
        assertTrue(r.err().startsWith("handoff replay: unknown option --colour; expected one of: --bootstrap-servers VALUE,"),
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
}
