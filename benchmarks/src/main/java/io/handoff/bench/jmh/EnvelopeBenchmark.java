package io.handoff.bench.jmh;

import io.handoff.raw.Envelope;
import io.handoff.topics.Sources;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The parse stage's first step for every raw record: {@link Envelope#decode} of the shipper's Filebeat-shaped
 * JSON, over the realistic mix of the sample fleet's entries as handoff's shipper writes them ({@code @timestamp},
 * host, file, offset, zone and fleet; no log format), one record per operation, on one thread.
 *
 * <p>{@code java -jar benchmarks/target/benchmarks.jar EnvelopeBenchmark}, from the repository root.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnvelopeBenchmark {

    private byte[][] keys;
    private byte[][] values;
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException {
        List<Corpus.Entry> mix = Corpus.mixed(10_000);
        keys = new byte[mix.size()][];
        values = new byte[mix.size()][];
        Instant read = Instant.parse("2026-11-21T00:00:04.120Z");
        for (int i = 0; i < mix.size(); i++) {
            Corpus.Entry e = mix.get(i);
            Envelope env = Envelope.of(e.text(), e.host(), "/var/log/" + Sources.fileName(e.kind()), i * 180L)
                    .withMeta(read.plusMillis(i * 7L), "+00:00", "eu-1", null);
            keys[i] = e.host().getBytes(StandardCharsets.UTF_8);
            values[i] = env.toJson();
            if (!Envelope.decode(keys[i], values[i]).ok()) {
                throw new IllegalStateException("entry " + i + " does not decode: " + Envelope.decode(keys[i], values[i]).error());
            }
        }
        System.out.println("\nenvelopes: " + mix.size() + " entries " + Corpus.perSource(mix));
    }

    @Benchmark
    public Envelope.Decoded decode() {
        int i = next;
        next = i + 1 == values.length ? 0 : i + 1;
        return Envelope.decode(keys[i], values[i]);
    }
}
