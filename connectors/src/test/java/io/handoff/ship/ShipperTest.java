package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.raw.Envelope;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ships a replay folder built from real captures (lines copied from samples/fleet/web-06, web-08,
 * web-14) to a real broker and reads every raw topic back.
 */
@KafkaBroker.Use
class ShipperTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    // samples/fleet/web-14/nginx-error.log: one FastCGI stderr message over 8 physical lines
    static final List<String> NGINX_ERROR_MULTI = List.of(
            "2026/11/21 10:44:42 [error] 9434#9434: *274 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function create_function() in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php:8",
            "Stack trace:",
            "#0 /srv/handoff/wp/wp-content/themes/astra-child/functions.php(34): legacy_widgets_render()",
            "#1 /srv/handoff/wp/wp-includes/template-loader.php(6): astra_child_render()",
            "#2 /srv/handoff/wp/wp-blog-header.php(6): require_once('...')",
            "#3 /srv/handoff/wp/index.php(6): require('...')",
            "#4 {main}",
            "  thrown in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php on line 8\" while reading response header from upstream, client: 127.0.1.122, server: _, request: \"GET /?widget=tagcloud HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-14.sock:\", host: \"shop.example.test\", referrer: \"http://shop.example.test/\"");
    // samples/fleet/web-06/nginx-error.log
    static final String NGINX_ERROR_ONE = "2026/11/21 10:46:20 [error] 9783#9783: *252 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.1.212, server: _, request: \"GET /gallery/summer-collection/?gallery=7 HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-06.sock:\", host: \"shop.example.test\"";
    // samples/fleet/web-08/php-fpm-slow.log: entries start with an empty line
    static final List<String> SLOW_1 = List.of(
            "[21-Nov-2026 10:49:19]  [pool www] pid 13037",
            "script_filename = /srv/handoff/wp/wp-admin/admin-ajax.php",
            "[0x00007fd0b4413240] usleep() /srv/handoff/wp/wp-content/plugins/search-reindex/search-reindex.php:17",
            "[0x00007fd0b44131f0] search_reindex_chunk() /srv/handoff/wp/wp-content/plugins/search-reindex/search-reindex.php:11",
            "[0x00007fd0b4413160] search_reindex_run() /srv/handoff/wp/wp-includes/plugin.php:10",
            "[0x00007fd0b44130a0] do_action() /srv/handoff/wp/wp-admin/admin-ajax.php:11");
    static final List<String> SLOW_2 = List.of(
            "[21-Nov-2026 10:49:26]  [pool www] pid 13036",
            "script_filename = /srv/handoff/wp/wp-admin/admin-ajax.php",
            "[0x00007fd0b4413240] usleep() /srv/handoff/wp/wp-content/plugins/search-reindex/search-reindex.php:17");
    // samples/fleet/web-14/php-fpm.log (with its blank second line)
    static final List<String> FPM = List.of(
            "[21-Nov-2026 10:44:12] NOTICE: configuration file /var/lib/handoff/web-14/php-fpm.conf test is successful",
            "",
            "[21-Nov-2026 10:44:12] NOTICE: fpm is running, pid 9424",
            "[21-Nov-2026 10:44:42] WARNING: [pool www] child 9426 said into stderr: \"Stack trace:\"",
            "[21-Nov-2026 10:44:42] WARNING: [pool www] child 9426 said into stderr: \"#4 {main}\"");
    // samples/fleet/web-06/nginx-access.log
    static final List<String> ACCESS = List.of(
            "127.0.1.74 - - [21/Nov/2026:10:45:52 +0000] \"GET /shop/ HTTP/1.1\" 200 7012 \"http://shop.example.test/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0\" rt=0.014 uct=\"0.000\" urt=\"0.014\" us=\"200\" ua=\"unix:/run/php/php8.2-fpm-web-06.sock\" rid=77576449a83c999e970bb8ff53c1126b",
            "127.0.1.84 - - [21/Nov/2026:10:45:52 +0000] \"GET /product/canvas-tote/ HTTP/1.1\" 200 213 \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\" rt=0.022 uct=\"0.000\" urt=\"0.023\" us=\"200\" ua=\"unix:/run/php/php8.2-fpm-web-06.sock\" rid=d5116898fca14d2f6e8f7c273c27b081");
    static final String LOG_FORMAT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time uct=\"$upstream_connect_time\" urt=\"$upstream_response_time\" us=\"$upstream_status\" ua=\"$upstream_addr\" rid=$request_id";
    // samples/fleet/web-06/kern.log
    static final String KERN_1 = "2026-11-21T10:46:19,489453+00:00 php-fpm8.2[9774]: segfault at 7ffd9ea5bff8 ip 000055e7b3e18422 sp 00007ffd9ea5c000 error 6 in php-fpm8.2[309422,55e7b3bec000+316000] likely on CPU 1 (core 1, socket 0)";
    static final String KERN_2 = "2026-11-21T10:46:23,545001+00:00 php-fpm8.2[9775]: segfault at 7ffd9ea5bff8 ip 000055e7b3e18422 sp 00007ffd9ea5c000 error 6 in php-fpm8.2[309422,55e7b3bec000+316000] likely on CPU 0 (core 0, socket 0)";
    // samples/fleet/web-14/php-fpm-access.log
    static final String FPM_ACCESS = "2026-11-21T10:44:12Z GET 200 2.358 ms 2048 kB 0.00% /wp-admin/admin-ajax.php?action=heartbeat";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String lf(List<String> lines) {
        return String.join("\n", lines) + "\n";
    }

    private static long len(String s) {
        return utf8(s).length;
    }

    private record Got(String key, Envelope envelope) {}

    private static Map<String, List<Got>> readByHost(String bootstrap, String topic) {
        Map<String, List<Got>> byHost = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Drain.topic(bootstrap, topic, TIMEOUT)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            Envelope.Decoded d = Envelope.decode(r.key(), r.value());
            assertTrue(d.ok(), "record of " + topic + " does not decode: " + d.error());
            byHost.computeIfAbsent(key, k -> new ArrayList<>()).add(new Got(key, d.envelope()));
        }
        return byHost;
    }

    @Test
    void shipsAReplayFolderToTheRawTopics(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws IOException {
        TopicNames topics = new TopicNames("ship-it");
        Map<String, Integer> create = new LinkedHashMap<>();
        for (SourceKind k : SourceKind.values()) {
            create.put(topics.raw(k), 3);
        }
        KafkaBroker.createTopics(create);

        Path web14 = Files.createDirectories(dir.resolve("web-14"));
        Files.writeString(web14.resolve("nginx-error.log"), lf(NGINX_ERROR_MULTI) + NGINX_ERROR_ONE + "\n");
        Files.writeString(web14.resolve("php-fpm-slow.log"), "\n" + lf(SLOW_1) + "\n" + lf(SLOW_2));
        Files.writeString(web14.resolve("php-fpm.log"), lf(FPM));
        Files.writeString(web14.resolve("nginx-access.log"), lf(ACCESS));
        Files.writeString(web14.resolve("formats.properties"),
                "nginx.access.log_format=" + LOG_FORMAT + "\ntimezone=UTC\nfleet=eu-test\n");
        Files.writeString(web14.resolve("notes.txt"), "not a log\n");

        // web-07: CRLF line ends, a line with invalid UTF-8, a last line without newline, no formats.properties
        Path web07 = Files.createDirectories(dir.resolve("web-07"));
        ByteArrayOutputStream kern = new ByteArrayOutputStream();
        kern.write(utf8(KERN_1 + "\r\n"));
        kern.write(utf8("bad "));
        kern.write(new byte[]{(byte) 0xff, (byte) 0xfe});
        kern.write(utf8(" bytes\r\n"));
        kern.write(utf8(KERN_2));
        Files.write(web07.resolve("kern.log"), kern.toByteArray());
        Files.writeString(web07.resolve("php-fpm-access.log"), FPM_ACCESS + "\n" + FPM_ACCESS + "\n");

        ReplaySource source = ReplaySource.open(dir);
        assertEquals(1, source.warnings().size(), source.warnings().toString());
        List<ShipProgress.Progress> progress = new ArrayList<>();
        Instant before = Instant.now();
        ShipSummary summary;
        try (Shipper shipper = Shipper.create(bootstrap, topics)) {
            summary = shipper.ship(source, progress::add);
        }
        Instant after = Instant.now();

        // summary: exact counts per topic and per host/source
        assertEquals(2 + 2 + 4 + 2 + 3 + 2, summary.entries());
        Map<String, Long> perTopic = new LinkedHashMap<>();
        summary.perTopic().forEach((t, c) -> perTopic.put(t, c.entries()));
        assertEquals(Map.of(topics.raw(SourceKind.NGINX_ACCESS), 2L, topics.raw(SourceKind.NGINX_ERROR), 2L,
                topics.raw(SourceKind.PHP_FPM), 4L, topics.raw(SourceKind.PHP_FPM_SLOW), 2L,
                topics.raw(SourceKind.KERN), 3L, topics.raw(SourceKind.PHP_FPM_ACCESS), 2L), perTopic);
        Map<SourceKind, Long> web14Counts = new EnumMap<>(Map.of(SourceKind.NGINX_ACCESS, 2L, SourceKind.NGINX_ERROR, 2L,
                SourceKind.PHP_FPM, 4L, SourceKind.PHP_FPM_SLOW, 2L));
        assertEquals(Map.of("web-14", web14Counts,
                "web-07", Map.of(SourceKind.KERN, 3L, SourceKind.PHP_FPM_ACCESS, 2L)), summary.perHost());
        assertEquals(List.of(new ShipProgress.Progress(15, source.totalBytes(), source.totalBytes(), true)), progress);

        // nginx-error: the 8-line FastCGI message is ONE event, lines joined with \n
        Map<String, List<Got>> err = readByHost(bootstrap, topics.raw(SourceKind.NGINX_ERROR));
        assertEquals(List.of("web-14"), List.copyOf(err.keySet()), "nothing for other hosts");
        List<Got> e = err.get("web-14");
        assertEquals(2, e.size());
        assertEquals(String.join("\n", NGINX_ERROR_MULTI), e.get(0).envelope().message());
        assertTrue(e.get(0).envelope().multiline());
        assertEquals(0, e.get(0).envelope().offset());
        assertEquals(NGINX_ERROR_ONE, e.get(1).envelope().message());
        assertEquals(len(lf(NGINX_ERROR_MULTI)), e.get(1).envelope().offset());
        assertFalse(e.get(1).envelope().multiline());
        Envelope env = e.get(1).envelope();
        assertEquals("web-14", env.host());
        assertEquals(web14.resolve("nginx-error.log").toAbsolutePath().toString(), env.filePath());
        assertEquals("UTC", env.timezone());
        assertEquals("eu-test", env.fleet());
        assertNull(env.logFormat(), "only access logs carry a log_format");
        assertTrue(!env.shippedAt().isBefore(before.minusMillis(1)) && !env.shippedAt().isAfter(after),
                "@timestamp " + env.shippedAt() + " should be the read time, between " + before + " and " + after);

        // slowlog: each blank-line separated entry is one event; offsets point at the header line
        List<Got> slow = readByHost(bootstrap, topics.raw(SourceKind.PHP_FPM_SLOW)).get("web-14");
        assertEquals(2, slow.size());
        assertEquals(String.join("\n", SLOW_1), slow.get(0).envelope().message());
        assertEquals(1, slow.get(0).envelope().offset());
        assertEquals(String.join("\n", SLOW_2), slow.get(1).envelope().message());
        assertEquals(1 + len(lf(SLOW_1)) + 1, slow.get(1).envelope().offset());
        assertTrue(slow.get(1).envelope().multiline());

        // php-fpm: the blank line is not an entry; each closed stderr chunk is its own entry
        List<Got> fpm = readByHost(bootstrap, topics.raw(SourceKind.PHP_FPM)).get("web-14");
        assertEquals(List.of(FPM.get(0), FPM.get(2), FPM.get(3), FPM.get(4)),
                fpm.stream().map(g -> g.envelope().message()).toList());
        assertEquals(List.of(0L, len(FPM.get(0)) + 2, len(FPM.get(0)) + 2 + len(FPM.get(2)) + 1,
                        len(FPM.get(0)) + 2 + len(FPM.get(2)) + 1 + len(FPM.get(3)) + 1),
                fpm.stream().map(g -> g.envelope().offset()).toList());

        // nginx-access: log_format from formats.properties
        List<Got> access = readByHost(bootstrap, topics.raw(SourceKind.NGINX_ACCESS)).get("web-14");
        assertEquals(ACCESS, access.stream().map(g -> g.envelope().message()).toList());
        assertEquals(LOG_FORMAT, access.get(0).envelope().logFormat());
        assertEquals(List.of(0L, len(ACCESS.get(0)) + 1), access.stream().map(g -> g.envelope().offset()).toList());

        // kern on web-07: CRLF stripped, invalid bytes replaced (kept for the parser to dead-letter), last line kept
        Map<String, List<Got>> kernTopic = readByHost(bootstrap, topics.raw(SourceKind.KERN));
        assertEquals(List.of("web-07"), List.copyOf(kernTopic.keySet()));
        List<Got> k = kernTopic.get("web-07");
        assertEquals(List.of(KERN_1, "bad \uFFFD\uFFFD bytes", KERN_2), k.stream().map(g -> g.envelope().message()).toList());
        long second = len(KERN_1) + 2;
        assertEquals(List.of(0L, second, second + 4 + 2 + 6 + 2), k.stream().map(g -> g.envelope().offset()).toList());
        assertNull(k.get(0).envelope().timezone());
        assertNull(k.get(0).envelope().fleet());
        assertEquals("web-07", k.get(0).key());

        List<Got> fa = readByHost(bootstrap, topics.raw(SourceKind.PHP_FPM_ACCESS)).get("web-07");
        assertEquals(List.of(0L, len(FPM_ACCESS) + 1), fa.stream().map(g -> g.envelope().offset()).toList());
        assertNull(fa.get(0).envelope().logFormat(), "web-07 has no formats.properties");
    }

    @Test
    void aDeliveryFailureIsThrownWithTopicFileAndOffset(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws IOException {
        TopicNames topics = new TopicNames("ship-missing");   // topics never created; auto-create is off
        Path host = Files.createDirectories(dir.resolve("web-01"));
        Files.writeString(host.resolve("kern.log"), KERN_1 + "\n");
        ReplaySource source = ReplaySource.open(dir);
        Shipper shipper = Shipper.create(bootstrap, topics, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000));
        ShipException e;
        try {
            e = assertThrows(ShipException.class, () -> shipper.ship(source, ShipProgress.NONE));
        } finally {
            shipper.close();   // the failure was already thrown: close does not throw it again
        }
        assertEquals("ship-missing.raw.kern", e.topic());
        assertEquals(host.resolve("kern.log").toAbsolutePath().toString(), e.file());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().startsWith("delivery to topic ship-missing.raw.kern failed for "
                + host.resolve("kern.log").toAbsolutePath() + " at byte offset 0: "), e.getMessage());
    }
}
