package io.handoff.correlate;

import io.handoff.avro.LogEvent;
import io.handoff.classify.Lines;

import io.handoff.serde.RecordedSchemas;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists of kept lines: the cap of an incident's evidence list, and the reader of the list encoding the
 * correlator's stores used before versioned state ({@link LegacyState}): a count, then each event in
 * Avro single-object encoding (schema fingerprint + binary), length-prefixed. The fingerprint is
 * resolved against every recorded version of {@code LogEvent}, so lists written before a compatible
 * change of it still read.
 */
final class Events {
    private Events() {}

    static final Comparator<LogEvent> BY_TIME = Comparator.comparing(LogEvent::getTimestamp);

    private static final BinaryMessageDecoder<LogEvent> DECODER = decoder();

    private static BinaryMessageDecoder<LogEvent> decoder() {
        BinaryMessageDecoder<LogEvent> d = new BinaryMessageDecoder<>(SpecificData.getForClass(LogEvent.class),
                LogEvent.getClassSchema());
        RecordedSchemas.versions(LogEvent.getClassSchema().getName()).values().forEach(d::addSchema);
        return d;
    }

    static List<LogEvent> read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("expected a count of lines, got " + n);
        }
        List<LogEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            events.add(DECODER.decode(b));
        }
        return events;
    }

    static List<LogEvent> fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            return read(in);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("look-back lines (the encoding before versioned state) do not decode: " + e, e);
        }
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
