package io.handoff.parse;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.SourceKind;
import io.handoff.avro.StackFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FpmParsersTest {
    static final String SEED = "%{%Y-%m-%dT%H:%M:%SZ}t %m %s %{mili}d ms %{kilo}M kB %C%% %r%Q%q";

    private static FpmLogFields log(String line) {
        return P.fields(SourceKind.PHP_FPM, null, line, ParseContext.UTC, FpmLogFields.class);
    }

    @Test
    void childExitedOnSignalWithCoreDump() {
        FpmLogFields f = log("[09-Oct-2021 11:36:59] WARNING: [pool ***removed***.com] child 12430 exited on signal 11 (SIGSEGV - core dumped) after 0.728608 seconds from start");
        assertEquals("WARNING", f.getLevel());
        assertEquals("***removed***.com", f.getPool());
        assertNull(f.getPid());
        assertEquals(FpmEventKind.CHILD_EXITED_ON_SIGNAL, f.getKind());
        assertEquals(12430, f.getChildPid());
        assertEquals(11, f.getSignal());
        assertEquals("SIGSEGV", f.getSignalName());
        assertTrue(f.getCoreDumped());
        assertEquals(0.728608, f.getUptimeSeconds());
        assertEquals("child 12430 exited on signal 11 (SIGSEGV - core dumped) after 0.728608 seconds from start", f.getMessage());
    }

    @Test
    void typedEvents() {
        FpmLogFields code = log("[21-Nov-2026 10:44:54] NOTICE: [pool www] child 9426 exited with code 0 after 41.799216 seconds from start");
        assertEquals(FpmEventKind.CHILD_EXITED_WITH_CODE, code.getKind());
        assertEquals(0, code.getExitCode());
        assertEquals(41.799216, code.getUptimeSeconds());
        assertFalse(code.getCoreDumped());

        FpmLogFields slow = log("[21-Oct-2014 16:52:14] WARNING: [pool o1] child 27423, script '/data/disk/o1/index.php' (request: \"GET /index.php\") executing too slow (61.328249 sec), logging");
        assertEquals(FpmEventKind.EXECUTING_TOO_SLOW, slow.getKind());
        assertEquals(27423, slow.getChildPid());
        assertEquals("/data/disk/o1/index.php", slow.getScript());
        assertEquals("GET /index.php", slow.getRequest());
        assertEquals(61.328249, slow.getDurationSeconds());

        FpmLogFields timeout = log("[21-Oct-2014 16:52:14] WARNING: [pool www] child 27424, script '/var/www/wp-admin/admin-ajax.php' (request: \"POST /wp-admin/admin-ajax.php?action=x\") execution timed out (30.001234 sec), terminating");
        assertEquals(FpmEventKind.EXECUTION_TIMED_OUT, timeout.getKind());
        assertEquals("POST /wp-admin/admin-ajax.php?action=x", timeout.getRequest());
        assertEquals(30.001234, timeout.getDurationSeconds());

        FpmLogFields max = log("[26-Dec-2025 14:02:57] WARNING: [pool www] server reached pm.max_children setting (20), consider raising it");
        assertEquals(FpmEventKind.MAX_CHILDREN_REACHED, max.getKind());
        assertEquals(20, max.getMaxChildren());

        assertEquals(FpmEventKind.CHILD_STARTED, log("[21-Nov-2026 10:46:20] NOTICE: [pool www] child 9799 started").getKind());
        assertEquals(FpmEventKind.RELOADING, log("[21-Nov-2026 00:00:01] NOTICE: Reloading in progress ...").getKind());
        assertEquals(FpmEventKind.INHERITED_SOCKET, log("[27-Jan-2023 09:52:19] NOTICE: using inherited socket fd=8, \"127.0.0.1:9000\"").getKind());
        assertEquals(FpmEventKind.READY, log("[21-Nov-2026 10:45:52] NOTICE: ready to handle connections").getKind());
        assertEquals(FpmEventKind.TERMINATING, log("[09-Jan-2023 13:43:57] NOTICE: Terminating ...").getKind());
        assertEquals(FpmEventKind.EXITING, log("[09-Jan-2023 13:43:57] NOTICE: exiting, bye-bye!").getKind());
        assertEquals(FpmEventKind.SEEMS_BUSY, log("[01-Jan-2026 00:00:00] WARNING: [pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 13 total children").getKind());
        assertEquals(FpmEventKind.PROCESS_MAX_REACHED, log("[01-Jan-2026 00:00:00] WARNING: The maximum number of processes has been reached. Please review your configuration and consider raising 'process.max'").getKind());
        assertEquals(FpmEventKind.FAILED_PROCESSES_THRESHOLD, log("[01-Jan-2026 00:00:00] ALERT: failed processes threshold (10 in 60 sec) is reached, initiating reload").getKind());
        assertEquals(FpmEventKind.LOGS_REOPENED, log("[21-Nov-2026 10:44:54] NOTICE: error log file re-opened").getKind());
        assertEquals(FpmEventKind.OTHER, log("[21-Nov-2026 10:45:52] NOTICE: fpm is running, pid 9773").getKind());
    }

    @Test
    void debugFormWithMicroseconds() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM, null,
                "[04-Feb-2023 12:52:19.585518] WARNING: pid 75057, fpm_pctl_on_socket_accept(), line 518: [pool www] server reached max_children setting (15), consider raising it",
                ParseContext.UTC);
        P.time("2023-02-04T12:52:19.585Z", p);
        FpmLogFields f = (FpmLogFields) p.fields();
        assertEquals(75057, f.getPid());
        assertEquals("fpm_pctl_on_socket_accept()", f.getFunction());
        assertEquals(518, f.getLine());
        assertEquals("www", f.getPool());
        assertEquals(FpmEventKind.MAX_CHILDREN_REACHED, f.getKind());
        assertEquals(15, f.getMaxChildren());
    }

    @Test
    void journaldForm() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM, null,
                "Dec 26 14:03:01 server php-fpm8.2[20811]: [ERROR] [pool www] child 22109 exited on signal 11 (SIGSEGV) after 12.345678 seconds from start",
                new ParseContext(ZoneId.of("UTC"), -1, 2025));
        P.time("2025-12-26T14:03:01Z", p);
        FpmLogFields f = (FpmLogFields) p.fields();
        assertEquals("ERROR", f.getLevel());
        assertEquals(20811, f.getPid());
        assertEquals("www", f.getPool());
        assertEquals(22109, f.getChildPid());
        assertEquals("SIGSEGV", f.getSignalName());
        assertFalse(f.getCoreDumped());
        FpmLogFields iso = P.fields(SourceKind.PHP_FPM, null,
                "2026-11-21T10:39:48+0000 web-06 php-fpm[811]: [NOTICE] fpm_init(), line 83: fpm is running, pid 811", ParseContext.UTC, FpmLogFields.class);
        assertEquals("fpm_init()", iso.getFunction());
        assertEquals(83, iso.getLine());
        assertEquals("fpm is running, pid 811", iso.getMessage());
    }

    @Test
    void wrappedStderrChunksBecomeOneMessage() {
        String entry = "[08-Oct-2017 19:53:50] WARNING: [pool unconfined] child 23183 said into stderr: \"aaaa\", pi\n"
                + "[08-Oct-2017 19:53:50] WARNING: [pool unconfined] child 23183 said into stderr: pe is closed";
        FpmLogFields f = log(entry);
        assertEquals(FpmEventKind.SAID_INTO_STDERR, f.getKind());
        assertEquals(23183, f.getChildPid());
        assertEquals("child 23183 said into stderr: \"aaaa\", pipe is closed", f.getMessage());
        FpmLogFields g = log("[08-Oct-2017 19:53:50] WARNING: [pool www] child 7 said into stderr: \"NOTICE: PHP message: aaa\n"
                + "[08-Oct-2017 19:53:50] WARNING: [pool www] child 7 said into stderr: \"bbb\"");
        assertEquals("child 7 said into stderr: \"NOTICE: PHP message: aaabbb\"", g.getMessage());
    }

    @Test
    void childLinesWithoutTimestampAreDeadLetters() {
        assertEquals("PHP-FPM log line: no timestamp (a line a child process wrote itself, which has no event time)",
                P.failed(SourceKind.PHP_FPM, null, "NOTICE: PHP message: test", ParseContext.UTC));
        assertEquals("PHP-FPM log line: no 'LEVEL: ' (DEBUG, NOTICE, WARNING, ERROR, ALERT) after the timestamp at column 24 (found 'INFO: x')",
                P.failed(SourceKind.PHP_FPM, null, "[21-Nov-2026 10:45:52] INFO: x", ParseContext.UTC));
    }

    @Test
    void slowlogEntry() {
        String entry = "[26-Dec-2025 14:01:22]  [pool www] pid 22031\n"
                + "script_filename = /var/www/example.com/public/index.php\n"
                + "[0x00007f4c8b8f2a30] curl_exec() /var/www/example.com/public/wp-includes/Requests/Transport/cURL.php:204\n"
                + "[0x00007f4c8b8f28a0] request() /var/www/example.com/public/wp-includes/class-wp-http.php:420\n"
                + "[0x00007f4c8b8f1d40] call_external_api() /var/www/example.com/public/wp-content/plugins/some-plugin/api.php:88\n"
                + "[0x00007f4c8b8f1c00] render() /var/www/example.com/public/wp-content/themes/astra/functions.php:12\n"
                + "[0x00007f4c8b8f1b00] [INCLUDE_OR_EVAL]() /var/www/example.com/public/index.php:17\n"
                + "[0x00007f4c8b8f1a00] ???() unknown:0";
        ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM_SLOW, null, entry, ParseContext.of(ZoneId.of("America/New_York")));
        P.time("2025-12-26T19:01:22Z", p);
        FpmSlowFields f = (FpmSlowFields) p.fields();
        assertEquals("www", f.getPool());
        assertEquals(22031, f.getPid());
        assertEquals("/var/www/example.com/public/index.php", f.getScriptFilename());
        assertEquals(6, f.getFrames().size());
        assertEquals(new StackFrame("curl_exec", "/var/www/example.com/public/wp-includes/Requests/Transport/cURL.php", 204), f.getFrames().get(0));
        assertEquals(new StackFrame("[INCLUDE_OR_EVAL]", "/var/www/example.com/public/index.php", 17), f.getFrames().get(4));
        assertEquals(new StackFrame("???", "unknown", 0), f.getFrames().get(5));
        assertEquals("some-plugin", f.getPlugin());
        assertNull(f.getTheme());
        assertEquals(CallCategory.HTTP, f.getCategory());
        assertEquals("curl_exec", f.getBlockingFunction());
        assertFalse(f.getDumpFailed());
    }

    @Test
    void slowlogThemeFirstAndDumpFailed() {
        FpmSlowFields f = P.fields(SourceKind.PHP_FPM_SLOW, null, "\n[21-Nov-2026 10:46:01]  [pool www] pid 9\n"
                + "script_filename = /srv/wp/index.php\n"
                + "[0x00007f0000000010] sleep() /srv/wp/wp-content/themes/astra-child/functions.php:40\n"
                + "[0x00007f0000000020] x() /srv/wp/wp-content/plugins/legacy-widgets/w.php:3\n"
                + "+++ dump failed", ParseContext.UTC, FpmSlowFields.class);
        assertEquals("astra-child", f.getTheme());
        assertNull(f.getPlugin());
        assertEquals(CallCategory.SLEEP, f.getCategory());
        assertTrue(f.getDumpFailed());
        assertEquals(2, f.getFrames().size());
    }

    @ParameterizedTest
    @CsvSource({
        "curl_exec,HTTP", "curl_multi_select,HTTP", "file_get_contents,HTTP", "fsockopen,HTTP", "stream_socket_client,HTTP",
        "SoapClient->__doRequest,HTTP", "SoapClient->__call,HTTP", "fread,OTHER",
        "mysqli_query,DATABASE", "mysqli->query,DATABASE", "mysqli->real_query,DATABASE", "PDO->query,DATABASE",
        "PDOStatement->execute,DATABASE", "mysql_query,DATABASE", "wpdb->query,DATABASE",
        "sleep,SLEEP", "usleep,SLEEP", "time_nanosleep,SLEEP", "App\\Foo->bar,OTHER", "[INCLUDE_OR_EVAL],OTHER",
    })
    void blockingCallCategories(String fn, CallCategory category) {
        assertEquals(category, FpmSlowParser.category(fn));
    }

    /**
     * PHP 8.2's slowlog prints methods without their class, so the kind of wait is read from every frame
     * and the file each was called from (frames as {@code function@file}, innermost first).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // PDOStatement->execute() called from a plugin, and from a database wrapper
        "execute@/srv/wp/wp-content/plugins/post-views-counter/post-views-counter.php;post_views_counter_count@/srv/wp/wp-includes/plugin.php|DATABASE",
        "execute@/srv/app/vendor/doctrine/dbal/src/Connection.php;run@/srv/app/src/Report.php|DATABASE",
        // mysqli through wpdb: query() called from class-wpdb.php, get_results() from a plugin
        "mysqli_query@/srv/wp/wp-includes/class-wpdb.php;query@/srv/wp/wp-includes/class-wpdb.php;get_results@/srv/wp/wp-content/plugins/related-products/related-products.php|DATABASE",
        "query@/srv/wp/wp-includes/class-wpdb.php;get_results@/srv/wp/wp-content/plugins/related-products/related-products.php|DATABASE",
        // a bare query() of WP_Query is no database wait by itself
        "query@/srv/wp/wp-includes/class-wp-query.php;__construct@/srv/wp/wp-content/themes/astra/index.php|OTHER",
        // HTTP: curl and file_get_contents of a URL, and a socket read inside WP_Http
        "curl_exec@/srv/wp/wp-content/plugins/acme-crm-sync/includes/client.php;acme_crm_sync_push@/srv/wp/wp-content/plugins/acme-crm-sync/acme-crm-sync.php|HTTP",
        "file_get_contents@/srv/wp/wp-content/themes/astra-child/functions.php;astra_child_instagram_feed@/srv/wp/wp-content/themes/astra-child/functions.php|HTTP",
        "fread@/srv/wp/wp-includes/class-wp-http-streams.php;request@/srv/wp/wp-includes/class-wp-http.php;wp_remote_get@/srv/wp/wp-content/plugins/x/x.php|HTTP",
        "stream_select@/srv/wp/wp-includes/Requests/Transport/fsockopen.php;request@/srv/wp/wp-includes/class-requests.php|HTTP",
        "preg_match@/srv/wp/wp-content/plugins/x/parse.php;wp_remote_post@/srv/wp/wp-content/plugins/x/x.php|HTTP",
        // sleep wins over the HTTP call that is waiting to retry; CPU work is OTHER
        "usleep@/srv/wp/wp-content/plugins/product-importer/includes/batch.php;product_importer_poll_lock@/srv/wp/wp-content/plugins/product-importer/includes/batch.php|SLEEP",
        "md5@/srv/wp/wp-includes/functions.php;wp_busy_work@/srv/wp/wp-content/themes/astra-child/functions.php|OTHER",
        "[INCLUDE_OR_EVAL]@/srv/wp/wp-settings.php|OTHER",
    })
    void categoryFromAllFrames(String frames, CallCategory category) {
        List<StackFrame> list = new ArrayList<>();
        for (String f : frames.split(";")) {
            String[] p = f.split("@");
            list.add(new StackFrame(p[0], p[1], 1));
        }
        assertEquals(category, FpmSlowParser.category(list), frames);
    }

    @Test
    void slowlogFailures() {
        assertEquals("PHP-FPM slowlog entry: line 3 is not a '[0x…] function() file:line' frame (found 'garbage')",
                P.failed(SourceKind.PHP_FPM_SLOW, null, "[26-Dec-2025 14:01:22]  [pool www] pid 1\nscript_filename = /a.php\ngarbage", ParseContext.UTC));
        assertEquals("PHP-FPM slowlog entry: no '[DD-Mon-YYYY HH:MM:SS]' header at line 1, column 1 (found '[0x00007f4c8b8f2a30] sleep() /a.php:3')",
                P.failed(SourceKind.PHP_FPM_SLOW, null, "[0x00007f4c8b8f2a30] sleep() /a.php:3", ParseContext.UTC));
    }

    @Test
    void seedAccessFormat() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM_ACCESS, SEED,
                "2024-04-25T01:43:53Z GET 404 9069.887 ms 14336 kB 1.43% /foo/bar/baz", ParseContext.of(ZoneId.of("Europe/Paris")));
        P.time("2024-04-25T01:43:53Z", p);
        FpmAccessFields f = (FpmAccessFields) p.fields();
        assertEquals("GET", f.getMethod());
        assertEquals(404, f.getStatus());
        assertEquals(9069.887, f.getDurationMs());
        assertEquals(14336L * 1024, f.getMemoryBytes());
        assertEquals(1.43, f.getCpuPercent());
        assertEquals("/foo/bar/baz", f.getRequestUri());
        assertNull(f.getQueryString());
        assertNull(f.getRemoteAddr());
        assertEquals(Map.of(), f.getOther());
        FpmAccessFields q = P.fields(SourceKind.PHP_FPM_ACCESS, SEED,
                "2026-11-21T10:45:53Z GET 200 0.568 ms 2048 kB 0.00% /wp-admin/admin-ajax.php?action=heartbeat", ParseContext.UTC, FpmAccessFields.class);
        assertEquals("/wp-admin/admin-ajax.php", q.getRequestUri());
        assertEquals("action=heartbeat", q.getQueryString());
        assertEquals(0.0, q.getCpuPercent());
    }

    @Test
    void defaultAccessFormatWithEmptyUser() {
        ParseOutcome.Parsed p = P.parsed(SourceKind.PHP_FPM_ACCESS, null,
                "172.20.0.2 -  28/May/2018:10:31:15 +0200 \"GET /index.php\" 200", ParseContext.UTC);
        P.time("2018-05-28T08:31:15Z", p);
        FpmAccessFields f = (FpmAccessFields) p.fields();
        assertEquals("172.20.0.2", f.getRemoteAddr());
        assertNull(f.getRemoteUser());
        assertEquals("GET", f.getMethod());
        assertEquals("/index.php", f.getRequestUri());
        assertEquals(200, f.getStatus());
    }

    @Test
    void shippedExampleFormatWithUnitsAndEnv() {
        String fmt = "%R - %u %t \"%m %r%Q%q\" %s %f %{seconds}d %{mega}M %C%% %{HTTP_X_REQUEST_ID}e %p %n %l";
        FpmAccessFields f = P.fields(SourceKind.PHP_FPM_ACCESS, fmt,
                "10.0.0.1 - bob 21/Nov/2026:10:00:00 +0000 \"POST /index.php?a=1\" 502 /srv/wp/index.php 30.057 12 97.50% req-42 9911 www 1024",
                ParseContext.UTC, FpmAccessFields.class);
        assertEquals("bob", f.getRemoteUser());
        assertEquals("/index.php", f.getRequestUri());
        assertEquals("a=1", f.getQueryString());
        assertEquals("/srv/wp/index.php", f.getScriptFilename());
        assertEquals(30057.0, f.getDurationMs());
        assertEquals(12L * 1024 * 1024, f.getMemoryBytes());
        assertEquals(97.5, f.getCpuPercent());
        assertEquals(Map.of("{HTTP_X_REQUEST_ID}e", "req-42"), f.getOther());
        assertEquals(9911, f.getPid());
        assertEquals("www", f.getPool());
        assertEquals(1024L, f.getContentLength());
        FpmAccessFields micro = P.fields(SourceKind.PHP_FPM_ACCESS, "%t %{micro}d", "21/Nov/2026:10:00:00 +0000 1500", ParseContext.UTC, FpmAccessFields.class);
        assertEquals(1.5, micro.getDurationMs());
    }

    @Test
    void accessFormatErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Parsers.forKind(SourceKind.PHP_FPM_ACCESS, "%t %x"))
                .getMessage().contains("unknown variable '%x' at column 4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Parsers.forKind(SourceKind.PHP_FPM_ACCESS, "%t %{hours}d"))
                .getMessage().contains("expected seconds, mili, milli or micro"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Parsers.forKind(SourceKind.PHP_FPM_ACCESS, "%m %s"))
                .getMessage().contains("no time variable"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Parsers.forKind(SourceKind.PHP_FPM_ACCESS, "%{%Q}t %s"))
                .getMessage().contains("conversion %Q is not supported"));
        assertEquals("PHP-FPM access line: %s is not a status number at column 26 (found 'abc 1.0 ms 2 kB 0.00% /x')",
                P.failed(SourceKind.PHP_FPM_ACCESS, SEED, "2026-11-21T10:45:53Z GET abc 1.0 ms 2 kB 0.00% /x", ParseContext.UTC));
    }

    @Test
    void stackFrameListIsInnermostFirst() {
        FpmSlowFields f = P.fields(SourceKind.PHP_FPM_SLOW, null, "[26-Dec-2025 14:01:22]  [pool www] pid 1\n"
                + "[0x1] mysqli_query() /srv/wp-includes/class-wpdb.php:2351\n[0x2] wpdb->query() /srv/wp-includes/class-wpdb.php:2265",
                ParseContext.UTC, FpmSlowFields.class);
        assertEquals(List.of("mysqli_query", "wpdb->query"), f.getFrames().stream().map(StackFrame::getFunction).toList());
        assertEquals(CallCategory.DATABASE, f.getCategory());
        assertNull(f.getScriptFilename());
    }
}
