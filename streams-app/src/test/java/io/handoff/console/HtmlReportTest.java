package io.handoff.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.Evidence;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.RootCause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offline report is one file that loads nothing, carries every incident whole, and survives hostile lines. */
class HtmlReportTest {

    static List<Incident> incidents() {
        Instant night = Instant.parse("2026-11-19T23:59:58Z");
        List<Incident> list = new ArrayList<>();
        list.add(TestIncidents.oom("web-07@2026-11-21T11:02:04Z", IncidentStatus.CLOSED, 3, RootCause.OOM_KILL));
        for (String h : List.of("fra-web-01", "fra-web-02", "fra-web-03")) {
            list.add(TestIncidents.backlog(h, "eu-central", night, IncidentStatus.CLOSED));
        }
        // a line that would end a script element and open a comment, as a log line may
        Incident odd = TestIncidents.backlog("web-99", null, night.plusSeconds(3600), IncidentStatus.CLOSED);
        List<Evidence> ev = new ArrayList<>(odd.getEvidence());
        ev.add(Evidence.newBuilder(ev.get(0)).setLine("GET /?q=</script><script>alert(1)</script><!-- HTTP/1.1").build());
        odd.setEvidence(ev);
        list.add(odd);
        return list;
    }

    static JsonNode embedded(String html) throws Exception {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"handoff-data\">(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertTrue(m.find(), "the data element");
        return new ObjectMapper().readTree(m.group(1));
    }

    @Test
    void oneFileWithEveryIncidentWholeAndNoAddressOutside() throws Exception {
        List<Incident> list = incidents();
        FleetIncident f = TestIncidents.fleet("eu-central", list.subList(1, 4), 24);
        String html = HtmlReport.html("post-mortem", Instant.parse("2026-12-01T10:00:00Z"), list, List.of(f));
        String page = html.replaceAll("(?s)<script type=\"application/json\" id=\"handoff-data\">.*?</script>", "");
        assertFalse(page.replace("http://www.w3.org/2000/svg", "").matches("(?s).*https?://.*"),
                "no address outside the file (log lines in the data may name one)");
        assertFalse(html.contains(" src=") || html.contains("<link"), "no script or stylesheet loaded from elsewhere");
        assertEquals(1, html.split("</script><script>alert", -1).length, "the hostile line cannot close the element");
        JsonNode d = embedded(html);
        assertEquals("post-mortem", d.get("title").asText());
        assertEquals(5, d.get("incidents").size());
        assertEquals("web-99", d.get("incidents").get(1).get("host").asText(), "newest first");
        assertEquals("GET /?q=</script><script>alert(1)</script><!-- HTTP/1.1",
                d.get("incidents").get(1).get("evidence").get(2).get("line").asText(), "the line reads back as it was");
        JsonNode oom = d.get("incidents").get(0);
        assertEquals(3, oom.get("causal_chain").size());
        assertEquals("kernel OOM killer killed php-fpm child 4569", oom.get("causal_chain").get(0).get("description").asText());
        assertEquals(5, d.get("marks").size());
        assertEquals(List.of("default", "eu-central"), List.of(d.get("fleets").get(0).asText(), d.get("fleets").get(1).asText()));
        assertEquals(1, d.get("fleet_incidents").size());
        assertEquals(3, d.get("fleet_incidents").get(0).get("causes").get("LISTEN_BACKLOG_OVERFLOW").asInt());
        assertFalse(ConsolePage.asset("console.js").contains("</"), "the script never closes its own element");
    }

    @Test
    void theReportOpensFromDiskInChromiumAndClicksThroughToAnIncident(@TempDir Path dir) throws Exception {
        List<Incident> list = incidents();
        Path file = dir.resolve("report.html");
        HtmlReport.write(file, "post-mortem", list, List.of(TestIncidents.fleet("eu-central", list.subList(1, 4), 24)));
        try (Browser b = Browser.start()) {
            b.open(file.toUri().toString());
            b.await("the closed incidents", d -> b.all("incident-row").size() == 5);
            assertTrue(b.find("source").getText().startsWith("offline report · 5 incidents, 1 fleet incidents"), b.find("source").getText());
            assertEquals(List.of(), b.driver().findElements(By.cssSelector("script:not([id])[src]")));
            b.all("incident-row").get(0).click();
            b.await("the incident page", d -> !b.all("incident-title").isEmpty());
            assertEquals("OOM_KILL on web-07 CLOSED", b.find("incident-title").getText());
            assertEquals(3, b.all("chain-step").size());
            b.open(file.toUri() + "#/incident/web-99%402026-11-20T00%3A59%3A58Z");
            b.await("the incident with the hostile line", d -> b.all("evidence-row").size() == 3);
            assertTrue(b.all("evidence-row").get(2).getText().contains("</script><script>alert(1)</script>"), "shown as text");
            b.find("nav-fleet").click();
            b.await("the fleet view", d -> !b.all("fleet-incident").isEmpty());
            assertEquals("eu-central: 3 of 24 hosts (13%)", b.find("fleet-hosts").getText());
            assertEquals(5, b.all("heat-cell").size());
        }
    }
}
