package io.handoff.fleet;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A small versioned binary encoding for the fleet stage's internal values (heartbeats, incident
 * projections, window headers, recurrence history). They never leave handoff's own internal topics
 * and changelogs, so they carry a version byte instead of an Avro schema: a reader meeting a version
 * it does not know fails with a message naming what it expected.
 */
final class Codec {
    private Codec() {}

    interface Writer<T> {
        void write(T value, DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static <T> byte[] encode(int version, T value, Writer<T> w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(version);
            w.write(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not throw
        }
        return bytes.toByteArray();
    }

    static <T> T decode(String what, int version, byte[] data, Reader<T> r) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int v = in.readUnsignedByte();
            if (v != version) {
                throw new SerializationException(what + ": expected encoding version " + version + ", got " + v
                        + " (" + data.length + " bytes)");
            }
            return r.read(in);
        } catch (IOException e) {
            throw new SerializationException(what + ": truncated or corrupt value (" + data.length + " bytes): "
                    + e.getMessage(), e);
        }
    }

    static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    static <T> Serde<T> serde(String what, int version, Writer<T> w, Reader<T> r) {
        Serializer<T> ser = (topic, value) -> value == null ? null : encode(version, value, w);
        Deserializer<T> de = (topic, data) -> decode(what, version, data, r);
        return Serdes.serdeFrom(ser, de);
    }
}
