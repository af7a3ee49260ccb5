package io.handoff.serde;

import io.handoff.avro.HostClock;
import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The versioned encoding of handoff's own state: header, resolution against recorded versions, older encodings. */
class VersionedAvroSerdeTest {

    private static HostClock clock() {
        return HostClock.newBuilder().setWritten(Map.of("nginx-access", 1_763_723_425_000L, "kern", 1_763_723_420_500L))
                .setClosedUntil(1_763_723_000_000L).build();
    }

    private static byte[] avro(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static byte[] framed(int version, byte[] avro) {
        byte[] b = new byte[avro.length + 2];
        b[0] = VersionedAvroSerde.MAGIC;
        b[1] = (byte) version;
        System.arraycopy(avro, 0, b, 2, avro.length);
        return b;
    }

    @Test
    void theBuildPackagesTheRecordedVersionsAndWritesTheNewest() {
        Map<Integer, Schema> recorded = RecordedSchemas.versions("HostClock");
        assertTrue(!recorded.isEmpty(), "avro-history/HostClock/*.avsc on the class path");
        VersionedAvroSerde<HostClock> serde = VersionedAvroSerde.of(HostClock.class);
        assertEquals(RecordedSchemas.versionOf(HostClock.getClassSchema()), serde.version());

        byte[] bytes = serde.serialize("t", clock());

        assertEquals(VersionedAvroSerde.MAGIC, bytes[0]);
        assertEquals(serde.version(), bytes[1]);
        assertEquals(clock(), serde.deserialize("t", bytes));
        assertNull(serde.serialize("t", null));
        assertNull(serde.deserialize("t", null));
    }

    @Test
    void bytesOfAnOlderVersionResolveIntoTheCurrentRecordWithDefaults() throws IOException {
        // version 1: the clock without closed_until; version 2: today's
        Schema v1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"HostClock\",\"namespace\":\"io.handoff.avro\","
                + "\"fields\":[{\"name\":\"written\",\"type\":{\"type\":\"map\",\"values\":\"long\"},\"default\":{}},"
                + "{\"name\":\"floor\",\"type\":\"long\",\"default\":0}]}");
        VersionedAvroSerde<HostClock> serde = new VersionedAvroSerde<>(HostClock.class,
                Map.of(1, v1, 2, HostClock.getClassSchema()), null);
        GenericRecord old = new GenericData.Record(v1);
        old.put("written", Map.of("nginx-error", 1_763_723_425_000L));
        old.put("floor", 7L);

        HostClock read = serde.deserialize("t", framed(1, avro(v1, old)));

        assertEquals(2, serde.version());
        assertEquals(Map.of("nginx-error", 1_763_723_425_000L), read.getWritten());
        assertEquals(7L, read.getFloor());
        assertEquals(0L, read.getClosedUntil(), "the field the old writer lacked gets its default");
    }

    @Test
    void aNestedRecordChangedCompatiblyStillReads() throws IOException {
        // LogEvent as it might have been before 'file' existed: state holding it reads on after the field came
        Schema now = LogEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : now.getFields()) {
            if (!f.name().equals("file")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema before = Schema.createRecord(now.getName(), now.getDoc(), now.getNamespace(), false, fields);
        assertEquals(now.getFields().size() - 1, before.getFields().size(), "the test schema lacks exactly one field");
        VersionedAvroSerde<LogEvent> serde = new VersionedAvroSerde<>(LogEvent.class, Map.of(1, before, 2, now), null);
        GenericRecord old = new GenericData.Record(before);
        old.put("host", "web-01");
        old.put("source", new GenericData.EnumSymbol(before.getField("source").schema(), "KERN"));
        old.put("timestamp", 1_763_723_425_000L);
        old.put("original", "a line");

        LogEvent read = serde.deserialize("t", framed(1, avro(before, old)));

        assertEquals("web-01", read.getHost());
        assertEquals(SourceKind.KERN, read.getSource());
        assertEquals(Instant.ofEpochMilli(1_763_723_425_000L), read.getTimestamp());
        assertNull(read.getFile());
    }

    @Test
    void anUnknownVersionAndAMissingHeaderSayWhatWasExpected() {
        VersionedAvroSerde<HostClock> serde = VersionedAvroSerde.of(HostClock.class);
        byte[] bytes = serde.serialize("t", clock());
        bytes[1] = 99;

        SerializationException newer = assertThrows(SerializationException.class, () -> serde.deserialize("t", bytes));
        assertTrue(newer.getMessage().contains("written with version 99; this build knows versions [1"), newer.getMessage());

        SerializationException bare = assertThrows(SerializationException.class,
                () -> serde.deserialize("t", new byte[] {0, 0, 1, 2}));
        assertEquals("HostClock state: expected the first byte 0xc5 and a version, got 0x00", bare.getMessage());
    }

    @Test
    void bytesOfAnOlderEncodingGoToTheLegacyReader() {
        byte[] old = {0, 0, 1, (byte) 0x9a, 0x4f, 0x1b, 0x2c, 0x00};
        VersionedAvroSerde<HostClock> serde = VersionedAvroSerde.of(HostClock.class,
                b -> HostClock.newBuilder().setFloor(ByteBuffer.wrap(b).getLong()).build());

        HostClock read = serde.deserialize("t", old);

        assertEquals(ByteBuffer.wrap(old).getLong(), read.getFloor());
        assertArrayEquals(Arrays.copyOf(serde.serialize("t", clock()), 1), new byte[] {VersionedAvroSerde.MAGIC});
    }

    @Test
    void aSchemaNeverRecordedFailsAtConstructionNamingTheCommand() {
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"HostClock\",\"namespace\":\"io.handoff.avro\","
                + "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new VersionedAvroSerde<>(HostClock.class, Map.of(1, other), null));
        assertTrue(e.getMessage().contains("-Davro.history.record=true"), e.getMessage());
    }
}
