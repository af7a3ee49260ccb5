package io.handoff.bench;

import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import io.handoff.classify.Lines;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.topics.Sources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The storm folder: one real capture per host, re-hosted, every burst starting on the same second. */
class StormFolderTest {

    @Test
    void everyHostIsAFaultCaptureWhoseBurstStartsAtTheOnset(@TempDir Path out) throws Exception {
        Path samples = FleetStream.defaultSamples();
        assumeTrue(samples != null, "samples/fleet not found");
        long lines = StormFolder.write(samples, out, 14);

        List<Path> hosts;
        try (Stream<Path> s = Files.list(out)) {
            hosts = s.sorted().toList();
        }
        assertEquals(14, hosts.size());
        assertEquals("storm-0000", hosts.get(0).getFileName().toString());
        assertTrue(lines > 14 * 100, "whole captures: " + lines);
        // storm-0000 and storm-0013 are both web-01, re-hosted: the same lines but for the host name
        String a = Files.readString(hosts.get(0).resolve("nginx-error.log"));
        String b = Files.readString(hosts.get(13).resolve("nginx-error.log"));
        assertEquals(a.replace("storm-0000", "storm-0013"), b);
        assertTrue(!a.contains("web-01"), "re-hosted");
        // every host's first gateway error (an nginx upstream failure or an access 502/504) is at the onset
        for (Path host : hosts) {
            long first = Long.MAX_VALUE;
            for (SourceKind k : List.of(SourceKind.NGINX_ERROR, SourceKind.NGINX_ACCESS)) {
                Path f = host.resolve(Sources.fileName(k));
                if (!Files.exists(f)) continue;
                String format = k == SourceKind.NGINX_ACCESS ? formats(host).getProperty("nginx.access.log_format") : null;
                for (String line : Files.readAllLines(f)) {
                    ParseOutcome o = Parsers.forKind(k, format).parse(line, ParseContext.of(ZoneId.of(
                            formats(host).getProperty("timezone"))));
                    if (o instanceof ParseOutcome.Parsed p) {
                        var e = LogEvent.newBuilder().setHost(host.getFileName().toString()).setSource(k)
                                .setTimestamp(Instant.ofEpochMilli(p.timestampMillis())).setOriginal(line)
                                .setParsed(p.fields()).build();
                        if (Lines.isGatewayError(e)) {
                            first = Math.min(first, p.timestampMillis());
                        }
                    }
                }
            }
            assertEquals(StormFolder.ONSET.toEpochMilli(), first, host.toString());
        }
    }

    private static Properties formats(Path host) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(host.resolve("formats.properties"))) {
            p.load(r);
        }
        return p;
    }
}
