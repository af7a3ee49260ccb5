package io.handoff.parse;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes parsed events as one JSON object each, under the Avro field names (snake_case), with null
 * fields and empty maps left out. Hand-written so {@code handoff parse} streams without building a tree.
 */
final class Json {
    private Json() {}

    /** {@code {"original":…,"timestamp":…,"source":…, fields…}} without a newline. */
    static void event(StringBuilder b, String original, long timestampMillis, String source, IndexedRecord fields) {
        b.append("{\"original\":");
        string(b, original);
        b.append(",\"timestamp\":\"").append(Instant.ofEpochMilli(timestampMillis)).append("\",\"source\":");
        string(b, source);
        fields(b, fields, true);
        b.append('}');
    }

    private static void fields(StringBuilder b, IndexedRecord r, boolean comma) {
        List<Schema.Field> fs = r.getSchema().getFields();
        boolean first = !comma;
        for (Schema.Field f : fs) {
            Object v = r.get(f.pos());
            if (v == null || (v instanceof Map && ((Map<?, ?>) v).isEmpty())) {
                continue;
            }
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, f.name());
            b.append(':');
            value(b, v);
        }
    }

    private static void value(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof CharSequence) {
            string(b, v.toString());
        } else if (v instanceof Double) {
            double d = (Double) v;
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                b.append("null");
            } else {
                b.append(d);
            }
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Enum || v instanceof GenericEnumSymbol) {
            string(b, v.toString());
        } else if (v instanceof IndexedRecord) {
            b.append('{');
            fields(b, (IndexedRecord) v, false);
            b.append('}');
        } else if (v instanceof List) {
            b.append('[');
            boolean first = true;
            for (Object e : (List<?>) v) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                value(b, e);
            }
            b.append(']');
        } else if (v instanceof Map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : new TreeMap<>((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                value(b, e.getValue());
            }
            b.append('}');
        } else {
            string(b, v.toString());
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static void string(StringBuilder b, String s) {
        b.append('"');
        int n = s.length();
        int run = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 && c != 0x2029) {
                continue;
            }
            b.append(s, run, i);
            run = i + 1;
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    b.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
                            .append(HEX[c & 15]);
            }
        }
        b.append(s, run, n);
        b.append('"');
    }
}
