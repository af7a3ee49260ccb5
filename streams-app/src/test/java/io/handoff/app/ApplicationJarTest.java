package io.handoff.app;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.handoff.app.HandoffRun.handoff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application's jar alone (this module's class path has no tools jar) holds the production commands:
 * run, ship and parse. demo, replay and bench come with the tools module (io.handoff.tools.MainTest there checks every command).
 */
class ApplicationJarTest {
    @Test
    void theApplicationsJarHasRunShipAndParseOnly() {
        HandoffRun help = handoff("--help");
        assertEquals(0, help.code(), help.err());
        String commands = help.out().substring(help.out().indexOf("commands:"));
        for (String c : List.of("run", "ship", "parse", "help")) {
            assertTrue(commands.contains("\n  " + c + " "), c + " in:\n" + commands);
        }
        for (String c : List.of("demo", "replay", "bench")) {
            assertTrue(!commands.contains("\n  " + c + " "), c + " is not in the application's jar:\n" + commands);
        }
        HandoffRun demo = handoff("demo");
        assertEquals(2, demo.code());
        assertEquals("", demo.out());
        assertEquals("handoff: unknown command 'demo'; expected one of: run, ship, parse, help\n", demo.err());
    }
}
