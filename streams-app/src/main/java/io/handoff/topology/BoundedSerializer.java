package io.handoff.topology;

import io.handoff.common.HandoffMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Arrays;
import java.util.Map;

/**
 * Keeps every output under the size the producer and the broker take ({@code max.request.size}, 1 MB by
 * default), so that no record can poison a transaction: an Avro record whose bytes are larger is written
 * again with its long texts cut ({@link Fit#toSize}: evidence lines and originals keep their heads and a
 * marker saying how long they were); a record that still does not fit, or a text output, is refused with
 * {@link TooLarge}, which {@link DeadLetterProductionHandler} turns into a dead letter of its first bytes.
 * Refusing here, before the producer sees the record, is what keeps the transaction intact.
 */
public final class BoundedSerializer<T> implements Serializer<T> {
    /** Room left for the key, headers and the record's framing inside {@code max.request.size}. */
    static final int OVERHEAD = 16 * 1024;
    /** Bytes of the wire format before the Avro body (magic byte and schema id). */
    private static final int PREFIX = 5;

    private final Serializer<T> inner;
    private final int maxBytes;
    private final HandoffMetrics metrics;

    /** @param metrics counts {@code truncated{source=<topic>}} for each output cut to fit; may be null */
    public BoundedSerializer(Serializer<T> inner, int maxBytes, HandoffMetrics metrics) {
        this.inner = inner;
        this.maxBytes = maxBytes;
        this.metrics = metrics;
    }

    /** The largest value for a producer whose {@code max.request.size} is {@code maxRequestSize}. */
    public static int limitFor(int maxRequestSize) {
        return Math.max(64 * 1024, maxRequestSize - OVERHEAD);
    }

    /** An output over the limit, with its size and first bytes for the dead letter. */
    public static final class TooLarge extends SerializationException {
        private static final long serialVersionUID = 1L;
        private final transient byte[] head;
        private final long size;

        TooLarge(String message, byte[] head, long size) {
            super(message);
            this.head = head;
            this.size = size;
        }

        public byte[] head() {
            return head;
        }

        public long size() {
            return size;
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        inner.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return serialize(topic, null, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        byte[] bytes = inner.serialize(topic, headers, data);
        if (bytes == null || bytes.length <= maxBytes) {
            return bytes;
        }
        if (data instanceof SpecificRecord r) {
            SpecificRecord cut = Fit.toSize(r, maxBytes - PREFIX);
            if (cut != null) {
                @SuppressWarnings("unchecked")
                T smaller = (T) cut;
                byte[] again = inner.serialize(topic, headers, smaller);
                if (again.length <= maxBytes) {
                    if (metrics != null) {
                        metrics.increment("truncated", "source", DeadLetterOutput.source(topic));
                    }
                    return again;
                }
            }
        }
        throw new TooLarge(what(data) + " for " + topic + " is " + Fit.bytes(bytes.length) + " bytes, over the "
                + Fit.bytes(maxBytes) + " an output may have (max.request.size less " + Fit.bytes(OVERHEAD)
                + "), even with its texts cut", Arrays.copyOf(bytes, Math.min(bytes.length, DeadLetters.MAX_ORIGINAL_BYTES)),
                bytes.length);
    }

    private static String what(Object data) {
        return data instanceof SpecificRecord r ? "the " + r.getSchema().getName() : "the value";
    }

    @Override
    public void close() {
        inner.close();
    }
}
