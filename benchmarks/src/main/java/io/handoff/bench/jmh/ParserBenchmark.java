package io.handoff.bench.jmh;

import io.handoff.avro.SourceKind;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.Sources;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Throughput of each parser over the real entries of the sample fleet ({@code samples/fleet/<host>/*.log},
 * joined into entries the way the shipper joins them, each host with its own formats), one entry per
 * operation, on one thread. {@code source=mixed} interleaves every source in its real proportion
 * (access logs dominate, as on a web host).
 *
 * <p>Run from the repository root (the samples are read from {@code samples/fleet}, or from
 * {@code -Dhandoff.samples=DIR}): {@code java -jar benchmarks/target/benchmarks.jar}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParserBenchmark {

    @Param({"mixed", "nginx-access", "nginx-error", "php-fpm", "php-fpm-slow", "php-fpm-access", "kern"})
    public String source;

    private LineParser[] parsers;
    private String[] texts;
    private ParseContext[] contexts;
    private int next;

    /** One entry with the parser and context of its host. */
    record Sample(LineParser parser, String text, ParseContext context) {}

    @Setup(Level.Trial)
    public void load() throws IOException {
        List<Sample> samples = samples(source.equals("mixed") ? null : Sources.parse(source));
        if (samples.isEmpty()) {
            throw new IllegalStateException("no " + source + " entries under " + Corpus.fleet().toAbsolutePath());
        }
        if (source.equals("mixed")) {
            Collections.shuffle(samples, new Random(42));
        }
        parsers = new LineParser[samples.size()];
        texts = new String[samples.size()];
        contexts = new ParseContext[samples.size()];
        int failed = 0;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            parsers[i] = s.parser();
            texts[i] = s.text();
            contexts[i] = s.context();
            if (s.parser().parse(s.text(), s.context()) instanceof ParseOutcome.Failed) {
                failed++;
            }
        }
        System.out.println("\n" + source + ": " + samples.size() + " entries, " + failed + " dead letters");
    }

    @Benchmark
    public ParseOutcome parse() {
        int i = next;
        next = i + 1 == texts.length ? 0 : i + 1;
        return parsers[i].parse(texts[i], contexts[i]);
    }

    static List<Sample> samples(SourceKind only) throws IOException {
        List<Sample> out = new ArrayList<>();
        List<Path> hosts;
        try (Stream<Path> s = Files.list(Corpus.fleet())) {
            hosts = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path host : hosts) {
            Properties formats = new Properties();
            Path fp = host.resolve("formats.properties");
            if (Files.exists(fp)) {
                try (Reader r = Files.newBufferedReader(fp, StandardCharsets.UTF_8)) {
                    formats.load(r);
                }
            }
            ParseContext ctx = new ParseContext(ZoneId.of(formats.getProperty("timezone", "UTC")), -1, 0);
            for (SourceKind kind : SourceKind.values()) {
                Path file = host.resolve(Sources.fileName(kind));
                if ((only != null && kind != only) || !Files.exists(file)) {
                    continue;
                }
                String format = kind == SourceKind.NGINX_ACCESS ? formats.getProperty("nginx.access.log_format")
                        : kind == SourceKind.PHP_FPM_ACCESS ? formats.getProperty("fpm.access.format") : null;
                LineParser parser = Parsers.forKind(kind, format);
                MultilineJoiner joiner = MultilineJoiner.forKind(kind);
                long offset = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    joiner.accept(line, offset, e -> out.add(new Sample(parser, e.text(), ctx)));
                    offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
                }
                joiner.flush(e -> out.add(new Sample(parser, e.text(), ctx)));
            }
        }
        return out;
    }

    /** Prints the entry counts per source (a quick check that the corpus is where it should be). */
    public static void main(String[] args) throws IOException {
        for (SourceKind k : SourceKind.values()) {
            System.out.println(Sources.name(k) + ": " + samples(k).size() + " entries");
        }
    }
}
