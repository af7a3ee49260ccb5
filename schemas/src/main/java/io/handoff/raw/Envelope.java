package io.handoff.raw;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/**
 * One shipped log entry as it travels on a raw topic: the Filebeat event shape, so that a stock
 * Filebeat, Vector or Fluent Bit feeds handoff unchanged.
 *
 * <pre>{@code
 * {"@timestamp":"2026-11-21T00:00:04.120Z","message":"2026/11/21 00:00:04 [error] …",
 *  "host":{"name":"web-01"},"log":{"file":{"path":"/var/log/nginx/error.log"},"offset":81234,"flags":["multiline"]},
 *  "event":{"timezone":"+00:00"},"fields":{"fleet":"eu-1","log_format":"…"}}
 * }</pre>
 *
 * A value that is not a JSON object is taken as the plain line, with the record key as the host.
 *
 * @param message   the line, or a multi-line entry joined with {@code \n}
 * @param host      {@code host.name}, else the record key
 * @param filePath  {@code log.file.path}, may be null
 * @param offset    {@code log.offset}: byte offset of the entry in the file, -1 when unknown
 * @param shippedAt {@code @timestamp}: when the shipper read the entry (not the event time), may be null
 * @param timezone  {@code event.timezone} ({@code +02:00}, {@code Europe/Berlin}, {@code UTC}), may be null
 * @param fleet     {@code fields.fleet} or {@code labels.fleet} (or {@code …cluster}), may be null
 * @param logFormat {@code fields.log_format}: the nginx {@code log_format} or FPM {@code access.format} of the file, may be null
 * @param multiline whether {@code log.flags} holds {@code multiline}
 */
