package io.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.embedded.junit.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code handoff replay} of a folder with more files than the process may open: 300 hosts written
 * from the real captures ({@link ReplayFolder}: 13 hosts each holding one fault capture, 287 healthy
 * hosts), about 630 files, replayed by a child JVM whose open-file limit is 512 (set by the shell's
 * {@code ulimit -n}) and whose heap is 256 MiB, on the test's real broker. Opening every file at once
 * needs more descriptors than the limit, so the replay must ship in batches; every fault host must
 * still get its incident with its capture's label, nothing else may come out, and no line may arrive
 * late (the batches must keep each host's sources in step).
 */
@KafkaBroker.Use
class ReplayAtScaleTest {
    private static final Path SAMPLES = Path.of("..", "samples", "fleet");
    private static final Path BASH = Path.of("/bin/bash");
    private static final int OPEN_FILES = 512;

    @Test
    void manyHostsUnderALowOpenFileLimitGiveEveryExpectedIncident(@KafkaBroker.Bootstrap String bootstrap,
                                                                  @TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(BASH), "needs /bin/bash to set the child's open-file limit with ulimit -n");
        Path dir = tmp.resolve("fleet");
        ReplayFolder.Written w = ReplayFolder.write(FleetStream.load(SAMPLES), dir, 300, 20_000, 300, 13,
                ReplayFolder.Mix.QUIET, null);
        long files;
        try (var s = Files.walk(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".log")).count();
        }
        assertTrue(files > OPEN_FILES, "the folder must hold more logs than the limit: " + files);
        assertEquals(13, w.expected().size());

        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = tmp.resolve("out.json");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(BASH.toString(), "-c", "ulimit -n " + OPEN_FILES + " && exec \"$0\" \"$@\"",
                javaBin, "-Xmx256m", "-cp", classpath, "io.handoff.app.Main", "replay", dir.toString(), "--format", "json",
                "--bootstrap-servers", bootstrap, "--schema-registry-url", "mock://replay-at-scale", "--timeout", "6m")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(7, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the replay did not end within 7 minutes: " + tail(err));
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), tail(err));

        Map<String, String> incidents = new TreeMap<>();
        List<String> other = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            if (n.get("type").asText().equals("incident") && !incidents.containsKey(n.get("host").asText())) {
                incidents.put(n.get("host").asText(), n.get("root_cause").asText());
            } else {
                other.add(line);
            }
        }
        assertEquals(new TreeMap<>(w.expected()), incidents, stderr);
        assertEquals(List.of(), other, stderr);

        Matcher m = Pattern.compile("in (\\d+) batches of at most (\\d+) open files").matcher(stderr);
        assertTrue(m.find(), stderr);
        assertTrue(Integer.parseInt(m.group(1)) > 1, m.group());
        assertTrue(Integer.parseInt(m.group(2)) < OPEN_FILES, m.group());
        assertTrue(stderr.contains(String.format(Locale.ROOT, "shipped %,d entries from 300 hosts", w.entries())),
                stderr);
        assertTrue(stderr.contains("ETA "), "progress with an estimate of the time left: " + stderr);
        // batches must not put a host's sources out of step: no line late, none dead-lettered
        assertTrue(stderr.contains("dead letters none; late lines none"), stderr);
    }

    private static String tail(Path err) throws IOException {
        List<String> l = Files.readAllLines(err, StandardCharsets.UTF_8);
        return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
    }
}
