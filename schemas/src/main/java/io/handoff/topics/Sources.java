package io.handoff.topics;

import io.handoff.avro.SourceKind;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one mapping between a {@link SourceKind} and its user-facing name. The name is used for the
 * raw topic ({@code handoff.raw.<name>}), the file a host folder holds ({@code <name>.log}) and the
 * {@code --source} flag of {@code handoff parse}.
 */
public final class Sources {
    private Sources() {}

    /** {@code nginx-access}, {@code nginx-error}, {@code php-fpm}, {@code php-fpm-slow}, {@code php-fpm-access}, {@code kern}. */
    public static String name(SourceKind kind) {
        switch (kind) {
            case NGINX_ACCESS: return "nginx-access";
            case NGINX_ERROR: return "nginx-error";
            case PHP_FPM: return "php-fpm";
            case PHP_FPM_SLOW: return "php-fpm-slow";
            case PHP_FPM_ACCESS: return "php-fpm-access";
            case KERN: return "kern";
            default: throw new IllegalArgumentException("unknown source kind " + kind);
        }
    }

    /** The file name a replay folder uses for this source, e.g. {@code nginx-error.log}. */
    public static String fileName(SourceKind kind) {
        return name(kind) + ".log";
    }

    /** Parses a user-facing name; the exception message lists what is accepted. */
    public static SourceKind parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (SourceKind k : SourceKind.values()) {
            if (name(k).equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown source '" + name + "': expected one of " + names());
    }

    /** All names, comma separated, in declaration order. */
    public static String names() {
        return Arrays.stream(SourceKind.values()).map(Sources::name).collect(Collectors.joining(", "));
    }
}
