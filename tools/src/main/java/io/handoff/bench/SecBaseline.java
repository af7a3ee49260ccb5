package io.handoff.bench;

import io.handoff.topics.Sources;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The peer baseline: SEC, the Simple Event Correlator (Debian package {@code sec}), over the same lines
 * with a rule set doing a reduced version of handoff's job ({@code bench/sec/handoff.sec}: upstream
 * errors and FPM/kernel evidence per host as contexts, a threshold of 502/504 per host in 60 s that
 * reports a burst with a cause read from those contexts). One SEC process, one core, like SEC runs.
 *
 * <p>Input: one physical line per input line, {@code <host> <source>: <line>} (how a syslog relay
 * would hand a fleet's files to SEC); a multi-line entry is written as its physical lines.
 */
final class SecBaseline {
    /** What SEC did, or why it did not run. */
    record Result(boolean ran, String note, long lines, double seconds, long incidents, String version) {
        double linesPerSecond() {
            return ran && seconds > 0 ? lines / seconds : 0;
        }
    }

    private SecBaseline() {}

    /** The rule file: {@code bench/sec/handoff.sec} from here or one folder up, else null. */
    static Path defaultRules() {
        for (Path p : List.of(Path.of("bench", "sec", "handoff.sec"), Path.of("..", "bench", "sec", "handoff.sec"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    static String secBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "sec");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Writes the plan's lines as SEC's input; returns the number of physical lines written. */
    static long writeInput(Plan plan, Path file) {
        long[] n = new long[1];
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            plan.forEach(l -> {
                String prefix = l.host() + " " + Sources.name(l.kind()) + ": ";
                try {
                    int start = 0;
                    String t = l.text();
                    while (true) {
                        int nl = t.indexOf('\n', start);
                        w.write(prefix);
                        w.write(t, start, (nl < 0 ? t.length() : nl) - start);
                        w.write('\n');
                        n[0]++;
                        if (nl < 0) {
                            break;
                        }
                        start = nl + 1;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("writing SEC's input " + file, e);
        }
        return n[0];
    }

    /** Runs SEC over {@code input} to its end ({@code --notail}), timed; counts its INCIDENT lines. */
    static Result run(String sec, Path rules, Path input, long lines, Path tmp) {
        if (sec == null) {
            return new Result(false, "skipped: 'sec' is not installed (Debian: apt-get install sec)", lines, 0, 0, null);
        }
        if (rules == null || !Files.isRegularFile(rules)) {
            return new Result(false, "skipped: no SEC rule file (expected bench/sec/handoff.sec, or --sec PATH)",
                    lines, 0, 0, null);
        }
        try {
            String version = version(sec);
            Path outFile = tmp.resolve("sec.out");
            List<String> cmd = new ArrayList<>(List.of(sec, "--conf=" + rules.toAbsolutePath(),
                    "--input=" + input.toAbsolutePath(), "--notail", "--nointevents", "--log=/dev/null",
                    "--nodetach"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(outFile.toFile())
                    .redirectError(tmp.resolve("sec.err").toFile());
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(false, "SEC did not finish within 30 minutes", lines, 0, 0, version);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (p.exitValue() != 0) {
                return new Result(false, "SEC exited with " + p.exitValue() + ": "
                        + Files.readString(tmp.resolve("sec.err")).strip(), lines, secs, 0, version);
            }
            long incidents;
            try (var s = Files.lines(outFile)) {
                incidents = s.filter(l -> l.startsWith("INCIDENT ")).count();
            }
            return new Result(true, String.format(Locale.ROOT, "%s, %s", version, rules), lines, secs, incidents, version);
        } catch (IOException e) {
            return new Result(false, "SEC could not run: " + e.getMessage(), lines, 0, 0, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted", lines, 0, 0, null);
        }
    }

    private static String version(String sec) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(sec, "--version").redirectErrorStream(true).start();
        String v;
        try (InputStream in = p.getInputStream()) {
            v = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        p.waitFor(10, TimeUnit.SECONDS);
        return v.lines().findFirst().orElse("sec").strip();
    }
}
