package io.handoff.bench.jmh;

import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Parsing a realistic fleet mix on one core: 90% healthy nginx and FPM access lines, the rest nginx
 * error, FPM master, slowlog and kernel entries and a few gateway errors, all real entries of
 * {@code samples/fleet} in the shares of {@link Corpus#MIX}. One entry per operation, so ops/s is
 * lines/s; run with {@code -prof gc} for the bytes allocated per line.
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar MixedCorpusBenchmark -prof gc} (from the repository root).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:ActiveProcessorCount=1"})
@Threads(1)
public class MixedCorpusBenchmark {
    private LineParser[] parsers;
    private String[] texts;
    private ParseContext[] contexts;
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException {
        List<Corpus.Entry> mix = Corpus.mixed(10_000);
        parsers = new LineParser[mix.size()];
        texts = new String[mix.size()];
        contexts = new ParseContext[mix.size()];
        for (int i = 0; i < mix.size(); i++) {
            parsers[i] = mix.get(i).parser();
            texts[i] = mix.get(i).text();
            contexts[i] = mix.get(i).context();
        }
        System.out.println("\nmixed corpus: " + mix.size() + " entries " + Corpus.perSource(mix));
    }

    @Benchmark
    public ParseOutcome parse() {
        int i = next;
        next = i + 1 == texts.length ? 0 : i + 1;
        return parsers[i].parse(texts[i], contexts[i]);
    }
}
