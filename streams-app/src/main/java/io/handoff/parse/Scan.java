package io.handoff.parse;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * Small allocation-free scanning helpers shared by the parsers: fixed-width digits, month names,
 * civil time to epoch milliseconds. Every method returns a sentinel ({@code -1} or
 * {@link #BAD}) instead of throwing.
 */
final class Scan {
    private Scan() {}

    /** Returned by the time helpers when a field is out of range. */
    static final long BAD = Long.MIN_VALUE;

    /** The digits {@code s[from, to)} as a number, or -1 if any is not a digit or the range is outside s. */
    static int digits(String s, int from, int to) {
        if (from < 0 || to > s.length() || from >= to) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** End (exclusive) of the run of digits starting at {@code from}; {@code from} if none. */
    static int digitsEnd(String s, int from) {
        int i = from;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            i++;
        }
        return i;
    }

    /** A run of digits of at most 18 characters as a long; -1 if empty, too long or not digits. */
    static long longOf(String s, int from, int to) {
        if (from < 0 || to > s.length() || from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** A run of at most 9 digits as an int, or -1. */
    static int intOf(String s, int from, int to) {
        return to - from > 9 ? -1 : digits(s, from, to);
    }

    /** Month number 1..12 of the three letters at {@code at} ({@code Jan}…{@code Dec}, any case), or -1. */
    static int month(String s, int at) {
        if (at < 0 || at + 3 > s.length()) {
            return -1;
        }
        int a = s.charAt(at) | 0x20;
        int b = s.charAt(at + 1) | 0x20;
        int c = s.charAt(at + 2) | 0x20;
        switch (a) {
            case 'j':
                if (b == 'a' && c == 'n') return 1;
                if (b == 'u' && c == 'n') return 6;
                if (b == 'u' && c == 'l') return 7;
                return -1;
            case 'f': return b == 'e' && c == 'b' ? 2 : -1;
            case 'm':
                if (b == 'a' && c == 'r') return 3;
                if (b == 'a' && c == 'y') return 5;
                return -1;
            case 'a':
                if (b == 'p' && c == 'r') return 4;
                if (b == 'u' && c == 'g') return 8;
                return -1;
            case 's': return b == 'e' && c == 'p' ? 9 : -1;
            case 'o': return b == 'c' && c == 't' ? 10 : -1;
            case 'n': return b == 'o' && c == 'v' ? 11 : -1;
            case 'd': return b == 'e' && c == 'c' ? 12 : -1;
            default: return -1;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    static long epochDay(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    private static boolean valid(int y, int mo, int d, int h, int mi, int s) {
        if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) {
            return false;
        }
        return d <= daysInMonth(y, mo);
    }

    static int daysInMonth(int y, int m) {
        switch (m) {
            case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
            case 4: case 6: case 9: case 11: return 30;
            default: return 31;
        }
    }

    /** Epoch ms of a civil time at a fixed UTC offset (seconds), or {@link #BAD} if a field is out of range. */
    static long epochMillis(int y, int mo, int d, int h, int mi, int s, int millis, int offsetSeconds) {
        if (!valid(y, mo, d, h, mi, s)) {
            return BAD;
        }
        long secs = epochDay(y, mo, d) * 86400L + h * 3600L + mi * 60L + Math.min(s, 59) - offsetSeconds;
        return secs * 1000L + millis;
    }

    /** Epoch ms of a zone-less civil time read in {@code zone}, or {@link #BAD}. */
    static long epochMillis(int y, int mo, int d, int h, int mi, int s, int millis, ZoneId zone) {
        if (zone instanceof ZoneOffset) {
            return epochMillis(y, mo, d, h, mi, s, millis, ((ZoneOffset) zone).getTotalSeconds());
        }
        if (!valid(y, mo, d, h, mi, s)) {
            return BAD;
        }
        ZoneRules rules = zone.getRules();
        if (rules.isFixedOffset()) {
            return epochMillis(y, mo, d, h, mi, s, millis, rules.getOffset(Instant.EPOCH).getTotalSeconds());
        }
        LocalDateTime ldt = LocalDateTime.of(y, mo, d, h, mi, Math.min(s, 59));
        return epochMillis(y, mo, d, h, mi, s, millis, rules.getOffset(ldt).getTotalSeconds());
    }

    /** Milliseconds of a fraction written as digits {@code s[from, to)} (any precision); -1 if not digits. */
    static int fractionMillis(String s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        int ms = 0;
        int scale = 100;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (scale > 0) {
                ms += (c - '0') * scale;
                scale /= 10;
            }
        }
        return ms;
    }

    /**
     * A numeric UTC offset at {@code at}: {@code +hhmm}, {@code +hh:mm}, {@code +hh}, or {@code Z}.
     * Returns {@code ((seconds + bias) << 8) | length} (see {@link #offsetSeconds}) so the caller learns both, or -1 if none is there.
     */
    static long offset(String s, int at) {
        int n = s.length();
        if (at >= n) {
            return -1;
        }
        char sign = s.charAt(at);
        if (sign == 'Z') {
            return (OFFSET_BIAS << 8) | 1;
        }
        if (sign != '+' && sign != '-') {
            return -1;
        }
        int hh = digits(s, at + 1, at + 3);
        if (hh < 0 || hh > 18) {
            return -1;
        }
        int len = 3;
        int mm = 0;
        if (at + 3 < n && s.charAt(at + 3) == ':') {
            mm = digits(s, at + 4, at + 6);
            len = 6;
        } else if (digits(s, at + 3, at + 5) >= 0) {
            mm = digits(s, at + 3, at + 5);
            len = 5;
        }
        if (mm < 0 || mm > 59) {
            return -1;
        }
        long secs = (hh * 3600L + mm * 60L) * (sign == '-' ? -1 : 1);
        return ((secs + OFFSET_BIAS) << 8) | len;
    }

    /** Keeps packed offsets non-negative so -1 can mean "none". */
    private static final long OFFSET_BIAS = 86400;

    static int offsetSeconds(long packed) {
        return (int) ((packed >> 8) - OFFSET_BIAS);
    }

    static int offsetLength(long packed) {
        return (int) (packed & 0xff);
    }

    /** Up to 40 characters of s from {@code at}, for a reason. */
    static String excerpt(String s, int at) {
        if (at >= s.length()) {
            return "end of line";
        }
        int end = Math.min(s.length(), at + 40);
        int nl = s.indexOf('\n', at);
        if (nl >= 0 && nl < end) {
            end = nl;
        }
        return "'" + s.substring(at, end) + (end < s.length() && s.charAt(end) != '\n' ? "…'" : "'");
    }

    /** Column (1-based) for a reason. */
    static int col(int index) {
        return index + 1;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Year of an epoch-ms instant in UTC (civil_from_days). */
    static int yearOf(long epochMillis) {
        long z = Math.floorDiv(epochMillis, 86400000L) + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long m = mp < 10 ? mp + 3 : mp - 9;
        return (int) (m <= 2 ? y + 1 : y);
    }

    /** Month (1..12) of an epoch-ms instant in UTC. */
    static int monthOf(long epochMillis) {
        long z = Math.floorDiv(epochMillis, 86400000L) + 719468;
        long era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        return (int) (mp < 10 ? mp + 3 : mp - 9);
    }

    /**
     * The year of a syslog stamp, which has none: the context's year, else the current UTC year, or
     * the previous one when the stamp's month is more than a month ahead of now (a December line
     * read in January).
     */
    static int syslogYear(ParseContext ctx, int month) {
        if (ctx.year() > 0) {
            return ctx.year();
        }
        long now = System.currentTimeMillis();
        int y = yearOf(now);
        return month > monthOf(now) + 1 ? y - 1 : y;
    }

    /**
     * A syslog stamp {@code Nov 23 14:21:04} (day space-padded or zero-padded) at {@code at} read in the
     * context's zone; {@link #BAD} if it is not one. It is 15 characters long.
     */
    static long syslogStamp(String s, int at, ParseContext ctx) {
        if (at + 15 > s.length() || s.charAt(at + 3) != ' ' || s.charAt(at + 6) != ' ' || s.charAt(at + 9) != ':'
                || s.charAt(at + 12) != ':') {
            return BAD;
        }
        int mo = month(s, at);
        int d = s.charAt(at + 4) == ' ' ? digits(s, at + 5, at + 6) : digits(s, at + 4, at + 6);
        int h = digits(s, at + 7, at + 9);
        int mi = digits(s, at + 10, at + 12);
        int sec = digits(s, at + 13, at + 15);
        if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) {
            return BAD;
        }
        return epochMillis(syslogYear(ctx, mo), mo, d, h, mi, sec, 0, ctx.zone());
    }

    /**
     * An ISO stamp {@code 2026-11-21T10:39:48[.,fraction][Z|+hh:mm|+hhmm]} at {@code at}; without an
     * offset it is read in the context's zone. Returns the time and stores the end index in {@code end[0]};
     * {@link #BAD} if there is none.
     */
    static long isoStamp(String s, int at, ParseContext ctx, int[] end) {
        if (at + 19 > s.length() || s.charAt(at + 4) != '-' || s.charAt(at + 7) != '-'
                || (s.charAt(at + 10) != 'T' && s.charAt(at + 10) != ' ') || s.charAt(at + 13) != ':'
                || s.charAt(at + 16) != ':') {
            return BAD;
        }
        int y = digits(s, at, at + 4);
        int mo = digits(s, at + 5, at + 7);
        int d = digits(s, at + 8, at + 10);
        int h = digits(s, at + 11, at + 13);
        int mi = digits(s, at + 14, at + 16);
        int sec = digits(s, at + 17, at + 19);
        if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) {
            return BAD;
        }
        int q = at + 19;
        int ms = 0;
        if (q < s.length() && (s.charAt(q) == '.' || s.charAt(q) == ',')) {
            int fe = digitsEnd(s, q + 1);
            ms = fractionMillis(s, q + 1, fe);
            if (ms < 0) {
                return BAD;
            }
            q = fe;
        }
        long off = offset(s, q);
        end[0] = off < 0 ? q : q + offsetLength(off);
        return off < 0 ? epochMillis(y, mo, d, h, mi, sec, ms, ctx.zone())
                : epochMillis(y, mo, d, h, mi, sec, ms, offsetSeconds(off));
    }
}
