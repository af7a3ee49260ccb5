package io.handoff.correlate;

import io.handoff.avro.LogEvent;
import io.handoff.classify.Lines;

import java.util.ArrayList;
import java.util.List;

/**
 * Evidence candidates of a host without an open incident, for the look-back of the next one: time
 * ordered, no older than the look-back behind the host's event time, at most {@code cap} lines.
 * When full it drops the oldest line of a kind that occurs again later, so one reload notice is
 * not pushed out by a slowlog storm; only when every kind is unique does the oldest line go.
 */
final class LookbackRing {
    private LookbackRing() {}

    static void add(List<LogEvent> ring, LogEvent e, long hostTime, long lookBackMs, int cap) {
        Events.insertSorted(ring, e);
        long oldest = hostTime - lookBackMs;
        ring.removeIf(x -> x.getTimestamp().toEpochMilli() < oldest);
        while (ring.size() > cap) {
            ring.remove(victim(ring));
        }
    }

    private static int victim(List<LogEvent> ring) {
        List<String> keys = new ArrayList<>(ring.size());
        for (LogEvent x : ring) {
            keys.add(Lines.kindKey(x));
        }
        for (int i = 0; i < keys.size(); i++) {
            if (keys.subList(i + 1, keys.size()).contains(keys.get(i))) {
                return i;
            }
        }
        return 0;
    }
}
