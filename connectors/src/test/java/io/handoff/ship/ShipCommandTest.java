package io.handoff.ship;

import io.handoff.avro.SourceKind;
import io.handoff.embedded.EmbeddedKafka;
import io.handoff.embedded.junit.Drain;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.raw.Envelope;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code handoff ship}: options, config file, messages, and a run on a real broker stopped like SIGTERM would. */
@KafkaBroker.Use
class ShipCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private record Result(int code, String out, String err) {}

    private static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ShipCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, new CountDownLatch(0));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsSayWhatWasExpected() {
        Result r = run(Map.of());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expected --bootstrap-servers HOST:PORT"), r.err());

        r = run(Map.of("HANDOFF_BOOTSTRAP_SERVERS", "k:9092"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no file to tail: expected at least one --file KIND=PATH (KIND one of nginx-access,"
                + " nginx-error, php-fpm, php-fpm-slow, php-fpm-access, kern)"), r.err());

        r = run(Map.of(), "--bootstrap-servers", "k:9092", "--file", "nginx=/var/log/nginx/error.log");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--file nginx=/var/log/nginx/error.log: unknown source 'nginx': expected one of"),
                r.err());

        r = run(Map.of(), "--bootstrap-servers", "k:9092", "--file", "/var/log/nginx/error.log");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--file /var/log/nginx/error.log: expected KIND=PATH"), r.err());

        r = run(Map.of(), "--bootstrap-servers", "k:9092", "--file", "kern=/var/log/kern.log", "--poll-interval", "fast");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--poll-interval expects a duration like 200ms, 2s, 5m or 1h, got 'fast'"), r.err());

        r = run(Map.of(), "--bootstrap-servers", "k:9092", "--file", "kern=/var/log/kern.log", "--timezone", "Mars/Base");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--timezone expects a time zone like UTC, +02:00 or Europe/Berlin, got 'Mars/Base'"),
                r.err());

        r = run(Map.of(), "--bootstrap-servers", "k:9092", "--file", "kern=/a", "--file", "kern=/a");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("file /a is listed twice"), r.err());

        r = run(Map.of(), "--verbose");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--verbose expects a value") || r.err().contains("unknown option '--verbose'"), r.err());

        r = run(Map.of(), "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: handoff ship"), r.out());
        assertTrue(r.out().contains("it never discards an entry"), r.out());
        assertTrue(r.out().contains("how often idle files are looked at (default 200ms; HANDOFF_SHIP_POLL_INTERVAL)"),
                r.out());
        assertTrue(r.out().contains("  handoff.ship.buffer-bytes (HANDOFF_SHIP_BUFFER_BYTES, default 64MiB)"), r.out());
    }

    @Test
    void configFileIsReadLiterallyAndFlagsWin(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("ship.conf");
        String format = "$remote_addr - $remote_user [$time_local] \"$request\" $status \\t rt=$request_time";
        Files.writeString(cfg, String.join("\n",
                "# a host of the eu-1 fleet",
                "bootstrap.servers = kafka-1:9092,kafka-2:9092",
                "host=web-01",
                "file.nginx-access=/var/log/nginx/access.log",
                "file.php-fpm-slow=/var/log/php8.2-fpm-slow.log",
                "log-format.nginx-access=" + format,
                "fleet=eu-1",
                "timezone=Europe/Berlin",
                "registry=/var/lib/handoff/ship.registry",
                "multiline-timeout=3s",
                "buffer-bytes=16MiB",
                "producer.security.protocol=SSL",
                ""));
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        ShipCommand.Parsed p = ShipCommand.parse(List.of("--config", cfg.toString(), "--fleet", "eu-2",
                "--file", "kern=/var/log/kern.log"), Map.of(), new PrintStream(warnings, true, StandardCharsets.UTF_8));
        assertEquals(List.of("host", "fleet", "timezone", "registry", "multiline-timeout", "buffer-bytes").stream()
                .map(n -> "'" + n + "' is the former name of 'handoff.ship." + n + "'; it is read as that, rename it")
                .toList(), warnings.toString(StandardCharsets.UTF_8).lines().map(l -> l.replaceFirst(".*line \\d+: ", ""))
                .toList(), "one warning per former name");
        assertEquals("kafka-1:9092,kafka-2:9092", p.bootstrap());
        Tailer.Settings s = p.settings();
        assertEquals("web-01", s.host());
        assertEquals("eu-2", s.fleet());
        assertEquals("Europe/Berlin", s.timezone());
        assertEquals(List.of(new Tailer.Source(SourceKind.NGINX_ACCESS, Path.of("/var/log/nginx/access.log")),
                new Tailer.Source(SourceKind.PHP_FPM_SLOW, Path.of("/var/log/php8.2-fpm-slow.log")),
                new Tailer.Source(SourceKind.KERN, Path.of("/var/log/kern.log"))), s.sources());
        assertEquals(format, s.logFormats().get(SourceKind.NGINX_ACCESS));
        assertEquals(Path.of("/var/lib/handoff/ship.registry"), s.registry());
        assertEquals(Duration.ofSeconds(3), s.multilineTimeout());
        assertEquals(16L << 20, s.maxBufferedBytes());
        assertEquals(Map.of("security.protocol", "SSL"), s.producerOverrides());
        assertEquals("handoff", s.topics().prefix());

        Files.writeString(cfg, "bootstrap=kafka:9092\n");
        ParameterException e = assertThrows(ParameterException.class,
                () -> ShipCommand.parse(List.of("--config", cfg.toString()), Map.of()));
        assertTrue(e.getMessage().contains("line 1: unknown key 'bootstrap'; accepted keys: bootstrap.servers"),
                e.getMessage());
    }

    @Test
    void defaultsThenFileThenEnvironmentThenFlagsTheLastOneWins(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("ship.conf");
        Files.writeString(cfg, "bootstrap.servers=file:9092\ntopic-prefix=from-file\nfile.kern=/var/log/kern.log\n");
        List<String> withFile = List.of("--config", cfg.toString(), "--host", "h");
        Map<String, String> env = Map.of("HANDOFF_BOOTSTRAP_SERVERS", "env:9092", "HANDOFF_TOPIC_PREFIX", "from-env");

        ShipCommand.Parsed defaults = ShipCommand.parse(List.of("--host", "h", "--file", "kern=/k",
                "--bootstrap-servers", "flag:9092"), Map.of());
        assertEquals("handoff", defaults.settings().topics().prefix(), "the table's default");

        ShipCommand.Parsed file = ShipCommand.parse(withFile, Map.of());
        assertEquals("file:9092", file.bootstrap());
        assertEquals("from-file", file.settings().topics().prefix());

        ShipCommand.Parsed environment = ShipCommand.parse(withFile, env);
        assertEquals("env:9092", environment.bootstrap(), "the environment beats the file");
        assertEquals("from-env", environment.settings().topics().prefix());

        List<String> withFlags = new ArrayList<>(withFile);
        withFlags.addAll(List.of("--bootstrap-servers", "flag:9092", "--topic-prefix", "from-flag"));
        ShipCommand.Parsed flags = ShipCommand.parse(withFlags, env);
        assertEquals("flag:9092", flags.bootstrap(), "a flag beats the environment");
        assertEquals("from-flag", flags.settings().topics().prefix());

        ShipCommand.Parsed blank = ShipCommand.parse(withFile, Map.of("HANDOFF_BOOTSTRAP_SERVERS", " "));
        assertEquals("file:9092", blank.bootstrap(), "a blank variable is not set");
    }

    /** Every former name of the ship's file with a value other than the default, and the same by the keys' names. */
    private static final List<String> FORMER = List.of("host=web-07", "registry=/var/lib/handoff/ship.registry",
            "fleet=eu-1", "timezone=+02:00", "topic-prefix=eu1", "poll-interval=250ms", "multiline-timeout=3 s",
            "rotate-grace=7s", "buffer-bytes=1GiB", "buffer-entries=5000", "registry-interval=2s", "close-timeout=1m",
            "progress-every=0");

    private static Path file(Path dir, String name, List<String> lines) throws IOException {
        List<String> all = new ArrayList<>(List.of("bootstrap.servers=k:9092", "file.kern=/var/log/kern.log"));
        all.addAll(lines);
        return Files.writeString(dir.resolve(name), String.join("\n", all) + "\n");
    }

    private static ShipCommand.Parsed parse(Map<String, String> env, ByteArrayOutputStream err, String... args) {
        return ShipCommand.parse(List.of(args), env, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aFileWithTheFormerNamesReadsAsBeforeWithOneWarningEachNamingTheKey(@TempDir Path dir) throws Exception {
        Path before = file(dir, "before.conf", FORMER);
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        ShipCommand.Parsed p = parse(Map.of(), warnings, "--config", before.toString());
        Tailer.Settings s = p.settings();
        assertEquals("web-07", s.host());
        assertEquals(Path.of("/var/lib/handoff/ship.registry"), s.registry());
        assertEquals("eu-1", s.fleet());
        assertEquals("+02:00", s.timezone());
        assertEquals("eu1", s.topics().prefix());
        assertEquals(Duration.ofMillis(250), s.pollInterval());
        assertEquals(Duration.ofSeconds(3), s.multilineTimeout(), "a space before the unit, as the shipper always read it");
        assertEquals(Duration.ofSeconds(7), s.rotateGrace());
        assertEquals(1L << 30, s.maxBufferedBytes());
        assertEquals(5000, s.maxBufferedEntries());
        assertEquals(Duration.ofSeconds(2), s.registryInterval());
        assertEquals(Duration.ofMinutes(1), s.closeTimeout());
        assertEquals(Duration.ZERO, p.progressEvery());
        List<String> lines = warnings.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(FORMER.size(), lines.size(), String.join("\n", lines));
        for (int i = 0; i < FORMER.size(); i++) {
            String name = FORMER.get(i).substring(0, FORMER.get(i).indexOf('='));
            String key = name.equals("topic-prefix") ? "handoff.topic-prefix" : "handoff.ship." + name;
            assertEquals("handoff ship: warning: --config " + before + " line " + (i + 3) + ": '" + name
                    + "' is the former name of '" + key + "'; it is read as that, rename it", lines.get(i));
        }

        Path after = file(dir, "after.conf", FORMER.stream()
                .map(l -> (l.startsWith("topic-prefix") ? "handoff." : "handoff.ship.") + l).toList());
        ByteArrayOutputStream none = new ByteArrayOutputStream();
        assertEquals(p, parse(Map.of(), none, "--config", after.toString()), "the keys' names give the same settings");
        assertEquals("", none.toString(StandardCharsets.UTF_8), "and no warning");
    }

    @Test
    void theKeysNameWinsOverItsFormerNameInEitherOrder(@TempDir Path dir) throws Exception {
        for (List<String> lines : List.of(List.of("poll-interval=1s", "handoff.ship.poll-interval=3s"),
                List.of("handoff.ship.poll-interval=3s", "poll-interval=1s"))) {
            Path cfg = file(dir, "both.conf", lines);
            ByteArrayOutputStream warnings = new ByteArrayOutputStream();
            assertEquals(Duration.ofSeconds(3), parse(Map.of(), warnings, "--config", cfg.toString())
                    .settings().pollInterval(), lines.toString());
            int former = lines.indexOf("poll-interval=1s") + 3;
            int named = lines.indexOf("handoff.ship.poll-interval=3s") + 3;
            assertEquals(List.of("handoff ship: warning: --config " + cfg + " line " + former + ": 'poll-interval' is the"
                    + " former name of 'handoff.ship.poll-interval', which line " + named + " sets too;"
                    + " 'handoff.ship.poll-interval' wins"), warnings.toString(StandardCharsets.UTF_8).lines().toList());
        }
    }

    @Test
    void theShipsKeysGoDefaultsThenFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ShipCommand.Parsed defaults = parse(Map.of(), err, "--bootstrap-servers", "k:9092", "--host", "h",
                "--file", "kern=/k");
        Tailer.Settings d = defaults.settings();
        assertEquals(List.of(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofSeconds(30)), List.of(d.pollInterval(), d.multilineTimeout(),
                d.rotateGrace(), d.registryInterval(), d.closeTimeout(), defaults.progressEvery()), "the table's defaults");
        assertEquals(64L << 20, d.maxBufferedBytes());
        assertEquals(100_000, d.maxBufferedEntries());
        assertEquals(Path.of("handoff-ship.registry"), d.registry());
        assertEquals(null, d.fleet());
        assertEquals(null, d.timezone());

        Path cfg = file(dir, "ship.conf", List.of("handoff.ship.poll-interval=1s", "handoff.ship.fleet=file",
                "handoff.ship.buffer-entries=10"));
        Map<String, String> env = Map.of("HANDOFF_SHIP_POLL_INTERVAL", "2s", "HANDOFF_SHIP_FLEET", "env",
                "HANDOFF_SHIP_HOST", "env-host");
        Tailer.Settings file = parse(Map.of(), err, "--config", cfg.toString(), "--host", "h").settings();
        assertEquals(Duration.ofSeconds(1), file.pollInterval());
        assertEquals("file", file.fleet());
        assertEquals(10, file.maxBufferedEntries());
        Tailer.Settings environment = parse(env, err, "--config", cfg.toString()).settings();
        assertEquals(Duration.ofSeconds(2), environment.pollInterval(), "the environment beats the file");
        assertEquals("env", environment.fleet());
        assertEquals("env-host", environment.host());
        assertEquals(10, environment.maxBufferedEntries(), "the file's value where the environment sets none");
        Tailer.Settings flags = parse(env, err, "--config", cfg.toString(), "--poll-interval", "4s", "--host", "flag-host")
                .settings();
        assertEquals(Duration.ofSeconds(4), flags.pollInterval(), "a flag beats the environment");
        assertEquals("flag-host", flags.host());
        assertEquals("env", flags.fleet());
        assertEquals("", err.toString(StandardCharsets.UTF_8), "no warning for the keys' names");
    }

    @Test
    void aBadValueIsAUsageErrorNamingWhereItCameFromAndWhatWasExpected(@TempDir Path dir) throws Exception {
        Path named = file(dir, "named.conf", List.of("handoff.ship.buffer-bytes=lots"));
        Result r = run(Map.of(), "--config", named.toString(), "--host", "h");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("handoff ship: handoff.ship.buffer-bytes expects a size like 65536, 512KiB, 64MiB"
                + " or 1GiB, got 'lots'"), r.err());

        Path former = file(dir, "former.conf", List.of("buffer-entries=0"));
        r = run(Map.of(), "--config", former.toString(), "--host", "h");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("handoff ship: buffer-entries expects a positive whole number, got '0'"), r.err());

        r = run(Map.of("HANDOFF_SHIP_CLOSE_TIMEOUT", "soon"), "--config", named.toString().replace("named", "former"),
                "--host", "h", "--buffer-entries", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("handoff ship: HANDOFF_SHIP_CLOSE_TIMEOUT expects a duration like 200ms, 2s, 5m or 1h,"
                + " got 'soon'"), r.err());

        r = run(Map.of(), "--bootstrap-servers", "k:9092", "--file", "kern=/k", "--host", "h", "--progress-every", "-1s");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("handoff ship: --progress-every expects a duration like 200ms, 2s, 5m or 1h, or 0 for"
                + " never, got '-1s'"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void shipsUntilStoppedThenRecordsTheOffsets(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        TopicNames topics = new TopicNames("cmd" + new AtomicInteger().incrementAndGet());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            EmbeddedKafka.createTopics(admin, Map.of(topics.raw(SourceKind.KERN), 1,
                    topics.raw(SourceKind.PHP_FPM_ACCESS), 1), TIMEOUT);
        }
        Path kern = dir.resolve("kern.log");
        Path fpm = dir.resolve("php-fpm-access.log");
        Files.writeString(kern, ShipperTest.KERN_1 + "\n" + ShipperTest.KERN_2 + "\n");
        Files.writeString(fpm, ShipperTest.FPM_ACCESS + "\n");
        Path registry = dir.resolve("ship.registry");
        CountDownLatch stop = new CountDownLatch(1);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] code = {-1};
        Thread t = new Thread(() -> code[0] = ShipCommand.run(List.of("--bootstrap-servers", bootstrap,
                "--host", "web-06", "--file", "kern=" + kern, "--file", "php-fpm-access=" + fpm,
                "--log-format", "php-fpm-access=%{%Y-%m-%dT%H:%M:%S%z}t %m %s", "--fleet", "eu-1", "--timezone", "UTC",
                "--registry", registry.toString(), "--topic-prefix", topics.prefix(), "--poll-interval", "50ms",
                "--progress-every", "0"), System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), stop));
        t.start();
        awaitEndOffset(bootstrap, topics.raw(SourceKind.KERN), 2);
        awaitEndOffset(bootstrap, topics.raw(SourceKind.PHP_FPM_ACCESS), 1);
        stop.countDown();
        t.join(TIMEOUT.toMillis());
        assertEquals(0, code[0], err.toString(StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("handoff ship: host web-06, 2 files -> " + bootstrap), e);
        assertTrue(e.contains("3 lines read, 3 entries, 3 sent, 3 acknowledged, 0 buffered"), e);

        List<ConsumerRecord<byte[], byte[]>> recs = Drain.topic(bootstrap, topics.raw(SourceKind.PHP_FPM_ACCESS), TIMEOUT);
        Envelope env = Envelope.decode(recs.get(0).key(), recs.get(0).value()).envelope();
        assertEquals(new Envelope(ShipperTest.FPM_ACCESS, "web-06", fpm.toString(), 0, env.shippedAt(), "UTC", "eu-1",
                "%{%Y-%m-%dT%H:%M:%S%z}t %m %s", false), env);
        assertEquals(List.of(ShipperTest.KERN_1, ShipperTest.KERN_2),
                Drain.topic(bootstrap, topics.raw(SourceKind.KERN), TIMEOUT).stream()
                        .map(r -> Envelope.decode(r.key(), r.value()).envelope().message()).toList());
        List<Registry.Position> saved = Registry.read(registry);
        assertEquals(2, saved.size());
        for (Registry.Position p : saved) {
            assertEquals(Files.size(Path.of(p.path())), p.offset(), p.toString());
        }
    }

    static void awaitEndOffset(String bootstrap, String topic, long n) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, TIMEOUT).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            while (true) {
                long sum = c.endOffsets(parts, TIMEOUT).values().stream().mapToLong(Long::longValue).sum();
                if (sum >= n) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    fail(topic + ": end offsets sum to " + sum + ", expected " + n + " within " + TIMEOUT);
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        }
    }

    @Test
    void unreadableRegistryIsAFailureThatSaysWhatToDo(@TempDir Path dir) throws IOException {
        Path registry = dir.resolve("reg");
        Files.writeString(registry, "{not json");
        Path kern = dir.resolve("kern.log");
        Files.writeString(kern, "");
        Result r = run(Map.of(), "--bootstrap-servers", "127.0.0.1:1", "--file", "kern=" + kern, "--registry",
                registry.toString(), "--host", "h");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("shipper registry " + registry + " is not valid JSON"), r.err());
        assertTrue(r.err().contains("move it away to ship every file from its beginning"), r.err());
    }
}
