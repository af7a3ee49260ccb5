package io.handoff.app;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application's jar alone (this module's class path has no tools jar) holds the production commands:
 * run, ship and parse. demo, replay and bench come with the tools module (MainTest there checks every command).
 */
class ApplicationJarTest {
    private record Result(int code, String out, String err) {}

    private static Result handoff(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theApplicationsJarHasRunShipAndParseOnly() {
        Result help = handoff("--help");
        assertEquals(0, help.code(), help.err());
        String commands = help.out().substring(help.out().indexOf("commands:"));
        for (String c : List.of("run", "ship", "parse", "help")) {
            assertTrue(commands.contains("\n  " + c + " "), c + " in:\n" + commands);
        }
        for (String c : List.of("demo", "replay", "bench")) {
            assertTrue(!commands.contains("\n  " + c + " "), c + " is not in the application's jar:\n" + commands);
        }
        Result demo = handoff("demo");
        assertEquals(2, demo.code());
        assertEquals("", demo.out());
        assertEquals("handoff: unknown command 'demo'; expected one of: run, ship, parse, help\n", demo.err());
    }
}
