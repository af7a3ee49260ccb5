package io.handoff.topology;

import io.handoff.avro.DeadLetter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds {@link DeadLetter}s that always fit on the dead-letter topic: the original value is kept whole up
 * to {@link #MAX_ORIGINAL_BYTES}, beyond that its first bytes, with {@code original_size} saying how many
 * there were (the source topic, partition and offset still point at the whole record). Every stage that
 * dead-letters goes through here: the parse processor and the exception handlers.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** Bytes of a value a dead letter keeps: far under the broker's default 1 MB per record. */
    public static final int MAX_ORIGINAL_BYTES = 256 * 1024;
    /** Bytes of a key a dead letter keeps (keys are host names; anything longer is not one). */
    public static final int MAX_KEY_BYTES = 4 * 1024;
    /** Characters of a reason a dead letter keeps (exception messages can quote whole records). */
    public static final int MAX_REASON_CHARS = 4 * 1024;

    /**
     * A builder with the original bytes (bounded), key, host (from the key when it reads as one) and
     * reason set; the caller adds the source and stage.
     */
    public static DeadLetter.Builder of(byte[] key, byte[] value, String stage, String reason, long recordedAtMs) {
        byte[] v = value == null ? new byte[0] : value;
        DeadLetter.Builder b = DeadLetter.newBuilder()
                .setOriginal(ByteBuffer.wrap(v.length <= MAX_ORIGINAL_BYTES ? v : Arrays.copyOf(v, MAX_ORIGINAL_BYTES)))
                .setOriginalSize(v.length <= MAX_ORIGINAL_BYTES ? null : (long) v.length)
                .setKey(key == null ? null : ByteBuffer.wrap(key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES)))
                .setHost(host(key))
                .setStage(stage)
                .setReason(reason(reason))
                .setRecordedAt(Instant.ofEpochMilli(recordedAtMs));
        return b;
    }

    /** The key as a host name, or null when it is empty, too long or not text. */
    static String host(byte[] key) {
        if (key == null || key.length == 0 || key.length > 255) {
            return null;
        }
        String h = new String(key, StandardCharsets.UTF_8);
        return h.indexOf('\uFFFD') >= 0 ? null : h;
    }

    static String reason(String r) {
        if (r == null) {
            return "(no reason given)";
        }
        return r.length() <= MAX_REASON_CHARS ? r : r.substring(0, MAX_REASON_CHARS) + " …[" + r.length() + " characters]";
    }

    /**
     * "Exception: message" of {@code t}, with its root cause when that says something more, for reasons:
     * {@code SerializationException: Error registering … (caused by ConnectException: Connection refused)}.
     */
    static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(t.getClass().getSimpleName());
        if (t.getMessage() != null) {
            b.append(": ").append(t.getMessage());
        }
        Throwable root = t;
        for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        if (root != t && (t.getMessage() == null || root.getMessage() == null || !t.getMessage().contains(root.getMessage()))) {
            b.append(" (caused by ").append(root.getClass().getSimpleName());
            if (root.getMessage() != null) {
                b.append(": ").append(root.getMessage());
            }
            b.append(')');
        }
        return b.toString();
    }
}
