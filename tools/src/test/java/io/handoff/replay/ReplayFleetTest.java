package io.handoff.replay;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.app.Main;
import io.handoff.demo.DemoFleet;
import io.handoff.embedded.junit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handoff replay} of a folder of many hosts over several nights, on a real broker: the
 * demo's fleet (24 hosts, three nights of logrotate's 00:00 reload, built from the real captures)
 * comes out as exactly one fleet incident per night whatever labels its hosts got (the reload
 * overflows most queues and cuts a few hosts' requests), the later ones a daily recurrence, and the
 * lone afternoon crash as a host incident only; a second replay of the folder gives the same output.
 */
@KafkaBroker.Use
class ReplayFleetTest {

    @Test
    void threeNightsOfTheMidnightReloadAreThreeFleetIncidentsTheLaterOnesRecurring(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        DemoFleet.write(Path.of("..", "samples", "fleet"), dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = replay(bootstrap, dir, out, err);
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr);

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> fleet = new ArrayList<>();
        Map<String, Integer> byCause = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            switch (n.get("type").asText()) {
                case "fleet_incident" -> fleet.add(n);
                case "incident" -> byCause.merge(n.get("root_cause").asText(), 1, Integer::sum);
                default -> unexpected.add(line);
            }
        }
        assertEquals(List.of(), unexpected, stderr);
        assertEquals(Map.of("LISTEN_BACKLOG_OVERFLOW", 48, "FPM_RELOAD_INTERRUPTION", 12, "WORKER_CRASH", 1), byCause, stderr);
        assertEquals(3, fleet.size(), stderr);
        fleet.sort((a, b) -> a.get("window_start").asText().compareTo(b.get("window_start").asText()));
        for (int night = 0; night < 3; night++) {
            JsonNode f = fleet.get(night);
            List<String> expected = new ArrayList<>();
            for (int n = 1; n <= DemoFleet.HOSTS; n++) {
                if ((n + night) % 6 != 0) {
                    expected.add(DemoFleet.host(n));
                }
            }
            List<String> hosts = new ArrayList<>();
            f.get("hosts").forEach(h -> hosts.add(h.asText()));
            assertEquals(expected, hosts, "night " + (night + 1));
            assertEquals("LISTEN_BACKLOG_OVERFLOW", f.get("root_cause").asText());
            assertEquals(Map.of("LISTEN_BACKLOG_OVERFLOW", 16, "FPM_RELOAD_INTERRUPTION", 4),
                    new ObjectMapper().convertValue(f.get("causes"), new TypeReference<Map<String, Integer>>() {}));
            assertEquals(DemoFleet.FLEET, f.get("fleet").asText());
            assertEquals(24, f.get("active_hosts").asInt());
            assertEquals(20 / 24.0, f.get("share_of_fleet").asDouble(), 1e-9);
            assertTrue(f.get("window_start").asText().startsWith(DemoFleet.NIGHT1.plus(Duration.ofDays(night)).minusSeconds(2)
                    .toString().substring(0, 16)), f.toString());
            if (night == 0) {
                assertTrue(f.get("recurrence").isNull(), f.toString());
            } else {
                JsonNode r = f.get("recurrence");
                assertEquals("DAILY", r.get("period").asText());
                assertEquals("00:00", r.get("time_of_day_utc").asText());
                assertEquals(night + 1, r.get("occurrences").asInt());
                assertEquals("scheduled FPM reload (logrotate/cron)", r.get("likely_trigger").asText());
            }
        }

        // the same folder again: the same incidents (ids, labels, chains, evidence) and fleet records
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(0, replay(bootstrap, dir, again, err2), err2.toString(StandardCharsets.UTF_8));
        assertEquals(sortedLines(out), sortedLines(again));
    }

    private static int replay(String bootstrap, Path dir, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Main.run(List.of("replay", dir.toString(), "--format", "json", "--bootstrap-servers", bootstrap,
                        "--schema-registry-url", "mock://replay-fleet-test", "--timeout", "4m"),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static List<String> sortedLines(ByteArrayOutputStream out) {
        List<String> lines = new ArrayList<>(List.of(out.toString(StandardCharsets.UTF_8).split("\n")));
        lines.removeIf(String::isBlank);
        lines.sort(null);
        return lines;
    }
}
