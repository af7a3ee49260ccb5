package io.handoff.fleet;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Recurrence;
import io.handoff.avro.RecurrencePeriod;
import io.handoff.avro.RootCause;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
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
import java.time.format.TextStyle;
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
 * The fleet window: host incidents of one fleet that share a trigger and start within
 * {@code fleetWindow} of the earliest of them become one {@link FleetIncident} when enough hosts of the
 * active fleet are hit. The trigger ({@link Member#trigger()}) is an FPM reload when one is part of an
 * incident's causal chain — the nightly reload overflows most hosts' queues and cuts a few hosts'
 * requests, and that is one spike with a breakdown of hosts per label — otherwise the incident's root
 * cause, so that unrelated causes in the same minute stay separate records.
 *
 * <h2>Input (both partitioned by fleet label, so one task sees a whole fleet)</h2>
 * <ul>
 *   <li>{@link Member}s (key {@code fleet|trigger}, timestamp = incident start) from the repartition topic;</li>
 *   <li>{@link Heartbeat}s (key host, timestamp = the host's event time) from the activity topic.</li>
 * </ul>
 *
 * <h2>Windows, the same whatever order the incidents arrive in</h2>
 * The pending incidents of a fleet and trigger are kept by start time. A window begins at the earliest
 * pending start and takes every pending incident that starts within {@code fleetWindow} of it; the
 * next window begins at the next start after it. So a midnight burst (23:59:58 … 00:00:05) is one
 * window, and which incidents share a window depends on their starts alone, not on which host's
 * incident reached the stage first (anchoring a window at the first arrival split the same fleet
 * differently from one replay to the next).
 *
 * <p>A window closes when the task's stream time (incident starts and heartbeats: the fleet's event
 * time) passes {@code start + fleetWindow + grace}, with {@code grace = quietPeriod + grace +
 * fleetWindow} of the correlator: a host incident is only emitted after its quiet period and grace,
 * so a burst up to {@code fleetWindow} long that starts at the end of the window still arrives in
 * time. When the stage's input falls silent for {@code idleClose} of wall-clock time (end of a
 * replay), every pending window closes, earliest first.
 *
 * <p>An incident whose window would already be closed ({@code start + fleetWindow + grace ≤ stream
 * time}) is late: it is counted ({@code fleet-late{root_cause}}) and logged at DEBUG; it stays on the
 * incidents topic as a host incident.
 *
 * <h2>Decision</h2>
 * On close: {@code hosts ≥ 2} and ({@code hosts ≥ fleetMinHosts} or {@code hosts / active ≥
 * fleetMinShare}), where active = the fleet's hosts with a heartbeat within {@code activeWindow}
 * before the window start (plus the hosts hit). Otherwise the window is dropped and counted
 * ({@code fleet-windows-below-threshold}). The record's root cause is the label of most hosts
 * (ties: the taxonomy's order), {@code causes} the hosts per label.
 *
 * <h2>State</h2>
 * {@value FleetStage#OPEN_STORE} (one small header per fleet and trigger with pending incidents: the
 * earliest start), {@value FleetStage#HOSTS_STORE} (one entry per pending host incident, keyed by fleet,
 * trigger, start and host), {@value FleetStage#ACTIVE_STORE} (one long per host seen within the
 * retention, expired every 10 minutes of stream time), {@value FleetStage#RECURRENCE_STORE} (window
 * starts of the fleet incidents of the last {@link Recurrences#horizon} per fleet and trigger, at most
 * {@value #HISTORY_CAP}).
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
        upgradeHeaders();
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
        String group = groupPrefix(m.fleet(), m.trigger());
        WindowHeader w = open.get(group);
        if (w == null || m.start() < w.anchor()) {
            if (judgeLate && m.start() + windowMs + graceMs <= streamTime) {
                recorder.increment("fleet-late", "root_cause", m.rootCause().name());
                if (LOG.isDebugEnabled()) {
                    LOG.debug("late incident {} of {} ({}): its fleet window closed at stream time {}", m.incidentIds(),
                            m.host(), m.rootCause(), Instant.ofEpochMilli(streamTime));
                }
                return;
            }
            open.put(group, new WindowHeader(m.fleet(), m.trigger(), m.start()));
        }
        String key = memberKey(group, m.start(), m.host());
        Member before = hosts.get(key);
        hosts.put(key, before == null ? m : before.merge(m));
    }

    /** Stream-time close: the pending windows whose start + window + grace the fleet's event time has passed. */
    private void closeDue(long streamTime) {
        if (streamTime == Long.MIN_VALUE || !idle.isOpen(CloseGate.Stage.FLEET)) {
            return; // no input yet since the start, or a replay whose incidents are still arriving
        }
        for (KeyValue<String, WindowHeader> kv : headers()) {
            WindowHeader w = kv.value;
            while (w != null && w.anchor() + windowMs + graceMs <= streamTime) {
                w = close(kv.key, w);
            }
        }
        if (lastExpiry == Long.MIN_VALUE || streamTime - lastExpiry >= EXPIRE_EVERY) {
            lastExpiry = streamTime;
            expireActive(streamTime);
        }
    }

    /** Wall-clock close: the stage's input went silent for idleClose (end of a replay); earliest windows first. */
    private void closeIdle(long wallClock) {
        if (!idle.isOpen(CloseGate.Stage.FLEET) || wallClock - lastArrival < idleMs) {
            return;
        }
        List<KeyValue<String, WindowHeader>> all = headers();
        if (!all.isEmpty()) {
            LOG.debug("closing the fleet windows of {} triggers: no input for {} ms of wall-clock time", all.size(),
                    wallClock - lastArrival);
        }
        while (!all.isEmpty()) {
            all.sort(Comparator.comparingLong((KeyValue<String, WindowHeader> kv) -> kv.value.anchor()).thenComparing(kv -> kv.key));
            KeyValue<String, WindowHeader> first = all.remove(0);
            WindowHeader next = close(first.key, first.value);
            if (next != null) {
                all.add(KeyValue.pair(first.key, next));
            }
        }
    }

    /**
     * Windows restored from state written before triggers: their header's key is
     * {@code fleet SEP cause SEP anchor} (one header per window), their hosts' keys already read as
     * pending incidents starting at the anchor. Rekeyed to one header per group; bounded by the open
     * windows, and a no-op once done.
     */
    private void upgradeHeaders() {
        List<KeyValue<String, WindowHeader>> old = new ArrayList<>();
        for (KeyValue<String, WindowHeader> kv : headers()) {
            if (!kv.key.endsWith(SEP)) old.add(kv);
        }
        for (KeyValue<String, WindowHeader> kv : old) {
            String group = kv.key.substring(0, kv.key.lastIndexOf(SEP) + 1);
            WindowHeader now = open.get(group);
            if (now == null || kv.value.anchor() < now.anchor()) {
                open.put(group, new WindowHeader(kv.value.fleet(), kv.value.trigger(), kv.value.anchor()));
            }
            open.delete(kv.key);
        }
    }

    private List<KeyValue<String, WindowHeader>> headers() {
        List<KeyValue<String, WindowHeader>> all = new ArrayList<>();
        try (KeyValueIterator<String, WindowHeader> it = open.all()) {
            while (it.hasNext()) {
                all.add(it.next());
            }
        }
        return all;
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

    /**
     * Closes the window that begins at the group's earliest pending start: takes its incidents (those
     * starting within the window), decides, emits; returns the group's next header, or null when
     * nothing is pending any more.
     */
    private WindowHeader close(String group, WindowHeader w) {
        long last = w.anchor() + windowMs;
        List<KeyValue<String, Member>> entries = new ArrayList<>();
        List<String> later = new ArrayList<>(1);
        try (KeyValueIterator<String, Member> it = hosts.prefixScan(group, new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, Member> kv = it.next();
                if (startOf(group, kv.key) <= last) {
                    entries.add(kv);
                } else {
                    later.add(kv.key);
                    break; // keys are in start order
                }
            }
        }
        for (KeyValue<String, Member> kv : entries) {
            hosts.delete(kv.key);
        }
        WindowHeader next = later.isEmpty() ? null : new WindowHeader(w.fleet(), w.trigger(), startOf(group, later.get(0)));
        if (next == null) {
            open.delete(group);
        } else {
            open.put(group, next);
        }
        Map<String, Member> byHost = new TreeMap<>();
        for (KeyValue<String, Member> kv : entries) {
            byHost.merge(kv.value.host(), kv.value, Member::merge);
        }
        if (!byHost.isEmpty()) {
            decide(group, w, new ArrayList<>(byHost.values()));
        }
        return next;
    }

    private void decide(String group, WindowHeader w, List<Member> members) {
        int n = members.size();
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        Set<String> hit = new TreeSet<>();
        Map<RootCause, Integer> perLabel = new TreeMap<>();
        for (Member m : members) {
            start = Math.min(start, m.start());
            end = Math.max(end, m.end());
            hit.add(m.host());
            perLabel.merge(m.rootCause(), 1, Integer::sum);
        }
        RootCause root = null;
        for (Map.Entry<RootCause, Integer> e : perLabel.entrySet()) {
            if (root == null || e.getValue() > perLabel.get(root)) {
                root = e.getKey(); // most hosts; ties go to the first label in the taxonomy's order
            }
        }
        int activeHosts = countActive(w.fleet(), start - activeMs, hit);
        double share = activeHosts == 0 ? 0 : (double) n / activeHosts;
        if (n < 2 || (n < minHosts && share < minShare)) {
            recorder.increment("fleet-windows-below-threshold", "root_cause", root.name());
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
        Map<String, Integer> causes = new TreeMap<>();
        perLabel.forEach((k, v) -> causes.put(k.name(), v));

        List<Long> past = history.get(group);
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
        history.put(group, past);

        FleetIncident f = FleetIncident.newBuilder()
                .setId((w.fleet() == null ? "default" : w.fleet()) + "/" + root + "@" + Instant.ofEpochMilli(start))
                .setFleet(w.fleet())
                .setRootCause(root)
                .setHosts(new ArrayList<>(hit))
                .setActiveHosts(activeHosts)
                .setShareOfFleet(share)
                .setWindowStart(Instant.ofEpochMilli(start))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setStatusCounts(counts)
                .setTotalRequests(total)
                .setIncidentIds(ids)
                .setCommonTrigger(reload ? RELOAD_TRIGGER : null)
                .setRemediation(FleetRemedies.remedy(root, reload))
                .setRecurrence(recurrence)
                .setSummary(summary(w.fleet(), root, causes, n, activeHosts, start, reload, match, recurrenceDays))
                .setCauses(causes)
                .build();
        recorder.increment("fleet-incidents", "root_cause", root.name());
        // to every child: the fleet-incidents sink, and the ECS mirror when the topology has one
        context.forward(new Record<>(FleetStage.fleetKey(w.fleet(), root), f, start));
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
     * "LISTEN_BACKLOG_OVERFLOW on 27 of 33 hosts at 00:00 UTC (23 LISTEN_BACKLOG_OVERFLOW, 4
     * FPM_RELOAD_INTERRUPTION), after the nightly FPM reload — third night running".
     */
    static String summary(String fleet, RootCause root, Map<String, Integer> causes, int n, int activeHosts, long start,
                          boolean reload, Recurrences.Match match, int days) {
        String tod = Recurrences.timeOfDay(start);
        int hour = Integer.parseInt(tod.substring(0, 2));
        boolean night = hour >= 20 || hour < 6;
        StringBuilder b = new StringBuilder();
        b.append(root).append(" on ").append(n).append(" of ").append(activeHosts).append(" hosts");
        if (fleet != null) {
            b.append(" of fleet ").append(fleet);
        }
        b.append(" at ").append(tod).append(" UTC");
        if (causes.size() > 1) {
            List<Map.Entry<String, Integer>> l = new ArrayList<>(causes.entrySet());
            l.sort((x, y) -> Integer.compare(y.getValue(), x.getValue()));
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Integer> e : l) parts.add(e.getValue() + " " + e.getKey());
            b.append(" (").append(String.join(", ", parts)).append(")");
        }
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
                        TextStyle.FULL, Locale.ROOT);
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

    /** The store prefix of a fleet and trigger: {@code fleet SEP trigger SEP}. */
    static String groupPrefix(String fleet, String trigger) {
        return (fleet == null ? "" : fleet) + SEP + trigger + SEP;
    }

    /** A pending incident's key: its group, its start (13 digits, so keys sort by start) and its host. */
    static String memberKey(String group, long start, String host) {
        return group + String.format(Locale.ROOT, "%013d", start) + SEP + host;
    }

    static long startOf(String group, String memberKey) {
        return Long.parseLong(memberKey.substring(group.length(), group.length() + 13));
    }

    static String activeKey(String fleet, String host) {
        return (fleet == null ? "" : fleet) + SEP + host;
    }
}
