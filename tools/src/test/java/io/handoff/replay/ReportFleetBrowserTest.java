package io.handoff.replay;

import io.handoff.app.Main;
import io.handoff.console.Browser;
import io.handoff.demo.DemoFleet;
import io.handoff.embedded.junit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handoff replay DIR --html FILE} over the demo's fleet (24 hosts, three nights of the 00:00 UTC
 * reload): the report, opened from disk in Chromium, shows the nightly spike as a column per night on
 * the hosts × time heatmap and as one stripe at 00:00 on the day × time-of-day heatmap, and the three
 * fleet incidents with their recurrence. Its pictures are the README's.
 */
@KafkaBroker.Use
class ReportFleetBrowserTest {

    @Test
    void theNightlyReloadIsAStripeAtMidnightInTheOfflineReport(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        try (Browser b = Browser.start()) {
            Path fleet = dir.resolve("fleet");
            DemoFleet.write(Path.of("..", "samples", "fleet"), fleet);
            Path report = dir.resolve("report.html");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(List.of("replay", fleet.toString(), "--bootstrap-servers", bootstrap,
                            "--schema-registry-url", "mock://report-fleet-test", "--timeout", "4m", "--html", report.toString()),
                    new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(Files.size(report) > 0);

            b.open(report.toUri() + "#/fleet");
            b.await("the fleet view", d -> b.all("fleet-incident").size() == 3);
            Map<String, Integer> hostsAtSlot = new TreeMap<>();
            for (WebElement cell : b.all("day-cell")) {
                hostsAtSlot.merge(cell.getAttribute("data-slot"), Integer.parseInt(cell.getAttribute("data-hosts")), Integer::sum);
            }
            assertEquals(60, hostsAtSlot.get("00:00"), "three nights × 20 hosts in the 00:00 column: " + hostsAtSlot);
            long midnightRows = b.all("day-cell").stream().filter(c -> "00:00".equals(c.getAttribute("data-slot"))).count();
            assertEquals(3, midnightRows, "one cell per night: a stripe");
            assertEquals(61, b.all("heat-cell").size(), "60 midnight cells and the afternoon crash");
            List<WebElement> recurrences = b.all("recurrence");
            assertEquals(2, recurrences.size(), "the second and third nights recur");
            assertTrue(recurrences.get(0).getText().startsWith("daily at 00:00 UTC"), recurrences.get(0).getText());
            b.screenshot("console-fleet");

            b.all("fleet-host").get(0).click();
            b.await("a host incident of the fleet", d -> !b.all("incident-title").isEmpty());
            assertTrue(b.find("incident-title").getText().startsWith("LISTEN_BACKLOG_OVERFLOW on fra-web-"), b.find("incident-title").getText());
            b.find("nav-incidents").click();
            b.await("the list", d -> b.all("incident-row").size() == 61);
            b.screenshot("report-incidents");
        }
    }
}
