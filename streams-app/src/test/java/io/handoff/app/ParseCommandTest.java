package io.handoff.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.handoff.parse.ParseRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParseCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    record Result(int status, String out, String err) {
        List<JsonNode> events() throws IOException {
            List<JsonNode> l = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isEmpty()) {
                    l.add(JSON.readTree(line));
                }
            }
            return l;
        }
    }

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ParseCommand.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void nginxErrorFromStdinWithAZoneAndAMultiLineEntry() throws IOException {
        String in = "not a line\n"
                + "2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: \"PHP message: a\n"
                + "PHP message: b\n"
                + "garbage line\n"
                + "2025/12/26 14:03:10 [error] 21344#21344: *99172 connect() to unix:/run/php/php8.2-fpm.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 172.67.10.20, server: example.com, request: \"GET / HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"example.com\"\n";
        Result r = run(in, "--source", "nginx-error", "--timezone", "Europe/Berlin");
        assertEquals(0, r.status(), r.err());
        List<JsonNode> ev = r.events();
        assertEquals(2, ev.size(), r.out());
        JsonNode a = ev.get(0);
        assertEquals("2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: \"PHP message: a\nPHP message: b\ngarbage line",
                a.get("original").asText());
        assertEquals("2019-10-30T22:26:34Z", a.get("timestamp").asText());
        assertEquals("nginx-error", a.get("source").asText());
        assertEquals(205860, a.get("pid").asInt());
        assertFalse(a.has("client"), "nulls are omitted");
        JsonNode b = ev.get(1);
        assertEquals("2025-12-26T13:03:10Z", b.get("timestamp").asText());
        assertEquals(11, b.get("errno").asInt());
        assertEquals("Resource temporarily unavailable", b.get("errno_text").asText());
        assertEquals("unix:/run/php/php8.2-fpm.sock", b.get("upstream_address").asText());
        assertEquals(99172, b.get("connection_id").asLong());
        assertTrue(r.err().contains("<stdin>:1: nginx error line: no 'YYYY/MM/DD HH:MM:SS' timestamp at column 1 (found 'not a line')"), r.err());
        assertTrue(r.err().contains("handoff parse: 2 events, 1 dead letters (nginx-error)"), r.err());
        assertTrue(r.err().contains("  1  nginx error line: no 'YYYY/MM/DD HH:MM:SS' timestamp\n"), r.err());
    }

    @Test
    void slowlogFileWithFramesAsObjects(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("slow.log");
        Files.writeString(f, "\n[21-Nov-2026 10:51:27]  [pool www] pid 15848\nscript_filename = /srv/wp/wp-admin/admin-ajax.php\n"
                + "[0x00007fb47c4132c0] sleep() /srv/wp/wp-content/plugins/product-importer/includes/batch.php:5\n");
        Result r = run("", "--source", "php-fpm-slow", f.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode e = r.events().get(0);
        assertEquals("2026-11-21T10:51:27Z", e.get("timestamp").asText());
        assertEquals("www", e.get("pool").asText());
        assertEquals(15848, e.get("pid").asInt());
        assertEquals("sleep", e.at("/frames/0/function").asText());
        assertEquals(5, e.at("/frames/0/line").asInt());
        assertEquals("product-importer", e.get("plugin").asText());
        assertEquals("SLEEP", e.get("category").asText());
        assertEquals(false, e.get("dump_failed").asBoolean());
    }

    @Test
    void accessFormatListsAndMillis() throws IOException {
        Result r = run("1795257952.250 \"502, 502\" \"0.001, -\"\n", "--source", "nginx-access",
                "--log-format", "$msec \"$upstream_status\" \"$upstream_response_time\"");
        assertEquals(0, r.status(), r.err());
        JsonNode e = r.events().get(0);
        assertEquals("2026-11-21T10:45:52.250Z", e.get("timestamp").asText());
        assertEquals("[502,502]", e.get("upstream_status").toString());
        assertEquals("[0.001,null]", e.get("upstream_response_time").toString());
    }

    @Test
    void kernelNeedsBootTimeForRawStamps() throws IOException {
        String line = "[ 1171.795551] Out of memory: Killed process 1669 (php-fpm8.2) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB\n";
        Result without = run(line, "--source", "kern");
        assertEquals(0, without.status());
        assertEquals("", without.out());
        assertTrue(without.err().contains("kernel line has only a since-boot stamp and the host's boot time is unknown"));
        Result with = run(line, "--source", "kern", "--boot-time", "2026-11-21T08:00:00Z");
        JsonNode e = with.events().get(0);
        assertEquals("2026-11-21T08:19:31.796Z", e.get("timestamp").asText());
        assertEquals("OOM_KILLED", e.get("kind").asText());
        assertEquals(1669, e.get("pid").asInt());
    }

    @Test
    void usageErrorsAndUnreadableFiles() {
        Result unknown = run("", "--source", "apache");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("expected one of nginx-access, nginx-error, php-fpm, php-fpm-slow, php-fpm-access, kern"), unknown.err());
        assertEquals(2, run("", "--source", "kern", "--timezone", "Mars/Olympus").status());
        assertEquals(2, run("").status());
        assertEquals(2, run("", "--source", "nginx-access", "--log-format", "$status").status());
        assertEquals(2, run("", "--source", "kern", "--bogus").status());
        Result missing = run("", "--source", "kern", "/nonexistent/kern.log");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("cannot read /nonexistent/kern.log"), missing.err());
        Result help = run("", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("usage: handoff parse --source KIND"));
    }

    @Test
    void reasonGroupsDropPerLineSpecifics() {
        assertEquals("nginx error line: no '[level]' after the timestamp",
                ParseRun.reasonGroup("nginx error line: no '[level]' after the timestamp at column 21 (found 'x')"));
        assertEquals("PHP-FPM slowlog entry",
                ParseRun.reasonGroup("PHP-FPM slowlog entry: line 3 is not a '[0x…] function() file:line' frame (found 'garbage')"));
    }
}
