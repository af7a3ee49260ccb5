package io.handoff.correlate;

import io.handoff.avro.LogEvent;
import io.handoff.classify.Lines;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
            list.remove(dropIndex(list));
        }
    }

    /**
     * Which line a full evidence list gives up: a line of the kind the list shows most often (the
     * fortieth EAGAIN of a burst), the one nearest the middle, so that the few lines that explain a
     * burst (a reload notice, an OOM kill, a slowlog entry) stay; the first and the last line always
     * stay. Only when no middle line repeats a kind does the middle one go.
     */
    static int dropIndex(List<LogEvent> list) {
        int last = list.size() - 1;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 1; i < last; i++) {
            counts.merge(Lines.kindKey(list.get(i)), 1, Integer::sum);
        }
        String most = null;
        int max = 1;
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            if (c.getValue() > max) {
                max = c.getValue();
                most = c.getKey();
            }
        }
        int mid = list.size() / 2;
        if (most == null) {
            return mid;
        }
        for (int d = 0; d <= mid; d++) {
            for (int i : new int[] {mid - d, mid + d}) {
                if (i > 0 && i < last && most.equals(Lines.kindKey(list.get(i)))) {
                    return i;
                }
            }
        }
        return mid;
    }
}
