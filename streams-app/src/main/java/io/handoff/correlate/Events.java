package io.handoff.correlate;

import io.handoff.avro.LogEvent;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Binary form of a list of {@link LogEvent}s for the correlator's stores: a count, then each event in
 * Avro single-object encoding (schema fingerprint + binary), length-prefixed. No registry needed, and
 * the fingerprint makes a schema change fail loudly instead of misreading old state.
 */
final class Events {
    private Events() {}

    static final Comparator<LogEvent> BY_TIME = Comparator.comparing(LogEvent::getTimestamp);

    static void write(DataOutputStream out, List<LogEvent> events) throws IOException {
        out.writeInt(events.size());
        for (LogEvent e : events) {
            ByteBuffer b = LogEvent.getEncoder().encode(e);
            out.writeInt(b.remaining());
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
    }

    static List<LogEvent> read(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<LogEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            events.add(LogEvent.getDecoder().decode(b));
        }
        return events;
    }

    static byte[] toBytes(List<LogEvent> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * Math.max(1, events.size()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, events);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static List<LogEvent> fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b))) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inserts in time order (stable: after equal timestamps). */
    static void insertSorted(List<LogEvent> list, LogEvent e) {
        int i = list.size();
        while (i > 0 && BY_TIME.compare(list.get(i - 1), e) > 0) {
            i--;
        }
        list.add(i, e);
    }

    /** Caps a time-ordered list by dropping from the middle: the first and the last lines stay. */
    static void capMiddle(List<LogEvent> list, int cap) {
        while (list.size() > Math.max(cap, 2)) {
            list.remove(cap / 2);
        }
    }
}
