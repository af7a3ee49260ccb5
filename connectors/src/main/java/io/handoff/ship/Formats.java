package io.handoff.ship;

import io.handoff.avro.SourceKind;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a host folder's {@code formats.properties} says about its files. Each value may be null.
 *
 * <pre>
 * nginx.access.log_format=$remote_addr - $remote_user [$time_local] "$request" $status …
 * fpm.access.format=%R - %u %t "%m %r" %s
 * timezone=Europe/Berlin
 * fleet=eu-1
 * </pre>
 *
 * Lines are {@code key=value}; {@code #} and {@code !} start comments. Values are taken literally
 * (no {@code java.util.Properties} escapes), so a {@code log_format} may contain backslashes.
 *
 * @param nginxAccessLogFormat the nginx {@code log_format} of {@code nginx-access.log} (→ {@code fields.log_format})
 * @param fpmAccessFormat      the FPM {@code access.format} of {@code php-fpm-access.log} (→ {@code fields.log_format})
 * @param timezone             zone of timestamps without an offset (→ {@code event.timezone})
 * @param fleet                the fleet the host belongs to (→ {@code fields.fleet})
 */
public record Formats(String nginxAccessLogFormat, String fpmAccessFormat, String timezone, String fleet) {
    public static final String FILE_NAME = "formats.properties";
    public static final List<String> KEYS = List.of("nginx.access.log_format", "fpm.access.format", "timezone", "fleet");

    public static final Formats NONE = new Formats(null, null, null, null);

    /** Reads {@code file}; a missing file gives {@link #NONE}. */
    public static Formats load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return NONE;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + ReplaySource.reason(e), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected key=value with one of the keys "
                        + String.join(", ", KEYS) + ", got '" + l + "'");
            }
            String key = l.substring(0, eq).strip();
            String value = l.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": unknown key '" + key
                        + "'; accepted keys: " + String.join(", ", KEYS));
            }
            if (values.containsKey(key)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": key '" + key + "' is set twice");
            }
            values.put(key, value.isEmpty() ? null : value);
        }
        return new Formats(values.get("nginx.access.log_format"), values.get("fpm.access.format"),
                values.get("timezone"), values.get("fleet"));
    }

    /** The {@code fields.log_format} of a source's entries, or null. */
    public String logFormat(SourceKind kind) {
        switch (kind) {
            case NGINX_ACCESS: return nginxAccessLogFormat;
            case PHP_FPM_ACCESS: return fpmAccessFormat;
            default: return null;
        }
    }
}
