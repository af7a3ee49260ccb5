package io.handoff.serde;

import feas.avro.LogEvent;
import feas.avro.Severity;
import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/** The record of kafka-feasibility.md §4.4 item 1 and the bytes Confluent's KafkaAvroSerializer wrote for it. */
final class FeasRecords {
    private FeasRecords() {}

    /** 0x00, id 1, then the Avro binary of {@link #golden()}. */
    static final String GOLDEN_HEX = "00000000010c636f72722d3106617069f6a1abfef9620608626f6f6d02026b0276000206742d39";

    static LogEvent golden() {
        return LogEvent.newBuilder()
                .setCorrelationId("corr-1")
                .setService("api")
                .setTimestamp(Instant.ofEpochMilli(1700000000123L))
                .setSeverity(Severity.ERROR)
                .setMessage("boom")
                .setAttributes(Map.of("k", "v"))
                .setTraceId("t-9")
                .build();
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The Avro binary of {@link #golden()}, without the 5-byte prefix. */
    static byte[] goldenPayload() {
        byte[] all = hex(GOLDEN_HEX);
        byte[] p = new byte[all.length - 5];
        System.arraycopy(all, 5, p, 0, p.length);
        return p;
    }

    /** Test resource {@code feas/<name>}, parsed. */
    static Schema schema(String name) {
        try (InputStream in = FeasRecords.class.getResourceAsStream("/feas/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource /feas/" + name + " is missing");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 0x00, the id big-endian, then {@code payload}. */
    static byte[] framed(int id, byte[] payload) {
        byte[] out = new byte[5 + payload.length];
        out[1] = (byte) (id >>> 24);
        out[2] = (byte) (id >>> 16);
        out[3] = (byte) (id >>> 8);
        out[4] = (byte) id;
        System.arraycopy(payload, 0, out, 5, payload.length);
        return out;
    }
}
