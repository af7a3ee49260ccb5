package io.handoff.app;

import io.handoff.avro.SourceKind;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to {@code handoff ship} and {@code handoff run} is a clean stop with exit code 0, as docs/DEPLOY.md
 * says (issue 12, case 9; the JVM alone ends a signalled process with 143). {@code handoff run} also stops
 * cleanly while it waits at start for topics that do not exist — waiting, saying which on {@code /health},
 * rather than exiting into a crash loop (case 7).
 */
@KafkaBroker.Use
class SignalExitTest {

    @Test
    void shipStopsWithExitCode0AfterSendingWhatItRead(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path tmp) throws Exception {
        String prefix = "sig-" + UUID.randomUUID().toString().substring(0, 8);
        TopicNames t = new TopicNames(prefix);
        KafkaBroker.createTopics(Map.of(t.raw(SourceKind.NGINX_ERROR), 1));
        Path log = tmp.resolve("error.log");
        String line = "2026/11/21 11:10:25 [error] 14427#14427: *350 connect() to unix:/run/php/php8.2-fpm-web-01.sock failed"
                + " (11: Resource temporarily unavailable) while connecting to upstream, client: 127.0.1.85, server: _, request:"
                + " \"GET /shop/ HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-01.sock:\", host: \"shop.example.test\"";
        Files.writeString(log, line + "\n");
        try (Child ship = Child.start(tmp, "ship", Map.of(), "ship", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
                "--host", "web-01", "--file", "nginx-error=" + log, "--registry", tmp.resolve("ship.registry").toString(),
                "--progress-every", "0", "--multiline-timeout", "200ms")) {
            List<ConsumerRecord<byte[], byte[]>> sent = List.of();
            long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (sent.isEmpty() && System.nanoTime() < until && ship.process.isAlive()) {
                sent = Drain.topic(bootstrap, t.raw(SourceKind.NGINX_ERROR), Duration.ofSeconds(10));
            }
            assertEquals(1, sent.size(), "the line was shipped; stderr:\n" + ship.tail());
            Files.writeString(log, line.replace("*350", "*351") + "\n", StandardOpenOption.APPEND);
            int code = ship.terminate(Duration.ofSeconds(90));
            assertEquals(0, code, "exit code after SIGTERM; stderr:\n" + ship.tail());
            assertTrue(ship.err().contains("handoff ship: host web-01"), ship.tail());
        }
    }

    @Test
    void runWaitsForMissingTopicsSaysWhichAndStopsWithExitCode0(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path tmp)
            throws Exception {
        String prefix = "sig-" + UUID.randomUUID().toString().substring(0, 8);
        int port = Child.freePort();
        try (Child run = Child.start(tmp, "run", Map.of("HANDOFF_BOOTSTRAP_SERVERS", bootstrap, "HANDOFF_SCHEMA_REGISTRY_URL",
                "mock://signal", "HANDOFF_TOPIC_PREFIX", prefix, "HANDOFF_KAFKA_STATE_DIR", tmp.resolve("state").toString()),
                "run", "--http-port", String.valueOf(port))) {
            HttpResponse<String> h = run.awaitHttp(port, "/health", r -> r.body().contains("do not exist"), Duration.ofSeconds(120));
            assertEquals(503, h.statusCode());
            assertTrue(h.body().startsWith("{\"status\":\"DOWN\",\"state\":\"STARTING\""), h.body());
            assertTrue(h.body().contains("starting: topics " + prefix + ".correlate-input, " + prefix + ".dead-letter, "), h.body());
            assertEquals(200, run.awaitHttp(port, "/health/live", r -> true, Duration.ofSeconds(10)).statusCode());
            assertEquals(0, run.terminate(Duration.ofSeconds(60)), "stderr:\n" + run.tail());
            assertTrue(run.err().contains("do not exist: create them as docs/DEPLOY.md lists them"), run.tail());
        }
    }
}
