package io.handoff.app;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The flags and operands of one subcommand. Accepts {@code --name value} and {@code --name=value};
 * {@code --} ends the flags. Every flag must be declared; an unknown one is a usage error that lists
 * the accepted flags.
 */
final class Options {
    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> operands = new ArrayList<>();

    private Options(String command) {
        this.command = command;
    }

    /**
     * @param withValue flags that take a value
     * @param switches  flags that take none
     */
    static Options parse(String command, List<String> args, Set<String> withValue, Set<String> switches) {
        Options o = new Options(command);
        boolean flags = true;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (flags && a.equals("--")) {
                flags = false;
            } else if (flags && a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (switches.contains(name)) {
                    if (value != null) {
                        throw new UsageException(command + ": --" + name + " takes no value");
                    }
                    o.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
                } else if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(command + ": --" + name + " expects a value");
                        }
                        value = args.get(++i);
                    }
                    o.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    List<String> all = new ArrayList<>();
                    withValue.forEach(f -> all.add("--" + f + " VALUE"));
                    switches.forEach(f -> all.add("--" + f));
                    all.sort(null);
                    throw new UsageException(command + ": unknown option --" + name + "; expected one of: "
                            + String.join(", ", all));
                }
            } else if (flags && a.startsWith("-") && a.length() > 1 && !a.equals("-")) {
                if (a.equals("-h")) {
                    o.values.computeIfAbsent("help", k -> new ArrayList<>()).add("true");
                } else {
                    throw new UsageException(command + ": unknown option " + a + " (options are written --name)");
                }
            } else {
                o.operands.add(a);
            }
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    String get(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    List<String> operands() {
        return operands;
    }

    String choice(String name, String fallback, String... allowed) {
        String v = get(name, fallback);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new UsageException(command + ": --" + name + " expects " + String.join(" or ", allowed) + ", got '" + v + "'");
    }

    int positiveInt(String name, int fallback) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new UsageException(command + ": --" + name + " expects a positive whole number, got '" + v + "'");
    }

    Duration duration(String name, Duration fallback) {
        String v = get(name);
        return v == null ? fallback : durationValue(command + ": --" + name, v);
    }

    ZoneId zone(String name, ZoneId fallback) {
        String v = get(name);
        return v == null ? fallback : zoneValue(command + ": --" + name, v);
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d} or ISO-8601 {@code PT30S}. */
    static Duration durationValue(String what, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
            }
            int i = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i > 0) {
                long n = Long.parseLong(s.substring(0, i));
                switch (s.substring(i)) {
                    case "ms": return Duration.ofMillis(n);
                    case "s": return Duration.ofSeconds(n);
                    case "m": return Duration.ofMinutes(n);
                    case "h": return Duration.ofHours(n);
                    case "d": return Duration.ofDays(n);
                    default: break;
                }
            }
        } catch (DateTimeParseException | NumberFormatException ignored) {
            // fall through to the message
        }
        throw new UsageException(what + " expects a duration like 500ms, 30s, 5m, 1h or PT30S, got '" + v + "'");
    }

    static ZoneId zoneValue(String what, String v) {
        try {
            return ZoneId.of(v.trim());
        } catch (RuntimeException e) {
            throw new UsageException(what + " expects a time zone like UTC, +02:00 or Europe/Berlin, got '" + v + "'");
        }
    }
}
