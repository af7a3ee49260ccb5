package io.handoff.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code handoff <command>} in a child JVM on this test's class path, as a user runs it: its own process, so
 * that SIGTERM, kill -9 and exit codes are real. Output goes to files in {@code dir}.
 */
final class Child implements AutoCloseable {
    final Process process;
    final Path stdout;
    final Path stderr;

    private Child(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Child start(Path dir, String name, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "io.handoff.app.Main"));
        cmd.addAll(List.of(args));
        try {
            Files.createDirectories(dir);
            Path out = dir.resolve(name + ".out");
            Path err = dir.resolve(name + ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("HANDOFF_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return new Child(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String err() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /** SIGTERM, then the exit code (within {@code timeout}). */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("did not stop within " + timeout + " after SIGTERM; stderr:\n" + tail());
        }
        return process.exitValue();
    }

    /** kill -9: no shutdown hook, no clean close. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String tail() {
        String e = err();
        return e.length() <= 6000 ? e : e.substring(e.length() - 6000);
    }

    /**
     * Polls {@code GET http://127.0.0.1:port path} every 200 ms until {@code ok} accepts the answer; fails when
     * the process exits or {@code timeout} passes, with its stderr.
     */
    HttpResponse<String> awaitHttp(int port, String path, Predicate<HttpResponse<String>> ok, Duration timeout)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long until = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " while waiting for " + path + "; stderr:\n" + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (ok.test(r)) {
                    return r;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            process.waitFor(200, TimeUnit.MILLISECONDS); // between polls, awake for the process ending
        }
        throw new AssertionError(path + " not as expected within " + timeout + " (last: " + last + "); stderr:\n" + tail());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
