package io.handoff.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.LogEvent;
import io.handoff.avro.RootCause;
import io.handoff.avro.SourceKind;
import io.handoff.classify.Classifier;
import io.handoff.classify.Diagnosis;
import io.handoff.classify.Lines;
import io.handoff.classify.Timeline;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.MultilineJoiner;
import io.handoff.ship.Formats;
import io.handoff.topics.Sources;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The causal chain in {@code replay}'s JSON (as {@code causal_chain}) and text (on one line), from web-04's real lines. */
class IncidentFormatTest {

    /** web-04's one burst, diagnosed, as the correlator would emit it. */
    static Incident web04() throws Exception {
        Path dir = Path.of("..", "samples", "fleet", "web-04");
        assumeTrue(Files.isDirectory(dir), "capture web-04 not in this checkout");
        Formats f = Formats.load(dir.resolve(Formats.FILE_NAME));
        List<LogEvent> lines = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            Path file = dir.resolve(Sources.fileName(k));
            if (!Files.exists(file)) continue;
            List<String> entries = new ArrayList<>();
            MultilineJoiner j = MultilineJoiner.forKind(k);
            for (String l : Files.readAllLines(file)) j.accept(l, 0, e -> entries.add(e.text()));
            j.flush(e -> entries.add(e.text()));
            for (String text : entries) {
                if (Parsers.forKind(k, f.logFormat(k)).parse(text, ParseContext.UTC) instanceof ParseOutcome.Parsed p) {
                    lines.add(LogEvent.newBuilder().setHost("web-04").setSource(k).setOriginal(text)
                            .setTimestamp(Instant.ofEpochMilli(p.timestampMillis())).setParsed(p.fields()).build());
                }
            }
        }
        lines.sort(Comparator.comparing(LogEvent::getTimestamp));
        List<LogEvent> evidence = new ArrayList<>();
        Map<String, Long> kinds = new TreeMap<>();
        Map<String, Long> status = new TreeMap<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (LogEvent e : lines) {
            if (!Lines.isGatewayError(e) && !Lines.isEvidence(e)) continue;
            evidence.add(e);
            kinds.merge(Lines.kindKey(e), 1L, Long::sum);
            if (Lines.gatewayStatus(e) != 0) status.merge(Integer.toString(Lines.gatewayStatus(e)), 1L, Long::sum);
            if (Lines.isGatewayError(e)) {
                first = Math.min(first, e.getTimestamp().toEpochMilli());
                last = Math.max(last, e.getTimestamp().toEpochMilli());
            }
        }
        Diagnosis d = Classifier.diagnose(new Timeline("web-04", null, first, last, evidence, kinds, status, Map.of(), 300, Map.of()));
        return Incident.newBuilder().setId("web-04@" + Instant.ofEpochMilli(first)).setHost("web-04")
                .setRootCause(d.rootCause()).setStartedAt(Instant.ofEpochMilli(first)).setEndedAt(Instant.ofEpochMilli(last))
                .setStatusCounts(status).setTotalRequests(300).setEvidence(List.of()).setCulprit(d.culprit())
                .setRemediation(d.remediation()).setContributingCauses(d.contributing()).setConfidence(d.confidence())
                .setSummary(d.summary()).setCausalChain(d.chain()).build();
    }

    @Test
    void jsonCarriesTheChainAsCausalChain() throws Exception {
        JsonNode n = new ObjectMapper().readTree(IncidentFormat.json(web04()));
        JsonNode chain = n.get("causal_chain");
        assertEquals(4, chain.size(), chain::toString);
        assertEquals("SLOW_HTTP_CALL", chain.get(0).get("kind").asText());
        assertEquals("SLOW_EXTERNAL_CALL", chain.get(0).get("root_cause").asText());
        assertEquals("2026-11-21T11:04:45Z", chain.get(0).get("at").asText());
        assertEquals("slow curl_exec() in plugin shipping-rates", chain.get(0).get("description").asText());
        assertEquals("php-fpm-slow", chain.get(0).get("evidence").get("source").asText());
        assertTrue(chain.get(0).get("evidence").get("line").asText().contains("curl_exec()"));
        assertEquals("GATEWAY_ERRORS", chain.get(3).get("kind").asText());
        assertTrue(chain.get(3).get("root_cause").isNull());
        assertEquals(16, chain.get(3).get("count").asLong());
        // the keys named first stay first
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("type", "id", "host", "root_cause", "started_at", "ended_at", "status_counts"), keys.subList(0, 7));
        assertEquals("causal_chain", keys.get(keys.size() - 1));
    }

    @Test
    void textPrintsTheChainOnOneLine() throws Exception {
        String text = IncidentFormat.text(web04());
        assertTrue(text.contains("\n    chain:      slow curl_exec() in plugin shipping-rates → pm.max_children (4) reached → "
                + "upstream timed out (110) waiting for the header → 16×504\n"), text);
        assertTrue(text.startsWith("2026-11-21 11:04:48Z  web-04  SLOW_EXTERNAL_CALL  16×504 of 300 requests"), text);
    }

    @Test
    void aFleetIncidentTellsItsHostsPerLabel() {
        FleetIncident f = FleetIncident.newBuilder().setId("eu/LISTEN_BACKLOG_OVERFLOW@2026-11-18T00:00:00Z").setFleet("eu")
                .setRootCause(RootCause.LISTEN_BACKLOG_OVERFLOW).setHosts(List.of("a", "b", "c")).setActiveHosts(4)
                .setShareOfFleet(0.75).setWindowStart(Instant.parse("2026-11-18T00:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-18T00:00:05Z")).setRemediation("r")
                .setCauses(Map.of("LISTEN_BACKLOG_OVERFLOW", 2, "FPM_RELOAD_INTERRUPTION", 1)).build();
        assertTrue(IncidentFormat.text(f).startsWith("2026-11-18 00:00:00Z  FLEET  LISTEN_BACKLOG_OVERFLOW on 3 of 4 hosts"
                + " (2 LISTEN_BACKLOG_OVERFLOW, 1 FPM_RELOAD_INTERRUPTION)"), IncidentFormat.text(f));
        String json = IncidentFormat.json(f);
        assertTrue(json.endsWith(",\"causes\":{\"FPM_RELOAD_INTERRUPTION\":1,\"LISTEN_BACKLOG_OVERFLOW\":2}}"), json);
    }
}
