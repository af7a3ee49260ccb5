package io.handoff.classify;

import io.handoff.avro.LogEvent;

import java.util.List;
import java.util.Map;

/**
 * What the correlator hands the classifier: one burst (or one pending warning) of one host, in event
 * time. This is the whole interface between {@code correlate} (which keeps it, line by line, in its
 * stores) and {@code classify} (which turns it into a {@link Diagnosis}); neither reaches into the
 * other's state.
 *
 * @param host           the host
 * @param fleet          its fleet label, or null
 * @param firstError     event time (epoch ms) of the first gateway error; for a warning, of the first warning line
 * @param lastError      event time of the last gateway error (warning: last warning line)
 * @param events         the lines kept, in event time order: the look-back before the first error and
 *                       every evidence line and gateway error after it, capped per kind
 *                       ({@link Lines#kindKey}): the correlator keeps at least the first
 *                       {@link #MIN_PER_KIND} lines of every kind and the last one, so every kind
 *                       present in the burst is there with its onset
 * @param kindCounts     every evidence line and gateway error seen (before the cap), by {@link Lines#kindKey}
 * @param statusCounts   nginx access lines with a gateway status, by status ("502", "504")
 * @param errnoCounts    nginx upstream error lines by errno ("11", "104", "none")
 * @param totalRequests  nginx access lines between the first and the last gateway error
 * @param sourceClocks   per source ({@link io.handoff.topics.Sources#name}), the latest time a line of
 *                       that source was written (epoch ms), healthy lines included: e.g. whether
 *                       FPM kept serving requests while nginx was refused
 */
public record Timeline(String host, String fleet, long firstError, long lastError, List<LogEvent> events,
                       Map<String, Long> kindCounts, Map<String, Long> statusCounts, Map<String, Long> errnoCounts,
                       long totalRequests, Map<String, Long> sourceClocks) {

    /** Lines of each kind the correlator keeps at least (the first ones), besides the last of each kind. */
    public static final int MIN_PER_KIND = 8;

    public Timeline {
        events = List.copyOf(events);
        kindCounts = Map.copyOf(kindCounts);
        statusCounts = Map.copyOf(statusCounts);
        errnoCounts = Map.copyOf(errnoCounts);
        sourceClocks = Map.copyOf(sourceClocks);
    }

    /** Evidence lines and gateway errors seen, before the cap. */
    public long evidenceTotal() {
        long n = 0;
        for (long v : kindCounts.values()) n += v;
        return n;
    }
}
