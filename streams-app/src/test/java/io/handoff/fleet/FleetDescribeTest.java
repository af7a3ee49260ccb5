package io.handoff.fleet;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.CorrelateInput;
import io.handoff.avro.FleetIncident;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.topology.HandoffTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the fleet stage's part of {@code describe()}: every node, store and topic named, so a refactor
 * cannot silently rename a store (and orphan its changelog) or a topic.
 */
class FleetDescribeTest {
    static final Path PINNED = Path.of("src", "test", "resources", "fleet", "describe.txt");

    /** The stage on a topology holding only the source it hangs its activity tap on. */
    static String describeStage() {
        HandoffConfig config = HandoffConfig.defaults().withStreams(Map.of("schema.registry.url", "mock://describe"));
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, CorrelateInput> input = builder.stream(config.topics().correlateInput(),
                Consumed.as(HandoffTopology.SOURCE_CORRELATE_INPUT));
        HandoffMetrics metrics = new HandoffMetrics();
        FleetStage.addTo(builder, input, config, metrics, CloseGate.always(),
                HandoffTopology.outputSerde(FleetIncident.class, config, metrics));
        return builder.build().describe().toString();
    }

    @Test
    void theFleetSubTopologyIsPinned() throws Exception {
        String actual = describeStage();
        if (Boolean.getBoolean("fleet.describe.update")) {
            Files.writeString(PINNED, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(PINNED, StandardCharsets.UTF_8), actual);
    }

    @Test
    void inTheFullTopologyEveryFleetNodeIsNamedAndTheStageHangsOffTheEventsSource() {
        HandoffConfig config = HandoffConfig.defaults().withStreams(Map.of("schema.registry.url", "mock://describe"));
        TopologyDescription d = HandoffTopology.build(config).describe();
        int fleetNodes = 0;
        for (TopologyDescription.Subtopology s : d.subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n.name().startsWith("fleet-")) fleetNodes++;
                if (n.name().equals(FleetStage.ACTIVITY_TAP)) {
                    assertTrue(s.nodes().stream().anyMatch(x -> x.name().equals(HandoffTopology.CORRELATE)),
                            "the tap shares the correlator's sub-topology (same partitions, no extra topic read)");
                }
            }
        }
        // tap, its repartition (filter, sink, source), incidents source, rekey, its repartition, merge, window, sink
        assertEquals(12, fleetNodes);
    }
}
