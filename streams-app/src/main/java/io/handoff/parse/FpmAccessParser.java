package io.handoff.parse;

import io.handoff.avro.FpmAccessFields;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PHP-FPM pool access log, read with the pool's {@code access.format} (default
 * {@code %R - %u %t "%m %r" %s}). The format is compiled into literals and variables; a time
 * variable is read by its strftime pattern, any other variable runs up to the literal that follows
 * it. The only variables that may touch are {@code %r%Q%q} (the URI ends at the {@code ?} that
 * {@code %Q} writes). Durations become milliseconds, memory bytes, whatever unit the format asked for.
 */
final class FpmAccessParser implements LineParser {
    static final String WHAT = "PHP-FPM access line";
    static final String DEFAULT_TIME = "%d/%b/%Y:%H:%M:%S %z";

    private static final int LITERAL = 0;
    private static final int TIME = 1;
    private static final int DURATION = 2;
    private static final int MEMORY = 3;
    private static final int CPU = 4;
    private static final int REMOTE_ADDR = 5;
    private static final int REMOTE_USER = 6;
    private static final int METHOD = 7;
    private static final int STATUS = 8;
    private static final int REQUEST_URI = 9;
    private static final int QUERY_MARK = 10;
    private static final int QUERY = 11;
    private static final int SCRIPT = 12;
    private static final int POOL = 13;
    private static final int PID = 14;
    private static final int CONTENT_LENGTH = 15;
    private static final int OTHER = 16;

    private final int[] kinds;
    /** Literal text, or the key under {@code other} for OTHER. */
    private final String[] texts;
    /** For DURATION: ms per unit; for MEMORY: bytes per unit. */
    private final double[] scale;
    /** For DURATION: the power of ten that turns the written unit into ms. */
    private final int[] shift;
    private final Strftime[] times;
    private final int timeSegment;

