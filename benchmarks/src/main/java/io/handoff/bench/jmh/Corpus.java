package io.handoff.bench.jmh;

import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.Sources;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real entries of the sample fleet ({@code samples/fleet/<host>/*.log}, joined into entries the way
 * the shipper joins them, each with its host's parser and zone), and a realistic mix of them: a web
 * host's logs are mostly healthy access lines.
 */
final class Corpus {
    private Corpus() {}

    /** One entry with the parser and context of its host. */
    record Entry(String host, SourceKind kind, LineParser parser, String text, ParseContext context) {
        ParseOutcome parse() {
            return parser.parse(text, context);
        }

        /** The event the parse stage would build (origin and file left out). */
        LogEvent event() {
            ParseOutcome.Parsed p = (ParseOutcome.Parsed) parse();
            return LogEvent.newBuilder().setHost(host).setFleet(null).setSource(kind)
                    .setTimestamp(Instant.ofEpochMilli(p.timestampMillis())).setOriginal(text).setFile(null)
                    .setOrigin(null).setParsed(p.fields()).build();
        }
    }

    /**
     * Shares of the realistic mix, per 1000 entries: healthy nginx and FPM access lines dominate; error,
     * FPM master, slowlog and kernel lines are the few percent a fleet writes besides.
     */
    static final Map<String, Integer> MIX = Map.of(
            "nginx-access-healthy", 600, "php-fpm-access-healthy", 300, "nginx-access-error", 10,
            "nginx-error", 40, "php-fpm", 30, "php-fpm-slow", 15, "kern", 5);

    static Path fleet() {
        String p = System.getProperty("handoff.samples");
        if (p != null) {
            return Path.of(p);
        }
        Path here = Path.of("samples", "fleet");
        return Files.isDirectory(here) ? here : Path.of("..", "samples", "fleet");
    }

    /** Every entry of every host. */
    static List<Entry> all() throws IOException {
        List<Entry> out = new ArrayList<>();
        List<Path> hosts;
        try (Stream<Path> s = Files.list(fleet())) {
            hosts = s.filter(Files::isDirectory).sorted().toList();
        }
        if (hosts.isEmpty()) {
            throw new IllegalStateException("no sample hosts under " + fleet().toAbsolutePath()
                    + " (run from the repository root, or -Dhandoff.samples=DIR)");
        }
        for (Path host : hosts) {
            Properties formats = new Properties();
            Path fp = host.resolve("formats.properties");
            if (Files.exists(fp)) {
                try (Reader r = Files.newBufferedReader(fp, StandardCharsets.UTF_8)) {
                    formats.load(r);
                }
            }
            ParseContext ctx = ParseContext.of(ZoneId.of(formats.getProperty("timezone", "UTC")));
            for (SourceKind kind : SourceKind.values()) {
                Path file = host.resolve(Sources.fileName(kind));
                if (!Files.exists(file)) {
                    continue;
                }
                String format = kind == SourceKind.NGINX_ACCESS ? formats.getProperty("nginx.access.log_format")
                        : kind == SourceKind.PHP_FPM_ACCESS ? formats.getProperty("fpm.access.format") : null;
                LineParser parser = Parsers.forKind(kind, format);
                MultilineJoiner joiner = MultilineJoiner.forKind(kind);
                String name = host.getFileName().toString();
                long offset = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    joiner.accept(line, offset, e -> out.add(new Entry(name, kind, parser, e.text(), ctx)));
                    offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
                }
                joiner.flush(e -> out.add(new Entry(name, kind, parser, e.text(), ctx)));
            }
        }
        return out;
    }

    private static final Pattern ACCESS_STATUS = Pattern.compile("\" ([1-5]\\d\\d) ");
    private static final Pattern FPM_ACCESS_STATUS = Pattern.compile("^\\S+ [A-Z]+ ([1-5]\\d\\d) ");

    /** The bucket of {@link #MIX} an entry falls in. */
    static String bucket(Entry e) {
        switch (e.kind()) {
            case NGINX_ACCESS: {
                Matcher m = ACCESS_STATUS.matcher(e.text());
                return m.find() && m.group(1).charAt(0) >= '5' ? "nginx-access-error" : "nginx-access-healthy";
            }
            case PHP_FPM_ACCESS: {
                Matcher m = FPM_ACCESS_STATUS.matcher(e.text());
                return m.find() && m.group(1).charAt(0) >= '5' ? "nginx-access-error" : "php-fpm-access-healthy";
            }
            default:
                return Sources.name(e.kind());
        }
    }

    /**
     * {@code size} entries drawn from the real ones in the shares of {@link #MIX} (each bucket cycled
     * through its real entries), shuffled with a fixed seed; entries that do not parse are left out.
     */
    static List<Entry> mixed(int size) throws IOException {
        Map<String, List<Entry>> buckets = new TreeMap<>();
        for (Entry e : all()) {
            if (e.parse() instanceof ParseOutcome.Parsed) {
                buckets.computeIfAbsent(bucket(e), b -> new ArrayList<>()).add(e);
            }
        }
        int total = MIX.values().stream().mapToInt(Integer::intValue).sum();
        List<Entry> out = new ArrayList<>(size);
        for (Map.Entry<String, Integer> share : new TreeMap<>(MIX).entrySet()) {
            List<Entry> real = buckets.getOrDefault(share.getKey(), List.of());
            if (real.isEmpty()) {
                throw new IllegalStateException("no " + share.getKey() + " entries in " + fleet());
            }
            int n = (int) Math.round((double) size * share.getValue() / total);
            for (int i = 0; i < n; i++) {
                out.add(real.get(i % real.size()));
            }
        }
        Collections.shuffle(out, new Random(42));
        return out;
    }

    /** Entries per source in a list, for the printed description of a corpus. */
    static Map<SourceKind, Integer> perSource(List<Entry> entries) {
        Map<SourceKind, Integer> m = new EnumMap<>(SourceKind.class);
        entries.forEach(e -> m.merge(e.kind(), 1, Integer::sum));
        return m;
    }
}
