package io.handoff.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.Incident;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SIEM mirror: every incident appears once on handoff.incidents-ecs as ECS JSON, keyed by its id. */
class EcsMirrorTest {

    @Test
    void anIncidentIsMirroredOnceAsEcsKeyedByItsId() throws Exception {
        try (Harness h = new Harness()) {
            TestOutputTopic<String, String> ecs = h.driver.createOutputTopic(h.config.topics().incidentsEcs(),
                    new StringDeserializer(), new StringDeserializer());
            for (Harness.Line l : Harness.sampleHost(Path.of("..", "samples", "fleet", "web-09"))) {
                h.ship("web-09", l);
            }
            h.idle();
            List<Incident> incidents = h.incidents();
            assertEquals(1, incidents.size(), incidents::toString);
            Incident i = incidents.get(0);

            List<TestRecord<String, String>> docs = ecs.readRecordsToList();
            assertEquals(1, docs.size(), docs::toString);
            assertEquals(i.getId(), docs.get(0).key());
            JsonNode d = new ObjectMapper().readTree(docs.get(0).value());
            assertEquals(i.getStartedAt().toString(), d.get("@timestamp").asText());
            assertEquals("alert", d.at("/event/kind").asText());
            assertEquals("[\"web\"]", d.at("/event/category").toString());
            assertEquals("failure", d.at("/event/outcome").asText());
            assertEquals(i.getId(), d.at("/event/id").asText());
            assertEquals("handoff.incident", d.at("/event/dataset").asText());
            assertEquals("SOCKET_PERMISSION_DENIED", d.at("/rule/name").asText());
            assertEquals("web-09", d.at("/host/name").asText());
            assertEquals(502, d.at("/http/response/status_code").asInt());
            assertEquals(i.getSummary(), d.get("message").asText());
            assertTrue(d.at("/error/message").asText().contains("(13: Permission denied)"), d.toString());
            assertEquals(i.getStatusCounts().get("502").longValue(), d.at("/handoff/status_counts/502").asLong());
            assertEquals(i.getEvidence().size(), d.at("/handoff/evidence").size());
            assertEquals(i.getRemediation(), d.at("/handoff/remediation").asText());
            assertEquals(chain(i), chain(d), d.toString());
            assertTrue(ecs.isEmpty());
        }
    }

    @Test
    void theCausalChainIsMirroredRootFirstWithItsEvidence() throws Exception {
        try (Harness h = new Harness()) {
            TestOutputTopic<String, String> ecs = h.driver.createOutputTopic(h.config.topics().incidentsEcs(),
                    new StringDeserializer(), new StringDeserializer());
            for (Harness.Line l : Harness.sampleHost(Path.of("..", "samples", "fleet", "web-35"))) {
                h.ship("web-35", l);
            }
            h.idle();
            List<Incident> incidents = h.incidents();
            assertEquals(1, incidents.size(), incidents::toString);
            List<TestRecord<String, String>> docs = ecs.readRecordsToList();
            assertEquals(1, docs.size(), docs::toString);
            JsonNode d = new ObjectMapper().readTree(docs.get(0).value());
            JsonNode steps = d.at("/handoff/causal_chain");
            assertEquals(List.of("FPM_RELOAD", "LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS"),
                    List.of(steps.get(0).get("kind").asText(), steps.get(1).get("kind").asText(), steps.get(2).get("kind").asText()));
            assertEquals(3, steps.size());
            assertEquals("FPM_RELOAD_INTERRUPTION", steps.get(0).get("root_cause").asText());
            assertEquals("LISTEN_BACKLOG_OVERFLOW", d.at("/rule/name").asText());
            assertEquals("php-fpm", steps.get(0).at("/evidence/source").asText());
            assertTrue(steps.get(0).at("/evidence/line").asText().contains("Reloading in progress"), steps.toString());
            assertTrue(steps.get(2).get("root_cause").isNull(), steps.toString());
            assertEquals(chain(incidents.get(0)), chain(d));
            assertTrue(ecs.isEmpty());
        }
    }

    /** Each step as "kind root_cause at count description evidence-line" from the record. */
    static List<String> chain(Incident i) {
        return i.getCausalChain().stream().map(c -> c.getKind() + " " + (c.getRootCause() == null ? null : c.getRootCause().name())
                + " " + c.getAt() + " " + c.getCount() + " " + c.getDescription() + " "
                + (c.getEvidence() == null ? null : c.getEvidence().getLine())).toList();
    }

    /** The same from the ECS document. */
    static List<String> chain(JsonNode d) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : d.at("/handoff/causal_chain")) {
            out.add(c.get("kind").asText() + " " + (c.get("root_cause").isNull() ? null : c.get("root_cause").asText()) + " "
                    + c.get("at").asText() + " " + c.get("count").asLong() + " " + c.get("description").asText() + " "
                    + (c.has("evidence") ? c.at("/evidence/line").asText() : null));
        }
        return out;
    }
}
