package io.handoff.parse;

import io.handoff.avro.NginxErrorFields;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

/**
 * nginx error log: {@code YYYY/MM/DD HH:MM:SS [level] PID#TID: [*CID ]MESSAGE[, client: A][, server: S]
 * [, request: "R"][, subrequest: "U"][, upstream: "X"][, host: "H"][, referrer: "F"]}.
 *
 * <p>The tail is recognised from the last {@code ", client: "} and must run to the end of the entry
 * in nginx's fixed order; otherwise (e.g. a FastCGI message cut at nginx's length limit) the whole
 * text stays in {@code message}. The stamp has no zone: it is read in {@link ParseContext#zone()}.
 */
final class NginxErrorParser implements LineParser {
    static final String WHAT = "nginx error line";

    private static final String[] KEYS = {"client", "server", "request", "subrequest", "upstream", "host", "referrer"};
    private static final boolean[] QUOTED = {false, false, true, true, true, true, true};

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
        int y = Scan.digits(s, 0, 4);
        int mo = Scan.digits(s, 5, 7);
        int d = Scan.digits(s, 8, 10);
        int h = Scan.digits(s, 11, 13);
        int mi = Scan.digits(s, 14, 16);
        int sec = Scan.digits(s, 17, 19);
        if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || s.charAt(4) != '/' || s.charAt(7) != '/'
                || s.charAt(10) != ' ' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return new Failed(WHAT + ": no 'YYYY/MM/DD HH:MM:SS' timestamp at column 1 (found " + Scan.excerpt(s, 0) + ")");
        }
        long ts = Scan.epochMillis(y, mo, d, h, mi, sec, 0, ctx.zone());
        if (ts == Scan.BAD) {
            return new Failed(WHAT + ": timestamp out of range at column 1 (found " + Scan.excerpt(s, 0) + ")");
        }
        int n = s.length();
        if (n < 22 || s.charAt(19) != ' ' || s.charAt(20) != '[') {
            return new Failed(WHAT + ": no '[level]' after the timestamp at column 21 (found " + Scan.excerpt(s, 20) + ")");
        }
        int close = s.indexOf(']', 21);
        String level = close < 0 ? null : level(s, 21, close);
        if (level == null) {
            return new Failed(WHAT + ": no known '[level]' after the timestamp at column 21 (found " + Scan.excerpt(s, 20) + ")");
        }
        int p = close + 1;
        if (p >= n || s.charAt(p) != ' ') {
            return new Failed(WHAT + ": no space after the level at column " + Scan.col(p));
        }
        p++;
        int pidEnd = Scan.digitsEnd(s, p);
        int pid = Scan.intOf(s, p, pidEnd);
        if (pid < 0 || pidEnd >= n || s.charAt(pidEnd) != '#') {
            return new Failed(WHAT + ": no 'PID#TID: ' after the level at column " + Scan.col(p) + " (found " + Scan.excerpt(s, p) + ")");
        }
        int tidEnd = Scan.digitsEnd(s, pidEnd + 1);
        long tid = Scan.longOf(s, pidEnd + 1, tidEnd);
        if (tid < 0 || tidEnd + 1 >= n || s.charAt(tidEnd) != ':' || s.charAt(tidEnd + 1) != ' ') {
            return new Failed(WHAT + ": no 'PID#TID: ' after the level at column " + Scan.col(p) + " (found " + Scan.excerpt(s, p) + ")");
        }
        p = tidEnd + 2;
        NginxErrorFields f = new NginxErrorFields();
        f.setLevel(level);
        f.setPid(pid);
        f.setTid(tid);
        if (p < n && s.charAt(p) == '*') {
            int cidEnd = Scan.digitsEnd(s, p + 1);
            long cid = Scan.longOf(s, p + 1, cidEnd);
            if (cid >= 0 && cidEnd < n && s.charAt(cidEnd) == ' ') {
                f.setConnectionId(cid);
                p = cidEnd + 1;
            }
        }
        int msgStart = p;
        int msgEnd = n;
        int t = s.lastIndexOf(", client: ");
        if (t >= msgStart && tail(s, t, f)) {
            msgEnd = t;
        }
        f.setMessage(s.substring(msgStart, msgEnd));
        derive(s, msgStart, msgEnd, f);
        return new Parsed(ts, f);
    }

    private static String level(String s, int from, int to) {
        switch (to - from) {
            case 4:
                if (s.startsWith("warn", from)) return "warn";
                if (s.startsWith("info", from)) return "info";
                if (s.startsWith("crit", from)) return "crit";
                return null;
            case 5:
                if (s.startsWith("error", from)) return "error";
                if (s.startsWith("debug", from)) return "debug";
                if (s.startsWith("alert", from)) return "alert";
                if (s.startsWith("emerg", from)) return "emerg";
                return null;
            case 6:
                return s.startsWith("notice", from) ? "notice" : null;
            default:
                return null;
        }
    }

    /** Reads the tail starting at {@code ", client: "} into f; false (and f untouched) unless it runs to the end. */
    private static boolean tail(String s, int start, NginxErrorFields f) {
        String[] values = new String[KEYS.length];
        int n = s.length();
        int p = start;
        int k = 0;
        while (p < n) {
            // at ", KEY: "
            int key = -1;
            for (int i = k; i < KEYS.length; i++) {
                String name = KEYS[i];
                if (s.startsWith(name, p + 2) && p + 2 + name.length() + 1 < n && s.charAt(p + 2 + name.length()) == ':'
                        && s.charAt(p + 3 + name.length()) == ' ' && s.charAt(p) == ',' && s.charAt(p + 1) == ' ') {
                    key = i;
                    break;
                }
            }
            if (key < 0) {
                return false;
            }
            int v = p + 4 + KEYS[key].length();
            int end;
            if (QUOTED[key]) {
                if (v >= n || s.charAt(v) != '"') {
                    return false;
                }
                end = closingQuote(s, v + 1, key + 1);
                if (end < 0) {
                    return false;
                }
                values[key] = s.substring(v + 1, end);
                p = end + 1;
            } else {
                end = s.indexOf(", ", v);
                if (end < 0) {
                    end = n;
                }
                values[key] = s.substring(v, end);
                p = end;
            }
            k = key + 1;
        }
        f.setClient(values[0]);
        f.setServer(values[1]);
        f.setRequest(values[2]);
        f.setSubrequest(values[3]);
        f.setUpstream(values[4]);
        f.setHost(values[5]);
        f.setReferrer(values[6]);
        return true;
    }

    /** The quote that closes a tail value: the last character, or one followed by ", KEY: " of a later key. */
    private static int closingQuote(String s, int from, int nextKey) {
        int n = s.length();
        int q = s.indexOf('"', from);
        while (q >= 0) {
            if (q == n - 1) {
                return q;
            }
            if (s.charAt(q + 1) == ',' && q + 2 < n && s.charAt(q + 2) == ' ') {
                for (int i = nextKey; i < KEYS.length; i++) {
                    String name = KEYS[i];
                    int at = q + 3;
                    if (s.startsWith(name, at) && at + name.length() + 1 < n && s.charAt(at + name.length()) == ':'
                            && s.charAt(at + name.length() + 1) == ' ') {
                        return q;
                    }
                }
            }
            q = s.indexOf('"', q + 1);
        }
        return -1;
    }

    /** operation, errno, errno_text, phase and upstream_address from the message (and the upstream tail). */
    private static void derive(String s, int msgStart, int msgEnd, NginxErrorFields f) {
        // The text FastCGI quoted is the application's, not nginx's: derive only from what follows it.
        int region = msgStart;
        if (s.startsWith("FastCGI sent in std", msgStart)) {
            int open = s.indexOf('"', msgStart);
            int last = s.lastIndexOf('"', msgEnd - 1);
            region = open >= 0 && last > open ? last + 1 : msgEnd;
        }
        // operation: the message starts with "name()"
        int i = msgStart;
        while (i < msgEnd) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
                i++;
            } else {
                break;
            }
        }
        if (i > msgStart && i + 1 < msgEnd && s.charAt(i) == '(' && s.charAt(i + 1) == ')') {
            f.setOperation(s.substring(msgStart, i + 2));
            if (s.startsWith(" to ", i + 2)) {
                int failed = s.indexOf(" failed", i + 6);
                if (failed > i + 6 && failed < msgEnd) {
                    f.setUpstreamAddress(s.substring(i + 6, failed));
                }
            }
        }
        // errno: "(N: text)"
        int o = s.indexOf('(', region);
        while (o >= 0 && o < msgEnd) {
            int de = Scan.digitsEnd(s, o + 1);
            if (de > o + 1 && de + 1 < msgEnd && s.charAt(de) == ':' && s.charAt(de + 1) == ' ') {
                int cp = s.indexOf(')', de + 2);
                int errno = Scan.intOf(s, o + 1, de);
                if (cp > de + 2 && cp < msgEnd && errno >= 0) {
                    f.setErrno(errno);
                    f.setErrnoText(s.substring(de + 2, cp));
                    break;
                }
            }
            o = s.indexOf('(', o + 1);
        }
        int w = s.lastIndexOf(" while ", msgEnd - 1);
        if (w >= region && w + 7 < msgEnd) {
            f.setPhase(s.substring(w + 1, msgEnd));
        }
        if (f.getUpstreamAddress() == null && f.getUpstream() != null) {
            f.setUpstreamAddress(upstreamAddress(f.getUpstream()));
        }
    }

    /** {@code fastcgi://unix:/run/php.sock:} → {@code unix:/run/php.sock}; {@code http://10.0.0.1:8080/x} → {@code 10.0.0.1:8080}. */
    static String upstreamAddress(String upstream) {
        int scheme = upstream.indexOf("://");
        int from = scheme < 0 ? 0 : scheme + 3;
        if (upstream.startsWith("unix:", from)) {
            int colon = upstream.indexOf(':', from + 5);
            return colon < 0 ? upstream.substring(from) : upstream.substring(from, colon);
        }
        int slash = upstream.indexOf('/', from);
        return slash < 0 ? upstream.substring(from) : upstream.substring(from, slash);
    }
}
