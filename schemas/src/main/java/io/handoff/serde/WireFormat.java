package io.handoff.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: byte 0 = magic 0x00, bytes 1..4 = the schema id (big-endian int),
 * then the Avro binary encoding of the datum. Confluent 8.x may also put the schema id into a
 * record header ({@link #KEY_SCHEMA_ID_HEADER} / {@link #VALUE_SCHEMA_ID_HEADER}), in which case the
 * payload is bare Avro; and it may use magic 0x01 followed by a 16-byte schema GUID, which this
 * serde does not support.
 */
final class WireFormat {
    private WireFormat() {}

    static final byte MAGIC_ID = 0x00;
    static final byte MAGIC_GUID = 0x01;
    static final int PREFIX_LENGTH = 5;
    static final String KEY_SCHEMA_ID_HEADER = "__key_schema_id";
    static final String VALUE_SCHEMA_ID_HEADER = "__value_schema_id";

    static String header(boolean isKey) {
        return isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER;
    }

    static void writePrefix(byte[] target, int id) {
        target[0] = MAGIC_ID;
        target[1] = (byte) (id >>> 24);
        target[2] = (byte) (id >>> 16);
        target[3] = (byte) (id >>> 8);
        target[4] = (byte) id;
    }

    /**
     * The schema id of a 0x00-prefixed id; {@code where} names the bytes in messages
     * ("topic logs", "header __value_schema_id of topic logs").
     */
    static int readId(byte[] bytes, String where) {
        if (bytes.length == 0) {
            throw new SerializationException("Unknown magic byte! " + where + ": empty bytes, expected 0x00 and a 4-byte schema id");
        }
        byte magic = bytes[0];
        if (magic == MAGIC_GUID) {
            throw new SerializationException("Cannot read " + where + ": schema GUIDs are not supported (first byte 0x01,"
                    + " Confluent 8.x GUID framing); let the producer write schema ids (Confluent's default prefix form)");
        }
        if (magic != MAGIC_ID) {
            throw new SerializationException(String.format("Unknown magic byte! %s: first byte 0x%02x, expected 0x00 followed by"
                    + " a 4-byte schema id (Confluent wire format)", where, magic & 0xff));
        }
        if (bytes.length < PREFIX_LENGTH) {
            throw new SerializationException(where + ": " + bytes.length + " bytes, expected at least 5 (0x00 and a 4-byte schema id)");
        }
        return ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
    }
}
