package io.handoff.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a setting's text stands for: how it is read and, when it cannot be, what was expected. One
 * reader per kind of value, so that a duration reads the same from a file, the environment and a flag.
 *
 * @param <T>      the value
 * @param expected what a good text looks like, for the message ("a duration like 500ms, 30s, …")
 * @param reader   the text (trimmed) to the value; null or an exception when the text is not one
 */
public record Type<T>(String expected, Function<String, T> reader) {

    /** Any text, as it is. */
    public static final Type<String> TEXT = new Type<>("a text", s -> s);

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601 {@code PT30S}. */
    public static final Type<Duration> DURATION = new Type<>("a duration like 500ms, 30s, 5m, 1h or PT30S", Type::duration);

    /** A duration, or {@code 0}, {@code off} or {@code none} for no bound ({@link Duration#ZERO}). */
    public static final Type<Duration> DURATION_OR_OFF = new Type<>("a duration like 500ms, 30s, 5m, 1h or PT30S",
            s -> s.equals("0") || s.equalsIgnoreCase("off") || s.equalsIgnoreCase("none") ? Duration.ZERO : duration(s));

    /**
     * A duration as {@code handoff ship} has always read its own: {@link #DURATION}'s texts, and a space
     * before the unit too ({@code 2 s}).
     */
    public static final Type<Duration> SPACED_DURATION = new Type<>("a duration like 200ms, 2s, 5m or 1h",
            s -> duration(s.replaceFirst("^(\\d+)\\s+", "$1")));

    /** A {@link #SPACED_DURATION}, or {@code 0} for never ({@link Duration#ZERO}). */
    public static final Type<Duration> SPACED_DURATION_OR_NEVER = new Type<>("a duration like 200ms, 2s, 5m or 1h,"
            + " or 0 for never", s -> s.equals("0") ? Duration.ZERO : SPACED_DURATION.reader().apply(s));

    public static final Type<ZoneId> ZONE = new Type<>("a time zone like UTC, +02:00 or Europe/Berlin", ZoneId::of);

    public static final Type<Integer> POSITIVE_INT = new Type<>("a positive whole number", s -> {
        int n = Integer.parseInt(s);
        return n > 0 ? n : null;
    });

    /** A share of a whole, 0..1. */
    public static final Type<Double> SHARE = new Type<>("a share between 0 and 1 such as 0.10", s -> {
        double d = Double.parseDouble(s);
        return d >= 0 && d <= 1 ? d : null;
    });

    /** {@code true} or {@code false}, in any case. */
    public static final Type<Boolean> BOOLEAN = new Type<>("true or false", s -> {
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.valueOf(s);
        }
        throw new IllegalArgumentException(s);
    });

    /** {@code 16384}, {@code 16KiB}, {@code 1MiB} (also k/KB/M/MB, binary multiples). */
    public static final Type<Integer> BYTES = new Type<>("a size in bytes like 16384, 16KiB or 1MiB", Type::bytes);

    /** {@code 65536}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB} (also k/KB/M/MB/G/GB and a space before the unit). */
    public static final Type<Long> SIZE = new Type<>("a size like 65536, 512KiB, 64MiB or 1GiB", Type::size);

    public static final Type<Long> POSITIVE_LONG = new Type<>("a positive whole number", s -> {
        long n = Long.parseLong(s);
        return n > 0 ? n : null;
    });

    public static final Type<Integer> PORT = new Type<>("a port number 0..65535", s -> {
        int p = Integer.parseInt(s);
        return p >= 0 && p <= 65535 ? p : null;
    });

    /** An IP address (a name other than {@code localhost} is refused: no lookup decides where to listen). */
    public static final Type<InetAddress> ADDRESS = new Type<>("an IP address such as 127.0.0.1, 0.0.0.0 or ::", s -> {
        if (!s.matches("[0-9A-Fa-f:.]+|localhost")) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    });

    /**
     * The value of {@code text}.
     *
     * @param what the name the message gives the setting ({@code handoff.grace}, {@code --timeout})
     * @throws ConfigException when the text is not one: "WHAT expects EXPECTED, got 'TEXT'"
     */
    public T read(String what, String text) {
        T value = null;
        if (text != null) {
            try {
                value = reader.apply(text.trim());
            } catch (RuntimeException e) {
                value = null;
            }
        }
        if (value == null) {
            throw new ConfigException(what + " expects " + expected + ", got '" + text + "'");
        }
        return value;
    }

    private static Duration duration(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher m = DURATION_TEXT.matcher(s);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return Duration.ofDays(n);
        }
    }

    private static final Pattern DURATION_TEXT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern BYTES_TEXT = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib)?");

    private static final Pattern SIZE_TEXT = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    private static Long size(String v) {
        Matcher m = SIZE_TEXT.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(1).length() > 12) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        int shift = unit.startsWith("k") ? 10 : unit.startsWith("m") ? 20 : unit.startsWith("g") ? 30 : 0;
        return n > 0 ? n << shift : null;
    }

    private static Integer bytes(String v) {
        Matcher m = BYTES_TEXT.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long size = unit.startsWith("k") ? n << 10 : unit.startsWith("m") ? n << 20 : n;
        return size > 0 && size <= Integer.MAX_VALUE ? (int) size : null;
    }
}
