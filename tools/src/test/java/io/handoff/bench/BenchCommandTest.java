package io.handoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handoff bench} on the in-process broker, tiny: the report's shape and its correctness check
 * (every injected burst yields exactly its incident). Performance is measured by the bench, never
 * asserted here.
 */
class BenchCommandTest {
    private static final Path SAMPLES = Path.of("..", "samples", "fleet");

    @Test
    void aTinyBenchReportsEveryFigureAndEveryBurstYieldsItsIncident() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.run(List.of("--hosts", "4", "--lines", "8000", "--bursts", "4", "--partitions", "2",
                        "--live-bursts", "1", "--live-quiet", "2s", "--live-grace", "1s", "--no-sec", "--json",
                        "--samples", SAMPLES.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr);

        JsonNode r = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(4, r.at("/stream/hosts").asInt());
        assertEquals(4, r.at("/stream/bursts").asInt());
        assertTrue(r.at("/stream/entries").asLong() >= 4_000, r.toString());
        assertTrue(r.at("/ceiling/lines_per_s").asDouble() > 0, r.toString());
        // the ceiling of tuned clients (the better of two runs) and, for comparison, through the shipper
        assertEquals(2, r.at("/ceiling/runs_lines_per_s").size(), r.toString());
        assertEquals(r.at("/ceiling/lines_per_s").asDouble(), Math.max(r.at("/ceiling/runs_lines_per_s/0").asDouble(),
                r.at("/ceiling/runs_lines_per_s/1").asDouble()), 0.5);
        assertTrue(r.at("/ceiling/shipper_lines_per_s").asDouble() > 0, r.toString());
        assertEquals("lz4", r.at("/ceiling/producer/compression.type").asText(), r.toString());

        JsonNode one = r.at("/one_instance");
        assertTrue(one.at("/lines_per_s").asDouble() > 0, one.toString());
        assertTrue(one.at("/ratio_to_ceiling").asDouble() > 0, one.toString());
        // shipped while the topology waits, then processed as a backlog: both parts are reported
        assertTrue(one.at("/processing_lines_per_s").asDouble() >= one.at("/lines_per_s").asDouble(), one.toString());
        assertEquals(one.at("/seconds").asDouble(), one.at("/shipping_s").asDouble() + one.at("/processing_s").asDouble(),
                0.5, one.toString());
        assertEquals(0, one.at("/counters/late").asLong(), one.toString());
        JsonNode c = one.at("/correctness");
        assertEquals(4, c.at("/injected").asInt(), c.toString());
        assertEquals(4, c.at("/incidents").asInt(), c.toString());
        assertEquals(4, c.at("/matched").asInt(), c.toString());
        assertEquals(0, c.at("/extra").asInt(), c.toString());
        assertEquals(0, c.at("/duplicates").asInt(), c.toString());
        assertTrue(c.at("/ok").asBoolean(), c.toString());
        // four bursts cycle through the first four captures: one incident each, with its label
        List<String> ids = new ArrayList<>();
        one.at("/ids").forEach(n -> ids.add(n.asText()));
        Set<String> hosts = new HashSet<>();
        ids.forEach(id -> hosts.add(id.substring(0, id.indexOf('@'))));
        assertEquals(Set.of("bench-00000", "bench-00001", "bench-00002", "bench-00003"), hosts);

        assertTrue(one.at("/memory/heap_used_after_gc_mib").asDouble() > 0, one.toString());
        assertTrue(one.at("/memory/rss_mib").asDouble() > 0, one.toString());
        assertTrue(one.at("/state/entries_per_store/correlate-host-clock").asLong() >= 4, one.toString());
        assertTrue(one.at("/state/logical_bytes_per_host").asDouble() > 0, one.toString());

        JsonNode live = r.at("/live");
        assertEquals(1, live.at("/bursts").asInt(), live.toString());
        assertEquals(1, live.at("/incidents_seen").asInt(), live.toString());
        assertTrue(live.at("/latency_p99_s").asDouble() > 0, live.toString());
        assertTrue(live.at("/correctness/ok").asBoolean(), live.toString());

        assertTrue(r.at("/sec").isMissingNode(), "--no-sec skips SEC");
        assertEquals(0, r.at("/checks_failed").size(), r.toString());
        assertTrue(stderr.contains("handoff bench: e2e1:"), "progress goes to stderr");
    }

    @Test
    void theStormPutsEveryHostInsideAnIncidentAndComparesItWithAsManyHealthyLines() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.run(List.of("--hosts", "4", "--lines", "2000", "--bursts", "1", "--partitions", "2",
                        "--live-bursts", "0", "--no-sec", "--storm", "--json", "--samples", SAMPLES.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stderr);
        JsonNode storm = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).at("/storm");
        assertEquals(4, storm.at("/hosts").asInt(), storm.toString());
        // four hosts, one whole fault capture each, all in an incident at once, each with its capture's label
        JsonNode c = storm.at("/storm/correctness");
        assertEquals(4, c.at("/injected").asInt(), c.toString());
        assertEquals(4, c.at("/matched").asInt(), c.toString());
        assertEquals(0, c.at("/extra").asInt(), c.toString());
        // the same hosts healthy, as many lines: nothing may come out
        JsonNode h = storm.at("/healthy/correctness");
        assertEquals(0, h.at("/injected").asInt(), h.toString());
        assertEquals(0, h.at("/incidents").asInt(), h.toString());
        assertEquals(storm.at("/entries").asLong(), storm.at("/healthy_entries").asLong(), 4 * 2, storm.toString());
        double healthy = storm.at("/healthy/lines_per_s").asDouble();
        double stormy = storm.at("/storm/lines_per_s").asDouble();
        assertEquals(Math.round(healthy / stormy * 100) / 100.0, storm.at("/healthy_over_storm").asDouble(), 0.011);
        assertTrue(storm.at("/ceiling/lines_per_s").asDouble() > 0, storm.toString());
        assertTrue(storm.at("/storm/ratio_to_ceiling").asDouble() > 0, storm.toString());
        assertEquals(0, storm.at("/storm/counters/late").asLong(), storm.toString());
    }

    @Test
    void usageErrorsSayWhatWasExpected() {
        assertUsage(List.of("--hosts", "zero"), "--hosts: expected a whole number, got 'zero'");
        assertUsage(List.of("--seconds", "10", "--lines", "100"), "either --seconds S or --lines L");
        assertUsage(List.of("--kill-one"), "--kill-one needs --instances 2");
        assertUsage(List.of("--instances", "3"), "--instances: expected a number from 1 to 2, got 3");
        assertUsage(List.of("--quiet", "soon"), "--quiet: expected a duration like 500ms, 30s, 2m or 1h");
        assertUsage(List.of("--frobnicate"), "unknown option '--frobnicate'");
        assertUsage(List.of("--hosts"), "--hosts expects a value");
    }

    @Test
    void helpGoesToStdoutWithExitZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = BenchCommand.run(List.of("--help"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: handoff bench"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--kill-one"));
    }

    private static void assertUsage(List<String> args, String expected) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, e);
        assertTrue(e.contains(expected), e);
    }
}
