package io.handoff;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.SourceKind;
import io.handoff.topics.TopicNames;
import io.handoff.topology.HandoffTopology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/ARCHITECTURE.md and the README's layout table stay true to the code: every node, store and topic
 * of the topology's {@code describe()}, every topic of the catalogue, every package of the dependency
 * table and every module of the build is named there.
 */
class ArchitectureDocTest {
    static final Path ROOT = Path.of("..");
    static final Path DOC = ROOT.resolve("docs/ARCHITECTURE.md");

    static Set<String> describedNames() {
        HandoffConfig config = HandoffConfig.defaults().withStreams(Map.of("schema.registry.url", "mock://architecture"));
        Set<String> names = new TreeSet<>();
        for (TopologyDescription.Subtopology s : HandoffTopology.build(config).describe().subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                String name = n.name();
                names.add(name.startsWith("source-raw-") ? "source-raw-<source>"
                        : name.startsWith("parse-") ? "parse-<source>" : name);
                if (n instanceof TopologyDescription.Processor p) {
                    names.addAll(p.stores());
                } else if (n instanceof TopologyDescription.Source src) {
                    src.topicSet().forEach(t -> names.add(raw(t)));
                } else if (n instanceof TopologyDescription.Sink sink) {
                    names.add(raw(sink.topic()));
                }
            }
        }
        return names;
    }

    private static String raw(String topic) {
        return topic.startsWith("handoff.raw.") ? "handoff.raw.<source>" : topic;
    }

    @Test
    void everyNodeStoreAndTopicOfTheTopologyIsNamedInTheArchitecturePage() throws IOException {
        String doc = Files.readString(DOC);
        Set<String> missing = new TreeSet<>();
        for (String name : describedNames()) {
            if (!doc.contains("`" + name + "`") && !doc.contains("<application.id>-" + name + "`")) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "named in describe() but not in docs/ARCHITECTURE.md");
        assertTrue(describedNames().size() > 30, "the description was read: " + describedNames());
    }

    @Test
    void everyTopicOfTheCatalogueAndEverySourceIsNamed() throws IOException {
        String doc = Files.readString(DOC);
        TopicNames t = TopicNames.defaults();
        for (String topic : List.of(t.events(), t.incidents(), t.incidentUpdates(), t.warnings(), t.fleetIncidents(),
                t.deadLetter(), t.incidentsEcs(), "handoff.raw.<source>")) {
            assertTrue(doc.contains("`" + topic + "`"), topic);
        }
        for (SourceKind k : SourceKind.values()) {
            assertEquals("handoff.raw.<source>", raw(t.raw(k)), "every raw topic is one of handoff.raw.<source>");
        }
    }

    @Test
    void everyPackageOfTheDependencyTableHasARow() throws IOException {
        String doc = Files.readString(DOC);
        for (String p : LayersTest.ALLOWED.keySet()) {
            assertTrue(doc.contains("`" + p + "`") || doc.contains("`io.handoff." + p + "`"), "package " + p);
        }
    }

    @Test
    void theReadmeLayoutTableAndTheArchitecturePageNameEveryModule() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        String doc = Files.readString(DOC);
        int from = pom.indexOf("<modules>");
        String modules = pom.substring(from, pom.indexOf("</modules>", from));
        int n = 0;
        for (String line : modules.split("\n")) {
            String m = line.replaceAll(".*<module>(.*)</module>.*", "$1").trim();
            if (line.contains("<module>")) {
                n++;
                assertTrue(readme.contains("| `" + m + "/` |"), "README layout table: module " + m);
                assertTrue(doc.contains("| `" + m + "` |"), "docs/ARCHITECTURE.md modules: " + m);
            }
        }
        assertTrue(n >= 5, "modules read from pom.xml: " + n);
        for (String p : LayersTest.ALLOWED.keySet()) {
            if (!p.contains(".") && !Set.of("avro", "topics", "raw", "registry", "serde", "embedded", "ship").contains(p)) {
                assertTrue(readme.contains("`" + p + "`"), "README layout table: package " + p);
            }
        }
    }
}
