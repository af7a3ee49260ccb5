package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.embedded.EmbeddedKafka;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.embedded.junit.RestartableBroker;
import io.handoff.raw.Envelope;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tailing shipper on a real broker: rotation by rename and by copytruncate in the middle of a
 * stream, a restart from the registry (with a rotation while stopped), and Kafka unreachable and then
 * back. In every case the topic must hold every entry exactly once, in file order: the test compares
 * the whole sequence of messages. The tests drive {@link Tailer#step()} themselves, so what the
 * tailer has seen when a file changes is decided by the test, not by timing.
 */
@KafkaBroker.Use
class TailerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final String HOST = "web-07";

    /** A fresh topic prefix per test, with the raw topic of {@code kind} created (2 partitions). */
    private static TopicNames topics(String bootstrap, SourceKind kind) {
        TopicNames t = new TopicNames("tail" + PREFIXES.incrementAndGet());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            EmbeddedKafka.createTopics(admin, Map.of(t.raw(kind), 2), TIMEOUT);
        }
        return t;
    }

    private static Tailer.Settings settings(Path file, SourceKind kind, Path registry, TopicNames topics) {
        return Tailer.Settings.of(HOST, List.of(new Tailer.Source(kind, file)), registry)
                .withTopics(topics)
                .withTimings(Duration.ofMillis(20), Duration.ofMillis(300), Duration.ofMillis(300),
                        Duration.ofMillis(50), Duration.ofSeconds(20))
                .withMeta("eu-1", "+00:00", Map.of());
    }

    static void append(Path file, List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Steps the tailer until {@code done}; between idle steps it waits one poll interval. */
    static void stepUntil(Tailer t, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not reached within " + TIMEOUT + ": " + what + "; tailer: " + t.metrics().describe());
            }
            if (!t.step()) {
                LockSupport.parkNanos(t.settings().pollInterval().toNanos());
            }
        }
    }

    /** The messages of the topic, in order, after checking each envelope's host, path and key. */
    static List<String> messages(String bootstrap, String topic, String path) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : Drain.topic(bootstrap, topic, TIMEOUT)) {
            Envelope.Decoded d = Envelope.decode(r.key(), r.value());
            assertTrue(d.ok(), d.error());
            assertEquals(HOST, new String(r.key(), StandardCharsets.UTF_8));
            assertEquals(HOST, d.envelope().host());
            assertEquals(path, d.envelope().filePath());
            out.add(d.envelope().message());
        }
        return out;
    }

    static List<String> accessLines(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.add("127.0.1." + (i % 250) + " - - [21/Nov/2026:10:45:52 +0000] \"GET /shop/?n=" + i
                    + " HTTP/1.1\" 200 7012 \"-\" \"Mozilla/5.0\" rt=0.014 uct=\"0.000\" urt=\"0.014\" us=\"200\"");
        }
        return l;
    }

    /** Entry i of an nginx error log; every fourth spans three physical lines (FastCGI stderr with a stack trace). */
    static List<String> nginxEntry(int i) {
        String head = "2026/11/21 10:44:" + String.format("%02d", i % 60) + " [error] 9434#9434: *" + i;
        if (i % 4 == 0) {
            return List.of(head + " FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error in /srv/a.php:8",
                    "Stack trace:",
                    "#0 {main}\" while reading response header from upstream, client: 127.0.1.122");
        }
        return List.of(head + " recv() failed (104: Connection reset by peer) while reading response header from upstream");
    }

    static List<String> nginxLines(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.addAll(nginxEntry(i));
        }
        return l;
    }

    static List<String> nginxMessages(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.add(String.join("\n", nginxEntry(i)));
        }
        return l;
    }

    @Test
    void renameRotationMidStreamShipsEveryEntryOnceInOrder(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws IOException {
        TopicNames topics = topics(bootstrap, SourceKind.NGINX_ERROR);
        Path log = dir.resolve("error.log");
        append(log, nginxLines(1, 20));
        try (Tailer t = Tailer.open(bootstrap, settings(log, SourceKind.NGINX_ERROR, dir.resolve("reg"), topics))) {
            stepUntil(t, () -> t.metrics().entriesAcked() >= 19, "the first 19 entries acknowledged");
            // entry 20 (multi-line) is open in the joiner: logrotate renames, nginx still writes 21..25 to the
            // old file until it reopens its log, then writes to the new file
            Files.move(log, dir.resolve("error.log.1"));
            t.step();
            append(dir.resolve("error.log.1"), nginxLines(21, 25));
            append(log, nginxLines(26, 40));
            stepUntil(t, () -> t.metrics().entriesAcked() == 40 && t.metrics().entriesBuffered() == 0,
                    "40 entries acknowledged");
            assertEquals(1, t.metrics().rotations());
            assertEquals(nginxLines(1, 40).size(), t.metrics().linesRead());
        }
        assertEquals(nginxMessages(1, 40), messages(bootstrap, topics.raw(SourceKind.NGINX_ERROR), log.toString()));
    }

    @Test
    void copytruncateMidStreamReadsTheUnreadEndFromTheCopy(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws IOException {
        TopicNames topics = topics(bootstrap, SourceKind.NGINX_ACCESS);
        Path log = dir.resolve("access.log");
        append(log, accessLines(1, 20));
        try (Tailer t = Tailer.open(bootstrap, settings(log, SourceKind.NGINX_ACCESS, dir.resolve("reg"), topics))) {
            stepUntil(t, () -> t.metrics().entriesAcked() == 20, "20 entries acknowledged");
            // 21..30 are written and logrotate copies + truncates before the tailer looks again
            append(log, accessLines(21, 30));
            Files.copy(log, dir.resolve("access.log.1"), StandardCopyOption.COPY_ATTRIBUTES);
            truncate(log);
            append(log, accessLines(31, 40));
            stepUntil(t, () -> t.metrics().entriesAcked() == 40, "40 entries acknowledged");
            assertEquals(1, t.metrics().rotations());

            // again, but the truncated file has grown past the old read position before the tailer looks:
            // only the changed bytes before the read position tell
            stepUntil(t, () -> t.metrics().linesRead() == 40, "40 lines read");
            append(log, accessLines(41, 45));
            Files.copy(log, dir.resolve("access.log.1"), StandardCopyOption.REPLACE_EXISTING);
            truncate(log);
            append(log, accessLines(46, 120));
            stepUntil(t, () -> t.metrics().entriesAcked() == 120 && t.metrics().entriesBuffered() == 0,
                    "120 entries acknowledged");
            assertEquals(2, t.metrics().rotations());
        }
        assertEquals(accessLines(1, 120), messages(bootstrap, topics.raw(SourceKind.NGINX_ACCESS), log.toString()));
    }

    @Test
    void copytruncateWithoutACopyStartsOverAndSaysSo(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws IOException {
        TopicNames topics = topics(bootstrap, SourceKind.NGINX_ACCESS);
        Path log = dir.resolve("access.log");
        append(log, accessLines(1, 10));
        try (Tailer t = Tailer.open(bootstrap, settings(log, SourceKind.NGINX_ACCESS, dir.resolve("reg"), topics))) {
            stepUntil(t, () -> t.metrics().entriesAcked() == 10, "10 acknowledged");
            truncate(log);                          // a plain `> access.log`: nothing to recover, nothing lost
            append(log, accessLines(11, 15));
            stepUntil(t, () -> t.metrics().entriesAcked() == 15, "15 acknowledged");
        }
        assertEquals(accessLines(1, 15), messages(bootstrap, topics.raw(SourceKind.NGINX_ACCESS), log.toString()));
    }

    private static void truncate(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
        }
    }

    @Test
    void restartResumesFromTheRegistryAlsoAcrossARotationWhileStopped(@KafkaBroker.Bootstrap String bootstrap,
                                                                      @TempDir Path dir) throws IOException {
        TopicNames topics = topics(bootstrap, SourceKind.NGINX_ERROR);
        Path log = dir.resolve("error.log");
        Path registry = dir.resolve("state/handoff-ship.registry");
        Tailer.Settings s = settings(log, SourceKind.NGINX_ERROR, registry, topics)
                // no multi-line timeout during the test: an open entry must survive the restart as it is
                .withTimings(Duration.ofMillis(20), Duration.ofMinutes(5), Duration.ofMillis(300),
                        Duration.ofMillis(50), Duration.ofSeconds(20));
        append(log, nginxLines(1, 14));
        try (Tailer t = Tailer.open(bootstrap, s)) {
            stepUntil(t, () -> t.metrics().entriesAcked() == 13, "13 acknowledged (entry 14 may still continue)");
            // entry 15 and the first line of the multi-line entry 16: 14 and 15 complete, 16 stays open
            append(log, nginxLines(15, 15));
            append(log, List.of(nginxEntry(16).get(0)));
            stepUntil(t, () -> t.metrics().entriesAcked() == 15, "15 acknowledged");
        }
        List<Registry.Position> saved = Registry.read(registry);
        assertEquals(1, saved.size(), saved.toString());
        // the registry points at the start of the open entry 16
        long entry16 = Files.size(log) - (nginxEntry(16).get(0).length() + 1);
        assertEquals(entry16, saved.get(0).offset());
        assertEquals(FileTail.keyOf(log), saved.get(0).key());

        // while stopped: the rest of entry 16 and entry 17 are written, logrotate renames, nginx writes 18
        // to the old file before it reopens its log, then 19..22 to the new one
        append(log, nginxEntry(16).subList(1, 3));
        append(log, nginxLines(17, 17));
        Files.move(log, dir.resolve("error.log.1"));
        append(dir.resolve("error.log.1"), nginxLines(18, 18));
        append(log, nginxLines(19, 22));
        try (Tailer t = Tailer.open(bootstrap, s)) {
            // 22 may still continue: it stays open (and unsent) as long as no line follows
            stepUntil(t, () -> t.metrics().entriesAcked() == 6 && t.metrics().entriesBuffered() == 0,
                    "entries 16..21 acknowledged after the restart");
            // once idle for the rotate grace, the old file is finished and leaves the registry
            stepUntil(t, () -> Registry.read(registry).size() == 1, "the rotated file finished and forgotten");
            assertEquals(FileTail.keyOf(log), Registry.read(registry).get(0).key());
        }
        assertEquals(nginxMessages(1, 21), messages(bootstrap, topics.raw(SourceKind.NGINX_ERROR), log.toString()));
    }

    @Test
    void kafkaDownThenBackBuffersStopsReadingWhenFullAndLosesNothing(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("access.log");
        try (RestartableBroker broker = new RestartableBroker(dir.resolve("kafka"))) {
            TopicNames topics = new TopicNames("down" + PREFIXES.incrementAndGet());
            Tailer.Settings s = settings(log, SourceKind.NGINX_ACCESS, dir.resolve("reg"), topics)
                    .withBuffer(64L << 20, 10)
                    .withProducerOverrides(Map.of("max.block.ms", "200", "reconnect.backoff.max.ms", "200"));
            append(log, accessLines(1, 30));
            try (Tailer t = Tailer.open(broker.bootstrapServers(), s)) {
                // nothing listens at the address: ten entries are buffered, then reading stops
                stepUntil(t, () -> t.metrics().entriesBuffered() == 10, "10 entries buffered");
                for (int i = 0; i < 5; i++) {
                    t.step();
                }
                Tailer.Metrics m = t.metrics();
                assertEquals(10, m.linesRead(), m.describe());
                assertEquals(0, m.entriesAcked(), m.describe());
                assertTrue(m.readingPaused(), m.describe());
                assertTrue(m.kafkaWaiting(), m.describe());

                broker.start();
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                    EmbeddedKafka.createTopics(admin,
                            Map.of(topics.raw(SourceKind.NGINX_ACCESS), 2), TIMEOUT);
                }
                stepUntil(t, () -> t.metrics().entriesAcked() == 30, "30 acknowledged once Kafka is up");
                assertFalse(t.metrics().kafkaWaiting());

                // down again: the new entries are read and wait (in the producer, or in the tailer once the
                // producer has dropped the topic's metadata)
                broker.stop();
                append(log, accessLines(31, 40));
                stepUntil(t, () -> t.metrics().linesRead() == 40 && t.metrics().entriesBuffered() == 10,
                        "40 read, 10 buffered");
                for (int i = 0; i < 3; i++) {
                    t.step();
                }
                assertEquals(30, t.metrics().entriesAcked(), "nothing can be acknowledged while the broker is down");
                broker.start();
                stepUntil(t, () -> t.metrics().entriesAcked() == 40 && t.metrics().entriesBuffered() == 0,
                        "40 acknowledged after the broker is back");
            }
            assertEquals(accessLines(1, 40), messages(broker.bootstrapServers(), topics.raw(SourceKind.NGINX_ACCESS),
                    log.toString()));
        }
    }
}
