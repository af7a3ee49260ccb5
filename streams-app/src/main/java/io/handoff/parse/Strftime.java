package io.handoff.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled {@code strftime} pattern, read back: the time part of a PHP-FPM {@code access.format}
 * ({@code %t}, {@code %{…}t}, {@code %T}). Supports {@code %Y %y %m %d %e %H %M %S %b %h %a %A %z %Z %T %F %D %R %s %%};
 * anything else is refused when the format is compiled. A literal {@code Z} in the pattern (as in
 * {@code %Y-%m-%dT%H:%M:%SZ}) means the writer's clock was UTC; otherwise a pattern without {@code %z}
 * is read in the host's zone.
 */
final class Strftime {
    private static final char LIT = 0;

    private final String pattern;
    private final char[] ops;
    private final char[] lits;
    private final boolean utc;

    Strftime(String pattern) {
        this.pattern = pattern;
        List<Character> o = new ArrayList<>();
        List<Character> l = new ArrayList<>();
        boolean z = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%') {
                o.add(LIT);
                l.add(c);
                if (c == 'Z') {
                    z = true;
                }
                continue;
            }
            if (i + 1 >= pattern.length()) {
                throw new IllegalArgumentException("strftime '" + pattern + "' ends with a lone '%': expected a conversion such as %Y");
            }
            char k = pattern.charAt(++i);
            switch (k) {
                case 'T': addAll(o, l, "%H:%M:%S"); break;
                case 'F': addAll(o, l, "%Y-%m-%d"); break;
                case 'D': addAll(o, l, "%m/%d/%y"); break;
                case 'R': addAll(o, l, "%H:%M"); break;
                case '%': o.add(LIT); l.add('%'); break;
                case 'Y': case 'y': case 'm': case 'd': case 'e': case 'H': case 'M': case 'S': case 'b': case 'h':
                case 'a': case 'A': case 'z': case 'Z': case 's':
                    o.add(k == 'h' ? 'b' : k);
                    l.add(LIT);
                    break;
                default:
                    throw new IllegalArgumentException("strftime '" + pattern + "': conversion %" + k
                            + " is not supported; expected %Y %y %m %d %e %H %M %S %b %a %z %Z %T %F %s");
            }
        }
        this.ops = new char[o.size()];
        this.lits = new char[l.size()];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = o.get(i);
            lits[i] = l.get(i);
        }
        this.utc = z;
    }

    private static void addAll(List<Character> o, List<Character> l, String expanded) {
        for (int i = 0; i < expanded.length(); i++) {
            char c = expanded.charAt(i);
            if (c == '%') {
                o.add(expanded.charAt(++i));
                l.add(LIT);
            } else {
                o.add(LIT);
                l.add(c);
            }
        }
    }

    String pattern() {
        return pattern;
    }

    /**
     * Reads a time at {@code p}. Returns epoch ms and stores the end index in {@code end[0]}, or
     * returns {@link Scan#BAD} with the failing index in {@code end[0]}.
     */
    long read(String s, int p, ParseContext ctx, int[] end) {
        int y = 1970;
        int mo = 1;
        int d = 1;
        int h = 0;
        int mi = 0;
        int sec = 0;
        int off = Integer.MIN_VALUE;
        long epoch = -1;
        int n = s.length();
        for (int i = 0; i < ops.length; i++) {
            char op = ops[i];
            int v;
            switch (op) {
                case LIT:
                    if (p >= n || s.charAt(p) != lits[i]) {
                        end[0] = p;
                        return Scan.BAD;
                    }
                    p++;
                    continue;
                case 'Y':
                    v = Scan.digits(s, p, p + 4);
                    y = v;
                    p += 4;
                    break;
                case 'y':
                    v = Scan.digits(s, p, p + 2);
                    y = v < 69 ? 2000 + v : 1900 + v;
                    p += 2;
                    break;
                case 'm':
                    v = mo = Scan.digits(s, p, p + 2);
                    p += 2;
                    break;
                case 'd':
                    v = d = Scan.digits(s, p, p + 2);
                    p += 2;
                    break;
                case 'e':
                    v = d = p < n && s.charAt(p) == ' ' ? Scan.digits(s, p + 1, p + 2) : Scan.digits(s, p, p + 2);
                    p += 2;
                    break;
                case 'H':
                    v = h = Scan.digits(s, p, p + 2);
                    p += 2;
                    break;
                case 'M':
                    v = mi = Scan.digits(s, p, p + 2);
                    p += 2;
                    break;
                case 'S':
                    v = sec = Scan.digits(s, p, p + 2);
                    p += 2;
                    break;
                case 'b':
                    v = mo = Scan.month(s, p);
                    p += 3;
                    break;
                case 'a':
                case 'A': {
                    int q = p;
                    while (q < n && Character.isLetter(s.charAt(q))) {
                        q++;
                    }
                    v = q > p ? 0 : -1;
                    p = q;
                    break;
                }
                case 'z': {
                    long o = Scan.offset(s, p);
                    v = o < 0 || s.charAt(p) == 'Z' ? -1 : 0;
                    if (v == 0) {
                        off = Scan.offsetSeconds(o);
                        p += Scan.offsetLength(o);
                    }
                    break;
                }
                case 'Z': {
                    int q = p;
                    while (q < n && (Character.isLetter(s.charAt(q)) || s.charAt(q) == '/' || s.charAt(q) == '_')) {
                        q++;
                    }
                    v = q > p ? 0 : -1;
                    if (s.startsWith("UTC", p) && q == p + 3 || s.startsWith("GMT", p) && q == p + 3) {
                        off = 0;
                    }
                    p = q;
                    break;
                }
                case 's': {
                    int q = Scan.digitsEnd(s, p);
                    epoch = Scan.longOf(s, p, q);
                    v = epoch < 0 ? -1 : 0;
                    p = q;
                    break;
                }
                default:
                    v = -1;
            }
            if (v < 0) {
                end[0] = p;
                return Scan.BAD;
            }
        }
        end[0] = p;
        if (epoch >= 0) {
            return epoch * 1000;
        }
        if (off != Integer.MIN_VALUE) {
            return Scan.epochMillis(y, mo, d, h, mi, sec, 0, off);
        }
        return utc ? Scan.epochMillis(y, mo, d, h, mi, sec, 0, 0) : Scan.epochMillis(y, mo, d, h, mi, sec, 0, ctx.zone());
    }
}
