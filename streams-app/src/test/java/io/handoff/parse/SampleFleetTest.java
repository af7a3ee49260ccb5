package io.handoff.parse;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import io.handoff.avro.StackFrame;
import io.handoff.raw.MultilineJoiner;
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
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed captures in {@code samples/fleet/<host>/}: logs written by real nginx 1.22 and
 * php-fpm 8.2 (and the kernel) under injected faults. Every entry of every file must parse. Lines
 * checked field by field are pinned in {@code src/test/resources/parse/fixtures} (copied from
 * earlier captures) so regenerating the fleet does not move them.
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
            ParseRun.LineReader r = new ParseRun.LineReader(in);
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

    /** Pinned real lines (see src/test/resources/parse/fixtures/README.md). */
    static Path fixture(String file) throws Exception {
        return Path.of(SampleFleetTest.class.getResource("/parse/fixtures/" + file).toURI());
    }

    private static List<String> lines(String file) throws Exception {
        return Files.readAllLines(fixture(file), StandardCharsets.UTF_8);
    }

    @Test
    void fixturesParseCompletely() throws Exception {
        Properties formats = new Properties();
        try (Reader r = Files.newBufferedReader(fixture("formats.properties"), StandardCharsets.UTF_8)) {
            formats.load(r);
        }
        Host h = new Host(fixture("formats.properties").getParent(), formats);
        int total = 0;
        for (SourceKind kind : SourceKind.values()) {
            List<MultilineJoiner.Entry> entries = entries(kind, fixture(Sources.fileName(kind)));
            for (MultilineJoiner.Entry e : entries) {
                ParseOutcome o = Parsers.forKind(kind, h.format(kind)).parse(e.text(), h.context());
                assertTrue(o instanceof ParseOutcome.Parsed, kind + " at offset " + e.offset() + ": " + o);
            }
            total += entries.size();
        }
        assertEquals(3 + 22 + 2 + 20 + 20 + 1, total, "entries in the fixtures");
    }

    @Test
    void fastCgiFatalErrorEntrySpanningEightLines() throws Exception {
        List<MultilineJoiner.Entry> entries = entries(SourceKind.NGINX_ERROR, fixture("nginx-error.log"));
        assertEquals(3, entries.size());
        MultilineJoiner.Entry first = entries.get(0);
        assertEquals(0L, first.offset());
        assertEquals(8, first.lines());
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, first.text(), ParseContext.UTC);
        P.time("2026-11-21T10:44:42Z", p);
        NginxErrorFields f = (NginxErrorFields) p.fields();
        assertEquals("error", f.getLevel());
        assertEquals(9434, f.getPid());
        assertEquals(9434L, f.getTid());
        assertEquals(274L, f.getConnectionId());
        assertTrue(f.getMessage().startsWith("FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function create_function() in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php:8\nStack trace:\n#0 "));
        assertTrue(f.getMessage().endsWith("legacy-widgets.php on line 8\" while reading response header from upstream"));
        assertEquals("while reading response header from upstream", f.getPhase());
        assertEquals("127.0.1.122", f.getClient());
        assertEquals("_", f.getServer());
        assertEquals("GET /?widget=tagcloud HTTP/1.1", f.getRequest());
        assertNull(f.getSubrequest());
        assertEquals("fastcgi://unix:/run/php/php8.2-fpm-web-14.sock:", f.getUpstream());
        assertEquals("unix:/run/php/php8.2-fpm-web-14.sock", f.getUpstreamAddress());
        assertEquals("shop.example.test", f.getHost());
        assertEquals("http://shop.example.test/", f.getReferrer());
        assertNull(f.getErrno());
        assertNull(f.getErrnoText());
        assertNull(f.getOperation());
    }

    @Test
    void segfaultChainAcrossThreeLogs() throws Exception {
        List<MultilineJoiner.Entry> errors = entries(SourceKind.NGINX_ERROR, fixture("nginx-error.log"));
        NginxErrorFields err = P.fields(SourceKind.NGINX_ERROR, null, errors.get(1).text(), ParseContext.UTC, NginxErrorFields.class);
        assertEquals(104, err.getErrno());
        assertEquals("Connection reset by peer", err.getErrnoText());
        assertEquals("recv()", err.getOperation());
        assertEquals("while reading response header from upstream", err.getPhase());
        assertEquals(252L, err.getConnectionId());
        assertEquals("GET /gallery/summer-collection/?gallery=7 HTTP/1.1", err.getRequest());
        assertNull(err.getReferrer());
        assertEquals("unix:/run/php/php8.2-fpm-web-06.sock", err.getUpstreamAddress());

        String fpmLine = lines("php-fpm.log").stream().filter(l -> l.contains("child 9774 exited")).findFirst().orElseThrow();
        ParseOutcome.Parsed fp = P.parsed(SourceKind.PHP_FPM, null, fpmLine, ParseContext.UTC);
        P.time("2026-11-21T10:46:20Z", fp);
        FpmLogFields fpm = (FpmLogFields) fp.fields();
        assertEquals(FpmEventKind.CHILD_EXITED_ON_SIGNAL, fpm.getKind());
        assertEquals("WARNING", fpm.getLevel());
        assertEquals("www", fpm.getPool());
        assertEquals(9774, fpm.getChildPid());
        assertEquals(11, fpm.getSignal());
        assertEquals("SIGSEGV", fpm.getSignalName());
        assertFalse(fpm.getCoreDumped());
        assertEquals(27.934543, fpm.getUptimeSeconds());

        ParseOutcome.Parsed kp = P.parsed(SourceKind.KERN, null, lines("kern.log").get(0), ParseContext.UTC);
        P.time("2026-11-21T10:46:19.489Z", kp);
        KernelFields k = (KernelFields) kp.fields();
        assertEquals(KernelEventKind.SEGFAULT, k.getKind());
        assertEquals(9774, k.getPid(), "the same worker as the FPM line");
        assertEquals("php-fpm8.2", k.getProcess());
        assertEquals("7ffd9ea5bff8", k.getFaultAddress());
        assertEquals("000055e7b3e18422", k.getFaultIp());
        assertEquals("php-fpm8.2", k.getFaultObject());
        assertNull(k.getBootSeconds());
        KernelFields code = P.fields(SourceKind.KERN, null, lines("kern.log").get(1), ParseContext.UTC, KernelFields.class);
        assertEquals(KernelEventKind.OTHER, code.getKind());
        assertTrue(code.getMessage().startsWith("Code: 04 25 28"));
    }

    @Test
    void fpmWorkerOutputAndLifecycle() throws Exception {
        List<MultilineJoiner.Entry> entries = entries(SourceKind.PHP_FPM, fixture("php-fpm.log"));
        assertEquals(22, entries.size(), "the blank line is not an entry; closed stderr chunks stay separate");
        FpmLogFields said = P.fields(SourceKind.PHP_FPM, null, entries.get(4).text(), ParseContext.UTC, FpmLogFields.class);
        assertEquals(FpmEventKind.SAID_INTO_STDERR, said.getKind());
        assertEquals(9426, said.getChildPid());
        assertEquals("child 9426 said into stderr: \"NOTICE: PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function create_function() in /srv/handoff/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php:8\"", said.getMessage());
        List<FpmEventKind> kinds = new ArrayList<>();
        for (MultilineJoiner.Entry e : entries) {
            kinds.add(P.fields(SourceKind.PHP_FPM, null, e.text(), ParseContext.UTC, FpmLogFields.class).getKind());
        }
        assertEquals(List.of(FpmEventKind.OTHER, FpmEventKind.OTHER, FpmEventKind.READY, FpmEventKind.OTHER), kinds.subList(0, 4));
        assertEquals(List.of(FpmEventKind.LOGS_REOPENED, FpmEventKind.LOGS_REOPENED, FpmEventKind.CHILD_EXITED_WITH_CODE,
                FpmEventKind.CHILD_STARTED, FpmEventKind.CHILD_EXITED_WITH_CODE, FpmEventKind.CHILD_STARTED,
                FpmEventKind.TERMINATING, FpmEventKind.EXITING, FpmEventKind.CHILD_EXITED_ON_SIGNAL, FpmEventKind.CHILD_STARTED),
                kinds.subList(12, 22));
    }

    @Test
    void accessLinesOfBothLogs() throws Exception {
        Properties formats = new Properties();
        try (Reader r = Files.newBufferedReader(fixture("formats.properties"), StandardCharsets.UTF_8)) {
            formats.load(r);
        }
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, formats.getProperty("nginx.access.log_format"),
                lines("nginx-access.log").get(1), ParseContext.UTC);
        P.time("2026-11-21T10:44:12Z", p);
        NginxAccessFields a = (NginxAccessFields) p.fields();
        assertEquals("127.0.1.112", a.getRemoteAddr());
        assertNull(a.getRemoteUser());
        assertEquals("GET /wp-admin/admin-ajax.php?action=heartbeat HTTP/1.1", a.getRequest());
        assertEquals("GET", a.getMethod());
        assertEquals("/wp-admin/admin-ajax.php?action=heartbeat", a.getUri());
        assertEquals("HTTP/1.1", a.getProtocol());
        assertEquals(200, a.getStatus());
        assertEquals(58L, a.getBodyBytesSent());
        assertNull(a.getHttpReferer());
        assertEquals("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", a.getHttpUserAgent());
        assertEquals(0.002, a.getRequestTime());
        assertEquals(List.of(0.0), a.getUpstreamConnectTime());
        assertEquals(List.of(0.003), a.getUpstreamResponseTime());
        assertEquals(List.of(200), a.getUpstreamStatus());
        assertEquals(List.of("unix:/run/php/php8.2-fpm-web-14.sock"), a.getUpstreamAddr());
        assertEquals("bc58b5bf3b89b4d232057b4973ef9adc", a.getRequestId());
        assertEquals(Map.of(), a.getOther());

        ParseOutcome.Parsed fa = P.parsed(SourceKind.PHP_FPM_ACCESS, formats.getProperty("fpm.access.format"), lines("php-fpm-access.log").get(0), ParseContext.UTC);
        P.time("2026-11-21T10:44:12Z", fa);
        FpmAccessFields f = (FpmAccessFields) fa.fields();
        assertEquals("GET", f.getMethod());
        assertEquals(200, f.getStatus());
        assertEquals(2.358, f.getDurationMs());
        assertEquals(2048L * 1024, f.getMemoryBytes());
        assertEquals(0.0, f.getCpuPercent());
        assertEquals("/wp-admin/admin-ajax.php", f.getRequestUri());
        assertEquals("action=heartbeat", f.getQueryString());
        assertNull(f.getRemoteAddr());
    }

    @Test
    void slowlogEntryOfAPluginWaitingInSleep() throws Exception {
        List<MultilineJoiner.Entry> entries = entries(SourceKind.PHP_FPM_SLOW, fixture("php-fpm-slow.log"));
        assertEquals(1, entries.size());
        assertEquals(1L, entries.get(0).offset());
        assertEquals(7, entries.get(0).lines());
        ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM_SLOW, null, entries.get(0).text(), ParseContext.UTC);
        P.time("2026-11-21T10:51:27Z", p);
        FpmSlowFields f = (FpmSlowFields) p.fields();
        assertEquals("www", f.getPool());
        assertEquals(15848, f.getPid());
        assertEquals("/srv/handoff/wp/wp-admin/admin-ajax.php", f.getScriptFilename());
        assertEquals(5, f.getFrames().size());
        assertEquals(new StackFrame("sleep", "/srv/handoff/wp/wp-content/plugins/product-importer/includes/batch.php", 5), f.getFrames().get(0));
        assertEquals(new StackFrame("do_action", "/srv/handoff/wp/wp-admin/admin-ajax.php", 11), f.getFrames().get(4));
        assertEquals("product-importer", f.getPlugin());
        assertNull(f.getTheme());
        assertEquals(CallCategory.SLEEP, f.getCategory());
        assertEquals("sleep", f.getBlockingFunction());
        assertFalse(f.getDumpFailed());
    }
}
