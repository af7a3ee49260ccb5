package io.handoff.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import io.handoff.raw.MultilineJoiner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every relevant line of the peer corpora in {@code ../shared/corpus/peers}, compared with what the
 * peers assert where our fields overlap theirs. The corpora are not part of the repository (their
 * licences differ), so these tests are skipped when the folder is absent.
 */
class PeerCorpusTest {
    static final String INGRESS = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_length $request_time [$proxy_upstream_name] "
            + "[$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time "
            + "$upstream_status $req_id";
    static final ObjectMapper JSON = new ObjectMapper();
    static Path peers;

    @BeforeAll
    static void corpus() {
        String shared = System.getProperty("handoff.shared");
        Path p = shared == null ? null : Path.of(shared, "corpus", "peers");
        assumeTrue(p != null && Files.isDirectory(p),
                "peer corpus not present (system property handoff.shared=" + shared + "): it lives outside the repository; skipped");
        peers = p;
    }

    private static String read(String rel) throws IOException {
        return new String(Files.readAllBytes(peers.resolve(rel)), StandardCharsets.UTF_8);
    }

    private static long iso(String s) {
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    }

    private static List<MultilineJoiner.Entry> entries(SourceKind kind, String text) {
        List<MultilineJoiner.Entry> out = new ArrayList<>();
        MultilineJoiner j = MultilineJoiner.forKind(kind);
        long offset = 0;
        String[] lines = text.split("\n", -1);
        int count = text.endsWith("\n") ? lines.length - 1 : lines.length; // no line after the final newline
        for (int i = 0; i < count; i++) {
            String line = lines[i];
            j.accept(line, offset, out::add);
            offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        j.flush(out::add);
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @Test
    void vrlExtractedCases() throws IOException {
        JsonNode cases = JSON.readTree(read("vrl/extracted/parse_nginx_log.tests.json")).get("cases");
        int n = 0;
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            String fmt = c.get("format").asText();
            String input = c.get("input").asText();
            JsonNode e = c.get("expected");
            n++;
            if (fmt.equals("error")) {
                ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, input, ParseContext.UTC);
                NginxErrorFields f = (NginxErrorFields) p.fields();
                assertEquals(iso(e.get("timestamp").asText()), p.timestampMillis(), name);
                assertEquals(e.get("severity").asText(), f.getLevel(), name);
                assertEquals(e.get("pid").asInt(), f.getPid(), name);
                assertEquals(e.get("tid").asLong(), f.getTid(), name);
                assertEquals(e.has("cid") ? e.get("cid").asLong() : null, f.getConnectionId(), name);
                if (e.has("excess")) {
                    // VRL splits ", excess: N[,] by zone "Z"" out of the message; we keep it in the message
                    assertTrue(f.getMessage().startsWith(e.get("message").asText() + ", excess: " + e.get("excess").asText()), name);
                    assertTrue(f.getMessage().endsWith("by zone \"" + e.get("zone").asText() + "\""), name);
                } else {
                    assertEquals(e.get("message").asText(), f.getMessage(), name);
                }
                assertEquals(text(e, "client"), f.getClient(), name);
                assertEquals(text(e, "server"), f.getServer(), name);
                assertEquals(text(e, "request"), f.getRequest(), name);
                assertEquals(text(e, "upstream"), f.getUpstream(), name);
                assertEquals(text(e, "host"), f.getHost(), name);
                assertEquals(text(e, "referer"), f.getReferrer(), name);
                continue;
            }
            String format = fmt.equals("ingress_upstreaminfo") ? INGRESS : fmt;
            if (e.has("error")) {
                P.failed(SourceKind.NGINX_ACCESS, format, input, ParseContext.UTC);
                continue;
            }
            ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, format, input, ParseContext.UTC);
            NginxAccessFields f = (NginxAccessFields) p.fields();
            assertEquals(iso(e.get("timestamp").asText()), p.timestampMillis(), name);
            assertEquals(text(e, e.has("client") ? "client" : "remote_addr"), f.getRemoteAddr(), name);
            assertEquals(text(e, e.has("user") ? "user" : "remote_user"), f.getRemoteUser(), name);
            assertEquals(text(e, "request"), f.getRequest(), name);
            assertEquals(e.get("status").asInt(), f.getStatus(), name);
            assertEquals(e.get(e.has("size") ? "size" : "body_bytes_size").asLong(), f.getBodyBytesSent(), name);
            // VRL keeps '-' in combined and drops it in main/ingress; handoff makes '-' absent everywhere
            String referer = text(e, e.has("referer") ? "referer" : "http_referer");
            assertEquals("-".equals(referer) ? null : referer, f.getHttpReferer(), name);
            String agent = text(e, e.has("agent") ? "agent" : "http_user_agent");
            assertEquals("-".equals(agent) ? null : agent, f.getHttpUserAgent(), name);
            assertEquals(text(e, "http_x_forwarded_for"), f.getHttpXForwardedFor(), name);
            if (fmt.equals("ingress_upstreaminfo")) {
                assertEquals(e.get("request_time").asDouble(), f.getRequestTime(), name);
                assertEquals(e.get("request_length").asText(), f.getOther().get("request_length"), name);
                assertEquals(text(e, "req_id"), f.getOther().get("req_id"), name);
                assertEquals(text(e, "proxy_upstream_name"), f.getOther().get("proxy_upstream_name"), name);
                String addr = text(e, "upstream_addr");
                assertEquals(addr == null || addr.equals("-") ? null : List.of(addr), f.getUpstreamAddr(), name);
                assertEquals(e.has("upstream_status") ? List.of(e.get("upstream_status").asInt()) : null, f.getUpstreamStatus(), name);
                assertEquals(e.has("upstream_response_time") ? List.of(e.get("upstream_response_time").asDouble()) : null,
                        f.getUpstreamResponseTime(), name);
            }
        }
        assertEquals(24, n);
    }

    @Test
    void vrlGeneratedExamples() throws IOException {
        JsonNode examples = JSON.readTree(read("vrl/docs/generated/parse_nginx_log.json")).get("examples");
        Pattern call = Pattern.compile("s'(.*)',\\s*\"(\\w+)\"", Pattern.DOTALL);
        int n = 0;
        for (JsonNode ex : examples) {
            Matcher m = call.matcher(ex.get("source").asText());
            assertTrue(m.find(), ex.get("title").asText());
            String line = m.group(1);
            String fmt = m.group(2);
            JsonNode r = ex.get("return");
            n++;
            if (fmt.equals("error")) {
                NginxErrorFields f = P.fields(SourceKind.NGINX_ERROR, null, line, ParseContext.UTC, NginxErrorFields.class);
                assertEquals(r.get("message").asText(), f.getMessage());
                assertEquals(r.get("host").asText(), f.getHost());
                assertEquals(r.get("cid").asLong(), f.getConnectionId());
            } else {
                ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, fmt.equals("ingress_upstreaminfo") ? INGRESS : fmt, line, ParseContext.UTC);
                NginxAccessFields f = (NginxAccessFields) p.fields();
                assertEquals(iso(r.get("timestamp").asText()), p.timestampMillis());
                assertEquals(r.get("status").asInt(), f.getStatus());
                assertEquals(r.get(r.has("size") ? "size" : "body_bytes_size").asLong(), f.getBodyBytesSent());
                if (r.has("compression")) {
                    assertEquals(" \"" + r.get("compression").asText() + "\"", f.getOther().get("_trailing"));
                }
            }
        }
        assertEquals(4, n);
    }

    @Test
    void beatsErrorLogWithAFixedZone() throws IOException {
        List<MultilineJoiner.Entry> entries = entries(SourceKind.NGINX_ERROR, read("beats/filebeat/module/nginx/error/test/error.log"));
        JsonNode docs = JSON.readTree(read("beats/filebeat/module/nginx/error/test/error.log-expected.json"));
        assertEquals(docs.size(), entries.size());
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            MultilineJoiner.Entry e = entries.get(i);
            ParseContext ctx = ParseContext.of(ZoneId.of(d.get("event.timezone").asText()));
            ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, e.text(), ctx);
            NginxErrorFields f = (NginxErrorFields) p.fields();
            assertEquals(d.get("log.offset").asLong(), e.offset(), "offset of doc " + i);
            assertEquals(iso(d.get("@timestamp").asText()), p.timestampMillis(), "doc " + i);
            assertEquals(d.get("log.level").asText(), f.getLevel());
            assertEquals(d.get("process.pid").asInt(), f.getPid());
            assertEquals(d.get("process.thread.id").asLong(), f.getTid());
            assertEquals(d.get("nginx.error.connection_id").asLong(), f.getConnectionId());
            // beats keeps the tail inside message; ours ends where the tail begins
            assertTrue(d.get("message").asText().startsWith(f.getMessage()), "doc " + i);
            assertEquals(d.has("log.flags"), e.lines() > 1, "multiline flag of doc " + i);
        }
    }

    @Test
    void elasticIntegrationsErrorLog() throws IOException {
        List<MultilineJoiner.Entry> entries = entries(SourceKind.NGINX_ERROR,
                read("integrations/packages/nginx/data_stream/error/_dev/test/pipeline/test-error-raw.log"));
        JsonNode docs = JSON.readTree(read("integrations/packages/nginx/data_stream/error/_dev/test/pipeline/test-error-raw.log-expected.json")).get("expected");
        assertEquals(docs.size(), entries.size());
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            MultilineJoiner.Entry e = entries.get(i);
            assertEquals(d.at("/event/original").asText(), e.text(), "doc " + i);
            ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, e.text(), ParseContext.UTC);
            NginxErrorFields f = (NginxErrorFields) p.fields();
            assertEquals(iso(d.get("@timestamp").asText()), p.timestampMillis(), "doc " + i);
            assertEquals(d.at("/log/level").asText(), f.getLevel());
            assertEquals(d.at("/process/pid").asInt(), f.getPid());
            assertEquals(d.at("/process/thread/id").asLong(), f.getTid());
            assertEquals(d.at("/nginx/error/connection_id").asLong(), f.getConnectionId());
            assertTrue(d.get("message").asText().startsWith(f.getMessage()));
            assertEquals(text(d.at("/client"), "ip"), f.getClient(), "doc " + i);
            assertEquals(text(d.at("/server"), "domain"), f.getServer(), "doc " + i);
            assertEquals(text(d.at("/http/request"), "referrer"), f.getReferrer(), "doc " + i);
            if (d.has("destination")) {
                String host = d.at("/destination/domain").asText() + (d.at("/destination").has("port") ? ":" + d.at("/destination/port").asInt() : "");
                assertEquals(host, f.getHost());
            } else {
                assertNull(f.getHost());
            }
            if (d.has("url")) {
                assertEquals(d.at("/http/request/method").asText() + " " + d.at("/url/path").asText() + (d.at("/url").has("query") ? "?" + d.at("/url/query").asText() : "")
                        + " HTTP/" + d.at("/http/version").asText(), f.getRequest(), "doc " + i);
            } else {
                assertNull(f.getRequest());
            }
        }
    }

    @Test
    void beatsAccessLog() throws IOException {
        String[] lines = read("beats/filebeat/module/nginx/access/test/test.log").split("\n");
        JsonNode docs = JSON.readTree(read("beats/filebeat/module/nginx/access/test/test.log-expected.json"));
        assertEquals(docs.size(), lines.length);
        for (int i = 0; i < lines.length; i++) {
            JsonNode d = docs.get(i);
            ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, "combined", lines[i], ParseContext.UTC);
            NginxAccessFields f = (NginxAccessFields) p.fields();
            assertEquals(iso(d.get("@timestamp").asText()), p.timestampMillis(), "line " + i);
            assertEquals(d.get("http.response.status_code").asInt(), f.getStatus());
            assertEquals(d.get("http.response.body.bytes").asLong(), f.getBodyBytesSent());
            assertEquals(text(d, "http.request.method"), f.getMethod(), "line " + i);
            assertEquals(text(d, "url.original"), f.getUri(), "line " + i);
            assertEquals(d.has("http.version") ? "HTTP/" + d.get("http.version").asText() : null, f.getProtocol(), "line " + i);
            assertEquals("-".equals(text(d, "user.name")) ? null : text(d, "user.name"), f.getRemoteUser());
            assertEquals("-".equals(text(d, "http.request.referrer")) ? null : text(d, "http.request.referrer"), f.getHttpReferer());
            String agent = text(d, "user_agent.original");
            assertEquals("-".equals(agent) ? null : agent, f.getHttpUserAgent(), "line " + i);
            for (JsonNode ip : d.get("nginx.access.remote_ip_list")) {
                assertTrue(f.getRemoteAddr().contains(ip.asText()), "line " + i + ": " + ip + " in " + f.getRemoteAddr());
            }
        }
    }

    @Test
    void datadogSamples() throws IOException {
        // The yaml holds sample/result pairs; the fields compared are read with small patterns
        String yaml = read("datadog-integrations-core/nginx/assets/logs/nginx_tests.yaml");
        String[] blocks = yaml.split("\n  - sample: ");
        assertEquals(7, blocks.length, "6 cases");
        String[] formats = {
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent",
            "main", "main", null, null,
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent $request_time \"$http_referer\" \"$http_user_agent\""};
        for (int i = 1; i < blocks.length; i++) {
            String b = blocks[i];
            char q = b.charAt(0);
            int end = b.indexOf("\n");
            String sample = b.substring(1, end - 1);
            sample = q == '\'' ? sample.replace("''", "'") : sample.replace("\\\"", "\"");
            long ts = Long.parseLong(group(b, "\n      timestamp: (\\d+)"));
            String fmt = formats[i - 1];
            if (fmt == null) {
                ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, sample, ParseContext.UTC);
                NginxErrorFields f = (NginxErrorFields) p.fields();
                assertEquals(ts, p.timestampMillis(), "case " + i);
                assertEquals(group(b, "\n        level: \"?(\\w+)"), f.getLevel());
                String message = group(b, "\n          message: ['\"](.*)['\"]\n");
                // Datadog's error.message keeps the 'pid#tid: *cid ' prefix
                assertTrue(message.endsWith(f.getMessage()), message + " / " + f.getMessage());
                continue;
            }
            ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, fmt, sample, ParseContext.UTC);
            NginxAccessFields f = (NginxAccessFields) p.fields();
            assertEquals(ts, p.timestampMillis(), "case " + i);
            assertEquals(Integer.parseInt(group(b, "\n          status_code: (\\d+)")), f.getStatus());
            assertEquals(Long.parseLong(group(b, "\n          bytes_written: (\\d+)")), f.getBodyBytesSent());
            assertEquals(group(b, "\n            ip: \"([^\"]+)\""), f.getRemoteAddr());
            String duration = group(b, "\n        duration: ([0-9.E]+)");
            if (duration != null) {
                // Datadog's duration is in nanoseconds
                assertEquals(Double.parseDouble(duration), f.getRequestTime() * 1e9, 1e-3);
            } else {
                assertNull(f.getRequestTime());
            }
        }
    }

    private static String group(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void logstashCombined() throws IOException {
        JsonNode cases = JSON.readTree(read("logstash-patterns-core/extracted/httpd_combinedlog.tests.json")).get("cases");
        for (JsonNode c : cases) {
            NginxAccessFields f = P.fields(SourceKind.NGINX_ACCESS, "combined", c.get("input").asText(), ParseContext.UTC, NginxAccessFields.class);
            JsonNode e = c.at("/expected_subset/ecs-v1");
            String ctx = c.get("context").asText();
            if (e.has("http.request.method")) assertEquals(e.get("http.request.method").asText(), f.getMethod(), ctx);
            if (e.has("http.version")) assertEquals("HTTP/" + e.get("http.version").asText(), f.getProtocol(), ctx);
            if (e.has("url.original")) assertEquals(e.get("url.original").asText(), f.getUri(), ctx);
            if (e.has("http.response.body.bytes")) assertEquals(e.get("http.response.body.bytes").asLong(), f.getBodyBytesSent(), ctx);
            if (e.has("http.response.status_code")) assertEquals(e.get("http.response.status_code").asInt(), f.getStatus(), ctx);
            if (e.has("http.request.referrer")) assertEquals(e.get("http.request.referrer").asText(), f.getHttpReferer(), ctx);
            if (e.has("source.address")) assertEquals(e.get("source.address").asText(), f.getRemoteAddr(), ctx);
            if (e.has("user.name")) assertEquals(e.get("user.name").asText(), f.getRemoteUser(), ctx);
            if (e.has("user_agent.original")) assertEquals(e.get("user_agent.original").asText(), f.getHttpUserAgent(), ctx);
            for (JsonNode absent : e.path("absent")) {
                switch (absent.asText()) {
                    case "user" -> assertNull(f.getRemoteUser(), ctx);
                    case "http.response.status_code" -> assertNull(f.getStatus(), ctx);
                    default -> { }
                }
            }
        }
    }

    @Test
    void fluentdNginxParser() throws IOException {
        JsonNode cases = JSON.readTree(read("fluentd/extracted/parser_nginx.tests.json")).get("cases");
        String fmt = "$remote_addr $host $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, fmt, c.get("input").asText(), ParseContext.UTC);
            NginxAccessFields f = (NginxAccessFields) p.fields();
            JsonNode e = c.get("expected");
            assertEquals(NginxAccessParser.timeLocal(c.get("expected_time").asText(), 0, 26), p.timestampMillis(), name);
            assertEquals(e.get("remote").asText(), f.getRemoteAddr(), name);
            assertEquals(e.get("host").asText(), f.getOther().get("host"), name);
            assertEquals("-".equals(text(e, "user")) ? null : text(e, "user"), f.getRemoteUser(), name);
            assertEquals(text(e, "method"), f.getMethod(), name);
            assertEquals(text(e, "path"), f.getUri(), name);
            assertEquals(e.get("code").asInt(), f.getStatus(), name);
            assertEquals(e.get("size").asLong(), f.getBodyBytesSent(), name);
            assertEquals("-".equals(text(e, "referer")) ? null : text(e, "referer"), f.getHttpReferer(), name);
            assertEquals(text(e, "agent"), f.getHttpUserAgent(), name);
        }
    }

    @Test
    void allenJbFpmErrors() throws IOException {
        String[] lines = read("allenjb-notifications/tests/LogParser/Fixtures/fpm_errors.log").split("\n");
        String expected = read("allenjb-notifications/tests/LogParser/Fixtures/FPM/expectedWithoutLastEvent.output");
        Matcher m = Pattern.compile("'date' => '([^']+)',.*?'severityDesc' => '(\\w+)',\\s*'message' => '((?:[^'\\\\]|\\\\.)*)',\\s*"
                + "'pool' => (NULL|'[^']*'),\\s*'pid' => (NULL|\\d+),\\s*'function' => (NULL|'[^']*'),\\s*'lineNo' => (NULL|\\d+),",
                Pattern.DOTALL).matcher(expected);
        int i = 0;
        while (m.find()) {
            String line = lines[i];
            ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM, null, line, ParseContext.UTC);
            FpmLogFields f = (FpmLogFields) p.fields();
            LocalDateTime dt = LocalDateTime.parse(m.group(1).replace(' ', 'T'));
            assertEquals(dt.toInstant(ZoneOffset.UTC).toEpochMilli(), p.timestampMillis(), line);
            assertEquals(m.group(2), f.getLevel(), line);
            assertEquals(m.group(3).replace("\\'", "'").replace("\\\\", "\\"), f.getMessage(), line);
            assertEquals(php(m.group(4)), f.getPool(), line);
            assertEquals(m.group(5).equals("NULL") ? null : Integer.valueOf(m.group(5)), f.getPid(), line);
            assertEquals(php(m.group(6)), f.getFunction(), line);
            assertEquals(m.group(7).equals("NULL") ? null : Integer.valueOf(m.group(7)), f.getLine(), line);
            i++;
        }
        assertEquals(12, i, "all 12 expected events");
        assertEquals(lines.length, i);
    }

    private static String php(String v) {
        return v.equals("NULL") ? null : v.substring(1, v.length() - 1);
    }

    @Test
    void syzkallerSegfaultLines() throws IOException {
        for (String file : new String[] {"620", "621"}) {
            byte[] raw = Files.readAllBytes(peers.resolve("syzkaller/pkg/report/testdata/linux/report/" + file));
            String text = new String(raw, StandardCharsets.UTF_8);
            long boot = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
            ParseContext ctx = new ParseContext(ZoneOffset.UTC, boot, 0);
            int segfaults = 0;
            int parsed = 0;
            int dead = 0;
            for (String line : text.split("\n")) {
                ParseOutcome o = Parsers.forKind(SourceKind.KERN, null).parse(line, ctx);
                if (o instanceof ParseOutcome.Failed) {
                    dead++;
                    // only the report header, user-space output and junk lack a kernel stamp
                    assertTrue(!line.startsWith("[ ") || line.startsWith("[ ") && !line.contains("]["), file + ": " + line);
                    continue;
                }
                parsed++;
                KernelFields f = assertInstanceOf(KernelFields.class, ((ParseOutcome.Parsed) o).fields());
                if (line.contains("]: segfault at ")) {
                    segfaults++;
                    assertEquals(KernelEventKind.SEGFAULT, f.getKind(), line);
                    assertEquals("syz-executor846", f.getProcess());
                    assertEquals("4cb420", f.getFaultAddress());
                    assertEquals("00000000004cb420", f.getFaultIp());
                    assertTrue(f.getBootSeconds() > 147 && f.getBootSeconds() < 148);
                    assertEquals(boot + Math.round(f.getBootSeconds() * 1000), ((ParseOutcome.Parsed) o).timestampMillis());
                }
            }
            assertEquals(5, segfaults, file);
            System.out.println("syzkaller " + file + ": " + parsed + " parsed, " + dead + " dead letters");
        }
    }
}
