package io.handoff.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.embedded.junit.KafkaBroker;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handoff replay --format json} over the committed sample fleet (logs of real faults made with
 * real nginx, php-fpm and the kernel, see samples/README.md), on a real broker: every host gets the
 * label of the fault that was made on it and its causal chain, and nothing else comes out.
 */
@KafkaBroker.Use
class ReplaySamplesTest {
    private static final Path FLEET = Path.of("..", "samples", "fleet");

    /** host → the root cause of the fault made on it (samples/README.md). */
    static final Map<String, String> EXPECTED_INCIDENTS = new TreeMap<>(Map.ofEntries(
            Map.entry("web-01", "LISTEN_BACKLOG_OVERFLOW"),
            Map.entry("web-02", "FPM_UNAVAILABLE"),
            Map.entry("web-03", "WORKER_POOL_EXHAUSTED"),
            Map.entry("web-04", "SLOW_EXTERNAL_CALL"),
            Map.entry("web-05", "SELF_REQUEST_DEADLOCK"),
            Map.entry("web-06", "WORKER_CRASH"),
            Map.entry("web-07", "OOM_KILL"),
            Map.entry("web-08", "REQUEST_TERMINATED"),
            Map.entry("web-09", "SOCKET_PERMISSION_DENIED"),
            Map.entry("web-10", "UPSTREAM_HEADER_TOO_BIG"),
            Map.entry("web-11", "UPSTREAM_MISCONFIGURED"),
            Map.entry("web-12", "FPM_RELOAD_INTERRUPTION"),
            Map.entry("web-13", "DISK_FULL")));
    /** host → the kinds of its causal chain's steps, root first (the chain ends in the clients' gateway errors). */
    static final Map<String, List<String>> EXPECTED_CHAINS = Map.ofEntries(
            Map.entry("web-01", List.of("POOL_SATURATED", "LISTEN_BACKLOG_OVERFLOW", "GATEWAY_ERRORS")),
            Map.entry("web-02", List.of("FPM_STOPPED", "UPSTREAM_REFUSED", "GATEWAY_ERRORS")),
            Map.entry("web-03", List.of("SLOW_SLEEP_CALL", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS")),
            Map.entry("web-04", List.of("SLOW_HTTP_CALL", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS")),
            Map.entry("web-05", List.of("SELF_REQUEST", "POOL_SATURATED", "HEADER_TIMEOUT", "GATEWAY_ERRORS")),
            Map.entry("web-06", List.of("SEGFAULT", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry("web-07", List.of("OOM_KILL", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry("web-08", List.of("REQUEST_TERMINATED", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry("web-09", List.of("SOCKET_PERMISSION_DENIED", "GATEWAY_ERRORS")),
            Map.entry("web-10", List.of("UPSTREAM_HEADER_TOO_BIG", "GATEWAY_ERRORS")),
            Map.entry("web-11", List.of("UPSTREAM_MISCONFIGURED", "GATEWAY_ERRORS")),
            Map.entry("web-12", List.of("FPM_RELOAD", "WORKER_RESET", "GATEWAY_ERRORS")),
            Map.entry("web-13", List.of("DISK_FULL", "GATEWAY_ERRORS")));

    /**
     * host → a line its evidence must keep however long the burst: the one that explains it, often a
     * single line in the middle of hundreds of identical errors.
     */
    static final Map<String, String> KEY_EVIDENCE = Map.of(
            "web-01", "Reloading in progress",
            "web-06", "segfault at",
            "web-07", "Killed process",
            "web-03", "server reached pm.max_children",
            "web-04", "curl_exec()",
            "web-08", "execution timed out");

    /** host → the warning kind expected on a host that shows pressure without 502/504. */
    static final Map<String, String> EXPECTED_WARNINGS = Map.of("web-15", "POOL_SATURATED");

    @Test
    void everySampleHostGetsTheLabelOfItsFault(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("replay", FLEET.toString(), "--format", "json", "--bootstrap-servers", bootstrap,
                        "--schema-registry-url", "mock://replay-samples-test", "--timeout", "3m"),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr);

        ObjectMapper json = new ObjectMapper();
        Map<String, List<String>> incidents = new TreeMap<>();
        Map<String, List<String>> warnings = new TreeMap<>();
        List<String> other = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            switch (n.get("type").asText()) {
                case "incident" -> {
                    incidents.computeIfAbsent(n.get("host").asText(), h -> new ArrayList<>()).add(n.get("root_cause").asText());
                    List<String> chain = new ArrayList<>();
                    n.get("causal_chain").forEach(st -> chain.add(st.get("kind").asText()));
                    assertEquals(EXPECTED_CHAINS.get(n.get("host").asText()), chain, line);
                    String key = KEY_EVIDENCE.get(n.get("host").asText());
                    if (key != null) {
                        boolean kept = false;
                        for (JsonNode e : n.get("evidence")) {
                            kept |= e.get("line").asText().contains(key);
                        }
                        assertTrue(kept, n.get("host").asText() + " lost its key evidence '" + key + "': " + line);
                    }
                    assertTrue(n.get("evidence").size() > 0, line);
                    assertTrue(n.get("remediation").asText().length() > 20, line);
                    // the failed requests show as 502/504, or (disk full: nginx answers 500) as errno counts
                    assertTrue(n.get("status_counts").fields().hasNext()
                            || n.get("upstream_errors_by_errno").fields().hasNext(), line);
                }
                case "warning" -> warnings.computeIfAbsent(n.get("host").asText(), h -> new ArrayList<>()).add(n.get("kind").asText());
                default -> other.add(line);
            }
        }
        Map<String, List<String>> expected = new TreeMap<>();
        EXPECTED_INCIDENTS.forEach((h, c) -> {
            if (Files.isDirectory(FLEET.resolve(h))) {
                expected.put(h, List.of(c));
            }
        });
        assertEquals(expected, incidents, stderr);
        Map<String, List<String>> expectedWarnings = new TreeMap<>();
        EXPECTED_WARNINGS.forEach((h, k) -> expectedWarnings.put(h, List.of(k)));
        assertEquals(expectedWarnings, warnings, stderr);
        assertEquals(List.of(), other);
    }
}
