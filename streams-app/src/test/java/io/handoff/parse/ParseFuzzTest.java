package io.handoff.parse;

import io.handoff.avro.SourceKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property: whatever arrives, a parser returns Parsed or Failed with a non-empty reason, and never
 * throws. Seeded, so a failure reproduces; the seed and input are in the failure message.
 */
class ParseFuzzTest {
    static final long SEED = 0x5eed_2026L;

    /** One valid line of each kind, and the format it needs. */
    static final List<Object[]> VALID = List.of(
        new Object[] {SourceKind.NGINX_ERROR, null, "2025/12/26 14:03:10 [error] 21344#21344: *99172 connect() to unix:/run/php/php8.2-fpm.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 172.67.10.20, server: example.com, request: \"GET / HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"example.com\", referrer: \"http://x/\""},
        new Object[] {SourceKind.NGINX_ACCESS, NginxAccessParserTest.HANDOFF, "127.0.1.9 - - [21/Nov/2026:10:46:20 +0100] \"GET /gallery/?g=7 HTTP/1.1\" 502 157 \"-\" \"curl/8.5\" rt=0.031 uct=\"0.000, -\" urt=\"0.030, 0.001 : 0.000\" us=\"502, 502 : -\" ua=\"unix:/a.sock, unix:/b.sock : 10.0.0.5:9000\" rid=abc123"},
        new Object[] {SourceKind.PHP_FPM, null, "[04-Feb-2023 12:52:19.585518] WARNING: pid 75057, fpm_pctl_on_socket_accept(), line 518: [pool www] child 12430 exited on signal 11 (SIGSEGV - core dumped) after 0.728608 seconds from start"},
        new Object[] {SourceKind.PHP_FPM, null, "Dec 26 14:03:01 server php-fpm8.2[20811]: [ERROR] [pool www] child 22109, script '/a.php' (request: \"GET /a.php\") execution timed out (30.000001 sec), terminating"},
        new Object[] {SourceKind.PHP_FPM_SLOW, null, "[26-Dec-2025 14:01:22]  [pool www] pid 22031\nscript_filename = /var/www/index.php\n[0x00007f4c8b8f2a30] curl_exec() /var/www/wp-content/plugins/p/cURL.php:204\n[0x00007f4c8b8f28a0] ???() unknown:0\n+++ dump failed"},
        new Object[] {SourceKind.PHP_FPM_ACCESS, FpmParsersTest.SEED, "2026-11-21T10:45:53Z GET 200 0.568 ms 2048 kB 0.00% /wp-admin/admin-ajax.php?action=heartbeat"},
        new Object[] {SourceKind.PHP_FPM_ACCESS, null, "172.20.0.2 -  28/May/2018:10:31:15 +0000 \"GET /index.php\" 200"},
        new Object[] {SourceKind.KERN, null, "Nov 23 14:21:04 example kernel: [39307.319171] php5-fpm[7578]: segfault at 21 ip 00007f3897bbd094 sp 00007fff8ed6fb08 error 6 in libc-2.19.so[7f3897b30000+1bb000]"},
        new Object[] {SourceKind.KERN, null, "[ 1171.795551][ T9694] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/x,task=php-fpm,pid=1,uid=33"},
        new Object[] {SourceKind.KERN, null, "[Sat Oct  9 12:17:39 2021] Out of memory: Killed process 1 (a (b) c) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB, UID:0 pgtables:1kB oom_score_adj:0"});

    static final ParseContext CTX = new ParseContext(ZoneId.of("Europe/Berlin"), 1_700_000_000_000L, 0);

    private static void check(SourceKind kind, String format, String input, String what) {
        ParseOutcome o;
        try {
            o = Parsers.forKind(kind, format).parse(input, CTX);
        } catch (Throwable t) {
            throw new AssertionError(kind + " threw on " + what + " (seed " + SEED + "): " + abbreviate(input), t);
        }
        assertNotNull(o, what);
        if (o instanceof ParseOutcome.Failed) {
            String r = ((ParseOutcome.Failed) o).reason();
            assertFalse(r == null || r.isBlank(), "empty reason for " + what);
            assertFalse(r.contains("parser error"), kind + " hit an internal error on " + what + ": " + r + " input: " + abbreviate(input));
        } else {
            ParseOutcome.Parsed p = (ParseOutcome.Parsed) o;
            assertNotNull(p.fields(), what);
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    @Test
    void randomBytesDecodedWithReplacement() {
        Random r = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(200)];
            r.nextBytes(b);
            String s = new String(b, StandardCharsets.UTF_8);
            for (SourceKind k : SourceKind.values()) {
                check(k, null, s, "random bytes #" + i);
            }
        }
    }

    @Test
    void everyTruncationAndRandomMutationOfValidLines() {
        Random r = new Random(SEED);
        String alphabet = "[]()\"'/:,.-* \n0123456789abcdefZT+#%?=\\\u00e9\ufffd";
        for (Object[] v : VALID) {
            SourceKind k = (SourceKind) v[0];
            String fmt = (String) v[1];
            String line = (String) v[2];
            check(k, fmt, line, "the valid line");
            assertTrue(Parsers.forKind(k, fmt).parse(line, CTX) instanceof ParseOutcome.Parsed, "valid line parses: " + line);
            for (int cut = 0; cut <= line.length(); cut++) {
                check(k, fmt, line.substring(0, cut), "truncation at " + cut);
                check(k, fmt, line.substring(cut), "prefix cut at " + cut);
            }
            for (int i = 0; i < 3_000; i++) {
                StringBuilder b = new StringBuilder(line);
                int edits = 1 + r.nextInt(4);
                for (int e = 0; e < edits && b.length() > 0; e++) {
                    int at = r.nextInt(b.length());
                    switch (r.nextInt(3)) {
                        case 0 -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                        case 1 -> b.deleteCharAt(at);
                        default -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    }
                }
                check(k, fmt, b.toString(), "mutation #" + i);
            }
        }
    }

    @Test
    void oneMebibyteLineAndInvalidUtf8() {
        StringBuilder big = new StringBuilder(1 << 20);
        big.append("2025/12/26 14:03:10 [error] 1#1: *1 FastCGI sent in stderr: \"");
        Random r = new Random(SEED);
        while (big.length() < (1 << 20)) {
            big.append((char) ('a' + r.nextInt(26)));
            if (r.nextInt(50) == 0) {
                big.append(", client: ");
            }
        }
        String s = big.toString();
        byte[] bad = {(byte) 0xff, (byte) 0xfe, 'x', (byte) 0xc3, '[', (byte) 0xe2, (byte) 0x82};
        String invalid = "2025/12/26 14:03:10 [error] 1#1: " + new String(bad, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        for (Object[] v : VALID) {
            SourceKind k = (SourceKind) v[0];
            check(k, (String) v[1], s, "1 MiB line");
            check(k, (String) v[1], invalid, "invalid UTF-8");
            check(k, (String) v[1], (String) v[2] + s, "valid line + 1 MiB");
        }
        if (System.nanoTime() - start > 20_000_000_000L) {
            fail("1 MiB lines took over 20 s: a scan is quadratic");
        }
        assertTrue(Parsers.forKind(SourceKind.NGINX_ERROR, null).parse(invalid, CTX) instanceof ParseOutcome.Parsed);
    }

    @Test
    void nullInputIsADeadLetter() {
        for (Object[] v : VALID) {
            check((SourceKind) v[0], (String) v[1], null, "null");
        }
    }
}
