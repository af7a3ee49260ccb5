package io.handoff.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.app.Main;
import io.handoff.embedded.junit.KafkaBroker;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code handoff replay --format json} over the committed sample fleet (logs of real faults made with
 * real nginx, php-fpm, MariaDB and the kernel, see samples/README.md), on a real broker. What each host
 * must give is in {@code samples/expected-incidents.tsv}, beside the captures: its one incident's label,
 * or no incident, or one warning of a kind; a line its evidence must keep; the root step of its causal
 * chain. One replay of the whole fleet, then one test per host, and nothing else may come out.
 */
@KafkaBroker.Use
class ReplaySamplesTest {
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final Path FLEET = SAMPLES.resolve("fleet");
    static final Path EXPECTED = SAMPLES.resolve("expected-incidents.tsv");

    /**
     * One row of {@code expected-incidents.tsv}; {@code keyEvidence}, {@code rootStep} and {@code chain} are
     * null for "-"; {@code chain} holds the step kinds, root first.
     */
    record Expected(String host, String outcome, String keyEvidence, String rootStep, List<String> chain) {
        static final String NONE = "none";
        static final String WARNING = "warning:";

        String warningKind() {
            return outcome.startsWith(WARNING) ? outcome.substring(WARNING.length()) : null;
        }

        boolean incident() {
            return !outcome.equals(NONE) && warningKind() == null;
        }
    }

    /** The rows of the data file, by host, in file order. */
    static Map<String, Expected> expected(Path file) throws IOException {
        Map<String, Expected> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        boolean header = true;
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] c = line.split("\t", -1);
            if (c.length != 5) {
                throw new IllegalArgumentException(file + ":" + n + ": expected 5 tab-separated columns "
                        + "(host, outcome, key_evidence, root_step, chain), found " + c.length + ": " + line);
            }
            if (header) {
                header = false;
                if (c[0].equals("host")) {
                    continue;
                }
            }
            String outcome = c[1];
            if (!outcome.matches("none|warning:[A-Z_]+|[A-Z_]+")) {
                throw new IllegalArgumentException(file + ":" + n + ": expected a label, 'none' or 'warning:KIND' "
                        + "as outcome, found '" + outcome + "'");
            }
            List<String> chain = dash(c[4]) == null ? null : List.of(c[4].split(" > ", -1));
            Expected e = new Expected(c[0], outcome, dash(c[2]), dash(c[3]), chain);
            boolean incident = e.incident();
            if (incident != (chain != null) || (chain != null && (!chain.get(0).equals(e.rootStep())
                    || !chain.get(chain.size() - 1).equals("GATEWAY_ERRORS")))) {
                throw new IllegalArgumentException(file + ":" + n + ": an incident's chain starts with its root_step and "
                        + "ends in GATEWAY_ERRORS, anything else has '-': " + line);
            }
            if (out.put(e.host(), e) != null) {
                throw new IllegalArgumentException(file + ":" + n + ": host " + e.host() + " listed twice");
            }
        }
        return out;
    }

    private static String dash(String s) {
        return s.equals("-") ? null : s;
    }

    /** What the replay printed for one host. */
    record Output(List<JsonNode> incidents, List<JsonNode> warnings) {
        Output() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        String describe() {
            List<String> said = new ArrayList<>();
            incidents.forEach(i -> said.add("incident " + i.get("root_cause").asText() + " (" + i.get("summary").asText() + ")"));
            warnings.forEach(w -> said.add("warning " + w.get("kind").asText() + " (" + w.get("summary").asText() + ")"));
            return said.isEmpty() ? "nothing" : String.join("; ", said);
        }
    }

    @TestFactory
    Stream<DynamicTest> everySampleHostReplaysToItsExpectedOutcome(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        Map<String, Expected> expected = expected(EXPECTED);
        Set<String> folders = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(FLEET)) {
            dirs.filter(Files::isDirectory).forEach(d -> folders.add(d.getFileName().toString()));
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("replay", FLEET.toString(), "--format", "json", "--bootstrap-servers", bootstrap,
                        "--schema-registry-url", "mock://replay-samples-test", "--timeout", "10m"),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr);

        ObjectMapper json = new ObjectMapper();
        Map<String, Output> byHost = new TreeMap<>();
        List<String> other = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            switch (n.get("type").asText()) {
                case "incident" -> byHost.computeIfAbsent(n.get("host").asText(), h -> new Output()).incidents().add(n);
                case "warning" -> byHost.computeIfAbsent(n.get("host").asText(), h -> new Output()).warnings().add(n);
                default -> other.add(line);
            }
        }

        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("expected-incidents.tsv lists exactly the host folders", () ->
                assertEquals(folders, new TreeSet<>(expected.keySet()), EXPECTED + " against " + FLEET)));
        tests.add(DynamicTest.dynamicTest("nothing but host incidents and warnings, and only of captured hosts", () -> {
            assertEquals(List.of(), other, "fleet incidents or other records from hosts that share no trigger");
            assertEquals(Set.of(), difference(byHost.keySet(), folders));
        }));
        for (Expected e : expected.values()) {
            if (folders.contains(e.host())) {
                tests.add(DynamicTest.dynamicTest(e.host() + " → " + e.outcome(),
                        () -> check(e, byHost.getOrDefault(e.host(), new Output()), stderr)));
            }
        }
        return tests.stream();
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private static void check(Expected e, Output o, String stderr) {
        String got = e.host() + " gave " + o.describe();
        if (e.outcome().equals(Expected.NONE)) {
            assertTrue(o.incidents().isEmpty() && o.warnings().isEmpty(), "expected nothing; " + got);
            return;
        }
        if (e.warningKind() != null) {
            assertTrue(o.incidents().isEmpty(), "expected only a " + e.warningKind() + " warning; " + got);
            assertEquals(1, o.warnings().size(), "expected one " + e.warningKind() + " warning; " + got);
            JsonNode w = o.warnings().get(0);
            assertEquals(e.warningKind(), w.get("kind").asText(), got);
            assertKeeps(e, w);
            return;
        }
        assertTrue(o.warnings().isEmpty(), "expected one " + e.outcome() + " incident and no warning; " + got);
        assertEquals(1, o.incidents().size(), () -> "expected one " + e.outcome() + " incident; " + got + "\n" + stderr);
        JsonNode i = o.incidents().get(0);
        assertEquals(e.outcome(), i.get("root_cause").asText(), got);
        assertKeeps(e, i);
        assertTrue(i.get("remediation").asText().length() > 20, i::toString);
        // the failed requests show as 502/504, or (disk full: nginx answers 500) as errno counts
        assertTrue(i.get("status_counts").fields().hasNext() || i.get("upstream_errors_by_errno").fields().hasNext(),
                i::toString);
        List<String> kinds = new ArrayList<>();
        for (JsonNode step : i.get("causal_chain")) {
            kinds.add(step.get("kind").asText());
            assertTrue(step.get("description").asText().length() > 3, () -> e.host() + ": a step without description " + step);
        }
        assertEquals(e.chain(), kinds, () -> e.host() + ": causal chain, root first; " + i.get("causal_chain"));
    }

    private static void assertKeeps(Expected e, JsonNode record) {
        assertTrue(record.get("evidence").size() > 0, record::toString);
        if (e.keyEvidence() == null) {
            return;
        }
        for (JsonNode ev : record.get("evidence")) {
            if (ev.get("line").asText().contains(e.keyEvidence())) {
                return;
            }
        }
        fail(e.host() + " lost its key evidence '" + e.keyEvidence() + "': " + record);
    }
}
