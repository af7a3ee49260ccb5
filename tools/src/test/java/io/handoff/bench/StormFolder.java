package io.handoff.bench;

import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A replay folder where every host is inside an incident at once: {@code N} host folders, each a whole
 * fault capture of {@code samples/fleet} ({@code web-01} … {@code web-13} in turn) re-hosted
 * ({@code storm-0000} …) and re-timed so that every host's first gateway error falls on the same second.
 * Every line is a real line of the captures (their stamps rewritten in the capture's own zone, see
 * {@link FleetStream}); each file holds its lines in the order they were written.
 *
 * <pre>
 *   mvn -o -q -pl streams-app -am test-compile      # once
 *   java -cp tools/target/test-classes:tools/target/handoff-tools.jar io.handoff.bench.StormFolder /tmp/storm 456
 *   ./handoff replay /tmp/storm --format json &gt; /dev/null
 * </pre>
 */
public final class StormFolder {
    private StormFolder() {}

    /** The instant every host's first gateway error is moved to. */
    static final Instant ONSET = Instant.parse("2026-11-22T00:00:00Z");

    /** Writes {@code hosts} host folders under {@code out}; returns the lines written. */
    static long write(Path samples, Path out, int hosts) throws IOException {
        FleetStream fleet = FleetStream.load(samples);
        List<String> templates = fleet.faultTemplates();
        long lines = 0;
        for (int i = 0; i < hosts; i++) {
            String template = templates.get(i % templates.size());
            String host = String.format("storm-%04d", i);
            FleetStream.Template t = fleet.template(template);
            long shift = Math.floorDiv(ONSET.toEpochMilli() - t.firstGateway(), 1000);
            Map<SourceKind, List<FleetStream.Line>> bySource = new EnumMap<>(SourceKind.class);
            for (FleetStream.Line l : fleet.burstLines(template, host, shift)) {
                bySource.computeIfAbsent(l.kind(), k -> new ArrayList<>()).add(l);
            }
            Path dir = Files.createDirectories(out.resolve(host));
            StringBuilder formats = new StringBuilder();
            formats.append("timezone=").append(t.zone().getId()).append('\n');
            if (t.formats().get(SourceKind.NGINX_ACCESS) != null) {
                formats.append("nginx.access.log_format=").append(t.formats().get(SourceKind.NGINX_ACCESS)).append('\n');
            }
            if (t.formats().get(SourceKind.PHP_FPM_ACCESS) != null) {
                formats.append("fpm.access.format=").append(t.formats().get(SourceKind.PHP_FPM_ACCESS)).append('\n');
            }
            Files.writeString(dir.resolve("formats.properties"), formats.toString(), StandardCharsets.UTF_8);
            for (Map.Entry<SourceKind, List<FleetStream.Line>> e : bySource.entrySet()) {
                try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(Sources.fileName(e.getKey())), StandardCharsets.UTF_8)) {
                    for (FleetStream.Line l : e.getValue()) {
                        w.write(l.text());
                        w.write('\n');
                        lines += l.physicalLines();
                    }
                }
            }
        }
        return lines;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: StormFolder OUT_DIR HOSTS [SAMPLES_DIR (default samples/fleet)]");
            System.exit(2);
        }
        int hosts;
        try {
            hosts = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            hosts = -1;
        }
        if (hosts < 1) {
            System.err.println("StormFolder: HOSTS expects a positive whole number, got '" + args[1] + "'");
            System.exit(2);
        }
        Path samples = args.length == 3 ? Path.of(args[2]) : FleetStream.defaultSamples();
        long lines = write(samples, Path.of(args[0]), hosts);
        System.err.printf("StormFolder: %d hosts, %,d lines, every first gateway error at %s, in %s%n", hosts, lines, ONSET, args[0]);
    }
}