    FpmAccessParser(String format) {
        if (format == null || format.isEmpty()) {
            throw new IllegalArgumentException("PHP-FPM access.format is empty: expected e.g. " + Parsers.FPM_ACCESS_DEFAULT);
        }
        List<Integer> k = new ArrayList<>();
        List<String> t = new ArrayList<>();
        List<Double> sc = new ArrayList<>();
        List<Strftime> tm = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int n = format.length();
        int i = 0;
        while (i < n) {
            char c = format.charAt(i);
            if (c != '%') {
                lit.append(c);
                i++;
                continue;
            }
            int at = i;
            if (i + 1 >= n) {
                throw new IllegalArgumentException("access.format ends with a lone '%' at column " + (at + 1)
                        + ": expected a variable such as %s, or %% for a percent sign");
            }
            String arg = null;
            i++;
            if (format.charAt(i) == '{') {
                int close = format.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("access.format: '%{' at column " + (at + 1) + " is not closed: expected '%{arg}X'");
                }
                arg = format.substring(i + 1, close);
                i = close + 1;
                if (i >= n) {
                    throw new IllegalArgumentException("access.format: '%{" + arg + "}' at column " + (at + 1)
                            + " has no variable letter after it");
                }
            }
            char v = format.charAt(i++);
            if (v == '%' && arg == null) {
                lit.append('%');
                continue;
            }
            int kind;
            double s = 1;
            String key = null;
            Strftime time = null;
            switch (v) {
                case 't':
                case 'T':
                    kind = TIME;
                    time = new Strftime(arg == null ? DEFAULT_TIME : arg);
                    break;
                case 'd':
                    kind = DURATION;
                    s = durationScale(arg, at);
                    break;
                case 'M':
                    kind = MEMORY;
                    s = memoryScale(arg, at);
                    break;
                case 'C': kind = CPU; break;
                case 'R': kind = REMOTE_ADDR; break;
                case 'u': kind = REMOTE_USER; break;
                case 'm': kind = METHOD; break;
                case 's': kind = STATUS; break;
                case 'r': kind = REQUEST_URI; break;
                case 'Q': kind = QUERY_MARK; break;
                case 'q': kind = QUERY; break;
                case 'f': kind = SCRIPT; break;
                case 'n': kind = POOL; break;
                case 'p': kind = PID; break;
                case 'l': kind = CONTENT_LENGTH; break;
                case 'P':
                    kind = OTHER;
                    key = "P";
                    break;
                case 'e':
                case 'o':
                    if (arg == null || arg.isEmpty()) {
                        throw new IllegalArgumentException("access.format: %" + v + " at column " + (at + 1)
                                + " needs a name: expected %{NAME}" + v);
                    }
                    kind = OTHER;
                    key = "{" + arg + "}" + v;
                    break;
                default:
                    throw new IllegalArgumentException("access.format: unknown variable '%" + v + "' at column " + (at + 1)
                            + ": expected one of %C %d %e %f %l %m %M %n %o %p %P %q %Q %r %R %s %t %T %u or %%");
            }
            if (lit.length() > 0) {
                k.add(LITERAL);
                t.add(lit.toString());
                sc.add(1.0);
                tm.add(null);
                lit.setLength(0);
            } else if (!k.isEmpty()) {
                int prev = k.get(k.size() - 1);
                boolean ok = (prev == REQUEST_URI && kind == QUERY_MARK) || (prev == QUERY_MARK && kind == QUERY)
                        || prev == TIME;
                if (!ok) {
                    throw new IllegalArgumentException("access.format: variable at column " + (at + 1)
                            + " follows the previous one with no text between them: expected a separator"
                            + " (only %r%Q%q may touch)");
                }
            }
            k.add(kind);
            t.add(key);
            sc.add(s);
            tm.add(time);
        }
        if (lit.length() > 0) {
            k.add(LITERAL);
            t.add(lit.toString());
            sc.add(1.0);
            tm.add(null);
        }
        int time = k.indexOf(TIME);
        if (time < 0) {
            throw new IllegalArgumentException("access.format has no time variable: expected %t or %{strftime}t so each line has an event time");
        }
        this.kinds = k.stream().mapToInt(Integer::intValue).toArray();
        this.texts = t.toArray(new String[0]);
        this.scale = sc.stream().mapToDouble(Double::doubleValue).toArray();
        this.shift = new int[scale.length];
        for (int j = 0; j < kinds.length; j++) {
            if (kinds[j] == DURATION) {
                shift[j] = scale[j] == 1000 ? 3 : scale[j] == 1 ? 0 : -3;
            }
        }
        this.times = tm.toArray(new Strftime[0]);
        this.timeSegment = time;
    }

    private static double durationScale(String arg, int at) {
        if (arg == null || arg.equals("seconds")) {
            return 1000;
        }
        switch (arg) {
            case "mili":
            case "milli":
                return 1;
            case "micro":
                return 0.001;
            default:
                throw new IllegalArgumentException("access.format: %{" + arg + "}d at column " + (at + 1)
                        + ": expected seconds, mili, milli or micro");
        }
    }

    private static double memoryScale(String arg, int at) {
        if (arg == null || arg.equals("bytes")) {
            return 1;
        }
        switch (arg) {
            case "kilo":
                return 1024;
            case "mega":
                return 1024 * 1024;
            default:
                throw new IllegalArgumentException("access.format: %{" + arg + "}M at column " + (at + 1)
                        + ": expected bytes, kilo or mega");
        }
    }

    @Override
    public ParseOutcome parse(String s, ParseContext ctx) {
        try {
            return doParse(s, ctx == null ? ParseContext.UTC : ctx);
        } catch (RuntimeException e) {
            return new Failed(WHAT + ": parser error " + e.getClass().getSimpleName() + " (please report this line)");
        }
    }

    private ParseOutcome doParse(String s, ParseContext ctx) {
        if (s == null || s.isEmpty()) {
            return new Failed(WHAT + ": empty");
        }
        int n = s.length();
        FpmAccessFields f = new FpmAccessFields();
        Map<String, String> other = null;
        long ts = Scan.BAD;
        int[] end = null;
        int pos = 0;
        int segs = kinds.length;
        for (int i = 0; i < segs; i++) {
            int kind = kinds[i];
            if (kind == LITERAL) {
                String text = texts[i];
                if (!s.startsWith(text, pos)) {
                    return new Failed(WHAT + ": expected '" + text + "' at column " + Scan.col(pos) + " (found "
                            + Scan.excerpt(s, pos) + ")");
                }
                pos += text.length();
                continue;
            }
            if (kind == TIME) {
                if (end == null) {
                    end = new int[1];
                }
                long t = times[i].read(s, pos, ctx, end);
                if (t == Scan.BAD) {
                    return new Failed(WHAT + ": expected a time like '" + times[i].pattern() + "' at column "
                            + Scan.col(pos) + " (found " + Scan.excerpt(s, pos) + ")");
                }
                if (i == timeSegment) {
                    ts = t;
                }
                pos = end[0];
                continue;
            }
            if (kind == QUERY_MARK) {
                if (pos < n && s.charAt(pos) == '?') {
                    pos++;
                }
                continue;
            }
            int stop = valueEnd(s, i, pos);
            if (stop < 0) {
                return new Failed(WHAT + ": value at column " + Scan.col(pos) + " is not followed by '" + nextLiteral(i)
                        + "'");
            }
            String err = set(f, kind, scale[i], shift[i], s, pos, stop);
            if (err != null) {
                return new Failed(WHAT + ": " + err + " at column " + Scan.col(pos) + " (found " + Scan.excerpt(s, pos) + ")");
            }
            if (kind == OTHER && !(stop - pos == 1 && s.charAt(pos) == '-')) {
                if (other == null) {
                    other = new HashMap<>(4);
                }
                other.put(texts[i], s.substring(pos, stop));
            }
            pos = stop;
        }
        if (pos != n) {
            return new Failed(WHAT + ": unexpected text after the last field at column " + Scan.col(pos) + " (found "
                    + Scan.excerpt(s, pos) + ")");
        }
        f.setOther(other == null ? Map.of() : other);
        return new Parsed(ts, f);
    }

    private String nextLiteral(int i) {
        for (int j = i + 1; j < kinds.length; j++) {
            if (kinds[j] == LITERAL) {
                return texts[j];
            }
        }
        return "end of line";
    }

    /** Where the value of segment i starting at pos ends, or -1. */
    private int valueEnd(String s, int i, int pos) {
        int j = i + 1;
        int limit;
        // the literal after this variable (or after the %Q%q run that follows %r)
        int lit = j;
        while (lit < kinds.length && kinds[lit] != LITERAL) {
            lit++;
        }
        if (lit < kinds.length) {
            String next = texts[lit];
            limit = next.length() == 1 ? s.indexOf(next.charAt(0), pos) : s.indexOf(next, pos);
            if (limit < 0) {
                return -1;
            }
        } else {
            limit = s.length();
        }
        if (j < kinds.length && kinds[j] == QUERY_MARK) {
            int q = s.indexOf('?', pos);
            return q >= 0 && q < limit ? q : limit;
        }
        return limit;
    }

    private static String set(FpmAccessFields f, int kind, double scale, int shift, String s, int from, int to) {
        boolean dash = to - from == 1 && s.charAt(from) == '-';
        boolean empty = from == to;
        switch (kind) {
            case REMOTE_ADDR:
                f.setRemoteAddr(dash || empty ? null : s.substring(from, to));
                return null;
            case REMOTE_USER:
                f.setRemoteUser(dash || empty ? null : s.substring(from, to));
                return null;
            case METHOD:
                f.setMethod(dash || empty ? null : s.substring(from, to));
                return null;
            case REQUEST_URI:
                f.setRequestUri(dash || empty ? null : s.substring(from, to));
                return null;
            case QUERY:
                f.setQueryString(dash || empty ? null : s.substring(from, to));
                return null;
            case SCRIPT:
                f.setScriptFilename(dash || empty ? null : s.substring(from, to));
                return null;
            case POOL:
                f.setPool(dash || empty ? null : s.substring(from, to));
                return null;
            case STATUS: {
                if (dash || empty) {
                    return null;
                }
                int v = Scan.intOf(s, from, to);
                if (v < 0) {
                    return "%s is not a status number";
                }
                f.setStatus(v);
                return null;
            }
            case PID: {
                if (dash || empty) {
                    return null;
                }
                int v = Scan.intOf(s, from, to);
                if (v < 0) {
                    return "%p is not a pid";
                }
                f.setPid(v);
                return null;
            }
            case CONTENT_LENGTH: {
                if (dash || empty) {
                    return null;
                }
                long v = Scan.longOf(s, from, to);
                if (v < 0) {
                    return "%l is not a byte count";
                }
                f.setContentLength(v);
                return null;
            }
            case DURATION: {
                double v = Num.decimal(s, from, to, shift);
                if (Double.isNaN(v)) {
                    return "%d is not a duration";
                }
                f.setDurationMs(v);
                return null;
            }
            case MEMORY: {
                double v = Num.decimal(s, from, to);
                if (Double.isNaN(v)) {
                    return "%M is not a memory figure";
                }
                f.setMemoryBytes(Math.round(v * scale));
                return null;
            }
            case CPU: {
                double v = Num.decimal(s, from, to);
                if (Double.isNaN(v)) {
                    return "%C is not a CPU percentage";
                }
                f.setCpuPercent(v);
                return null;
            }
            default:
                return null;
        }
    }
}
