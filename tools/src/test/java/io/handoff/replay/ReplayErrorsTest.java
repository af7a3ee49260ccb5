package io.handoff.replay;

import io.handoff.app.Main;
import io.handoff.config.HandoffConfig;
import io.handoff.ship.ReplaySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code handoff replay} cannot read is one line that names it, never a stack trace: found before
 * anything starts (exit 2), or while shipping (exit 1).
 */
class ReplayErrorsTest {

    private record Result(int code, String err) {}

    private static Result replay(Path dir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("replay", dir.toString()), new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBadFormatsFileOrALogThatIsAFolderStopsTheReplayBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("web-01"));
        Files.writeString(dir.resolve("web-01/nginx-access.log"), "x\n");
        Files.writeString(dir.resolve("web-01/formats.properties"), "timezone=UTC\nlogformat=combined\n");
        Result r = replay(dir);
        assertEquals(2, r.code());
        assertEquals("handoff replay: " + dir.resolve("web-01/formats.properties") + " line 2: unknown key 'logformat';"
                + " accepted keys: nginx.access.log_format, fpm.access.format, timezone, fleet\n"
                + "(see 'handoff replay --help')\n", r.err());

        Files.delete(dir.resolve("web-01/formats.properties"));
        Files.createDirectories(dir.resolve("web-02/php-fpm.log"));
        r = replay(dir);
        assertEquals(2, r.code());
        assertEquals("handoff replay: " + dir.resolve("web-02/php-fpm.log") + ": expected a log file, found a folder\n"
                + "(see 'handoff replay --help')\n", r.err());
    }

    @Test
    void aLogGoneWhileShippingStopsTheShipperWithOneLine(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("web-01"));
        Files.writeString(dir.resolve("web-01/nginx-access.log"), "x\n");
        ReplaySource source = ReplaySource.open(dir);
        Files.delete(dir.resolve("web-01/nginx-access.log"));
        HandoffConfig config = HandoffConfig.defaults().withStreams(Map.of("bootstrap.servers", "127.0.0.1:9"));
        ReplayShipping.Gate open = new ReplayShipping.Gate() {
            @Override
            public void beforeBatch(BooleanSupplier stopped) {}

            @Override
            public void afterBatch(BooleanSupplier stopped) {}
        };
        ReplayShipping shipping = ReplayShipping.start(source, 2, 6, config, (h, k, e) -> Long.MIN_VALUE, open);
        // the thread stops at the missing file before it sends anything (no broker is needed)
        assertTrue(shipping.awaitEnd(60_000));
        shipping.close();
        assertFalse(shipping.done());
        String line = ReplayCommand.message(shipping.failure());
        assertEquals("cannot read the size of " + dir.resolve("web-01/nginx-access.log") + ": no such file", line);
        assertTrue(!line.contains("\n") && !line.contains("Exception"), line);
    }
}