public record Envelope(String message, String host, String filePath, long offset, Instant shippedAt,
                       String timezone, String fleet, String logFormat, boolean multiline) {

    private static final JsonFactory JSON = new JsonFactory();

    /** The outcome of {@link #decode}: exactly one of {@code envelope} and {@code error} is set. */
    public record Decoded(Envelope envelope, String error) {
        public boolean ok() {
            return envelope != null;
        }
    }

    /** A plain entry with only the fields a shipper always knows. */
    public static Envelope of(String message, String host, String filePath, long offset) {
        return new Envelope(message, host, filePath, offset, null, null, null, null, message.indexOf('\n') >= 0);
    }

    public Envelope withMeta(Instant shippedAt, String timezone, String fleet, String logFormat) {
        return new Envelope(message, host, filePath, offset, shippedAt, timezone, fleet, logFormat, multiline);
    }

    /** Serialises to the Filebeat JSON shape (UTF-8). */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length() + 160);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (shippedAt != null) {
                g.writeStringField("@timestamp", shippedAt.toString());
            }
            g.writeStringField("message", message);
            g.writeObjectFieldStart("host");
            g.writeStringField("name", host);
            g.writeEndObject();
            g.writeObjectFieldStart("log");
            if (filePath != null) {
                g.writeObjectFieldStart("file");
                g.writeStringField("path", filePath);
                g.writeEndObject();
            }
            if (offset >= 0) {
                g.writeNumberField("offset", offset);
            }
            if (multiline) {
                g.writeArrayFieldStart("flags");
                g.writeString("multiline");
                g.writeEndArray();
            }
            g.writeEndObject();
            if (timezone != null) {
                g.writeObjectFieldStart("event");
                g.writeStringField("timezone", timezone);
                g.writeEndObject();
            }
            if (fleet != null || logFormat != null) {
                g.writeObjectFieldStart("fields");
                if (fleet != null) {
                    g.writeStringField("fleet", fleet);
                }
                if (logFormat != null) {
                    g.writeStringField("log_format", logFormat);
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a raw-topic record. Never throws: a value that cannot be used comes back with an error
     * that says what was expected.
     */
    public static Decoded decode(byte[] key, byte[] value) {
        String keyHost = key == null || key.length == 0 ? null : new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            return new Decoded(null, "expected a log line or a shipper JSON event, got a null value (tombstone)");
        }
        int first = 0;
        while (first < value.length && (value[first] == ' ' || value[first] == '\t')) {
            first++;
        }
        if (first >= value.length || value[first] != '{') {
            if (keyHost == null) {
                return new Decoded(null, "plain-text value without a record key: expected the host name as the key");
            }
            String line = new String(value, StandardCharsets.UTF_8);
            return new Decoded(of(stripNewline(line), keyHost, null, -1), null);
        }
        try (JsonParser p = JSON.createParser(value)) {
            return readObject(p, keyHost);
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n", 2)[0];
            return new Decoded(null, "shipper event is not valid JSON: " + msg);
        }
    }

    /**
     * {@code @timestamp} as {@link Instant#parse} reads it, or null where that throws. The shape every shipper
     * writes ({@code 2026-11-21T00:00:04.120Z}: UTC, 0 to 9 digits of fraction) is read here directly, at a
     * fraction of {@code Instant.parse}'s cost per record; anything else (an offset, a leap second, a digit
     * out of range) goes to {@code Instant.parse}.
     */
    static Instant instant(String text) {
        Instant fast = utcInstant(text);
        if (fast != null) {
            return fast;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in range, else null (for the general parser). */
    private static Instant utcInstant(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (s.charAt(19) != '.' || fraction < 1) {
                return null;
            }
            nanos = digits(s, 20, fraction);
            if (nanos < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number in {@code s[from, from + len)}, or -1 where a character is not an ASCII digit. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String stripNewline(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
            end--;
        }
        return end == line.length() ? line : line.substring(0, end);
    }

    private static Decoded readObject(JsonParser p, String keyHost) throws IOException {
        String message = null, host = null, path = null, tz = null, fleet = null, format = null;
        long offset = -1;
        Instant shippedAt = null;
        boolean multiline = false;
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return new Decoded(null, "shipper event: expected a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "message":
                    message = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    break;
                case "@timestamp":
                    if (t == JsonToken.VALUE_STRING) {
                        // the shipper's read time is informative only (the event time comes from the line): unreadable → null
                        shippedAt = instant(p.getText());
                    }
                    break;
                case "host":
                    if (t == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if ((f.equals("name") || (f.equals("hostname") && host == null)) && v == JsonToken.VALUE_STRING) {
                                host = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else if (t == JsonToken.VALUE_STRING) {
                        host = p.getText();
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "log":
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        break;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if (f.equals("offset") && v.isNumeric()) {
                            offset = p.getLongValue();
                        } else if (f.equals("file") && v == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String ff = p.currentName();
                                JsonToken vv = p.nextToken();
                                if (ff.equals("path") && vv == JsonToken.VALUE_STRING) {
                                    path = p.getText();
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else if (f.equals("flags") && v == JsonToken.START_ARRAY) {
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                if ("multiline".equals(p.getText())) {
                                    multiline = true;
                                }
                                p.skipChildren();
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    break;
                case "event":
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        break;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if (f.equals("timezone") && v == JsonToken.VALUE_STRING) {
                            tz = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                    break;
                case "fields":
                case "labels":
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        break;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if (v != JsonToken.VALUE_STRING) {
                            p.skipChildren();
                        } else if (f.equals("fleet") || (f.equals("cluster") && fleet == null)) {
                            fleet = p.getText();
                        } else if (f.equals("log_format")) {
                            format = p.getText();
                        }
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        if (message == null) {
            return new Decoded(null, "shipper event: expected a string field 'message'");
        }
        if (host == null) {
            host = keyHost;
        }
        if (host == null || host.isEmpty()) {
            return new Decoded(null, "shipper event: expected 'host.name' or the host as the record key");
        }
        return new Decoded(new Envelope(stripNewline(message), host, path, offset, shippedAt, tz, fleet, format,
                multiline || message.indexOf('\n') >= 0), null);
    }
}
