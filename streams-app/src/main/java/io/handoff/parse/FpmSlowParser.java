package io.handoff.parse;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.StackFrame;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

import java.util.ArrayList;
import java.util.List;

/**
 * One PHP-FPM slowlog entry (the joiner hands it over with its lines joined by {@code \n}):
 * <pre>
 * [26-Dec-2025 14:01:22]  [pool www] pid 22031
 * script_filename = /var/www/index.php
 * [0x00007f4c8b8f2a30] curl_exec() /var/www/wp-includes/Requests/Transport/cURL.php:204
 * …
 * </pre>
 * Frames are innermost first. The blocking call's category is read from the innermost frame; the
 * plugin or theme is the first frame (innermost first) under {@code wp-content/plugins/NAME/} or
 * {@code wp-content/themes/NAME/}. A frame line that does not have the {@code [0x…] fn() file:line}
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
        f.setCategory(CallCategory.OTHER);
        if (!frames.isEmpty()) {
            String fn = frames.get(0).getFunction();
            f.setBlockingFunction(fn);
            f.setCategory(category(fn));
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

    /** What the innermost frame's function blocks in. */
    static CallCategory category(String fn) {
        switch (fn) {
            case "curl_exec":
            case "curl_multi_exec":
            case "curl_multi_select":
            case "file_get_contents":
            case "fsockopen":
            case "pfsockopen":
            case "stream_socket_client":
            case "SoapClient->__doRequest":
            case "SoapClient->__call":
            case "SoapClient->__soapCall":
                return CallCategory.HTTP;
            case "mysql_query":
            case "wpdb->query":
            case "PDOStatement->execute":
            case "mysqli->query":
            case "mysqli->real_query":
            case "mysqli->real_connect":
            case "mysqli->__construct":
            case "mysqli_stmt->execute":
            case "pg_query":
            case "pg_execute":
                return CallCategory.DATABASE;
            case "sleep":
            case "usleep":
            case "time_nanosleep":
            case "time_sleep_until":
                return CallCategory.SLEEP;
            default:
                if (fn.startsWith("mysqli_") || fn.startsWith("PDO->") || fn.startsWith("PDOStatement->")) {
                    return CallCategory.DATABASE;
                }
                return CallCategory.OTHER;
        }
    }
}
