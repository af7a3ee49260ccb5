package io.handoff.schemas;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BACKWARD compatibility of handoff's Avro contracts with every released version. When a contract
 * changes on purpose: check this test's message, then record the new version with
 * {@code mvn -o -pl schemas test -Dtest=SchemaHistoryTest -Davro.history.record=true} and commit the new file.
 */
class SchemaHistoryTest {
    private static final Path AVRO = Paths.get(System.getProperty("avro.dir", "src/main/avro"));
    private static final Path HISTORY = Paths.get(System.getProperty("avro.history.dir", "src/main/avro-history"));
    /**
     * The topic values and the correlator's state store values (whose stored bytes name their version);
     * every named type they use must have a history too.
     */
    private static final List<String> TOP_LEVEL = List.of("LogEvent", "Incident", "Warning", "FleetIncident", "DeadLetter",
            "HostClock", "OpenIncident", "LookbackRing", "CorrelateInput");

    @Test
    void everyContractReadsEveryReleasedVersionAndIsRecorded() {
        Map<String, Schema> current = SchemaHistory.parseContracts(AVRO);
        assertTrue(current.keySet().containsAll(TOP_LEVEL), "contracts found: " + current.keySet());

        List<String> problems = SchemaHistory.problems(current, HISTORY);

        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    void historyCoversEveryNamedTypeTheTopicValuesUse() {
        Map<String, Schema> current = SchemaHistory.parseContracts(AVRO);
        TreeMap<String, Schema> used = new TreeMap<>();
        TOP_LEVEL.forEach(n -> collectNamed(current.get(n), used));

        for (String name : used.keySet()) {
            assertTrue(Files.isRegularFile(HISTORY.resolve(name).resolve("1.avsc")), "no history for " + name);
        }
        assertEquals(current.keySet(), used.keySet(), "types defined but used by no topic value");
    }

    private static void collectNamed(Schema s, Map<String, Schema> into) {
        switch (s.getType()) {
            case RECORD:
                if (into.putIfAbsent(s.getName(), s) == null) {
                    s.getFields().forEach(f -> collectNamed(f.schema(), into));
                }
                break;
            case ENUM:
            case FIXED:
                into.putIfAbsent(s.getName(), s);
                break;
            case ARRAY:
                collectNamed(s.getElementType(), into);
                break;
            case MAP:
                collectNamed(s.getValueType(), into);
                break;
            case UNION:
                s.getTypes().forEach(t -> collectNamed(t, into));
                break;
            default:
                break;
        }
    }

    /** today's Incident with {@code field} appended to its fields. */
    private static Map<String, Schema> incidentWith(String field) {
        Map<String, Schema> current = SchemaHistory.parseContracts(AVRO);
        Schema incident = current.get("Incident");
        String json = incident.toString();
        String changed = json.substring(0, json.length() - 2) + "," + field + "]}";
        Map<String, Schema> others = new TreeMap<>(current);
        others.remove("Incident");
        Schema parsed = new Schema.Parser().parse(changed);
        return Map.of("Incident", parsed);
    }

    @Test
    void aNewRequiredFieldWithoutDefaultIsCaught() {
        Map<String, Schema> broken = incidentWith("{\"name\":\"tenant\",\"type\":\"string\"}");
        int released = SchemaHistory.versions(HISTORY, "Incident").size();
        int field = broken.get("Incident").getFields().size() - 1;

        List<String> problems = SchemaHistory.problems(broken, HISTORY);

        assertEquals(released + 1, problems.size(), String.join("\n", problems));
        for (int v = 1; v <= released; v++) {
            assertEquals("schema Incident cannot read version " + v + " (schemas/src/main/avro-history/Incident/" + v
                    + ".avsc): READER_FIELD_MISSING_DEFAULT_VALUE at /fields/" + field + ": tenant", problems.get(v - 1));
        }
        assertEquals("schema Incident changed: add it as version " + (released + 1)
                + " under schemas/src/main/avro-history/Incident/ after checking compatibility", problems.get(released));
    }

    @Test
    void aCompatibleChangeMustStillBeRecorded() {
        Map<String, Schema> changed = incidentWith("{\"name\":\"tenant\",\"type\":[\"null\",\"string\"],\"default\":null}");
        int next = SchemaHistory.versions(HISTORY, "Incident").size() + 1;

        assertEquals(List.of("schema Incident changed: add it as version " + next
                + " under schemas/src/main/avro-history/Incident/ after checking compatibility"),
                SchemaHistory.problems(changed, HISTORY));
    }

    @Test
    void aRemovedEnumSymbolWithoutDefaultIsCaught(@TempDir Path history) throws IOException {
        Schema v1 = new Schema.Parser().parse("{\"type\":\"enum\",\"name\":\"Kind\",\"namespace\":\"t\",\"symbols\":[\"A\",\"B\"]}");
        Schema now = new Schema.Parser().parse("{\"type\":\"enum\",\"name\":\"Kind\",\"namespace\":\"t\",\"symbols\":[\"A\"]}");
        Files.createDirectories(history.resolve("Kind"));
        Files.writeString(history.resolve("Kind/1.avsc"), v1.toString(true), StandardCharsets.UTF_8);

        List<String> problems = SchemaHistory.problems(Map.of("Kind", now), history);

        assertEquals("schema Kind cannot read version 1 (schemas/src/main/avro-history/Kind/1.avsc):"
                + " MISSING_ENUM_SYMBOLS at /symbols: [B]", problems.get(0));
    }

    /**
     * Not a check: writes the next version of every contract that changed and is still compatible.
     * Run on purpose with {@code -Davro.history.record=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "avro.history.record", matches = "true")
    void recordChangedContracts() throws IOException {
        Map<String, Schema> current = SchemaHistory.parseContracts(AVRO);
        for (Map.Entry<String, Schema> e : current.entrySet()) {
            List<String> problems = SchemaHistory.problems(Map.of(e.getKey(), e.getValue()), HISTORY);
            boolean changedOnly = problems.size() == 1
                    && (problems.get(0).contains(" changed: ") || problems.get(0).contains(" has no history: "));
            if (problems.isEmpty() || !changedOnly) {
                assertTrue(problems.isEmpty(), "not recording " + e.getKey() + ": " + problems);
                continue;
            }
            int next = SchemaHistory.versions(HISTORY, e.getKey()).size() + 1;
            Path file = HISTORY.resolve(e.getKey()).resolve(next + ".avsc");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue().toString(true) + "\n", StandardCharsets.UTF_8);
        }
    }
}
