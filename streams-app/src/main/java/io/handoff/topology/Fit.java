package io.handoff.topology;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Makes a record fit a size in bytes by cutting what is long in it: every text longer than a bound is cut
 * to it with a {@linkplain #cut marker} saying how long it was, every list longer than a bound keeps its
 * head, and the bounds halve until the record's Avro binary fits. Used where a record would otherwise be
 * too large for the broker: an oversized log entry ({@link ParseProcessor}) and outputs
 * ({@link BoundedSerializer}). Only records that do not fit pay for it; the copy leaves the original as
 * it was.
 */
public final class Fit {
    private Fit() {}

    /** Texts are never cut below this many bytes, lists never below this many elements. */
    static final int MIN_TEXT = 256;
    static final int MIN_LIST = 4;

    /** The marker's shape: {@code " …[cut by handoff: 612345 bytes in all]"}. */
    static final String MARKER_START = " …[cut by handoff: ";

    /**
     * {@code text} if its UTF-8 form has at most {@code maxBytes}, else its head with a marker, the whole
     * at most {@code maxBytes} bytes (never splitting a character).
     */
    public static String cut(String text, int maxBytes) {
        if (text == null || (long) text.length() * 3 <= maxBytes) {
            return text; // even all three-byte characters fit
        }
        int total = utf8Length(text);
        if (total <= maxBytes) {
            return text;
        }
        String marker = MARKER_START + total + " bytes in all]";
        int budget = Math.max(0, maxBytes - utf8Length(marker));
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > budget) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + marker;
    }

    /** Bytes of the UTF-8 form of {@code s}, without encoding it. */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Size of the record's Avro binary encoding (without any wire-format prefix). */
    public static int size(SpecificRecord r) {
        Counter c = new Counter();
        SpecificData data = SpecificData.getForClass(r.getClass());
        SpecificDatumWriter<Object> w = new SpecificDatumWriter<>(r.getSchema(), data);
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(c, null);
        try {
            w.write(r, e);
            e.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return c.n;
    }

    /**
     * {@code r} itself when its Avro binary has at most {@code maxBytes}; else a copy with texts and lists
     * cut until it fits; null when it cannot be made to fit (what remains besides texts and lists is too
     * large).
     */
    public static <T extends SpecificRecord> T toSize(T r, int maxBytes) {
        if (size(r) <= maxBytes) {
            return r;
        }
        @SuppressWarnings("unchecked")
        T copy = (T) SpecificData.getForClass(r.getClass()).deepCopy(r.getSchema(), r);
        Bounds seen = new Bounds(Integer.MAX_VALUE, Integer.MAX_VALUE);
        seen.walk(copy.getSchema(), copy);
        // texts first, halving down to MIN_TEXT; lists only when texts alone cannot make it fit
        int text = seen.longestText;
        int list = seen.longestList;
        boolean cutLists = false;
        for (int round = 0; round < 64; round++) {
            if (text > MIN_TEXT) {
                text = Math.max(MIN_TEXT, text / 2);
            } else if (list > MIN_LIST) {
                cutLists = true;
                list = Math.max(MIN_LIST, list / 2);
            } else {
                return null;
            }
            new Bounds(text, cutLists ? list : Integer.MAX_VALUE).walk(copy.getSchema(), copy);
            if (size(copy) <= maxBytes) {
                return copy;
            }
        }
        return null;
    }

    /** One pass of cutting: texts to {@code text} bytes, lists to {@code list} elements. */
    private static final class Bounds {
        final int text;
        final int list;
        int longestList;
        int longestText;

        Bounds(int text, int list) {
            this.text = text;
            this.list = list;
        }

        Object walk(Schema s, Object v) {
            if (v == null) {
                return null;
            }
            switch (s.getType()) {
                case STRING:
                    if (v instanceof CharSequence cs) {
                        longestText = Math.max(longestText, cs.length() * 3);
                        return cut(cs.toString(), text);
                    }
                    return v;
                case BYTES:
                    if (v instanceof ByteBuffer bb) {
                        longestText = Math.max(longestText, bb.remaining());
                    }
                    if (v instanceof ByteBuffer bb && bb.remaining() > text) {
                        ByteBuffer head = bb.duplicate();
                        head.limit(head.position() + text);
                        return ByteBuffer.wrap(toArray(head));
                    }
                    return v;
                case RECORD:
                    if (v instanceof SpecificRecord rec) {
                        for (Schema.Field f : s.getFields()) {
                            Object before = rec.get(f.pos());
                            Object after = walk(f.schema(), before);
                            if (after != before) {
                                rec.put(f.pos(), after);
                            }
                        }
                    }
                    return v;
                case UNION:
                    int branch = SpecificData.get().resolveUnion(s, v);
                    return walk(s.getTypes().get(branch), v);
                case ARRAY:
                    if (v instanceof List<?> l) {
                        longestList = Math.max(longestList, l.size());
                        List<Object> out = new ArrayList<>(Math.min(l.size(), list));
                        for (int i = 0; i < l.size() && i < list; i++) {
                            out.add(walk(s.getElementType(), l.get(i)));
                        }
                        return out;
                    }
                    return v;
                case MAP:
                    if (v instanceof Map<?, ?> m) {
                        Map<Object, Object> out = new LinkedHashMap<>();
                        m.forEach((k, x) -> out.put(k, walk(s.getValueType(), x)));
                        return out;
                    }
                    return v;
                default:
                    return v;
            }
        }
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static final class Counter extends OutputStream {
        int n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }

    /** For messages: {@code 1048576} → {@code "1,048,576"}. */
    static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
