package io.handoff.fleet;

import io.handoff.topology.CloseGate;

import io.handoff.app.HandoffConfig;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Recurrence;
import io.handoff.avro.RecurrencePeriod;
import io.handoff.avro.RootCause;
import io.handoff.topology.HandoffMetrics;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet window: host incidents of one fleet and root cause that start within {@code fleetWindow}
 * of each other become one {@link FleetIncident} when enough hosts of the active fleet are hit.
 *
 * <h2>Input (both partitioned by fleet label, so one task sees a whole fleet)</h2>
 * <ul>
 *   <li>{@link Member}s (key {@code fleet|cause}, timestamp = incident start) from the repartition topic;</li>
 *   <li>{@link Heartbeat}s (key host, timestamp = the host's event time) from the activity topic.</li>
 * </ul>
 *
 * <h2>Windows</h2>
 * A window is anchored at the start of the first incident that arrives for its fleet and cause; an
 * incident joins the open window of its key whose anchor is within ± {@code fleetWindow} of its own
 * start (the nearest one), otherwise it opens a new window. Anchoring at the first incident keeps a
 * burst that straddles a clock boundary (23:59:58 … 00:00:05) in one window, which aligned tumbling
 * windows would split in two.
 *
 * <p>A window closes when the task's stream time (incident starts and heartbeats: the fleet's event
 * time) passes {@code anchor + fleetWindow + grace}, with {@code grace = quietPeriod + grace +
 * fleetWindow} of the correlator: a host incident is only emitted after its quiet period and grace,
 * so a burst up to {@code fleetWindow} long that starts at the end of the window still arrives in
 * time. When the stage's input falls silent for {@code idleClose} of wall-clock time (end of a
 * replay), every open window closes.
 *
 * <p>An incident whose window would already be closed ({@code start + fleetWindow + grace ≤ stream
 * time}) is late: it is counted ({@code fleet-late{root_cause}}) and logged at DEBUG; it stays on the
 * incidents topic as a host incident.
 *
 * <h2>Decision</h2>
 * On close: {@code hosts ≥ 2} and ({@code hosts ≥ fleetMinHosts} or {@code hosts / active ≥
 * fleetMinShare}), where active = the fleet's hosts with a heartbeat within {@code activeWindow}
 * before the window start (plus the hosts hit). Otherwise the window is dropped and counted
 * ({@code fleet-windows-below-threshold}).
 *
 * <h2>State</h2>
 * {@value FleetStage#OPEN_STORE} (one small header per open window), {@value FleetStage#HOSTS_STORE}
 * (one entry per host of an open window), {@value FleetStage#ACTIVE_STORE} (one long per host seen
 * within the retention, expired every 10 minutes of stream time), {@value FleetStage#RECURRENCE_STORE}
 * (window starts of the fleet incidents of the last {@link Recurrences#horizon} per fleet and cause,
 * at most {@value #HISTORY_CAP}).
 */
final class FleetWindowProcessor implements Processor<String, Object, String, FleetIncident> {
    private static final Logger LOG = LoggerFactory.getLogger(FleetWindowProcessor.class);

    static final String SEP = "\u0000";
    static final int HISTORY_CAP = 64;
    static final long EXPIRE_EVERY = Duration.ofMinutes(10).toMillis();
    static final String RELOAD_TRIGGER = "FPM reload (Reloading in progress)";

    private final long windowMs;
    private final long graceMs;
    private final long idleMs;
    private final long activeMs;
    private final long activeRetentionMs;
    private final int minHosts;
    private final double minShare;
    private final Duration tolerance;
    private final int recurrenceMin;
    private final int recurrenceDays;
    private final long historyMs;
    private final HandoffMetrics metrics;

    private ProcessorContext<String, FleetIncident> context;
    private KeyValueStore<String, WindowHeader> open;
    private KeyValueStore<String, Member> hosts;
    private KeyValueStore<String, Long> active;
    private KeyValueStore<String, List<Long>> history;
    private HandoffMetrics.Recorder recorder;
    private long lastArrival;
    private long lastExpiry = Long.MIN_VALUE;
    /**
     * The fleet's event time: the latest timestamp of this processor's own input (incident starts and
     * heartbeats). It equals the task's stream time when the stage runs as its own sub-topology; kept
     * here so that nothing else sharing a task (a test driver runs one task) can move it.
     */
    private long fleetTime = Long.MIN_VALUE;

    private final CloseGate idle;

    FleetWindowProcessor(HandoffConfig config, HandoffMetrics metrics) {
        this(config, metrics, CloseGate.always());
    }

    FleetWindowProcessor(HandoffConfig config, HandoffMetrics metrics, CloseGate idle) {
        this.idle = idle;
        this.windowMs = config.fleetWindow().toMillis();
        this.graceMs = FleetStage.grace(config).toMillis();
        this.idleMs = config.idleClose().toMillis();
        this.activeMs = config.activeWindow().toMillis();
        this.activeRetentionMs = activeMs + windowMs + graceMs + ActivityTap.PERIOD.toMillis();
        this.minHosts = config.fleetMinHosts();
        this.minShare = config.fleetMinShare();
        this.tolerance = config.recurrenceTolerance();
        this.recurrenceMin = config.recurrenceMin();
        this.recurrenceDays = config.recurrenceDays();
        this.historyMs = Recurrences.horizon(recurrenceDays, tolerance).toMillis();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, FleetIncident> context) {
        this.context = context;
        this.open = context.getStateStore(FleetStage.OPEN_STORE);
        this.hosts = context.getStateStore(FleetStage.HOSTS_STORE);
        this.active = context.getStateStore(FleetStage.ACTIVE_STORE);
        this.history = context.getStateStore(FleetStage.RECURRENCE_STORE);
        this.recorder = metrics.recorder(context.metrics(), FleetStage.WINDOW);
        this.lastArrival = context.currentSystemTimeMs(); // restored windows: idle from now
        context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, streamTime -> closeDue(fleetTime));
        long every = Math.max(100, Math.min(1_000, idleMs / 4));
        context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::closeIdle);
    }

    @Override
    public void process(Record<String, Object> record) {
        lastArrival = context.currentSystemTimeMs();
        fleetTime = Math.max(fleetTime, record.timestamp());
        if (record.value() instanceof Heartbeat hb) {
            String k = activeKey(hb.fleet(), record.key());
            Long before = active.get(k);
            if (before == null || hb.lastSeen() > before) {
                active.put(k, hb.lastSeen());
            }
            return;
        }
        if (!(record.value() instanceof Member m)) {
            return; // a tombstone: nothing to count
        }
        long streamTime = fleetTime;
        closeDue(streamTime);
        boolean judgeLate = idle.isOpen(CloseGate.Stage.FLEET);
        String windowKey = null;
        long distance = Long.MAX_VALUE;
        try (KeyValueIterator<String, WindowHeader> it = open.prefixScan(causePrefix(m.fleet(), m.rootCause()),
                new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, WindowHeader> kv = it.next();
                long d = Math.abs(m.start() - kv.value.anchor());
                if (d <= windowMs && d < distance) {
                    windowKey = kv.key;
                    distance = d;
                }
            }
        }
        if (windowKey == null) {
            if (judgeLate && m.start() + windowMs + graceMs <= streamTime) {
                recorder.increment("fleet-late", "root_cause", m.rootCause().name());
                if (LOG.isDebugEnabled()) {
                    LOG.debug("late incident {} of {} ({}): its fleet window closed at stream time {}", m.incidentIds(),
                            m.host(), m.rootCause(), Instant.ofEpochMilli(streamTime));
                }
                return;
            }
            WindowHeader w = new WindowHeader(m.fleet(), m.rootCause(), m.start());
            windowKey = windowKey(w);
            open.put(windowKey, w);
        }
        String hostKey = windowKey + SEP + m.host();
        Member before = hosts.get(hostKey);
        hosts.put(hostKey, before == null ? m : before.merge(m));
    }

    /** Stream-time close: windows whose anchor + window + grace the fleet's event time has passed. */
    private void closeDue(long streamTime) {
        if (streamTime == Long.MIN_VALUE || !idle.isOpen(CloseGate.Stage.FLEET)) {
            return; // no input yet since the start, or a replay whose incidents are still arriving
        }
        List<KeyValue<String, WindowHeader>> due = new ArrayList<>();
        try (KeyValueIterator<String, WindowHeader> it = open.all()) {
            while (it.hasNext()) {
                KeyValue<String, WindowHeader> kv = it.next();
                if (kv.value.anchor() + windowMs + graceMs <= streamTime) {
                    due.add(kv);
                }
            }
        }
        closeAll(due);
        if (lastExpiry == Long.MIN_VALUE || streamTime - lastExpiry >= EXPIRE_EVERY) {
            lastExpiry = streamTime;
            expireActive(streamTime);
        }
    }

    /** Wall-clock close: the stage's input went silent for idleClose (end of a replay). */
    private void closeIdle(long wallClock) {
        if (!idle.isOpen(CloseGate.Stage.FLEET) || wallClock - lastArrival < idleMs) {
            return;
        }
        List<KeyValue<String, WindowHeader>> all = new ArrayList<>();
        try (KeyValueIterator<String, WindowHeader> it = open.all()) {
            while (it.hasNext()) {
                all.add(it.next());
            }
        }
        if (!all.isEmpty()) {
            LOG.debug("closing {} fleet windows: no input for {} ms of wall-clock time", all.size(), wallClock - lastArrival);
        }
        closeAll(all);
    }

    private void closeAll(List<KeyValue<String, WindowHeader>> windows) {
        windows.sort(Comparator.comparingLong((KeyValue<String, WindowHeader> kv) -> kv.value.anchor()).thenComparing(kv -> kv.key));
        for (KeyValue<String, WindowHeader> kv : windows) {
            close(kv.key, kv.value);
        }
    }

    private void expireActive(long streamTime) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = active.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (kv.value < streamTime - activeRetentionMs) {
                    old.add(kv.key);
                }
            }
        }
        for (String k : old) {
            active.delete(k);
        }
    }

    private void close(String windowKey, WindowHeader w) {
        List<KeyValue<String, Member>> entries = new ArrayList<>();
        try (KeyValueIterator<String, Member> it = hosts.prefixScan(windowKey + SEP, new StringSerializer())) {
            while (it.hasNext()) {
                entries.add(it.next());
            }
        }
        for (KeyValue<String, Member> kv : entries) {
            hosts.delete(kv.key);
        }
        open.delete(windowKey);

        List<Member> members = new ArrayList<>();
        for (KeyValue<String, Member> kv : entries) {
            members.add(kv.value);
        }
        members.sort(Comparator.comparing(Member::host));
        int n = members.size();
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        Set<String> hit = new TreeSet<>();
        for (Member m : members) {
            start = Math.min(start, m.start());
            end = Math.max(end, m.end());
            hit.add(m.host());
        }
        int activeHosts = countActive(w.fleet(), start - activeMs, hit);
        double share = activeHosts == 0 ? 0 : (double) n / activeHosts;
        if (n < 2 || (n < minHosts && share < minShare)) {
            recorder.increment("fleet-windows-below-threshold", "root_cause", w.rootCause().name());
            return;
        }

        Map<String, Long> counts = new TreeMap<>();
        long total = 0;
        List<String> ids = new ArrayList<>();
        int reloads = 0;
        for (Member m : members) {
            m.statusCounts().forEach((k, v) -> counts.merge(k, v, Long::sum));
            total += m.totalRequests();
            ids.addAll(m.incidentIds());
            if (m.reload()) reloads++;
        }
        boolean reload = reloads * 2 > n;

        String historyKey = causePrefix(w.fleet(), w.rootCause());
        List<Long> past = history.get(historyKey);
        past = past == null ? new ArrayList<>() : new ArrayList<>(past);
        Recurrences.Match match = Recurrences.detect(start, past, tolerance, recurrenceMin, recurrenceDays);
        Recurrence recurrence = match == null ? null : Recurrences.toAvro(match, start, reload);
        past.add(start);
        long from = start - historyMs;
        past.removeIf(t -> t < from);
        past.sort(null);
        while (past.size() > HISTORY_CAP) {
            past.remove(0);
        }
        history.put(historyKey, past);

        FleetIncident f = FleetIncident.newBuilder()
                .setId((w.fleet() == null ? "default" : w.fleet()) + "/" + w.rootCause() + "@" + Instant.ofEpochMilli(start))
                .setFleet(w.fleet())
                .setRootCause(w.rootCause())
                .setHosts(new ArrayList<>(hit))
                .setActiveHosts(activeHosts)
                .setShareOfFleet(share)
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setStatusCounts(counts)
                .setTotalRequests(total)
                .setIncidentIds(ids)
                .setCommonTrigger(reload ? RELOAD_TRIGGER : null)
                .setRemediation(FleetRemedies.remedy(w.rootCause(), reload))
                .setRecurrence(recurrence)
                .setSummary(summary(w, n, activeHosts, start, reload, match, recurrenceDays))
                .build();
        recorder.increment("fleet-incidents", "root_cause", w.rootCause().name());
        // to every child: the fleet-incidents sink, and the ECS mirror when the topology has one
        context.forward(new Record<>(FleetStage.fleetKey(w.fleet(), w.rootCause()), f, start));
    }

    private int countActive(String fleet, long since, Set<String> hit) {
        Set<String> all = new HashSet<>(hit);
        String prefix = activeKey(fleet, "");
        try (KeyValueIterator<String, Long> it = active.prefixScan(prefix, new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                if (kv.value >= since) {
                    all.add(kv.key.substring(prefix.length()));
                }
            }
        }
        return all.size();
    }

    /**
     * "LISTEN_BACKLOG_OVERFLOW on 27 of 33 hosts at 00:00 UTC, after the nightly FPM reload — third
     * night running".
     */
    static String summary(WindowHeader w, int n, int activeHosts, long start, boolean reload, Recurrences.Match match,
                          int days) {
        String tod = Recurrences.timeOfDay(start);
        int hour = Integer.parseInt(tod.substring(0, 2));
        boolean night = hour >= 20 || hour < 6;
        StringBuilder b = new StringBuilder();
        b.append(w.rootCause()).append(" on ").append(n).append(" of ").append(activeHosts).append(" hosts");
        if (w.fleet() != null) {
            b.append(" of fleet ").append(w.fleet());
        }
        b.append(" at ").append(tod).append(" UTC");
        if (reload) {
            if (match == null) {
                b.append(", after an FPM reload");
            } else if (match.period() == RecurrencePeriod.DAILY) {
                b.append(", after the ").append(night ? "nightly" : "daily").append(" FPM reload");
            } else {
                b.append(", after the weekly FPM reload");
            }
        }
        if (match != null) {
            int occ = match.occurrences();
            if (match.period() == RecurrencePeriod.DAILY) {
                if (match.inARow() + 1 == occ) {
                    b.append(" — ").append(ordinal(occ)).append(night ? " night" : " day").append(" running");
                } else {
                    b.append(" — ").append(occ).append(" of the last ").append(days)
                            .append(" days at this time");
                }
            } else {
                String day = Instant.ofEpochMilli(start).atOffset(ZoneOffset.UTC).getDayOfWeek().getDisplayName(
                        java.time.format.TextStyle.FULL, Locale.ROOT);
                b.append(" — ").append(occ).append(" of the last ").append(Recurrences.WEEKS).append(" ").append(day)
                        .append("s");
            }
        }
        return b.toString();
    }

    static String ordinal(int n) {
        String[] words = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"};
        return n >= 1 && n <= words.length ? words[n - 1] : n + "th";
    }

    static String causePrefix(String fleet, RootCause cause) {
        return (fleet == null ? "" : fleet) + SEP + cause.name() + SEP;
    }

    static String windowKey(WindowHeader w) {
        return causePrefix(w.fleet(), w.rootCause()) + String.format(Locale.ROOT, "%013d", w.anchor());
    }

    static String activeKey(String fleet, String host) {
        return (fleet == null ? "" : fleet) + SEP + host;
    }
}
