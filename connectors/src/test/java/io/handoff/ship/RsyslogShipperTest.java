package io.handoff.ship;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.SourceKind;
import io.handoff.embedded.EmbeddedKafka;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.raw.Envelope;
import io.handoff.raw.MultilineJoiner;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stock rsyslog configuration ({@code connectors/rsyslog/handoff.conf}) run for real: rsyslogd
 * with imfile + omkafka tails six files and publishes to the embedded broker; the test decodes what
 * arrives with {@link Envelope#decode} and compares it with the envelope handoff's own shipper makes
 * for the same entries (message, host, path, byte offset, multi-line flag, fleet, zone, log format).
 * Skipped, with the reason, where rsyslogd or its Kafka module is not installed.
 */
@KafkaBroker.Use
class RsyslogShipperTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");
    static final Path CONF = Path.of(System.getProperty("user.dir")).resolve("rsyslog/handoff.conf");

    private static boolean omkafkaInstalled() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog",
                "/usr/lib/rsyslog", "/usr/lib64/rsyslog")) {
            if (Files.exists(Path.of(dir, "omkafka.so"))) {
                return true;
            }
        }
        return false;
    }

    /** Replaces {@code from} by {@code to}, failing when the stock file no longer has {@code from}. */
    private static String replace(String conf, String from, String to) {
        assertTrue(conf.contains(from), "connectors/rsyslog/handoff.conf no longer contains '" + from + "'");
        return conf.replace(from, to);
    }

    @Test
    void rsyslogShipsTheSameEnvelopesAsHandoff(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        assumeTrue(Files.isExecutable(RSYSLOGD), RSYSLOGD + " is not installed (Debian: apt-get install rsyslog"
                + " rsyslog-kafka): the rsyslog variant is not tested here");
        assumeTrue(omkafkaInstalled(), "rsyslog's omkafka.so is not installed (Debian: apt-get install rsyslog-kafka)");

        TopicNames topics = new TopicNames("rsys" + ProcessHandle.current().pid());
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (SourceKind k : SourceKind.values()) {
            wanted.put(topics.raw(k), 2);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            EmbeddedKafka.createTopics(admin, wanted, TIMEOUT);
        }
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Map<SourceKind, Path> files = new EnumMap<>(SourceKind.class);
        String conf = Files.readString(CONF);
        conf = replace(conf, "file=\"/var/log/nginx/access.log\"", "file=\"" + logs.resolve("access.log") + "\"");
        conf = replace(conf, "file=\"/var/log/nginx/error.log\"", "file=\"" + logs.resolve("error.log") + "\"");
        conf = replace(conf, "file=\"/var/log/php8.2-fpm.log\"", "file=\"" + logs.resolve("php-fpm.log") + "\"");
        conf = replace(conf, "file=\"/var/log/php8.2-fpm-slow.log\"", "file=\"" + logs.resolve("slow.log") + "\"");
        conf = replace(conf, "file=\"/var/log/php8.2-fpm-access.log\"", "file=\"" + logs.resolve("fpm-access.log") + "\"");
        conf = replace(conf, "file=\"/var/log/kern.log\"", "file=\"" + logs.resolve("kern.log") + "\"");
        conf = replace(conf, "broker=[\"kafka-1:9092\"]", "broker=[\"" + bootstrap + "\"]");
        conf = replace(conf, "set $.prefix = \"handoff\";", "set $.prefix = \"" + topics.prefix() + "\";");
        // a log_format with quotes: rsyslog string escaping, JSON escaping on the way out
        conf = replace(conf, "set $.nginx_log_format = \"\";", "set $.nginx_log_format = \""
                + ShipperTest.LOG_FORMAT.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\";");
        files.put(SourceKind.NGINX_ACCESS, logs.resolve("access.log"));
        files.put(SourceKind.NGINX_ERROR, logs.resolve("error.log"));
        files.put(SourceKind.PHP_FPM, logs.resolve("php-fpm.log"));
        files.put(SourceKind.PHP_FPM_SLOW, logs.resolve("slow.log"));
        files.put(SourceKind.PHP_FPM_ACCESS, logs.resolve("fpm-access.log"));
        files.put(SourceKind.KERN, logs.resolve("kern.log"));
        Files.writeString(dir.resolve("handoff.conf"), conf);
        Files.writeString(dir.resolve("main.conf"), "global(workDirectory=\"" + work + "\" localHostname=\"web-07\")\n"
                + "include(file=\"" + dir.resolve("handoff.conf") + "\")\n"
                // rsyslogd's own messages (errors of omkafka, imfile), for the failure report
                + "syslog.* action(type=\"omfile\" file=\"" + dir.resolve("rsyslogd.out") + "\")\n");

        // half of every file exists before rsyslogd starts, the rest is appended while it runs
        Map<SourceKind, List<String>> before = new EnumMap<>(SourceKind.class);
        Map<SourceKind, List<String>> after = new EnumMap<>(SourceKind.class);
        before.put(SourceKind.NGINX_ACCESS, List.of(ShipperTest.ACCESS.get(0)));
        after.put(SourceKind.NGINX_ACCESS, List.of(ShipperTest.ACCESS.get(1)));
        before.put(SourceKind.NGINX_ERROR, ShipperTest.NGINX_ERROR_MULTI);
        after.put(SourceKind.NGINX_ERROR, List.of(ShipperTest.NGINX_ERROR_ONE));
        before.put(SourceKind.PHP_FPM, ShipperTest.FPM.subList(0, 3));
        after.put(SourceKind.PHP_FPM, ShipperTest.FPM.subList(3, 5));
        List<String> slow1 = new ArrayList<>(List.of(""));
        slow1.addAll(ShipperTest.SLOW_1);
        List<String> slow2 = new ArrayList<>(List.of(""));
        slow2.addAll(ShipperTest.SLOW_2);
        before.put(SourceKind.PHP_FPM_SLOW, slow1);
        after.put(SourceKind.PHP_FPM_SLOW, slow2);
        before.put(SourceKind.PHP_FPM_ACCESS, List.of(ShipperTest.FPM_ACCESS));
        after.put(SourceKind.PHP_FPM_ACCESS, List.of());
        before.put(SourceKind.KERN, List.of(ShipperTest.KERN_1));
        after.put(SourceKind.KERN, List.of(ShipperTest.KERN_2));
        for (SourceKind k : SourceKind.values()) {
            TailerTest.append(files.get(k), before.get(k));
        }

        Process rsyslogd = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", dir.resolve("main.conf").toString(),
                "-i", dir.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.stdout").toFile()).start();
        try {
            for (SourceKind k : SourceKind.values()) {
                if (!after.get(k).isEmpty()) {
                    TailerTest.append(files.get(k), after.get(k));
                }
            }
            // what handoff's own joiners make of the same files: the expected entries
            Map<SourceKind, List<MultilineJoiner.Entry>> expected = new EnumMap<>(SourceKind.class);
            for (SourceKind k : SourceKind.values()) {
                List<MultilineJoiner.Entry> entries = new ArrayList<>();
                MultilineJoiner j = MultilineJoiner.forKind(k);
                try (PhysicalLines lines = new PhysicalLines(Files.newInputStream(files.get(k)))) {
                    for (String l = lines.next(); l != null; l = lines.next()) {
                        j.accept(l, lines.lineOffset(), entries::add);
                    }
                }
                j.flush(entries::add);
                expected.put(k, entries);
            }
            // FPM's wrapped stderr chunks are not joined by rsyslog (documented): here they are single lines anyway
            for (SourceKind k : SourceKind.values()) {
                String topic = topics.raw(k);
                int n = expected.get(k).size();
                awaitCount(bootstrap, topic, n, rsyslogd, dir);
                List<ConsumerRecord<byte[], byte[]>> got = Drain.topic(bootstrap, topic, TIMEOUT);
                assertEquals(n, got.size(), topic + ": " + got.size() + " records, expected " + n);
                for (int i = 0; i < n; i++) {
                    ConsumerRecord<byte[], byte[]> r = got.get(i);
                    assertEquals("web-07", new String(r.key(), StandardCharsets.UTF_8), topic + " record key");
                    Envelope.Decoded d = Envelope.decode(r.key(), r.value());
                    assertTrue(d.ok(), topic + ": " + d.error() + " in " + new String(r.value(), StandardCharsets.UTF_8));
                    MultilineJoiner.Entry e = expected.get(k).get(i);
                    // imfile gives the byte offset of single-line entries; multi-line ones go without (documented)
                    long offset = k == SourceKind.NGINX_ERROR || k == SourceKind.PHP_FPM_SLOW ? -1 : e.offset();
                    Envelope want = Envelope.of(e.text(), "web-07", files.get(k).toString(), offset)
                            .withMeta(d.envelope().shippedAt(), "UTC", "eu-1",
                                    k == SourceKind.NGINX_ACCESS ? ShipperTest.LOG_FORMAT : null);
                    assertEquals(want, d.envelope(), topic + " record " + i + ": "
                            + new String(r.value(), StandardCharsets.UTF_8));
                    assertNotNull(d.envelope().shippedAt(), "@timestamp");
                    JsonNode json = new ObjectMapper().readTree(r.value());
                    assertEquals(Sources.name(k), json.path("fields").path("source").asText(), "fields.source");
                }
            }
        } finally {
            rsyslogd.destroy();
            if (!rsyslogd.waitFor(10, TimeUnit.SECONDS)) {
                rsyslogd.destroyForcibly();
            }
        }
    }

    /** Waits until the topic's end offsets sum to {@code n}; reports rsyslogd's output when it does not. */
    private static void awaitCount(String bootstrap, String topic, int n, Process rsyslogd, Path dir) throws IOException {
        try {
            ShipCommandTest.awaitEndOffset(bootstrap, topic, n);
        } catch (AssertionError e) {
            String out = "";
            for (String f : List.of("rsyslogd.stdout", "rsyslogd.out")) {
                out += Files.exists(dir.resolve(f)) ? Files.readString(dir.resolve(f)) : "";
            }
            throw new AssertionError(e.getMessage() + "; rsyslogd " + (rsyslogd.isAlive() ? "running" : "exited "
                    + rsyslogd.exitValue()) + ", its output:\n" + out, e);
        }
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
