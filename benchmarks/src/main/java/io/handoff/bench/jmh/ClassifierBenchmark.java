package io.handoff.bench.jmh;

import io.handoff.avro.LogEvent;
import io.handoff.classify.Classifier;
import io.handoff.classify.Diagnosis;
import io.handoff.classify.Lines;
import io.handoff.classify.Timeline;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The classifier on one core, over real entries of {@code samples/fleet}:
 * <ul>
 *   <li>{@code lineSignal}: what the correlator asks of every line (is it a gateway error, is it
 *       evidence), over the realistic mix of {@link Corpus#MIX} — a per-line cost;</li>
 *   <li>{@code diagnose}: the causal chain of one incident's {@link Timeline} (each capture's gateway
 *       and evidence lines, rotating over the fault captures) — a per-incident cost.</li>
 * </ul>
 * {@code java -jar benchmarks/target/benchmarks.jar ClassifierBenchmark -prof gc} (from the repository root).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:ActiveProcessorCount=1"})
@Threads(1)
public class ClassifierBenchmark {
    private LogEvent[] mix;
    private List<List<LogEvent>> incidents;
    private Timeline[] timelines;
    private int nextLine;
    private int nextIncident;

    @Setup(Level.Trial)
    public void load() throws IOException {
        List<Corpus.Entry> m = Corpus.mixed(10_000);
        mix = new LogEvent[m.size()];
        for (int i = 0; i < m.size(); i++) {
            mix[i] = m.get(i).event();
        }
        Map<String, List<LogEvent>> byHost = new LinkedHashMap<>();
        for (Corpus.Entry e : Corpus.all()) {
            if (!(e.parse() instanceof ParseOutcome.Parsed)) {
                continue;
            }
            LogEvent ev = e.event();
            if (Lines.isGatewayError(ev) || Lines.isEvidence(ev)) {
                byHost.computeIfAbsent(e.host(), h -> new ArrayList<>()).add(ev);
            }
        }
        byHost.keySet().removeIf(h -> byHost.get(h).stream().noneMatch(Lines::isGatewayError));
        incidents = new ArrayList<>(byHost.values());
        timelines = new Timeline[incidents.size()];
        for (int i = 0; i < timelines.length; i++) {
            timelines[i] = timeline(incidents.get(i));
        }
        System.out.println("\nclassifier: " + mix.length + " mixed lines, " + incidents.size() + " incidents "
                + byHost.keySet() + " of " + incidents.stream().mapToInt(List::size).sum() + " evidence lines");
    }

    private static Timeline timeline(List<LogEvent> lines) {
        Map<String, Long> kinds = new TreeMap<>();
        Map<String, Long> status = new TreeMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (LogEvent e : lines) {
            kinds.merge(Lines.kindKey(e), 1L, Long::sum);
            int g = Lines.gatewayStatus(e);
            if (g != 0) status.merge(Integer.toString(g), 1L, Long::sum);
            if (Lines.isGatewayError(e)) {
                first = Math.min(first, e.getTimestamp().toEpochMilli());
                last = Math.max(last, e.getTimestamp().toEpochMilli());
            }
        }
        return new Timeline(lines.get(0).getHost(), null, first, last, lines, kinds, status, Map.of(), 0, Map.of());
    }

    @Benchmark
    public boolean lineSignal() {
        int i = nextLine;
        nextLine = i + 1 == mix.length ? 0 : i + 1;
        LogEvent e = mix[i];
        return Lines.isGatewayError(e) || Lines.isEvidence(e);
    }

    @Benchmark
    public Diagnosis diagnose() {
        int i = nextIncident;
        nextIncident = i + 1 == timelines.length ? 0 : i + 1;
        return Classifier.diagnose(timelines[i]);
    }
}
