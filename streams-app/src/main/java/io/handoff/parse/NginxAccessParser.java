package io.handoff.parse;

import io.handoff.avro.NginxAccessFields;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * nginx access log, read with the host's {@code log_format}. The format is compiled into literals
 * and variables; a variable's value runs up to the next occurrence of the literal that follows it
 * ({@code $time_local} has a fixed width), the last one to the end of the line. Text after the last
 * literal of the format (e.g. the {@code "2.75"} compression ratio some configs append) is kept in
 * {@code other} under {@code _trailing} instead of failing the line.
 *
 * <p>Event time comes from {@code $time_local}, {@code $time_iso8601} or {@code $msec}, whichever
 * the format has first; a format without one is refused at compile time.
 */
final class NginxAccessParser implements LineParser {
    static final String WHAT = "nginx access line";
    static final String TRAILING = "_trailing";

    private static final int LITERAL = 0;
    private static final int OTHER = 1;
    private static final int REMOTE_ADDR = 2;
    private static final int REMOTE_USER = 3;
    private static final int REQUEST = 4;
    private static final int STATUS = 5;
    private static final int BODY_BYTES_SENT = 6;
    private static final int BYTES_SENT = 7;
    private static final int HTTP_REFERER = 8;
    private static final int HTTP_USER_AGENT = 9;
    private static final int HTTP_X_FORWARDED_FOR = 10;
    private static final int REQUEST_TIME = 11;
    private static final int REQUEST_ID = 12;
    private static final int UPSTREAM_ADDR = 13;
    private static final int UPSTREAM_STATUS = 14;
    private static final int UPSTREAM_RESPONSE_TIME = 15;
    private static final int UPSTREAM_CONNECT_TIME = 16;
    private static final int UPSTREAM_HEADER_TIME = 17;
    private static final int TIME_LOCAL = 18;
    private static final int TIME_ISO8601 = 19;
    private static final int MSEC = 20;

    private static final Map<String, Integer> KNOWN = new HashMap<>();

    static {
        KNOWN.put("remote_addr", REMOTE_ADDR);
        KNOWN.put("remote_user", REMOTE_USER);
        KNOWN.put("request", REQUEST);
        KNOWN.put("status", STATUS);
        KNOWN.put("body_bytes_sent", BODY_BYTES_SENT);
        KNOWN.put("bytes_sent", BYTES_SENT);
        KNOWN.put("http_referer", HTTP_REFERER);
        KNOWN.put("http_user_agent", HTTP_USER_AGENT);
        KNOWN.put("http_x_forwarded_for", HTTP_X_FORWARDED_FOR);
        KNOWN.put("request_time", REQUEST_TIME);
        KNOWN.put("request_id", REQUEST_ID);
        KNOWN.put("upstream_addr", UPSTREAM_ADDR);
        KNOWN.put("upstream_status", UPSTREAM_STATUS);
        KNOWN.put("upstream_response_time", UPSTREAM_RESPONSE_TIME);
        KNOWN.put("upstream_connect_time", UPSTREAM_CONNECT_TIME);
        KNOWN.put("upstream_header_time", UPSTREAM_HEADER_TIME);
        KNOWN.put("time_local", TIME_LOCAL);
        KNOWN.put("time_iso8601", TIME_ISO8601);
        KNOWN.put("msec", MSEC);
    }

    private final String format;
    private final int[] kinds;
    private final String[] texts;
    /** Index of the segment that gives the event time. */
    private final int timeSegment;

