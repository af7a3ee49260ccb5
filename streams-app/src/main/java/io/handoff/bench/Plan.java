package io.handoff.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What the throughput run ships: N hosts of healthy traffic for a span of event time, and K bursts
 * (fault captures, cycling through the thirteen root causes) spread over the hosts, at most one per
 * host at a time and far enough apart (look-back + quiet + grace) that one burst's evidence never
 * reaches the next one's incident. Lines come second by second, each second host by host, the way a
 * fleet's shippers interleave; within a host they are in written order.
 */
final class Plan {
    /** Event time of the throughput stream's start: fixed, so two runs of one plan give the same incident ids. */
    static final long BASE_SECOND = Instant.parse("2026-11-21T00:00:00Z").getEpochSecond();

    final FleetStream fleet;
    final int hosts;
    final long seconds;
    final double rate;
    final List<FleetStream.Burst> bursts = new ArrayList<>();
    private final List<List<FleetStream.Line>> burstLines = new ArrayList<>();
    private final List<Integer> burstHost = new ArrayList<>();
    private final long quietMs;
    private final long graceMs;
    /** Entries and physical lines, counted once by {@link #count()}. */
    long entries = -1;
    long physicalLines = -1;

    /**
     * @param lines   total entries wanted (the healthy rate follows), or -1
     * @param seconds event-time span wanted (at least what the bursts need), or -1
     */
    Plan(FleetStream fleet, int hosts, long lines, long seconds, int burstCount, long quietMs, long graceMs,
         long lookBackMs) {
        this.fleet = fleet;
        this.hosts = hosts;
        this.quietMs = quietMs;
        this.graceMs = graceMs;
        this.names = new String[hosts];
        for (int h = 0; h < hosts; h++) {
            names[h] = host(h);
        }
        List<String> templates = fleet.faultTemplates();
        long slot = (fleet.longestTemplate() + lookBackMs + quietMs + graceMs) / 1000 + 20;
        long burstEntries = 0;
        long needed = 30;
        for (int b = 0; b < burstCount; b++) {
            int host = b % hosts;
            int round = b / hosts;
            String t = templates.get(b % templates.size());
            long start = BASE_SECOND + 10 + round * slot + (b * 7L) % 60;
            long shift = start - Math.floorDiv(fleet.template(t).first(), 1000);
            FleetStream.Burst burst = fleet.burst(t, host(host), shift, quietMs, graceMs);
            List<FleetStream.Line> ls = fleet.burstLines(t, host(host), shift);
            bursts.add(burst);
            burstLines.add(ls);
            burstHost.add(host);
            burstEntries += ls.size();
            needed = Math.max(needed, (burst.deadline() / 1000 - BASE_SECOND) + 10);
        }
        long span;
        double r;
        if (lines > 0) {
            span = Math.max(needed, seconds > 0 ? seconds : 0);
            r = Math.max(0, lines - burstEntries) / (double) hosts / span;
        } else {
            span = Math.max(needed, seconds > 0 ? seconds : 60);
            r = 10;
        }
        this.seconds = span;
        this.rate = r;
    }

    private final String[] names;

    static String host(int i) {
        return String.format(Locale.ROOT, "bench-%05d", i);
    }

    /** Every entry, in shipping order. */
    void forEach(Consumer<FleetStream.Line> out) {
        // per host: its bursts (index into bursts) in time order, and the next line of the current one
        List<List<Integer>> byHost = new ArrayList<>(hosts);
        for (int h = 0; h < hosts; h++) {
            byHost.add(new ArrayList<>());
        }
        for (int b = 0; b < bursts.size(); b++) {
            byHost.get(burstHost.get(b)).add(b);
        }
        int[] current = new int[hosts];
        int[] next = new int[hosts];
        double[] phase = new double[hosts];
        for (int h = 0; h < hosts; h++) {
            phase[h] = (h * 0.6180339887) % 1.0;
        }
        int healthy = fleet.healthyLines();
        for (long s = 0; s < seconds; s++) {
            long second = BASE_SECOND + s;
            long secondEnd = (second + 1) * 1000;
            for (int h = 0; h < hosts; h++) {
                List<Integer> mine = byHost.get(h);
                boolean paused = false;
                while (current[h] < mine.size()) {
                    int b = mine.get(current[h]);
                    FleetStream.Burst burst = bursts.get(b);
                    List<FleetStream.Line> ls = burstLines.get(b);
                    if (burst.firstLine() >= secondEnd) {
                        break; // not started yet
                    }
                    while (next[h] < ls.size() && ls.get(next[h]).written() < secondEnd) {
                        out.accept(ls.get(next[h]++));
                    }
                    if (next[h] < ls.size() || burst.deadline() >= second * 1000) {
                        paused = true; // the burst's own lines, then quiet until its incident's deadline
                        break;
                    }
                    current[h]++;
                    next[h] = 0;
                }
                if (paused) {
                    continue;
                }
                long from = (long) Math.floor(s * rate + phase[h]);
                long to = (long) Math.floor((s + 1) * rate + phase[h]);
                for (long k = from; k < to; k++) {
                    out.accept(fleet.healthyLine(names[h], h * 37L + k, second));
                }
            }
        }
    }

    /** Counts entries and physical lines (one pass over the stream). */
    Plan count() {
        long[] n = new long[2];
        forEach(l -> {
            n[0]++;
            n[1] += l.physicalLines();
        });
        entries = n[0];
        physicalLines = n[1];
        return this;
    }

    long quietMs() {
        return quietMs;
    }

    long graceMs() {
        return graceMs;
    }
}
