package io.handoff.serde;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Serde for data handoff keeps for itself (state store values and their changelogs), where there is no
 * registry: a generated Avro record behind a header that names the version of the record's schema it
 * was written with.
 *
 * <pre>
 *   0xC5 | version (unsigned varint) | Avro binary of the record, written with that version's schema
 * </pre>
 *
 * The version is the record's number in {@code avro-history/<Name>/} ({@link RecordedSchemas}); the
 * reader resolves the bytes from that recorded schema into the current one, so state written before a
 * compatible change (a field added with a default, in the record or in any type it holds, such as
 * {@code LogEvent}) reads on after the upgrade. The build ({@code SchemaHistoryTest}) keeps the current
 * schema recorded; a schema that is not fails here at construction, naming the command that records it.
 *
 * <p>Bytes without the 0xC5 header were written by an encoding older than this one; they go to the
 * {@code legacy} reader, or fail naming what was expected. {@code null} stays {@code null}. Thread-safe.
 */
public final class VersionedAvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    /** First byte of the encoding: not 0x00/0x01 (Confluent's wire format) nor a first byte of earlier state encodings. */
    public static final byte MAGIC = (byte) 0xC5;

    private final Class<T> type;
    private final Schema schema;
    private final SpecificData data;
    private final Map<Integer, Schema> history;
    private final int version;
    private final SpecificDatumWriter<T> writer;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final Function<byte[], T> legacy;

    /** For {@code type}, with the versions recorded in {@code avro-history}; no reader for older encodings. */
    public static <T extends SpecificRecord> VersionedAvroSerde<T> of(Class<T> type) {
        return new VersionedAvroSerde<>(type, null, null);
    }

    /** As {@link #of}, with a reader for bytes written before this encoding (no 0xC5 header). */
    public static <T extends SpecificRecord> VersionedAvroSerde<T> of(Class<T> type, Function<byte[], T> legacy) {
        return new VersionedAvroSerde<>(type, null, legacy);
    }

    /**
     * @param history version → schema; null for the recorded versions ({@link RecordedSchemas}). Tests pass
     *                their own to read bytes written with a schema that was never released.
     * @param legacy  reader of bytes without the header, or null
     */
    public VersionedAvroSerde(Class<T> type, Map<Integer, Schema> history, Function<byte[], T> legacy) {
        this.type = type;
        this.data = SpecificData.getForClass(type);
        this.schema = data.getSchema(type);
        this.history = history != null ? Map.copyOf(history) : RecordedSchemas.versions(schema.getName());
        this.version = RecordedSchemas.newestMatching(this.history, schema);
        if (version < 0) {
            throw new IllegalStateException("state schema " + schema.getName() + " is not recorded in avro-history (versions "
                    + this.history.keySet() + " differ from it): record it with mvn -o -pl schemas test"
                    + " -Dtest=SchemaHistoryTest -Davro.history.record=true");
        }
        this.writer = new SpecificDatumWriter<>(schema, data);
        this.legacy = legacy;
    }

    /** The version this build writes. */
    public int version() {
        return version;
    }

    @Override
    public byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC);
        for (int v = version; ; v >>>= 7) {
            if ((v & ~0x7F) == 0) {
                out.write(v);
                break;
            }
            out.write((v & 0x7F) | 0x80);
        }
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(value, encoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getName() + " (version " + version + "): " + e, e);
        }
        return out.toByteArray();
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 0 || bytes[0] != MAGIC) {
            if (legacy != null) {
                return legacy.apply(bytes);
            }
            throw new SerializationException(String.format("%s state: expected the first byte 0x%02x and a version, got %s",
                    schema.getName(), MAGIC & 0xff, bytes.length == 0 ? "no bytes" : String.format("0x%02x", bytes[0] & 0xff)));
        }
        int v = 0;
        int pos = 1;
        for (int shift = 0; ; shift += 7) {
            if (pos >= bytes.length || shift > 28) {
                throw new SerializationException(schema.getName() + " state: the version after 0xC5 is cut off");
            }
            byte b = bytes[pos++];
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        DatumReader<T> reader = reader(v);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, pos, bytes.length - pos, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(schema.getName() + " state written with version " + v
                    + " does not decode: " + e, e);
        }
    }

    private DatumReader<T> reader(int v) {
        DatumReader<T> r = readers.get(v);
        if (r != null) {
            return r;
        }
        Schema written = v == version ? schema : history.get(v);
        if (written == null) {
            throw new SerializationException(schema.getName() + " state written with version " + v + "; this build knows versions "
                    + history.keySet() + " (was it written by a newer handoff?)");
        }
        r = new SpecificDatumReader<>(written, schema, data);
        readers.put(v, r);
        return r;
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: no registry
    }

    @Override
    public void close() {
        // nothing held
    }

    @Override
    public String toString() {
        return "VersionedAvroSerde[" + type.getSimpleName() + " v" + version + "]";
    }
}
