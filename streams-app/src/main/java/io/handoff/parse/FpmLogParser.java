package io.handoff.parse;

import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

/**
 * PHP-FPM master log, in its two shapes:
 * <ul>
 *   <li>file / stderr: {@code [21-Oct-2014 16:51:54(.micros)] WARNING: [pid N, func(), line N: ][pool www] message};</li>
 *   <li>syslog / journald: {@code Dec 26 14:02:57 host php-fpm8.2[20811]: [WARNING] [func(), line N: ][pool www] message}
 *       (or a {@code 2026-11-21T10:39:48+0000} short-iso stamp instead of the syslog one).</li>
 * </ul>
 * The stamps have no zone and are read in {@link ParseContext#zone()}.
 *
 * <p>Lines that child processes write themselves ({@code NOTICE: PHP message: …}) carry no timestamp at
 * all. A pure line parser cannot give them a truthful event time (borrowing the previous line's time
 * needs state that belongs to the shipper), so they are {@link Failed} with a reason that says so and
 * reach the dead-letter topic, where they are counted rather than lost.
 *
 * <p>An entry of several {@code child N said into stderr: "…} lines (FPM wrapped one long output line;
 * the joiner hands them over joined with {@code \n}) becomes one event whose message is the first
 * line's message with the continuation chunks appended.
 */
final class FpmLogParser implements LineParser {
    static final String WHAT = "PHP-FPM log line";

    @Override
    public ParseOutcome parse(String s, ParseContext ctx) {
        try {
            return doParse(s, ctx == null ? ParseContext.UTC : ctx);
        } catch (RuntimeException e) {
            return new Failed(WHAT + ": parser error " + e.getClass().getSimpleName() + " (please report this line)");
        }
    }

    private static ParseOutcome doParse(String s, ParseContext ctx) {
        if (s == null || s.isEmpty()) {
            return new Failed(WHAT + ": empty");
        }
        int nl = s.indexOf('\n');
        int n = nl < 0 ? s.length() : nl;
        FpmLogFields f = new FpmLogFields();
        long ts;
        int p;
        if (s.charAt(0) == '[') {
            // [21-Oct-2014 16:51:54] or [04-Feb-2023 11:38:39.585518]
            int d = Scan.digits(s, 1, 3);
            int mo = Scan.month(s, 4);
            int y = Scan.digits(s, 8, 12);
            int h = Scan.digits(s, 13, 15);
            int mi = Scan.digits(s, 16, 18);
            int sec = Scan.digits(s, 19, 21);
            if (d < 0 || mo < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || s.charAt(3) != '-' || s.charAt(7) != '-'
                    || s.charAt(12) != ' ' || s.charAt(15) != ':' || s.charAt(18) != ':') {
                return new Failed(WHAT + ": no '[DD-Mon-YYYY HH:MM:SS]' timestamp at column 1 (found " + Scan.excerpt(s, 0) + ")");
            }
            p = 21;
            int ms = 0;
            if (p < n && s.charAt(p) == '.') {
                int fe = Scan.digitsEnd(s, p + 1);
                ms = Scan.fractionMillis(s, p + 1, fe);
                p = fe;
            }
            if (ms < 0 || p + 1 >= n || s.charAt(p) != ']' || s.charAt(p + 1) != ' ') {
                return new Failed(WHAT + ": no ']' closing the timestamp at column " + Scan.col(p) + " (found " + Scan.excerpt(s, p) + ")");
            }
            ts = Scan.epochMillis(y, mo, d, h, mi, sec, ms, ctx.zone());
            if (ts == Scan.BAD) {
                return new Failed(WHAT + ": timestamp out of range at column 1 (found " + Scan.excerpt(s, 0) + ")");
            }
            p += 2;
            int colon = s.indexOf(": ", p);
            String level = colon < 0 ? null : level(s, p, colon);
            if (level == null) {
                return new Failed(WHAT + ": no 'LEVEL: ' (DEBUG, NOTICE, WARNING, ERROR, ALERT) after the timestamp at column "
                        + Scan.col(p) + " (found " + Scan.excerpt(s, p) + ")");
            }
            f.setLevel(level);
            p = colon + 2;
            // debug form: "pid 907689, fpm_init(), line 83: "
            if (s.startsWith("pid ", p)) {
                int pe = Scan.digitsEnd(s, p + 4);
                int pid = Scan.intOf(s, p + 4, pe);
                if (pid >= 0 && s.startsWith(", ", pe)) {
                    int q = debugCall(s, pe + 2, n, f);
                    if (q > 0) {
                        f.setPid(pid);
                        p = q;
                    }
                }
            }
        } else if (level(s, 0, Math.max(0, s.indexOf(": "))) != null) {
            return new Failed(WHAT + ": no timestamp (a line a child process wrote itself, which has no event time)");
        } else {
            // syslog "Dec 26 14:02:57 host ident[pid]: " or short-iso "2026-11-21T10:39:48+0000 host ident[pid]: "
            int after;
            if (Scan.month(s, 0) > 0) {
                ts = Scan.syslogStamp(s, 0, ctx);
                after = 15;
            } else {
                int[] end = new int[1];
                ts = Scan.isoStamp(s, 0, ctx, end);
                after = end[0];
            }
            if (ts == Scan.BAD || after >= n || s.charAt(after) != ' ') {
                return new Failed(WHAT + ": no '[DD-Mon-YYYY HH:MM:SS]', syslog 'Mon DD HH:MM:SS' or ISO timestamp at column 1 (found "
                        + Scan.excerpt(s, 0) + ")");
            }
            int host = s.indexOf(' ', after + 1);
            int identEnd = host < 0 ? -1 : s.indexOf(": ", host + 1);
            if (host < 0 || identEnd < 0) {
                return new Failed(WHAT + ": no 'host ident[pid]: ' after the syslog timestamp at column " + Scan.col(after + 1));
            }
            if (s.charAt(identEnd - 1) == ']') {
                int ob = s.lastIndexOf('[', identEnd - 1);
                int pid = ob > host ? Scan.intOf(s, ob + 1, identEnd - 1) : -1;
                if (pid >= 0) {
                    f.setPid(pid);
                }
            }
            p = identEnd + 2;
            int close = p < n && s.charAt(p) == '[' ? s.indexOf("] ", p) : -1;
            String level = close < 0 ? null : level(s, p + 1, close);
            if (level == null) {
                return new Failed(WHAT + ": no '[LEVEL]' after the syslog ident at column " + Scan.col(p) + " (found "
                        + Scan.excerpt(s, p) + ")");
            }
            f.setLevel(level);
            p = close + 2;
            int q = debugCall(s, p, n, f);
            if (q > 0) {
                p = q;
            }
        }
        if (s.startsWith("[pool ", p)) {
            int close = s.indexOf("] ", p + 6);
            if (close > p + 6 && close < n) {
                f.setPool(s.substring(p + 6, close));
                p = close + 2;
            } else if (n - 1 > p + 6 && s.charAt(n - 1) == ']') {
                f.setPool(s.substring(p + 6, n - 1));
                p = n;
            }
        }
        f.setMessage(message(s, p, n, nl));
        classify(f.getMessage(), f);
        return new Parsed(ts, f);
    }

