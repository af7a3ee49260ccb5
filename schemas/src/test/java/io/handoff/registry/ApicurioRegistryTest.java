package io.handoff.registry;

import feas.avro.LogEvent;
import feas.avro.Severity;
import io.handoff.serde.SpecificAvroSerde;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
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
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@link HttpSchemaRegistryClient} and the serde against a real registry: Apicurio Registry
 * 2.6.13.Final (unpacked by the build into {@code target/apicurio}) through its Confluent-compatible
 * API {@code /apis/ccompat/v7}, started here as a child JVM on a free loopback port.
 * Skipped, with the reason, when the build left Apicurio out ({@code -Dapicurio.skip}).
 *
 * <p>Apicurio accepts incompatible schemas by default (no global rule), so compatibility is tested
 * against the in-memory registry, not here.
 */
class ApicurioRegistryTest {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** feas LogEvent's Avro binary (without the 5-byte prefix), as written by Confluent's serializer. */
    private static final String GOLDEN_PAYLOAD = "0c636f72722d3106617069f6a1abfef9620608626f6f6d02026b0276000206742d39";

    private static Process registry;
    private static String baseUrl;
    private static Path log;

    @BeforeAll
    static void startApicurio() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("apicurio.skip"), "Apicurio Registry left out by -Dapicurio.skip");
        Path dir = Paths.get(System.getProperty("apicurio.dir", "target/apicurio"));
        Optional<Path> jar = runnerJar(dir);
        Assumptions.assumeTrue(jar.isPresent(), "Apicurio Registry runner jar not found under " + dir.toAbsolutePath()
                + " (the build unpacks io.apicurio:apicurio-registry-app:2.6.13.Final:zip:all there unless -Dapicurio.skip)");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        log = dir.resolveSibling("apicurio-test-" + port + ".log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        registry = new ProcessBuilder(java, "-Xmx512m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-jar", jar.get().toString())
                .directory(jar.get().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Process started = registry;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        baseUrl = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
        awaitReady(URI.create(baseUrl + "/subjects"));
    }

    private static Optional<Path> runnerJar(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst();
        }
    }

    /** Polls the subjects endpoint until it answers 200; fails on timeout or when the process exits. */
    private static void awaitReady(URI probe) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!registry.isAlive()) {
                throw new AssertionError("Apicurio exited with code " + registry.exitValue() + " before it was ready; log: " + tail());
            }
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (ConnectException | HttpTimeoutException e) {
                // not listening yet, or listening but still starting (slow on a loaded machine)
                last = e.toString();
            }
            // not listening yet: wait a little for the process to change state before polling again
            registry.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("Apicurio not ready at " + probe + " within " + READY_TIMEOUT.toSeconds() + " s (last: " + last
                + "); log: " + tail());
    }

    private static String tail() {
        try {
            String s = Files.readString(log);
            return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopApicurio() throws InterruptedException {
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(20, TimeUnit.SECONDS)) {
                registry.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Schema v1() {
        try (InputStream in = ApicurioRegistryTest.class.getResourceAsStream("/feas/LogEvent-v1.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void registerLookupLatestById() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(baseUrl, Map.of());
        Schema v1 = v1();
        Schema v2 = LogEvent.getClassSchema();

        int id1 = client.register("apicurio-a-value", v1);
        int again = new HttpSchemaRegistryClient(baseUrl, Map.of()).register("apicurio-a-value", v1);
        int id2 = client.register("apicurio-a-value", v2);

        assertEquals(id1, again);
        assertNotEquals(id1, id2);
        HttpSchemaRegistryClient fresh = new HttpSchemaRegistryClient(baseUrl, Map.of());
        assertEquals(id1, fresh.lookupId("apicurio-a-value", v1));
        assertEquals(id2, fresh.lookupId("apicurio-a-value", v2));
        assertEquals(new SchemaRegistryClient.SubjectVersion(id2, 2, v2), fresh.latest("apicurio-a-value"));
        assertEquals(v1, new HttpSchemaRegistryClient(baseUrl, Map.of()).byId(id1));
        assertEquals(v2, new HttpSchemaRegistryClient(baseUrl, Map.of()).byId(id2, "apicurio-a-value"));
        SchemaRegistryException missing = org.junit.jupiter.api.Assertions.assertThrows(SchemaRegistryException.class,
                () -> fresh.lookupId("apicurio-no-such-subject", v1));
        assertEquals(404, missing.httpStatus());
        assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, missing.errorCode());
    }

    @Test
    void serdeWritesConfluentsBytesAndReadsThemBack() {
        LogEvent event = LogEvent.newBuilder().setCorrelationId("corr-1").setService("api")
                .setTimestamp(Instant.ofEpochMilli(1700000000123L)).setSeverity(Severity.ERROR).setMessage("boom")
                .setAttributes(Map.of("k", "v")).setTraceId("t-9").build();
        SpecificAvroSerde<LogEvent> writer = new SpecificAvroSerde<>(LogEvent.class);
        writer.configure(Map.of("schema.registry.url", baseUrl), false);

        byte[] bytes = writer.serializer().serialize("apicurio-logs", event);

        int id = new HttpSchemaRegistryClient(baseUrl, Map.of()).lookupId("apicurio-logs-value", LogEvent.getClassSchema());
        byte[] prefix = {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        assertEquals(HexFormat.of().formatHex(prefix) + GOLDEN_PAYLOAD, HexFormat.of().formatHex(bytes));
        SpecificAvroSerde<LogEvent> reader = new SpecificAvroSerde<>(LogEvent.class);
        reader.configure(Map.of("schema.registry.url", baseUrl), false);
        assertEquals(event, reader.deserializer().deserialize("apicurio-logs", bytes));
        assertArrayEquals(bytes, writer.serializer().serialize("apicurio-logs", event));
    }
}
