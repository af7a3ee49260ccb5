package io.handoff.parse;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.StackFrame;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One PHP-FPM slowlog entry (the joiner hands it over with its lines joined by {@code \n}):
 * <pre>
 * [26-Dec-2025 14:01:22]  [pool www] pid 22031
 * script_filename = /var/www/index.php
 * [0x00007f4c8b8f2a30] curl_exec() /var/www/wp-includes/Requests/Transport/cURL.php:204
 * …
 * </pre>
 * Frames are innermost first. What the request was blocked in is read from all frames and the files
 * they were called from ({@link #category(List)}); the plugin or theme is the first frame (innermost
 * first) under {@code wp-content/plugins/NAME/} or {@code wp-content/themes/NAME/}. A frame line that does not have the {@code [0x…] fn() file:line}
 * shape fails the entry: a half-read stack would point at the wrong culprit.
 */
final class FpmSlowParser implements LineParser {
    static final String WHAT = "PHP-FPM slowlog entry";

    @Override
    public ParseOutcome parse(String s, ParseContext ctx) {
        try {
            return doParse(s, ctx == null ? ParseContext.UTC : ctx);
        } catch (RuntimeException e) {
            return new Failed(WHAT + ": parser error " + e.getClass().getSimpleName() + " (please report this entry)");
        }
    }

    private static ParseOutcome doParse(String s, ParseContext ctx) {
        if (s == null || s.isBlank()) {
            return new Failed(WHAT + ": empty");
        }
        int p = 0;
        while (p < s.length() && s.charAt(p) == '\n') {
            p++; // the blank line that opens an entry
        }
        int n = s.indexOf('\n', p);
        if (n < 0) {
            n = s.length();
        }
        int d = Scan.digits(s, p + 1, p + 3);
        int mo = Scan.month(s, p + 4);
        int y = Scan.digits(s, p + 8, p + 12);
        int h = Scan.digits(s, p + 13, p + 15);
        int mi = Scan.digits(s, p + 16, p + 18);
        int sec = Scan.digits(s, p + 19, p + 21);
        if (s.charAt(p) != '[' || d < 0 || mo < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || s.charAt(p + 3) != '-'
                || s.charAt(p + 7) != '-' || s.charAt(p + 12) != ' ' || s.charAt(p + 15) != ':' || s.charAt(p + 18) != ':') {
            return new Failed(WHAT + ": no '[DD-Mon-YYYY HH:MM:SS]' header at line 1, column 1 (found " + Scan.excerpt(s, p) + ")");
        }
        int q = p + 21;
        int ms = 0;
        if (q < n && s.charAt(q) == '.') {
            int fe = Scan.digitsEnd(s, q + 1);
            ms = Scan.fractionMillis(s, q + 1, fe);
            q = fe;
        }
        if (ms < 0 || q >= n || s.charAt(q) != ']') {
            return new Failed(WHAT + ": no ']' closing the header timestamp at column " + Scan.col(q - p));
        }
        long ts = Scan.epochMillis(y, mo, d, h, mi, sec, ms, ctx.zone());
        if (ts == Scan.BAD) {
            return new Failed(WHAT + ": header timestamp out of range (found " + Scan.excerpt(s, p) + ")");
        }
        q++;
        while (q < n && s.charAt(q) == ' ') {
            q++;
        }
        int poolEnd = s.startsWith("[pool ", q) ? s.indexOf("] pid ", q + 6) : -1;
        if (poolEnd < 0 || poolEnd > n) {
            return new Failed(WHAT + ": no '[pool NAME] pid N' after the header timestamp at column " + Scan.col(q - p)
                    + " (found " + Scan.excerpt(s, q) + ")");
        }
        int pe = Scan.digitsEnd(s, poolEnd + 6);
        int pid = Scan.intOf(s, poolEnd + 6, pe);
        if (pid < 0 || pe != n) {
            return new Failed(WHAT + ": no worker pid after '[pool NAME] pid ' at column " + Scan.col(poolEnd + 6 - p));
        }
        FpmSlowFields f = new FpmSlowFields();
        f.setPool(s.substring(q + 6, poolEnd));
        f.setPid(pid);
        List<StackFrame> frames = new ArrayList<>(8);
        int lineNo = 1;
        int from = n + 1;
        while (from < s.length()) {
            int e = s.indexOf('\n', from);
            if (e < 0) {
                e = s.length();
            }
            lineNo++;
            if (e == from) {
                from = e + 1;
                continue;
            }
            if (s.startsWith("script_filename = ", from)) {
                f.setScriptFilename(s.substring(from + 18, e));
            } else if (s.startsWith("+++ dump failed", from)) {
                f.setDumpFailed(true);
            } else {
                StackFrame frame = frame(s, from, e);
                if (frame == null) {
                    return new Failed(WHAT + ": line " + lineNo + " is not a '[0x…] function() file:line' frame (found "
                            + Scan.excerpt(s, from) + ")");
                }
                frames.add(frame);
            }
            from = e + 1;
        }
        f.setFrames(frames);
        f.setCategory(category(frames));
        if (!frames.isEmpty()) {
            f.setBlockingFunction(frames.get(0).getFunction());
            for (StackFrame fr : frames) {
                String file = fr.getFile();
                String plugin = wpComponent(file, "/wp-content/plugins/");
                if (plugin != null) {
                    f.setPlugin(plugin);
                    break;
                }
                String theme = wpComponent(file, "/wp-content/themes/");
                if (theme != null) {
                    f.setTheme(theme);
                    break;
                }
            }
        }
        return new Parsed(ts, f);
    }

    /** {@code [0x00007f4c8b8f2a30] curl_exec() /path/file.php:204}, or null. */
    private static StackFrame frame(String s, int from, int to) {
        if (!s.startsWith("[0x", from)) {
            return null;
        }
        int close = s.indexOf("] ", from);
        if (close < 0 || close >= to) {
            return null;
        }
        int fnStart = close + 2;
        int call = s.indexOf("() ", fnStart);
        if (call < fnStart || call >= to) {
            return null;
        }
        int colon = s.lastIndexOf(':', to - 1);
        if (colon <= call + 3) {
            return null;
        }
        int line = Scan.intOf(s, colon + 1, to);
        if (line < 0) {
            return null;
        }
        return new StackFrame(s.substring(fnStart, call), s.substring(call + 3, colon), line);
    }

    /** NAME of {@code …/wp-content/plugins/NAME/…}, or null. */
    static String wpComponent(String file, String marker) {
        int i = file.indexOf(marker);
        if (i < 0) {
            return null;
        }
        int start = i + marker.length();
        int slash = file.indexOf('/', start);
        return slash > start ? file.substring(start, slash) : null;
    }

    /**
     * What a slow request was blocked in, read from all its frames (innermost first), because PHP 8.2's
     * slowlog prints methods without their class ({@code execute()} for {@code PDOStatement->execute}):
     * <ol>
     *   <li>the innermost frame's function when it says so by itself: {@code curl_*}, {@code file_get_contents},
     *       {@code fsockopen}, {@code stream_socket_client}, SOAP and DNS calls (HTTP); {@code mysqli_*},
     *       {@code PDO…}, {@code pg_*}, {@code wpdb…} (DATABASE); {@code sleep}, {@code usleep} (SLEEP);</li>
     *   <li>a bare database verb ({@code execute()}, {@code query()}, {@code prepare()}, {@code fetch*()}, …)
     *       called from a database wrapper or from a plugin or theme; a bare HTTP verb ({@code request()},
     *       {@code post()}, …) called from an HTTP library (WP_Http, Requests, Guzzle);</li>
     *   <li>otherwise (the worker sits in {@code fread()}, {@code stream_select()}, a regex, …) the first
     *       outer frame that is an HTTP or database API: {@code wp_remote_*}, {@code WP_Http}, a call made
     *       from an HTTP library or a database wrapper.</li>
     * </ol>
     * Anything else is OTHER (PHP code, includes, CPU work).
     */
    static CallCategory category(List<StackFrame> frames) {
        if (frames.isEmpty()) {
            return CallCategory.OTHER;
        }
        StackFrame top = frames.get(0);
        CallCategory c = byFunction(top.getFunction());
        if (c == null) {
            c = byCallSite(top.getFunction(), top.getFile(), true);
        }
        for (int i = 1; c == null && i < frames.size(); i++) {
            StackFrame f = frames.get(i);
            c = api(f.getFunction());
            if (c == null) {
                c = byCallSite(f.getFunction(), f.getFile(), false);
            }
        }
        return c == null ? CallCategory.OTHER : c;
    }

    /** The category of one function name alone (the innermost frame's), as written in the slowlog. */
    static CallCategory category(String fn) {
        CallCategory c = byFunction(fn);
        return c == null ? CallCategory.OTHER : c;
    }

    /** A function that says by itself what it waits for, or null. */
    private static CallCategory byFunction(String fn) {
        String f = fn.toLowerCase(Locale.ROOT);
        switch (f) {
            case "sleep":
            case "usleep":
            case "time_nanosleep":
            case "time_sleep_until":
                return CallCategory.SLEEP;
            case "file_get_contents": // a slow read is a URL (or a network filesystem), not a local file
            case "get_headers":
            case "fsockopen":
            case "pfsockopen":
            case "stream_socket_client":
            case "stream_socket_enable_crypto":
            case "socket_connect":
            case "gethostbyname":
            case "gethostbynamel":
            case "dns_get_record":
            case "checkdnsrr":
            case "getmxrr":
            case "__dorequest":
            case "__soapcall":
                return CallCategory.HTTP;
            case "mysql_query":
            case "mysql_connect":
            case "mysql_pconnect":
                return CallCategory.DATABASE;
            default:
                break;
        }
        if (f.startsWith("curl_") || f.startsWith("soapclient->") || f.startsWith("soapclient::")
                || f.startsWith("ftp_")) {
            return CallCategory.HTTP;
        }
        if (f.startsWith("mysqli") || f.startsWith("pdo") || f.startsWith("pg_") || f.startsWith("sqlsrv_")
                || f.startsWith("oci_") || f.startsWith("odbc_") || f.startsWith("db2_") || f.startsWith("wpdb->")
                || f.startsWith("wpdb::") || f.startsWith("sqlite3") || f.startsWith("pgsql\\")) {
            return CallCategory.DATABASE;
        }
        return null;
    }

    /** An outer frame that is an HTTP or database API by its name, or null. */
    private static CallCategory api(String fn) {
        String f = fn.toLowerCase(Locale.ROOT);
        if (f.startsWith("wp_remote_") || f.startsWith("wp_safe_remote_") || f.equals("download_url")
                || f.startsWith("wp_http->") || f.startsWith("requests::") || f.startsWith("guzzlehttp\\")) {
            return CallCategory.HTTP;
        }
        CallCategory c = byFunction(fn);
        return c == CallCategory.SLEEP ? null : c;
    }

    private static final Set<String> DB_VERBS = Set.of("execute", "query", "prepare", "fetch",
            "fetchall", "fetchcolumn", "fetchobject", "fetchassoc", "exec", "real_query", "multi_query", "store_result",
            "next_result", "get_results", "get_var", "get_row", "get_col", "executequery", "executestatement",
            "executecommand", "real_connect", "select_db");
    private static final Set<String> HTTP_VERBS = Set.of("request", "get", "post", "head", "put",
            "patch", "delete", "send", "sendrequest", "request_multiple", "dispatch", "__dorequest", "__soapcall");

    /**
     * A bare method name (PHP 8.2 prints no class) read with the file it was called from: a database verb
     * called from a database wrapper — or, for the innermost frame, from a plugin or theme — is DATABASE;
     * an HTTP verb called from an HTTP library is HTTP.
     */
    private static CallCategory byCallSite(String fn, String file, boolean innermost) {
        String f = fn.toLowerCase(Locale.ROOT);
        String path = file.toLowerCase(Locale.ROOT);
        if (DB_VERBS.contains(f) && (dbWrapper(path) || innermost && (path.contains("/wp-content/plugins/")
                || path.contains("/wp-content/mu-plugins/") || path.contains("/wp-content/themes/")))) {
            return CallCategory.DATABASE;
        }
        if (HTTP_VERBS.contains(f) && httpLibrary(path)) {
            return CallCategory.HTTP;
        }
        return null;
    }

    /** A file of a database layer: wpdb, PDO or mysqli wrappers, ORMs. */
    static boolean dbWrapper(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.contains("wpdb") || name.equals("wp-db.php") || name.contains("mysql") || name.contains("pdo")
                || name.contains("database") || name.startsWith("db.") || name.startsWith("db-") || name.startsWith("class-db")
                || path.contains("/db/") || path.contains("/database/") || path.contains("/dbal/")
                || path.contains("/doctrine/") || path.contains("/eloquent/") || path.contains("/pdo/");
    }

    /** A file of an HTTP client: WordPress' WP_Http and Requests, Guzzle, Symfony HttpClient, SOAP. */
    static boolean httpLibrary(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.startsWith("class-wp-http") || name.startsWith("class-requests") || name.contains("http")
                || name.contains("curl") || name.contains("soap") || path.contains("/requests/")
                || path.contains("/guzzlehttp/") || path.contains("/http-client/") || path.contains("/httpclient/");
    }
}