    /** {@code func(), line 83: } at p; sets function and line and returns the index after it, or -1. */
    private static int debugCall(String s, int p, int n, FpmLogFields f) {
        int paren = s.indexOf("(), line ", p);
        if (paren <= p || paren >= n) {
            return -1;
        }
        for (int i = p; i < paren; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return -1;
            }
        }
        int le = Scan.digitsEnd(s, paren + 9);
        int line = Scan.intOf(s, paren + 9, le);
        if (line < 0 || !s.startsWith(": ", le)) {
            return -1;
        }
        f.setFunction(s.substring(p, paren + 2));
        f.setLine(line);
        return le + 2;
    }

    private static String level(String s, int from, int to) {
        switch (to - from) {
            case 5:
                if (s.startsWith("DEBUG", from)) return "DEBUG";
                if (s.startsWith("ERROR", from)) return "ERROR";
                if (s.startsWith("ALERT", from)) return "ALERT";
                return null;
            case 6:
                return s.startsWith("NOTICE", from) ? "NOTICE" : null;
            case 7:
                return s.startsWith("WARNING", from) ? "WARNING" : null;
            default:
                return null;
        }
    }

    /** The first line's message, with the chunks of wrapped "said into stderr" continuation lines appended. */
    private static String message(String s, int p, int n, int nl) {
        if (nl < 0) {
            return s.substring(p);
        }
        StringBuilder b = new StringBuilder(s.length());
        b.append(s, p, n);
        int from = nl + 1;
        while (from <= s.length()) {
            int e = s.indexOf('\n', from);
            if (e < 0) {
                e = s.length();
            }
            int said = s.indexOf(" said into std", from);
            int colon = said >= 0 && said < e ? s.indexOf(": ", said) : -1;
            if (colon >= 0 && colon < e) {
                int c = colon + 2;
                if (c < e && s.charAt(c) == '"') {
                    c++;
                }
                b.append(s, c, e);
            } else {
                b.append('\n').append(s, from, e);
            }
            from = e + 1;
        }
        return b.toString();
    }

    private static void classify(String m, FpmLogFields f) {
        FpmEventKind kind = FpmEventKind.OTHER;
        if (m.startsWith("child ")) {
            int pe = Scan.digitsEnd(m, 6);
            int child = Scan.intOf(m, 6, pe);
            if (child >= 0) {
                f.setChildPid(child);
                if (m.startsWith(" exited on signal ", pe)) {
                    int se = Scan.digitsEnd(m, pe + 18);
                    int sig = Scan.intOf(m, pe + 18, se);
                    if (sig >= 0) {
                        kind = FpmEventKind.CHILD_EXITED_ON_SIGNAL;
                        f.setSignal(sig);
                        if (m.startsWith(" (", se)) {
                            int close = m.indexOf(')', se + 2);
                            if (close > 0) {
                                int core = m.indexOf(" - core dumped", se + 2);
                                int nameEnd = core >= 0 && core < close ? core : close;
                                f.setSignalName(m.substring(se + 2, nameEnd));
                                f.setCoreDumped(core >= 0 && core < close);
                            }
                        }
                        uptime(m, se, f);
                    }
                } else if (m.startsWith(" exited with code ", pe)) {
                    int ce = Scan.digitsEnd(m, pe + 18);
                    int code = Scan.intOf(m, pe + 18, ce);
                    if (code >= 0) {
                        kind = FpmEventKind.CHILD_EXITED_WITH_CODE;
                        f.setExitCode(code);
                        uptime(m, ce, f);
                    }
                } else if (m.startsWith(" started", pe) && m.length() == pe + 8) {
                    kind = FpmEventKind.CHILD_STARTED;
                } else if (m.startsWith(", script '", pe)) {
                    if (m.endsWith("), logging") && m.contains(" executing too slow (")) {
                        kind = FpmEventKind.EXECUTING_TOO_SLOW;
                        slowRequest(m, pe + 10, " executing too slow (", f);
                    } else if (m.endsWith("), terminating") && m.contains(" execution timed out (")) {
                        kind = FpmEventKind.EXECUTION_TIMED_OUT;
                        slowRequest(m, pe + 10, " execution timed out (", f);
                    }
                } else if (m.startsWith(" said into std", pe)) {
                    kind = FpmEventKind.SAID_INTO_STDERR;
                }
            }
        } else if (m.startsWith("server reached pm.max_children setting (") || m.startsWith("server reached max_children setting (")) {
            kind = FpmEventKind.MAX_CHILDREN_REACHED;
            int open = m.indexOf('(');
            int ne = Scan.digitsEnd(m, open + 1);
            int max = Scan.intOf(m, open + 1, ne);
            if (max >= 0) {
                f.setMaxChildren(max);
            }
        } else if (m.startsWith("seems busy")) {
            kind = FpmEventKind.SEEMS_BUSY;
        } else if (m.startsWith("The maximum number of processes has been reached")) {
            kind = FpmEventKind.PROCESS_MAX_REACHED;
        } else if (m.startsWith("failed processes threshold")) {
            kind = FpmEventKind.FAILED_PROCESSES_THRESHOLD;
        } else if (m.startsWith("Reloading in progress") || m.startsWith("reloading: execvp(")) {
            kind = FpmEventKind.RELOADING;
        } else if (m.startsWith("using inherited socket")) {
            kind = FpmEventKind.INHERITED_SOCKET;
        } else if (m.startsWith("ready to handle connections")) {
            kind = FpmEventKind.READY;
        } else if (m.startsWith("Terminating ...") || m.startsWith("Finishing ...")) {
            kind = FpmEventKind.TERMINATING;
        } else if (m.startsWith("exiting, bye-bye")) {
            kind = FpmEventKind.EXITING;
        } else if (m.startsWith("error log file re-opened") || m.startsWith("access log file re-opened")) {
            kind = FpmEventKind.LOGS_REOPENED;
        }
        f.setKind(kind);
    }

    /** " after 27.934543 seconds from start" at or after {@code from}. */
    private static void uptime(String m, int from, FpmLogFields f) {
        int a = m.indexOf(" after ", from);
        int e = a < 0 ? -1 : m.indexOf(" seconds", a + 7);
        if (e > a + 7) {
            double v = Num.decimal(m, a + 7, e);
            if (!Double.isNaN(v)) {
                f.setUptimeSeconds(v);
            }
        }
    }

    /** {@code /path/index.php' (request: "GET /index.php") executing too slow (61.328249 sec), logging}. */
    private static void slowRequest(String m, int scriptStart, String phrase, FpmLogFields f) {
        int req = m.indexOf("' (request: \"", scriptStart);
        int ph = m.lastIndexOf(phrase);
        if (req >= scriptStart && ph > req) {
            f.setScript(m.substring(scriptStart, req));
            int reqEnd = m.lastIndexOf("\")", ph);
            if (reqEnd >= req + 13) {
                f.setRequest(m.substring(req + 13, reqEnd));
            }
        }
        if (ph >= 0) {
            int ds = ph + phrase.length();
            int de = m.indexOf(" sec)", ds);
            if (de > ds) {
                double v = Num.decimal(m, ds, de);
                if (!Double.isNaN(v)) {
                    f.setDurationSeconds(v);
                }
            }
        }
    }
}
