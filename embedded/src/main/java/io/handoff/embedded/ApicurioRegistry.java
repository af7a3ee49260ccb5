package io.handoff.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real schema registry for tests: Apicurio Registry 2.6 (the runner jar of
 * {@code io.apicurio:apicurio-registry-app:2.6.13.Final:zip:all}, unpacked by the build) in a child JVM on a
 * loopback port, serving the Confluent-compatible API at {@code /apis/ccompat/v7}. Its schemas live in an
 * H2 file under the given folder, so {@link #stop()} and {@link #start()} are a registry outage as clients
 * see it: same URL, same ids afterwards.
 */
public final class ApicurioRegistry implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Path jar;
    private final Path dataDir;
    private final int port;
    private volatile Process process;
    private int starts;

    private ApicurioRegistry(Path jar, Path dataDir, int port) {
        this.jar = jar;
        this.dataDir = dataDir;
        this.port = port;
    }

    /** The runner jar under {@code dir} ({@code -Dapicurio.dir}, default {@code target/apicurio}), if the build unpacked it. */
    public static Optional<Path> runnerJar(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a registry whose data lives under {@code dataDir}, on a free loopback port; waits until it answers. */
    public static ApicurioRegistry start(Path runnerJar, Path dataDir) {
        ApicurioRegistry r = new ApicurioRegistry(runnerJar, dataDir, freePort());
        r.start();
        return r;
    }

    /** {@code http://127.0.0.1:<port>/apis/ccompat/v7}: the value of {@code schema.registry.url}. */
    public String url() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts it (again, on the same port and data) and waits until it answers. */
    public synchronized void start() {
        if (running()) {
            throw new IllegalStateException("Apicurio at " + url() + " is already running");
        }
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("apicurio-" + (++starts) + ".log");
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            Path home = jar.toAbsolutePath().getParent();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port, "-jar", jar.toString())
                    .directory(home == null ? null : home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("REGISTRY_DATASOURCE_URL", "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry"));
            process = pb.start();
            Process p = process;
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            awaitReady(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio from " + jar, e);
        }
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/subjects")).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio exited with code " + process.exitValue() + " before it was ready; log: "
                        + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(probe, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (ConnectException e) {
                last = e.toString();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio", e);
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS); // not listening yet: wait for the process, not a fixed sleep
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio", e);
            }
        }
        throw new IllegalStateException("Apicurio not ready at " + url() + " within " + READY_TIMEOUT.toSeconds() + " s (last: "
                + last + "); log: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops it (SIGTERM, then SIGKILL after 20 s); its data stays for {@link #start()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }
}
