package io.handoff.parse;

import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import io.handoff.ship.MultilineJoiner;
import io.handoff.topics.Sources;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed captures in {@code samples/fleet/<host>/}: logs written by real nginx 1.22 and
 * php-fpm 8.2 (and the kernel) under injected faults. Every entry of every file must parse; a few
 * lines are checked field by field.
 */
class SampleFleetTest {
    static final Path FLEET = Path.of("..", "samples", "fleet");

    record Host(Path dir, Properties formats) {
        ParseContext context() {
            return ParseContext.of(ZoneId.of(formats.getProperty("timezone", "UTC")));
        }

        String format(SourceKind kind) {
            return switch (kind) {
                case NGINX_ACCESS -> formats.getProperty("nginx.access.log_format");
                case PHP_FPM_ACCESS -> formats.getProperty("fpm.access.format");
                default -> null;
            };
        }
    }

    static List<Host> hosts() throws IOException {
        List<Host> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(FLEET)) {
            for (Path d : dirs.sorted().toList()) {
                Properties p = new Properties();
                Path f = d.resolve("formats.properties");
                if (Files.exists(f)) {
                    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                        p.load(r);
                    }
                }
                out.add(new Host(d, p));
            }
        }
        return out;
    }

    static List<MultilineJoiner.Entry> entries(SourceKind kind, Path file) throws IOException {
        List<MultilineJoiner.Entry> out = new ArrayList<>();
        try (var in = Files.newInputStream(file)) {
            ParseCommand.LineReader r = new ParseCommand.LineReader(in);
            MultilineJoiner j = MultilineJoiner.forKind(kind);
            String line;
            while ((line = r.next()) != null) {
                j.accept(line, r.lineOffset(), out::add);
            }
            j.flush(out::add);
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyEntryOfEveryCaptureParses() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Host h : hosts()) {
            for (SourceKind kind : SourceKind.values()) {
                Path file = h.dir().resolve(Sources.fileName(kind));
                if (!Files.exists(file)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(h.dir().getFileName() + "/" + file.getFileName(), () -> {
                    LineParser parser = Parsers.forKind(kind, h.format(kind));
                    List<MultilineJoiner.Entry> entries = entries(kind, file);
                    assertFalse(entries.isEmpty(), "no entries in " + file);
                    List<String> dead = new ArrayList<>();
                    for (MultilineJoiner.Entry e : entries) {
                        ParseOutcome o = parser.parse(e.text(), h.context());
                        if (o instanceof ParseOutcome.Failed) {
                            dead.add("offset " + e.offset() + ": " + ((ParseOutcome.Failed) o).reason());
                        }
                    }
                    assertEquals(List.of(), dead, file + ": " + entries.size() + " entries");
                }));
            }
        }
        assertFalse(tests.isEmpty(), "no captures under " + FLEET.toAbsolutePath());
        return tests.stream();
    }

    private static List<String> lines(String host, String file) throws IOException {
        return Files.readAllLines(FLEET.resolve(host).resolve(file), StandardCharsets.UTF_8);
    }

    @Test
    void web14FastCgiFatalErrorEntry() throws IOException {
        Path file = FLEET.resolve("web-14").resolve("nginx-error.log");
        List<MultilineJoiner.Entry> entries = entries(SourceKind.NGINX_ERROR, file);
        MultilineJoiner.Entry first = entries.get(0);
        assertEquals(0L, first.offset());
        assertEquals(8, first.lines());
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, first.text(), ParseContext.UTC);
        P.time("2026-11-21T10:44:42Z", p);
        NginxErrorFields f = (NginxErrorFields) p.fields();
        assertEquals("error", f.getLevel());
        assertEquals(9434, f.getPid());
        assertEquals(274L, f.getConnectionId());
        assertTrue(f.getMessage().startsWith("FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function create_function() in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php:8\nStack trace:\n#0 "));
        assertEquals("while reading response header from upstream", f.getPhase());
        assertEquals("127.0.1.122", f.getClient());
        assertEquals("_", f.getServer());
        assertEquals("GET /?widget=tagcloud HTTP/1.1", f.getRequest());
        assertEquals("fastcgi://unix:/run/php/php8.2-fpm-web-14.sock:", f.getUpstream());
        assertEquals("unix:/run/php/php8.2-fpm-web-14.sock", f.getUpstreamAddress());
        assertEquals("shop.example.test", f.getHost());
        assertEquals("http://shop.example.test/", f.getReferrer());
        assertNull(f.getErrno());
        assertNull(f.getOperation());
    }

    @Test
    void web06SegfaultChain() throws IOException {
        NginxErrorFields err = P.fields(SourceKind.NGINX_ERROR, null, lines("web-06", "nginx-error.log").get(0), ParseContext.UTC, NginxErrorFields.class);
        assertEquals(104, err.getErrno());
        assertEquals("Connection reset by peer", err.getErrnoText());
        assertEquals("recv()", err.getOperation());
        assertEquals("while reading response header from upstream", err.getPhase());
        assertEquals(252L, err.getConnectionId());
        assertNull(err.getReferrer());

        String fpmLine = lines("web-06", "php-fpm.log").stream().filter(l -> l.contains("child 9774 exited")).findFirst().orElseThrow();
        ParseOutcome.Parsed fp = P.parsed(SourceKind.PHP_FPM, null, fpmLine, ParseContext.UTC);
        P.time("2026-11-21T10:46:20Z", fp);
        FpmLogFields fpm = (FpmLogFields) fp.fields();
        assertEquals(FpmEventKind.CHILD_EXITED_ON_SIGNAL, fpm.getKind());
        assertEquals("www", fpm.getPool());
        assertEquals(9774, fpm.getChildPid());
        assertEquals(11, fpm.getSignal());
        assertEquals("SIGSEGV", fpm.getSignalName());
        assertEquals(27.934543, fpm.getUptimeSeconds());

        ParseOutcome.Parsed kp = P.parsed(SourceKind.KERN, null, lines("web-06", "kern.log").get(0), ParseContext.UTC);
        P.time("2026-11-21T10:46:19.489Z", kp);
        KernelFields k = (KernelFields) kp.fields();
        assertEquals(KernelEventKind.SEGFAULT, k.getKind());
        assertEquals(9774, k.getPid(), "the same worker as the FPM line");
        assertEquals("php-fpm8.2", k.getProcess());
        assertEquals("7ffd9ea5bff8", k.getFaultAddress());
        assertEquals("000055e7b3e18422", k.getFaultIp());
        assertEquals("php-fpm8.2", k.getFaultObject());
        KernelFields code = P.fields(SourceKind.KERN, null, lines("web-06", "kern.log").get(1), ParseContext.UTC, KernelFields.class);
        assertEquals(KernelEventKind.OTHER, code.getKind());
        assertTrue(code.getMessage().startsWith("Code: 04 25 28"));
    }

    @Test
    void web06AccessLines() throws IOException {
        Host h = hosts().stream().filter(x -> x.dir().getFileName().toString().equals("web-06")).findFirst().orElseThrow();
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, h.format(SourceKind.NGINX_ACCESS),
                lines("web-06", "nginx-access.log").get(0), h.context());
        P.time("2026-11-21T10:45:52Z", p);
        NginxAccessFields a = (NginxAccessFields) p.fields();
        assertEquals("127.0.1.74", a.getRemoteAddr());
        assertEquals("GET", a.getMethod());
        assertEquals("/shop/", a.getUri());
        assertEquals(200, a.getStatus());
        assertEquals(7012L, a.getBodyBytesSent());
        assertEquals("http://shop.example.test/", a.getHttpReferer());
        assertEquals(0.014, a.getRequestTime());
        assertEquals(List.of(0.0), a.getUpstreamConnectTime());
        assertEquals(List.of(0.014), a.getUpstreamResponseTime());
        assertEquals(List.of(200), a.getUpstreamStatus());
        assertEquals(List.of("unix:/run/php/php8.2-fpm-web-06.sock"), a.getUpstreamAddr());
        assertEquals("77576449a83c999e970bb8ff53c1126b", a.getRequestId());

        List<String> fpmAccess = lines("web-06", "php-fpm-access.log");
        ParseOutcome.Parsed fa = P.parsed(SourceKind.PHP_FPM_ACCESS, h.format(SourceKind.PHP_FPM_ACCESS), fpmAccess.get(0), h.context());
        P.time("2026-11-21T10:45:52Z", fa);
        FpmAccessFields f = (FpmAccessFields) fa.fields();
        assertEquals("GET", f.getMethod());
        assertEquals(200, f.getStatus());
        assertEquals(13.642, f.getDurationMs());
        assertEquals(2048L * 1024, f.getMemoryBytes());
        assertEquals(73.30, f.getCpuPercent());
        assertEquals("/index.php", f.getRequestUri());
        assertNull(f.getQueryString());
    }
}
