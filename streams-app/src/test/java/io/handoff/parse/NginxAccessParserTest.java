package io.handoff.parse;

import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.SourceKind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NginxAccessParserTest {
    static final String HANDOFF = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
            + "\"$http_user_agent\" rt=$request_time uct=\"$upstream_connect_time\" urt=\"$upstream_response_time\" "
            + "us=\"$upstream_status\" ua=\"$upstream_addr\" rid=$request_id";

    private static NginxAccessFields parse(String format, String line) {
        return P.fields(SourceKind.NGINX_ACCESS, format, line, ParseContext.UTC, NginxAccessFields.class);
    }

    @Test
    void handoffFormatWithRetriedUpstreams() {
        String line = "127.0.1.9 - - [21/Nov/2026:10:46:20 +0100] \"GET /gallery/?g=7 HTTP/1.1\" 502 157 \"-\" \"curl/8.5\" "
                + "rt=0.031 uct=\"0.000, -\" urt=\"0.030, 0.001 : 0.000\" us=\"502, 502 : -\" "
                + "ua=\"unix:/run/php/a.sock, unix:/run/php/b.sock : 10.0.0.5:9000\" rid=abc123";
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ACCESS, HANDOFF, line, ParseContext.UTC);
        P.time("2026-11-21T09:46:20Z", p);
        NginxAccessFields f = (NginxAccessFields) p.fields();
        assertEquals("127.0.1.9", f.getRemoteAddr());
        assertNull(f.getRemoteUser());
        assertEquals("GET /gallery/?g=7 HTTP/1.1", f.getRequest());
        assertEquals("GET", f.getMethod());
        assertEquals("/gallery/?g=7", f.getUri());
        assertEquals("HTTP/1.1", f.getProtocol());
        assertEquals(502, f.getStatus());
        assertEquals(157L, f.getBodyBytesSent());
        assertNull(f.getBytesSent());
        assertNull(f.getHttpReferer());
        assertEquals("curl/8.5", f.getHttpUserAgent());
        assertEquals(0.031, f.getRequestTime());
        assertEquals(Arrays.asList(0.0, null), f.getUpstreamConnectTime());
        assertEquals(List.of(0.030, 0.001, 0.0), f.getUpstreamResponseTime());
        assertEquals(Arrays.asList(502, 502, null), f.getUpstreamStatus());
        assertEquals(List.of("unix:/run/php/a.sock", "unix:/run/php/b.sock", "10.0.0.5:9000"), f.getUpstreamAddr());
        assertNull(f.getUpstreamHeaderTime());
        assertEquals("abc123", f.getRequestId());
        assertEquals(Map.of(), f.getOther());
    }

    @Test
    void dashesAreAbsent() {
        NginxAccessFields f = parse(HANDOFF, "127.0.1.93 - - [21/Nov/2026:10:44:12 +0000] \"GET /wp-login.php HTTP/1.1\" 404 548 "
                + "\"http://shop.example.test/\" \"Mozilla/5.0\" rt=0.000 uct=\"-\" urt=\"-\" us=\"-\" ua=\"-\" rid=51e7");
        assertNull(f.getUpstreamAddr());
        assertNull(f.getUpstreamStatus());
        assertNull(f.getUpstreamResponseTime());
        assertNull(f.getUpstreamConnectTime());
        assertEquals(0.0, f.getRequestTime());
    }

    @Test
    void combinedIsTheDefaultAndKeepsTrailingText() {
        NginxAccessFields f = parse(null, "172.17.0.1 - - [31/Mar/2021:12:04:07 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/7.75.0\" \"-\"");
        assertEquals(200, f.getStatus());
        assertEquals("curl/7.75.0", f.getHttpUserAgent());
        assertEquals(Map.of("_trailing", " \"-\""), f.getOther());
    }

    @Test
    void emptyRequestAndRequestWithoutProtocol() {
        NginxAccessFields empty = parse("combined", "0.0.0.0 - - [04/Oct/2022:04:34:49 +0000] \"\" 400 0 \"\" \"\"");
        assertEquals("", empty.getRequest());
        assertNull(empty.getMethod());
        assertNull(empty.getUri());
        assertNull(empty.getProtocol());
        assertEquals("", empty.getHttpReferer());
        assertEquals("", empty.getHttpUserAgent());
        NginxAccessFields noProto = parse("combined", "127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /\" 200 777 \"-\" \"Opera/12.0\"");
        assertEquals("GET", noProto.getMethod());
        assertEquals("/", noProto.getUri());
        assertNull(noProto.getProtocol());
        NginxAccessFields spaces = parse("combined", "127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a[ ]b HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"");
        assertEquals("/a[ ]b", spaces.getUri());
        NginxAccessFields junk = parse("combined", "0.0.0.0 - - [04/Oct/2022:03:07:27 +0000] \"]&\\xDF\\xBDV\" 400 150 \"-\" \"-\"");
        assertEquals("]&\\xDF\\xBDV", junk.getRequest());
        assertNull(junk.getMethod());
    }

    @Test
    void mainFormatStatusDashAndListRemoteAddr() {
        NginxAccessFields f = parse("main", "10.0.0.2, 10.0.0.1, 127.0.0.1 - a.user [11/Jan/2020:23:05:27 +0100] "
                + "\"OPTIONS /remote.php/ HTTP/1.1\" - 7908 \"-\" \"monitoring-client (v2.2)\" \"1.2.3.4, 10.10.1.1\"");
        assertEquals("10.0.0.2, 10.0.0.1, 127.0.0.1", f.getRemoteAddr());
        assertEquals("a.user", f.getRemoteUser());
        assertNull(f.getStatus());
        assertEquals("1.2.3.4, 10.10.1.1", f.getHttpXForwardedFor());
    }

    @Test
    void unknownVariablesGoToOtherAndIsoAndMsecTimes() {
        NginxAccessFields f = parse("$time_iso8601 $host \"$request\" $status $request_length ${sent_http_x_cache}",
                "2026-11-21T10:45:52+02:00 shop.test \"GET / HTTP/2.0\" 200 512 -");
        assertEquals(Map.of("host", "shop.test", "request_length", "512"), f.getOther());
        P.time("2026-11-21T08:45:52Z", P.parsed(SourceKind.NGINX_ACCESS, "$time_iso8601 $host \"$request\" $status $request_length ${sent_http_x_cache}",
                "2026-11-21T10:45:52+02:00 shop.test \"GET / HTTP/2.0\" 200 512 -", ParseContext.UTC));
        P.time("2026-11-21T10:45:52.123Z", P.parsed(SourceKind.NGINX_ACCESS, "$msec $status", "1795257952.123 200", ParseContext.UTC));
    }

    @Test
    void badLinesSayWhichVariableAndWhere() {
        assertEquals("nginx access line: $status is not a status number at column 62 (found 'abc 612 \"-\" \"curl\"')",
                P.failed(SourceKind.NGINX_ACCESS, null, "172.17.0.1 - - [31/Mar/2021:12:04:07 +0000] \"GET / HTTP/1.1\" abc 612 \"-\" \"curl\"", ParseContext.UTC));
        assertEquals("nginx access line: $time_local is not a valid time at column 17 (found '31/Xyz/2021:12:04:07 +0000] \"GET / HTTP/…')",
                P.failed(SourceKind.NGINX_ACCESS, null, "172.17.0.1 - - [31/Xyz/2021:12:04:07 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl\"", ParseContext.UTC));
        assertTrue(P.failed(SourceKind.NGINX_ACCESS, "main", "2021/06/17 19:25:59 [notice] 133309#133309: signal process started",
                ParseContext.UTC).startsWith("nginx access line: $remote_addr is not followed by ' - '"));
    }

    @Test
    void formatsAreCompiledOnceAndBadFormatsAreRefused() {
        assertSame(Parsers.forKind(SourceKind.NGINX_ACCESS, HANDOFF), Parsers.forKind(SourceKind.NGINX_ACCESS, HANDOFF));
        assertSame(Parsers.forKind(SourceKind.NGINX_ACCESS, null), Parsers.forKind(SourceKind.NGINX_ACCESS, "combined"));
        IllegalArgumentException noTime = assertThrows(IllegalArgumentException.class,
                () -> Parsers.forKind(SourceKind.NGINX_ACCESS, "$remote_addr $status"));
        assertTrue(noTime.getMessage().contains("expected $time_local, $time_iso8601 or $msec"), noTime.getMessage());
        IllegalArgumentException adjacent = assertThrows(IllegalArgumentException.class,
                () -> Parsers.forKind(SourceKind.NGINX_ACCESS, "[$time_local] $status$body_bytes_sent"));
        assertTrue(adjacent.getMessage().contains("$status and $body_bytes_sent have no text between them"), adjacent.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parsers.forKind(SourceKind.NGINX_ACCESS, "${time_local"));
    }
}