    NginxAccessParser(String format) {
        if (format == null || format.isEmpty()) {
            throw new IllegalArgumentException("nginx log_format is empty: expected a format such as " + Parsers.NGINX_COMBINED);
        }
        this.format = format;
        List<Integer> k = new ArrayList<>();
        List<String> t = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int n = format.length();
        int i = 0;
        while (i < n) {
            char c = format.charAt(i);
            if (c == '$' && i + 1 < n && (nameChar(format.charAt(i + 1)) || format.charAt(i + 1) == '{')) {
                int from;
                int to;
                int next;
                if (format.charAt(i + 1) == '{') {
                    from = i + 2;
                    to = format.indexOf('}', from);
                    if (to < 0) {
                        throw new IllegalArgumentException("nginx log_format: '${' at column " + (i + 1)
                                + " is not closed: expected '${name}'");
                    }
                    next = to + 1;
                } else {
                    from = i + 1;
                    to = from;
                    while (to < n && nameChar(format.charAt(to))) {
                        to++;
                    }
                    next = to;
                }
                String name = format.substring(from, to);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("nginx log_format: empty variable name at column " + (i + 1));
                }
                if (lit.length() > 0) {
                    k.add(LITERAL);
                    t.add(lit.toString());
                    lit.setLength(0);
                } else if (!k.isEmpty() && k.get(k.size() - 1) != LITERAL) {
                    throw new IllegalArgumentException("nginx log_format: $" + t.get(t.size() - 1) + " and $" + name
                            + " have no text between them at column " + (i + 1)
                            + ": expected a separator so their values can be told apart");
                }
                k.add(KNOWN.getOrDefault(name, OTHER));
                t.add(name);
                i = next;
            } else {
                lit.append(c);
                i++;
            }
        }
        if (lit.length() > 0) {
            k.add(LITERAL);
            t.add(lit.toString());
        }
        int time = -1;
        for (int j = 0; j < k.size() && time < 0; j++) {
            int kind = k.get(j);
            if (kind == TIME_LOCAL || kind == TIME_ISO8601 || kind == MSEC) {
                time = j;
            }
        }
        if (time < 0) {
            throw new IllegalArgumentException("nginx log_format has no time variable: expected $time_local, "
                    + "$time_iso8601 or $msec so each line has an event time (format: " + format + ")");
        }
        this.kinds = k.stream().mapToInt(Integer::intValue).toArray();
        this.texts = t.toArray(new String[0]);
        this.timeSegment = time;
    }

    private static boolean nameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    String format() {
        return format;
    }

    @Override
    public ParseOutcome parse(String s, ParseContext ctx) {
        try {
            return doParse(s);
        } catch (RuntimeException e) {
            return new Failed(WHAT + ": parser error " + e.getClass().getSimpleName() + " (please report this line)");
        }
    }

    private ParseOutcome doParse(String s) {
        if (s == null || s.isEmpty()) {
            return new Failed(WHAT + ": empty");
        }
        int n = s.length();
        NginxAccessFields f = new NginxAccessFields();
        Map<String, String> other = null;
        long ts = Scan.BAD;
        int pos = 0;
        int segs = kinds.length;
        for (int i = 0; i < segs; i++) {
            int kind = kinds[i];
            String text = texts[i];
            if (kind == LITERAL) {
                if (!s.startsWith(text, pos)) {
                    return new Failed(WHAT + ": expected '" + text + "' before the next field at column " + Scan.col(pos)
                            + " (found " + Scan.excerpt(s, pos) + ")");
                }
                pos += text.length();
                continue;
            }
            int end;
            if (kind == TIME_LOCAL && pos + 26 <= n) {
                end = pos + 26;
            } else if (i + 1 < segs) {
                String next = texts[i + 1];
                end = next.length() == 1 ? s.indexOf(next.charAt(0), pos) : s.indexOf(next, pos);
                if (end < 0) {
                    return new Failed(WHAT + ": $" + text + " is not followed by '" + next + "' (from column "
                            + Scan.col(pos) + ")");
                }
            } else {
                end = n;
            }
            if (i == timeSegment) {
                ts = time(kind, s, pos, end);
                if (ts == Scan.BAD) {
                    return new Failed(WHAT + ": $" + text + " is not a valid time at column " + Scan.col(pos)
                            + " (found " + Scan.excerpt(s, pos) + ")");
                }
                pos = end;
                continue;
            }
            String err = set(f, kind, s, pos, end);
            if (err != null) {
                return new Failed(WHAT + ": $" + text + " " + err + " at column " + Scan.col(pos)
                        + " (found " + Scan.excerpt(s, pos) + ")");
            }
            if (kind == OTHER && !(end - pos == 1 && s.charAt(pos) == '-')) {
                if (other == null) {
                    other = new HashMap<>(8);
                }
                other.put(text, s.substring(pos, end));
            }
            pos = end;
        }
        if (pos < n) {
            if (other == null) {
                other = new HashMap<>(4);
            }
            other.put(TRAILING, s.substring(pos));
        }
        f.setOther(other == null ? Map.of() : other);
        return new Parsed(ts, f);
    }

    private static long time(int kind, String s, int from, int to) {
        switch (kind) {
            case TIME_LOCAL:
                return timeLocal(s, from, to);
            case TIME_ISO8601:
                return iso8601(s, from, to);
            default:
                return msec(s, from, to);
        }
    }

    /** {@code 21/Nov/2026:10:45:52 +0000}. */
    static long timeLocal(String s, int p, int to) {
        if (to - p != 26 || s.charAt(p + 2) != '/' || s.charAt(p + 6) != '/' || s.charAt(p + 11) != ':'
                || s.charAt(p + 14) != ':' || s.charAt(p + 17) != ':' || s.charAt(p + 20) != ' ') {
            return Scan.BAD;
        }
        int d = Scan.digits(s, p, p + 2);
        int mo = Scan.month(s, p + 3);
        int y = Scan.digits(s, p + 7, p + 11);
        int h = Scan.digits(s, p + 12, p + 14);
        int mi = Scan.digits(s, p + 15, p + 17);
        int sec = Scan.digits(s, p + 18, p + 20);
        long off = Scan.offset(s, p + 21);
        if (d < 0 || mo < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || off < 0 || Scan.offsetLength(off) != 5) {
            return Scan.BAD;
        }
        return Scan.epochMillis(y, mo, d, h, mi, sec, 0, Scan.offsetSeconds(off));
    }

    /** {@code 2026-11-21T10:45:52+00:00}. */
    static long iso8601(String s, int p, int to) {
        if (to - p < 20 || s.charAt(p + 4) != '-' || s.charAt(p + 7) != '-' || s.charAt(p + 10) != 'T'
                || s.charAt(p + 13) != ':' || s.charAt(p + 16) != ':') {
            return Scan.BAD;
        }
        int y = Scan.digits(s, p, p + 4);
        int mo = Scan.digits(s, p + 5, p + 7);
        int d = Scan.digits(s, p + 8, p + 10);
        int h = Scan.digits(s, p + 11, p + 13);
        int mi = Scan.digits(s, p + 14, p + 16);
        int sec = Scan.digits(s, p + 17, p + 19);
        int q = p + 19;
        int ms = 0;
        if (q < to && (s.charAt(q) == '.' || s.charAt(q) == ',')) {
            int fe = Scan.digitsEnd(s, q + 1);
            ms = Scan.fractionMillis(s, q + 1, fe);
            q = fe;
        }
        long off = Scan.offset(s, q);
        if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0 || off < 0
                || q + Scan.offsetLength(off) != to) {
            return Scan.BAD;
        }
        return Scan.epochMillis(y, mo, d, h, mi, sec, ms, Scan.offsetSeconds(off));
    }

    /** {@code 1732185952.123}. */
    static long msec(String s, int p, int to) {
        int dot = Scan.digitsEnd(s, p);
        long secs = Scan.longOf(s, p, dot);
        if (secs < 0 || secs > 253402300799L) {
            return Scan.BAD;
        }
        int ms = 0;
        if (dot < to) {
            if (s.charAt(dot) != '.' || Scan.digitsEnd(s, dot + 1) != to) {
                return Scan.BAD;
            }
            ms = Scan.fractionMillis(s, dot + 1, to);
            if (ms < 0) {
                return Scan.BAD;
            }
        }
        return secs * 1000 + ms;
    }

    /** Sets one field; returns what was wrong, or null. */
    private static String set(NginxAccessFields f, int kind, String s, int from, int to) {
        boolean dash = to - from == 1 && s.charAt(from) == '-';
        switch (kind) {
            case OTHER:
                return null;
            case REMOTE_ADDR:
                f.setRemoteAddr(dash ? null : s.substring(from, to));
                return null;
            case REMOTE_USER:
                f.setRemoteUser(dash ? null : s.substring(from, to));
                return null;
            case REQUEST:
                if (!dash) {
                    request(f, s, from, to);
                }
                return null;
            case HTTP_REFERER:
                f.setHttpReferer(dash ? null : s.substring(from, to));
                return null;
            case HTTP_USER_AGENT:
                f.setHttpUserAgent(dash ? null : s.substring(from, to));
                return null;
            case HTTP_X_FORWARDED_FOR:
                f.setHttpXForwardedFor(dash ? null : s.substring(from, to));
                return null;
            case REQUEST_ID:
                f.setRequestId(dash ? null : s.substring(from, to));
                return null;
            case STATUS: {
                if (dash) {
                    return null;
                }
                int v = Scan.intOf(s, from, to);
                if (v < 0) {
                    return "is not a status number";
                }
                f.setStatus(v);
                return null;
            }
            case BODY_BYTES_SENT:
            case BYTES_SENT: {
                if (dash) {
                    return null;
                }
                long v = Scan.longOf(s, from, to);
                if (v < 0) {
                    return "is not a byte count";
                }
                if (kind == BODY_BYTES_SENT) {
                    f.setBodyBytesSent(v);
                } else {
                    f.setBytesSent(v);
                }
                return null;
            }
            case REQUEST_TIME: {
                if (dash) {
                    return null;
                }
                double v = Num.decimal(s, from, to);
                if (Double.isNaN(v)) {
                    return "is not a number of seconds";
                }
                f.setRequestTime(v);
                return null;
            }
            case UPSTREAM_ADDR:
                if (!dash) {
                    f.setUpstreamAddr(strings(s, from, to));
                }
                return null;
            case UPSTREAM_STATUS: {
                if (dash) {
                    return null;
                }
                List<Integer> v = ints(s, from, to);
                if (v == null) {
                    return "is not a list of status numbers";
                }
                f.setUpstreamStatus(v);
                return null;
            }
            case UPSTREAM_RESPONSE_TIME:
            case UPSTREAM_CONNECT_TIME:
            case UPSTREAM_HEADER_TIME: {
                if (dash) {
                    return null;
                }
                List<Double> v = doubles(s, from, to);
                if (v == null) {
                    return "is not a list of seconds";
                }
                if (kind == UPSTREAM_RESPONSE_TIME) {
                    f.setUpstreamResponseTime(v);
                } else if (kind == UPSTREAM_CONNECT_TIME) {
                    f.setUpstreamConnectTime(v);
                } else {
                    f.setUpstreamHeaderTime(v);
                }
                return null;
            }
            default:
                // a second time variable: already have the event time, keep it as written
                return null;
        }
    }

    /** {@code GET /a[ ]b HTTP/1.1} → method, uri, protocol; {@code GET /} has no protocol; junk is not split. */
    private static void request(NginxAccessFields f, String s, int from, int to) {
        String req = s.substring(from, to);
        f.setRequest(req);
        int sp = req.indexOf(' ');
        if (sp <= 0) {
            return;
        }
        for (int i = 0; i < sp; i++) {
            char c = req.charAt(i);
            if (c < 'A' || c > 'Z') {
                return;
            }
        }
        f.setMethod(req.substring(0, sp));
        int last = req.lastIndexOf(' ');
        if (last > sp && req.startsWith("HTTP/", last + 1)) {
            f.setUri(req.substring(sp + 1, last));
            f.setProtocol(req.substring(last + 1));
        } else {
            f.setUri(req.substring(sp + 1));
        }
    }

    /** Next list separator ({@code ", "} or {@code " : "}) at or after p, or -1; sets the separator length via return packing. */
    private static int sep(String s, int p, int to) {
        for (int i = p; i + 1 < to; i++) {
            char c = s.charAt(i);
            if (c == ',' && s.charAt(i + 1) == ' ') {
                return i;
            }
            if (c == ' ' && i + 2 < to && s.charAt(i + 1) == ':' && s.charAt(i + 2) == ' ') {
                return i;
            }
        }
        return -1;
    }

    private static int sepLength(String s, int at) {
        return s.charAt(at) == ',' ? 2 : 3;
    }

    private static List<String> strings(String s, int from, int to) {
        List<String> out = new ArrayList<>(2);
        int p = from;
        while (true) {
            int e = sep(s, p, to);
            if (e < 0) {
                out.add(s.substring(p, to));
                return out;
            }
            out.add(s.substring(p, e));
            p = e + sepLength(s, e);
        }
    }

    private static List<Integer> ints(String s, int from, int to) {
        return numbers(s, from, to, (x, a, b) -> {
            int v = Scan.intOf(x, a, b);
            return v < 0 ? null : v;
        });
    }

    private static List<Double> doubles(String s, int from, int to) {
        return numbers(s, from, to, (x, a, b) -> {
            double v = Num.decimal(x, a, b);
            return Double.isNaN(v) ? null : v;
        });
    }

    /** Reads one list element; null when it is not a number. */
    private interface Element<T> {
        T at(String s, int from, int to);
    }

    /**
     * A list such as {@code "502, 502"} or {@code "0.001 : 0.004"}: each element read by {@code element},
     * a {@code -} as a null element; null for the whole list when an element is not a number.
     */
    private static <T> List<T> numbers(String s, int from, int to, Element<T> element) {
        List<T> out = new ArrayList<>(2);
        int p = from;
        while (true) {
            int e = sep(s, p, to);
            int end = e < 0 ? to : e;
            if (end - p == 1 && s.charAt(p) == '-') {
                out.add(null);
            } else {
                T v = element.at(s, p, end);
                if (v == null) {
                    return null;
                }
                out.add(v);
            }
            if (e < 0) {
                return out;
            }
            p = e + sepLength(s, e);
        }
    }
}
