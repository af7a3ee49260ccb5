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
    long seconds;
    double rate;
    final List<FleetStream.Burst> bursts = new ArrayList<>();
    /** Per burst: its capture and shift; its lines are made one at a time as they are shipped (a storm of
     * 1,000 hosts is 700,000 lines, too many to hold). */
    private final List<String> burstTemplate = new ArrayList<>();
    private final List<Long> burstShift = new ArrayList<>();
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
        this(fleet, hosts, quietMs, graceMs);
        List<String> templates = fleet.faultTemplates();
        long slot = (fleet.longestTemplate() + lookBackMs + quietMs + graceMs) / 1000 + 20;
        for (int b = 0; b < burstCount; b++) {
            int host = b % hosts;
            int round = b / hosts;
            String t = templates.get(b % templates.size());
            long start = BASE_SECOND + 10 + round * slot + (b * 7L) % 60;
            addBurst(t, host, start - Math.floorDiv(fleet.template(t).first(), 1000));
        }
        span(lines, seconds, 60);
    }

    private Plan(FleetStream fleet, int hosts, long quietMs, long graceMs) {
        this.fleet = fleet;
        this.hosts = hosts;
        this.quietMs = quietMs;
        this.graceMs = graceMs;
        this.names = new String[hosts];
        for (int h = 0; h < hosts; h++) {
            names[h] = host(h);
        }
    }

    /**
     * The storm: every host inside an incident at the same time. Each host replays one fault capture
     * (cycling through the thirteen), placed so that every capture's first gateway error falls in the
     * same second; before it and after the incident's deadline the host sends healthy traffic at
     * {@link #STORM_HEALTHY_RATE} lines/s, which moves its event time past the deadline and closes the
     * incident.
     */
    static Plan storm(FleetStream fleet, int hosts, long quietMs, long graceMs, long lookBackMs) {
        Plan p = new Plan(fleet, hosts, quietMs, graceMs);
        List<String> templates = fleet.faultTemplates();
        long lead = 0;
        for (String t : templates) {
            FleetStream.Template tpl = fleet.template(t);
            lead = Math.max(lead, tpl.firstGateway() - tpl.first());
        }
        long firstGateway = BASE_SECOND + 10 + lead / 1000 + 1;
        for (int h = 0; h < hosts; h++) {
            String t = templates.get(h % templates.size());
            p.addBurst(t, h, firstGateway - Math.floorDiv(fleet.template(t).firstGateway(), 1000));
        }
        p.spanAt(STORM_HEALTHY_RATE);
        return p;
    }

    /** Healthy lines per host and second around a storm's bursts. */
    static final double STORM_HEALTHY_RATE = 1.0;

    private void addBurst(String template, int host, long shiftSeconds) {
        FleetStream.Burst burst = fleet.burst(template, host(host), shiftSeconds, quietMs, graceMs);
        bursts.add(burst);
        burstTemplate.add(template);
        burstShift.add(shiftSeconds);
        burstHost.add(host);
        burstEntries += fleet.size(template);
        needed = Math.max(needed, (burst.deadline() / 1000 - BASE_SECOND) + 10);
    }

    private void span(long lines, long seconds, long dflt) {
        if (lines > 0) {
            this.seconds = Math.max(needed, seconds > 0 ? seconds : 0);
            this.rate = Math.max(0, lines - burstEntries) / (double) hosts / this.seconds;
        } else {
            this.seconds = Math.max(needed, seconds > 0 ? seconds : dflt);
            this.rate = 10;
        }
    }

    private void spanAt(double healthyRate) {
        this.seconds = needed;
        this.rate = healthyRate;
    }

    private long burstEntries;
    private long needed = 30;
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
        for (long s = 0; s < seconds; s++) {
            long second = BASE_SECOND + s;
            long secondEnd = (second + 1) * 1000;
            for (int h = 0; h < hosts; h++) {
                List<Integer> mine = byHost.get(h);
                boolean paused = false;
                while (current[h] < mine.size()) {
                    int b = mine.get(current[h]);
                    FleetStream.Burst burst = bursts.get(b);
                    String t = burstTemplate.get(b);
                    long shift = burstShift.get(b);
                    int size = fleet.size(t);
                    if (burst.firstLine() >= secondEnd) {
                        break; // not started yet
                    }
                    while (next[h] < size && fleet.writtenAt(t, shift, next[h]) < secondEnd) {
                        out.accept(fleet.burstLine(t, names[h], shift, next[h]++));
                    }
                    if (next[h] < size || burst.deadline() >= second * 1000) {
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
