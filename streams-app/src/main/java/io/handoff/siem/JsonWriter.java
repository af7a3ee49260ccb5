package io.handoff.siem;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.handoff.avro.RootCause;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The small JSON vocabulary shared by handoff's outputs (replay's JSON lines, the ECS mirror). */
public final class JsonWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonWriter() {}

    /** Writes one object's fields. */
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** One JSON object on one line. */
    public static String object(Body body) {
        StringWriter w = new StringWriter(1024);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** ISO-8601 UTC, or null. */
    public static String iso(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
    }

    /** {@code "name": {"502": 9, "504": 1}}, keys sorted. */
    public static void counts(JsonGenerator g, String name, Map<String, Long> counts) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** {@code "contributing_causes": ["…", …]}. */
    public static void causes(JsonGenerator g, List<RootCause> causes) throws IOException {
        g.writeArrayFieldStart("contributing_causes");
        for (RootCause c : causes) {
            g.writeString(c.name());
        }
        g.writeEndArray();
    }

    /** {@code "name": ["…", …]}. */
    public static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
