package io.handoff.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}) started on loopback with
 * {@code deploy/prometheus/alertmanager.yml}, clustering off, its state in a temporary folder. Tests
 * read its API back. Skips the test when it is not installed.
 */
public final class Alertmanager implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
    static final Path CONFIG = Path.of("..", "deploy", "prometheus", "alertmanager.yml");

    private final Process process;
    private final Path dir;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private Alertmanager(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static Alertmanager start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BINARY),
                "no Alertmanager: " + BINARY + " is needed (apt-get install prometheus-alertmanager)");
        Path dir = Files.createTempDirectory("handoff-alertmanager-");
        int port = freePort();
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + CONFIG.toAbsolutePath(),
                "--storage.path=" + dir, "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=",
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        Alertmanager am = new Alertmanager(p, dir, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (am.http.send(HttpRequest.newBuilder(URI.create(am.url() + "-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return am;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("alertmanager.log"));
                am.close();
                throw new IllegalStateException("Alertmanager did not become ready: " + log);
            }
            Thread.sleep(100); // polling its readiness endpoint, bounded by the deadline
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** {@code GET /api/v2/alerts} with matchers such as {@code incident_id="…"}: the alerts not resolved. */
    public List<JsonNode> alerts(String... matchers) throws Exception {
        StringBuilder q = new StringBuilder("api/v2/alerts");
        for (int i = 0; i < matchers.length; i++) {
            q.append(i == 0 ? '?' : '&').append("filter=").append(URLEncoder.encode(matchers[i], StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + q)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + q + ": " + r.statusCode() + " " + r.body());
        }
        List<JsonNode> out = new ArrayList<>();
        json.readTree(r.body()).forEach(out::add);
        return out;
    }

    /** Polls (bounded) until {@code alerts(matchers)} satisfies the check; returns the last answer. */
    public List<JsonNode> awaitAlerts(Predicate<List<JsonNode>> check, String... matchers) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<JsonNode> last = alerts(matchers);
        while (!check.test(last)) {
            if (System.nanoTime() > deadline) {
                return last;
            }
            Thread.sleep(200); // polling Alertmanager's API, bounded by the deadline
            last = alerts(matchers);
        }
        return last;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
