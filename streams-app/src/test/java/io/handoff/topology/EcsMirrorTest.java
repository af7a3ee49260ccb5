package io.handoff.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.Incident;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
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
            assertTrue(ecs.isEmpty());
        }
    }
}
