package io.handoff.replay;

import java.util.ArrayDeque;
import java.util.Locale;

/**
 * The progress line of {@code handoff replay} on stderr, with an estimate of the time left.
 *
 * <p>The stages run at once: the shipper reads the folder, the parse stage turns raw records into
 * events and the correlator consumes the events; the replay is done (bar closing the last incidents)
 * when the correlator has consumed every event. So the line reports the correlator's share of the
 * whole, and the time left is the events still to come at the correlator's recent rate. The whole is
 * an estimate until the folder is shipped: entries shipped so far scaled by the bytes still unread,
 * times the share of entries that became events (blank and unparseable lines do not).
 */
final class ReplayProgress {
    /** The rate is taken over this much recent time, so a slow start does not weigh on the estimate. */
    static final long WINDOW_NANOS = 20_000_000_000L;

    /** What the replay has done so far, as read from the shipper, the offsets and the counters. */
    record Snapshot(long nanos, long totalBytes, long bytesRead, long shipped, boolean shippingDone, int batch,
                    int batches, long rawConsumed, long parsed, long correlated, int incidents) {}

    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /** The line for {@code s}; call it at regular intervals (the rate comes from the calls). */
    String line(Snapshot s) {
        samples.addLast(new long[] {s.nanos(), s.correlated()});
        while (samples.size() > 2 && s.nanos() - samples.peekFirst()[0] > WINDOW_NANOS) {
            samples.removeFirst();
        }
        long expected = expectedEvents(s);
        double rate = rate();
        StringBuilder b = new StringBuilder("handoff: ");
        if (expected > 0) {
            b.append(String.format(Locale.ROOT, "%d%% — correlated %,d of %s%,d lines",
                    Math.min(99, s.correlated() * 100 / expected), s.correlated(), s.shippingDone() ? "" : "~", expected));
        } else {
            b.append(String.format(Locale.ROOT, "starting — correlated %,d lines", s.correlated()));
        }
        if (!s.shippingDone()) {
            b.append(String.format(Locale.ROOT, " (shipped %d%%", s.totalBytes() <= 0 ? 100
                    : Math.min(100, s.bytesRead() * 100 / s.totalBytes())));
            if (s.batches() > 1) {
                b.append(String.format(Locale.ROOT, ", batch %d of %d", s.batch(), s.batches()));
            }
            b.append(')');
        }
        b.append(String.format(Locale.ROOT, ", %,.0f lines/s", rate));
        b.append(", ETA ").append(settled() && expected > 0 ? duration((expected - s.correlated()) / rate) : "unknown yet");
        b.append(String.format(Locale.ROOT, "; %d incidents so far", s.incidents()));
        return b.toString();
    }

    /** Events the correlator will have consumed at the end, estimated while the folder is being shipped. */
    static long expectedEvents(Snapshot s) {
        if (s.shipped() == 0 || s.bytesRead() == 0) {
            return 0;
        }
        double entries = s.shippingDone() || s.bytesRead() >= s.totalBytes() ? s.shipped()
                : (double) s.shipped() * s.totalBytes() / s.bytesRead();
        double share = s.rawConsumed() > 0 ? Math.min(1.0, (double) s.parsed() / s.rawConsumed()) : 1.0;
        return Math.max(s.correlated(), Math.round(entries * share));
    }

    /** Lines the correlator must have consumed over this much time before the rate means anything. */
    static final long SETTLE_LINES = 1_000;
    static final long SETTLE_NANOS = 5_000_000_000L;

    /**
     * Whether the window holds enough to estimate from: a start that has consumed two lines gives no
     * rate worth an ETA (it printed 2,135 hours).
     */
    boolean settled() {
        if (samples.size() < 2) {
            return false;
        }
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        return last[1] - first[1] >= SETTLE_LINES && last[0] - first[0] >= SETTLE_NANOS;
    }

    /** Lines per second the correlator consumed over the window; 0 until two samples differ. */
    double rate() {
        if (samples.size() < 2) {
            return 0;
        }
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        double secs = (last[0] - first[0]) / 1e9;
        return secs <= 0 ? 0 : Math.max(0, (last[1] - first[1]) / secs);
    }

    /** {@code 45s}, {@code 3m 05s}, {@code 1h 02m}. */
    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", s / 3600, (s % 3600) / 60);
    }
}
