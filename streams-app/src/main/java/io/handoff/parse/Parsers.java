package io.handoff.parse;

import io.handoff.avro.SourceKind;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The parser of each log source. Parsers are immutable and thread-safe; the two that are
 * configured by a format string (nginx {@code log_format}, PHP-FPM {@code access.format}) are
 * compiled once per distinct string and cached.
 */
public final class Parsers {
    private Parsers() {}

    /** nginx's built-in {@code combined} format (used when no log_format is configured). */
    public static final String NGINX_COMBINED =
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
    /** The {@code main} format of nginx.org packages and Docker images: combined plus X-Forwarded-For. */
    public static final String NGINX_MAIN = NGINX_COMBINED + " \"$http_x_forwarded_for\"";
    /** PHP-FPM's default {@code access.format}. */
    public static final String FPM_ACCESS_DEFAULT = "%R - %u %t \"%m %r\" %s";

    /** Compiled formats kept at most; a fleet has a handful, so reaching this means formats are generated. */
    static final int CACHE_LIMIT = 256;

    private static final LineParser NGINX_ERROR = new NginxErrorParser();
    private static final LineParser FPM_LOG = new FpmLogParser();
    private static final LineParser FPM_SLOW = new FpmSlowParser();
    private static final LineParser KERNEL = new KernelParser();
    private static final ConcurrentHashMap<String, LineParser> NGINX_ACCESS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, LineParser> FPM_ACCESS = new ConcurrentHashMap<>();

    /**
     * The parser of one source.
     *
     * @param kind      the source
     * @param logFormat for {@link SourceKind#NGINX_ACCESS} the nginx {@code log_format} string (or the
     *                  predefined names {@code combined} / {@code main}); for {@link SourceKind#PHP_FPM_ACCESS}
     *                  the pool's {@code access.format}; null for the defaults; ignored for other kinds
     * @throws IllegalArgumentException if the format cannot be compiled; the message says what was expected
     */
    public static LineParser forKind(SourceKind kind, String logFormat) {
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case NGINX_ERROR:
                return NGINX_ERROR;
            case PHP_FPM:
                return FPM_LOG;
            case PHP_FPM_SLOW:
                return FPM_SLOW;
            case KERN:
                return KERNEL;
            case NGINX_ACCESS:
                return cached(NGINX_ACCESS, nginxFormat(logFormat), NginxAccessParser::new);
            case PHP_FPM_ACCESS:
                return cached(FPM_ACCESS, logFormat == null || logFormat.isBlank() ? FPM_ACCESS_DEFAULT : logFormat,
                        FpmAccessParser::new);
            default:
                throw new IllegalArgumentException("no parser for source kind " + kind);
        }
    }

    /** The nginx format a name or string stands for: null/blank/{@code combined} → combined, {@code main} → main. */
    static String nginxFormat(String logFormat) {
        if (logFormat == null || logFormat.isBlank()) {
            return NGINX_COMBINED;
        }
        String f = logFormat.strip();
        if (f.equals("combined")) {
            return NGINX_COMBINED;
        }
        if (f.equals("main")) {
            return NGINX_MAIN;
        }
        return logFormat;
    }

    private static LineParser cached(ConcurrentHashMap<String, LineParser> cache, String format,
                                     Function<String, LineParser> compile) {
        LineParser p = cache.get(format);
        if (p != null) {
            return p;
        }
        p = compile.apply(format); // throws IllegalArgumentException before anything is cached
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        LineParser prev = cache.putIfAbsent(format, p);
        return prev != null ? prev : p;
    }
}
