package io.handoff.correlate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Hosts with a due time, visited earliest first: the correlator's in-memory index of what a punctuator
 * must look at (hosts that may have gone idle, incidents whose verdict is due for a new look), so a
 * punctuation costs the hosts that are due, not every open one. Moving a host's time later costs a map
 * write; the queue entry is checked and re-queued when it comes up. Rebuilt from the open-incidents
 * store when a task starts: it is derived, never the state itself.
 */
final class DueHosts {
    private record Entry(long at, String host) {}

    private final Map<String, Long> due = new HashMap<>();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));

    /** Sets the host's due time (earlier or later than before). */
    void put(String host, long at) {
        Long old = due.put(host, at);
        if (old == null || at < old) {
            queue.add(new Entry(at, host));
        }
    }

    /** Sets the host's due time unless it has one. */
    void putIfAbsent(String host, long at) {
        if (!due.containsKey(host)) {
            put(host, at);
        }
    }

    void remove(String host) {
        due.remove(host);
    }

    boolean contains(String host) {
        return due.containsKey(host);
    }

    int size() {
        return due.size();
    }

    void clear() {
        due.clear();
        queue.clear();
    }

    /** Every host gets the same due time (the silence of every host counts again from now). */
    void resetAll(long at) {
        queue.clear();
        for (Map.Entry<String, Long> e : due.entrySet()) {
            e.setValue(at);
            queue.add(new Entry(at, e.getKey()));
        }
    }

    /** Removes and returns the hosts due at {@code now}, earliest first. */
    List<String> pollDue(long now) {
        List<String> out = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().at <= now) {
            Entry e = queue.poll();
            Long at = due.get(e.host);
            if (at == null || at < e.at) {
                continue; // removed, or an earlier entry of the same host came up already
            }
            if (at <= now) {
                due.remove(e.host);
                out.add(e.host);
            } else if (at != e.at) {
                queue.add(new Entry(at, e.host));
            }
        }
        return out;
    }
}
