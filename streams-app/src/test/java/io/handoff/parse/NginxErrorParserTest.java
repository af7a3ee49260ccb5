package io.handoff.parse;

import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NginxErrorParserTest {
    private static NginxErrorFields parse(String line) {
        return P.fields(SourceKind.NGINX_ERROR, null, line, ParseContext.UTC, NginxErrorFields.class);
    }

    @Test
    void connectEagainOnTheFpmSocketWithFullTail() {
        String line = "2025/12/26 14:03:10 [error] 21344#21344: *99172 connect() to unix:/run/php/php8.2-fpm.sock failed "
                + "(11: Resource temporarily unavailable) while connecting to upstream, client: 172.67.10.20, server: example.com, "
                + "request: \"GET / HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"example.com\"";
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null, line, ParseContext.UTC);
        P.time("2025-12-26T14:03:10Z", p);
        NginxErrorFields f = (NginxErrorFields) p.fields();
        assertEquals("error", f.getLevel());
        assertEquals(21344, f.getPid());
        assertEquals(21344L, f.getTid());
        assertEquals(99172L, f.getConnectionId());
        assertEquals("connect() to unix:/run/php/php8.2-fpm.sock failed (11: Resource temporarily unavailable) while connecting to upstream",
                f.getMessage());
        assertEquals("172.67.10.20", f.getClient());
        assertEquals("example.com", f.getServer());
        assertEquals("GET / HTTP/2.0", f.getRequest());
        assertNull(f.getSubrequest());
        assertEquals("fastcgi://unix:/run/php/php8.2-fpm.sock:", f.getUpstream());
        assertEquals("example.com", f.getHost());
        assertNull(f.getReferrer());
        assertEquals(11, f.getErrno());
        assertEquals("Resource temporarily unavailable", f.getErrnoText());
        assertEquals("connect()", f.getOperation());
        assertEquals("while connecting to upstream", f.getPhase());
        assertEquals("unix:/run/php/php8.2-fpm.sock", f.getUpstreamAddress());
    }

    @Test
    void emptyServerHostAndReferrerStayEmptyStrings() {
        NginxErrorFields f = parse("2023/09/08 13:50:28 [warn] 3#3: *531 an upstream response is buffered to a temporary file "
                + "/var/lib/nginx/tmp/fastcgi/6/03/0000000036 while reading upstream, client: 10.224.1.1, server: , "
                + "request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"\", referrer: \"\"");
        assertEquals("warn", f.getLevel());
        assertEquals("", f.getServer());
        assertEquals("", f.getHost());
        assertEquals("", f.getReferrer());
        assertEquals("fastcgi://127.0.0.1:9000", f.getUpstream());
        assertEquals("127.0.0.1:9000", f.getUpstreamAddress());
        assertEquals("while reading upstream", f.getPhase());
        assertNull(f.getErrno());
        assertNull(f.getOperation());
    }

    @Test
    void commasInsideTheMessage() {
        NginxErrorFields f = parse("2022/05/30 20:56:22 [info] 3134#0: *99247 epoll_wait() reported that client prematurely "
                + "closed connection, so upstream connection is closed too (104: Connection reset by peer) while reading upstream, "
                + "client: 10.244.0.0, server: example.org, request: \"GET / HTTP/1.1\", upstream: "
                + "\"fastcgi://unix:/run/php-fpm/php8.3-fpm.sock:\", host: \"example:8080\"");
        assertEquals("epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too "
                + "(104: Connection reset by peer) while reading upstream", f.getMessage());
        assertEquals(0L, f.getTid());
        assertEquals("epoll_wait()", f.getOperation());
        assertEquals(104, f.getErrno());
        assertEquals("unix:/run/php-fpm/php8.3-fpm.sock", f.getUpstreamAddress());
        assertEquals("example:8080", f.getHost());
    }

    @Test
    void processLevelLineHasNoConnectionIdAndNoTail() {
        NginxErrorFields f = parse("2021/06/17 19:25:59 [notice] 133309#133309: signal process started");
        assertNull(f.getConnectionId());
        assertEquals("signal process started", f.getMessage());
        assertNull(f.getClient());
        assertNull(f.getServer());
        assertNull(f.getUpstreamAddress());
    }

    @Test
    void limitReqLineKeepsExcessAndZoneInTheMessage() {
        NginxErrorFields f = parse("2022/05/30 20:56:22 [error] 7164#7164: *38068741 delaying requests, excess: 50.416, by zone "
                + "\"api_access_token\", client: 10.244.0.0, server: test.local, request: \"GET / HTTP/2.0\", host: \"127.0.0.1:8080\"");
        assertEquals("delaying requests, excess: 50.416, by zone \"api_access_token\"", f.getMessage());
        assertEquals("10.244.0.0", f.getClient());
        assertEquals("127.0.0.1:8080", f.getHost());
    }

    @Test
    void fastCgiStderrSpanningLinesWithoutTail() {
        String entry = "2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: \"PHP message: PHP Warning:  "
                + "Declaration of A::wrap() should be compatible (1: x) on line 0\nPHP message: PHP Warning:  Declaration of B on line 0";
        NginxErrorFields f = parse(entry);
        assertEquals(180289L, f.getConnectionId());
        assertEquals(entry.substring(entry.indexOf("FastCGI")), f.getMessage());
        assertNull(f.getClient());
        assertNull(f.getErrno(), "errno is not read from the application's text");
        assertNull(f.getPhase());
    }

    @Test
    void fastCgiStderrWithPhpStackTraceAndTail() {
        String entry = "2026/11/21 10:44:42 [error] 9434#9434: *274 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  "
                + "Uncaught Error: x in /srv/wp/wp-content/plugins/legacy-widgets/legacy-widgets.php:8\nStack trace:\n"
                + "#0 /srv/wp/wp-content/themes/astra-child/functions.php(34): legacy_widgets_render()\n#1 {main}\n"
                + "  thrown in /srv/wp/x.php on line 8\" while reading response header from upstream, client: 127.0.1.122, "
                + "server: _, request: \"GET /?widget=tagcloud HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm-web-14.sock:\", "
                + "host: \"shop.example.test\", referrer: \"http://shop.example.test/\"";
        NginxErrorFields f = parse(entry);
        assertTrue(f.getMessage().endsWith("on line 8\" while reading response header from upstream"), f.getMessage());
        assertEquals("while reading response header from upstream", f.getPhase());
        assertEquals("GET /?widget=tagcloud HTTP/1.1", f.getRequest());
        assertEquals("http://shop.example.test/", f.getReferrer());
        assertEquals("unix:/run/php/php8.2-fpm-web-14.sock", f.getUpstreamAddress());
        assertNull(f.getErrno());
        assertNull(f.getOperation());
    }

    @Test
    void truncatedTailStaysInTheMessage() {
        String line = "2020/04/24 04:34:27 [error] 7581#7581: *6618 FastCGI sent in stderr: \"PHP message: a, client: 1.2.3.4, request: \"GET /x";
        NginxErrorFields f = parse(line);
        assertEquals("FastCGI sent in stderr: \"PHP message: a, client: 1.2.3.4, request: \"GET /x", f.getMessage());
        assertNull(f.getClient());
    }

    @Test
    void zoneLessStampIsReadInTheHostZone() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.NGINX_ERROR, null,
                "2016/10/25 14:49:34 [error] 54053#0: *1 upstream timed out (110: Connection timed out) while reading response header from upstream",
                ParseContext.of(ZoneId.of("Europe/Berlin")));
        P.time("2016-10-25T12:49:34Z", p);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "\"\" | nginx error line: empty",
        "[error] 1179#0: *83208 upstream timed out | nginx error line: no 'YYYY/MM/DD HH:MM:SS' timestamp at column 1 (found '[error] 1179#0: *83208 upstream timed ou…')",
        "2016/10/25 14:49:34 error 1#0: x | nginx error line: no '[level]' after the timestamp at column 21 (found 'error 1#0: x')",
        "2016/10/25 14:49:34 [fatal] 1#0: x | nginx error line: no known '[level]' after the timestamp at column 21 (found '[fatal] 1#0: x')",
        "2016/10/25 14:49:34 [error] 1: x | nginx error line: no 'PID#TID: ' after the level at column 29 (found '1: x')",
        "2016/13/25 14:49:34 [error] 1#0: x | nginx error line: timestamp out of range at column 1 (found '2016/13/25 14:49:34 [error] 1#0: x')",
    })
    void deadLettersSayWhatWasExpectedWhere(String line, String reason) {
        assertEquals(reason, P.failed(SourceKind.NGINX_ERROR, null, line, ParseContext.UTC));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "fastcgi://unix:/run/php/php8.2-fpm.sock: | unix:/run/php/php8.2-fpm.sock",
        "fastcgi://unix:/var/run/php5-fpm.sock | unix:/var/run/php5-fpm.sock",
        "fastcgi://127.0.0.1:9000 | 127.0.0.1:9000",
        "http://127.0.0.1:80/ | 127.0.0.1:80",
        "https://2.2.2.2:443/api/?tkd=343 | 2.2.2.2:443",
    })
    void upstreamAddressFromTheTail(String upstream, String address) {
        assertEquals(address, NginxErrorParser.upstreamAddress(upstream));
    }
}
