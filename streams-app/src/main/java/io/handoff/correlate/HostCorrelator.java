package io.handoff.correlate;

import io.handoff.config.HandoffConfig;
import io.handoff.avro.CausalStep;
import io.handoff.avro.CorrelateInput;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Evidence;
import io.handoff.avro.HostClock;
import io.handoff.avro.HostTick;
import io.handoff.avro.Incident;
import io.handoff.avro.IncidentStatus;
import io.handoff.avro.KindTally;
import io.handoff.avro.LogEvent;
import io.handoff.avro.LookbackRing;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.OpenIncident;
import io.handoff.avro.OpenPhase;
import io.handoff.avro.Origin;
import io.handoff.avro.SecondCount;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.classify.Classifier;
import io.handoff.classify.Diagnosis;
import io.handoff.classify.Lines;
import io.handoff.classify.Timeline;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.topics.Sources;
import io.handoff.topics.TopicNames;
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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-host event-time correlation: turns a host's parsed lines into {@link Incident}s (one per burst of
 * gateway errors) and {@link Warning}s (evidence without gateway errors). While an incident is open it
 * also goes out as provisional records (status OPEN) on the incident-updates topic, keyed by incident
 * id: at once when it opens, then whenever its verdict (root cause, chain) changes, looked at again at
 * most once a second and only after a line that can change it (a new kind, a new kept line, a count that
 * doubled); its final record (status CLOSED) goes to both topics.
 *
 * <h2>State</h2>
 * Four stores ({@link CorrelateStores}): the host's per-source clocks (every host), the counters of
 * what it has open (hosts with an incident or pending warning), the counters of its look-back ring
 * (hosts with recent evidence and nothing open), and the kept lines under their own keys. A line costs
 * a clock read, at most one counters read and write, and at most one line write: nothing grows with
 * the evidence cap. Kept per kind of evidence ({@link Lines#kindKey}; a kind comes from one log, whose
 * lines arrive in the order they were written): in an incident, from its first error on, the first
 * {@link Timeline#MIN_PER_KIND} lines and the latest, and of its look-back the latest
 * {@link Timeline#MIN_PER_KIND} before the first error; in the look-back ring the latest
 * {@value #RING_PER_KIND}. Which lines are kept and counted depends on their times only, never on
 * whether they arrived before or after the incident opened: the look-back counts the lines it keeps,
 * everything from the first error on counts whole.
 *
 * <h2>Time</h2>
 * Each host keeps a clock per source: the latest time a line of that log was written. An incident
 * opens at the first gateway error (an access 502/504 or an nginx upstream failure line) and holds the
 * host's lines written from the look-back before it (never reaching into the host's previous incident)
 * to its last gateway error plus the quiet period: its <em>window</em>, in event time, whatever the order
 * the lines arrive in. A gateway error after the window starts the next burst.
 *
 * <p>The close is a watermark over the host's logs, with idleness: the incident closes once every
 * <em>active</em> log of the host has passed last error + quiet + 1 s. How far one log ran ahead says
 * nothing about another: the same instant of a burst can reach this task through six topics seconds
 * apart, and a log that is behind in event time may be the very one delivering the burst right now.
 * Only silence in wall-clock time tells a log that stopped from one that lags. So a log is active while
 * <ul>
 *   <li>it is the log of the record being processed;</li>
 *   <li>or it <b>delivers</b>: it brought a line of the host (whole or as a tick) within {@code sourceIdle} of wall-clock
 *       time (in memory, per task, counted only while the partition is live and the task runs, like the
 *       idle close: a gap of more than {@value #MAX_PUNCTUATION_GAP_MS} ms between two punctuations is
 *       time the task did not run, not silence; a log this task has not heard from since it saw the host
 *       counts as heard then, so a log that has said nothing yet holds an incident for {@code sourceIdle}
 *       too; but when every log of a host with an incident open has been silent for {@code sourceIdle},
 *       they stay stopped until each speaks again). While the wall clock stands still every log that delivered holds: a burst shipped at one
 *       instant is one incident, and so is days of lines delivered at one instant, which is why a replay
 *       keeps the partition not live until its input is complete.</li>
 * </ul>
 * Nothing else holds it: how close a silent log's clock is to the newest log's says nothing that its
 * silence does not. A log keeping pace that had nothing to say for a moment is one that delivers: a
 * shipper reads an idle file again after a backoff (Filebeat: {@code backoff.init} doubling up to
 * {@code backoff.max}) and its queue hands the lines on up to a second later, so such a log's deliveries
 * lie at most backoff.max + 1 s apart, and {@code sourceIdle} must exceed that (the default 5 s, for the
 * 1 s reads of connectors/filebeat/filebeat.yml; 12 s for Filebeat's own 10 s backoff.max). A log whose last
 * line fell just short of the end (web-06's FPM log stopping 30 s after the last error) holds the incident
 * until it has been silent for {@code sourceIdle}: at most last error + quiet + sourceIdle.
 * A log that stopped (the kernel log, with nothing to say; the error log after the burst) holds nothing
 * once it has been silent for {@code sourceIdle}. With logs shipped as they are written and
 * {@code sourceIdle} below quiet + 1 s, the error log is silent by the time the others pass the window,
 * and the incident closes at last error + quiet + 1 s. The incident closes:
 * <ul>
 *   <li>by that rule, on one of the host's records, or when a punctuator looks again {@code sourceIdle}
 *       after the host's last record (its logs that delivered then have stopped since);</li>
 *   <li>while the partition is not live ({@link CloseGate}: catching up, broker away, a replay), never by
 *       time: a log that lags, or one not heard from yet, may still hold the rest of the burst. A gateway
 *       error after the window closes it (next burst), and so does the rule once the partition is live
 *       again;</li>
 *   <li>or when the host has been silent for {@code idleClose}, counted only while the partition is
 *       live (a wall-clock punctuator, over an in-memory index by due time).</li>
 * </ul>
 * What an incident holds never depends on when it closes (its window does), unless it closes before a
 * log has delivered the window's lines: then those lines arrive late (below).
 *
 * <h2>Late records</h2>
 * A line is late when it was written more than {@code grace} before its own source's clock (a burst's
 * error-log lines behind its access-log lines are not late). Late lines are counted
 * ({@code late{source,outcome}}), and never dropped: one that an open incident's window holds joins it
 * ({@code absorbed}), evidence within the look-back joins the ring ({@code lookback}), and the rest goes
 * to the dead-letter topic with stage {@code late} and the reason ({@code dead-letter}). A line of a
 * burst that arrives after its incident closed (written at or before where it ended) goes there too.
 */
public final class HostCorrelator implements Processor<String, CorrelateInput, Object, Object> {
    /** Store names, kept for callers that named them here. */
    public static final String CLOCK_STORE = CorrelateStores.CLOCK;
    public static final String LOOKBACK_STORE = CorrelateStores.LOOKBACK;
    public static final String OPEN_STORE = CorrelateStores.OPEN;
    public static final String LINES_STORE = CorrelateStores.LINES;

    /**
     * A pending warning waits this much longer than an incident's quiet period: requests queued when
     * the pool filled fail only when nginx's fastcgi_read_timeout (60 s by default) runs out, so the
     * 504s of a pool-exhaustion burst come up to a minute after the max_children line.
     */
    static final long WARNING_HOLD_MS = 60_000;
    /** The provisional verdict of an open incident is looked at again at most this often. */
    static final long DIAGNOSE_EVERY_MS = 1_000;
    /** The wall-clock punctuator's period (each punctuation costs the task a commit). */
    static final long PUNCTUATE_MS = 500;
    /** Wall-clock time between two punctuations beyond which the rest does not count as silence. */
    static final long MAX_PUNCTUATION_GAP_MS = 2_000;
    /** Lines of a kind an incident keeps from its first error on (then the latest in one more slot), and before it. */
    static final int PER_KIND = Timeline.MIN_PER_KIND;
    /**
     * Lines of a kind the look-back ring keeps (the latest): twice what an incident keeps before its first
     * error, so that lines of a log running ahead of the first gateway error never push out the ones before it.
     */
    static final int RING_PER_KIND = 2 * PER_KIND;

    private static final Logger LOG = LoggerFactory.getLogger(HostCorrelator.class);
    private static final SourceKind[] SOURCES = SourceKind.values();
    /** Kept lines in event-time order; lines of the same instant by log, then text, then offset: never by arrival. */
    private static final Comparator<LogEvent> LINE_ORDER = Comparator.comparing(LogEvent::getTimestamp)
            .thenComparing(LogEvent::getSource).thenComparing(LogEvent::getOriginal)
            .thenComparingLong(e -> e.getOrigin() == null ? -1 : e.getOrigin().getOffset());

    private final long quietMs;
    private final long graceMs;
    private final long lookBackMs;
    private final long idleCloseMs;
    private final long sourceIdleMs;
    private final CloseGate gate;
    private final int cap;
    private final HandoffMetrics metrics;
    private final TopicNames topics;
    private final String incidentsChild;
    private final String updatesChild;
    private final String warningsChild;
    private final String deadLetterChild;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, HostClock> clocks;
    private KeyValueStore<String, OpenIncident> open;
    private KeyValueStore<String, LookbackRing> rings;
    private KeyValueStore<String, LogEvent> lines;
    private HandoffMetrics.Recorder recorder;
    private int partition;

    // in memory, derived (rebuilt from the open store in init)
    /** Open hosts by when their silence makes them idle, in live-clock ms. */
    private final DueHosts idle = new DueHosts();
    /** Open hosts to look at again by the clocks when the logs that delivered their last record have stopped, in live-clock ms. */
    private final DueHosts held = new DueHosts();
    /**
     * Per host, when each of its logs last delivered a line (live-clock ms, by {@link SourceKind} ordinal), in
     * the order the hosts were last heard from: hosts every one of whose logs has been silent for
     * {@code sourceIdle} drop off the front (they count as never heard from again).
     */
    private final LinkedHashMap<String, long[]> heard = new LinkedHashMap<>();
    /**
     * Open hosts that dropped off {@link #heard} because every one of their logs had been silent for
     * {@code sourceIdle}: when one of their logs speaks again, the others are known to have stopped (unlike
     * the logs of a host not heard from since this task started, which count as heard then).
     */
    private final Set<String> silenced = new HashSet<>();
    /** Open incidents whose verdict is due for a new look, in wall-clock ms. */
    private final DueHosts diagnoses = new DueHosts();
    /** Wall-clock ms of each open incident's last diagnosis. */
    private final Map<String, Long> diagnosedAt = new HashMap<>();
    /** Milliseconds the partition has been live; only these count as a host's silence. */
    private long liveClock;
    private long lastPunctuation;
    private boolean wasLive;

    public HostCorrelator(HandoffConfig config, HandoffMetrics metrics, CloseGate gate, String incidentsChild,
                          String updatesChild, String warningsChild, String deadLetterChild) {
        this.gate = gate;
        this.quietMs = config.quietPeriod().toMillis();
        this.graceMs = config.grace().toMillis();
        this.lookBackMs = config.lookBack().toMillis();
        this.idleCloseMs = config.idleClose().toMillis();
        this.sourceIdleMs = config.sourceIdle().toMillis();
        this.cap = Math.max(2, config.evidenceCap());
        this.metrics = metrics;
        this.topics = config.topics();
        this.incidentsChild = incidentsChild;
        this.updatesChild = updatesChild;
        this.warningsChild = warningsChild;
        this.deadLetterChild = deadLetterChild;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.clocks = context.getStateStore(CorrelateStores.CLOCK);
        this.open = context.getStateStore(CorrelateStores.OPEN);
        this.rings = context.getStateStore(CorrelateStores.LOOKBACK);
        this.lines = context.getStateStore(CorrelateStores.LINES);
        this.recorder = metrics.recorder(context.metrics(), "correlate-host");
        this.partition = context.taskId().partition();
        long now = context.currentSystemTimeMs();
        idle.clear();
        held.clear();
        heard.clear();
        silenced.clear();
        diagnoses.clear();
        diagnosedAt.clear();
        liveClock = 0;
        lastPunctuation = now;
        wasLive = gate.isOpen(CloseGate.Stage.CORRELATE, partition);
        try (KeyValueIterator<String, OpenIncident> it = open.all()) {
            while (it.hasNext()) {
                KeyValue<String, OpenIncident> kv = it.next();
                idle.put(kv.key, idleCloseMs); // restored after a restart: silent from now
                held.put(kv.key, sourceIdleMs);
                if (kv.value.getPhase() == OpenPhase.INCIDENT) {
                    diagnoses.put(kv.key, now);
                }
            }
        }
        context.schedule(Duration.ofMillis(PUNCTUATE_MS), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    // ---- one record ----

    @Override
    public void process(Record<String, CorrelateInput> record) {
        Object line = record.value() == null ? null : record.value().getLine();
        if (line instanceof HostTick tick) {
            process(tick);
            return;
        }
        if (!(line instanceof LogEvent e)) {
            recorder.increment("dead-letters", "source", "correlate-input", "stage", "deserialize");
            deadLetter(record.key(), null, new byte[0], "deserialize",
                    "correlator input record: expected a LogEvent or a HostTick, got a null value (tombstone)");
            return;
        }
        process(e);
    }

    /** A line with signal (or one sent whole), see the class comment. */
    private void process(LogEvent e) {
        String host = e.getHost();
        String source = Sources.name(e.getSource());
        long t = e.getTimestamp().toEpochMilli();
        long written = Lines.writtenAt(e);

        HostClock stored = clocks.get(host);
        HostClock clock = stored == null ? newClock() : stored;
        Long sourceTime = clock.getWritten().get(source);
        boolean late = sourceTime != null && written < sourceTime - graceMs;
        boolean clockChanged = advance(clock, source, sourceTime, written) || stored == null;
        boolean live = gate.isOpen(CloseGate.Stage.CORRELATE, partition);
        boolean gateway = Lines.isGatewayError(e);
        boolean evidence = gateway || Lines.isEvidence(e);
        boolean access = e.getParsed() instanceof NginxAccessFields;

        long[] delivered = delivered(host, e.getSource());
        OpenIncident state = loadOpen(host);
        if (state != null && heardOrClosed(host, state, clock, live, delivered, e.getSource())) {
            clockChanged = true;
            state = null;
        }

        if (state != null && state.getPhase() == OpenPhase.INCIDENT) {
            if (t >= state.getFrom() && t <= windowEnd(state)) {
                if (absorb(host, state, e, t, gateway, evidence)) {
                    markForDiagnosis(host);
                }
                open.put(host, state);
                if (late) late(source, "absorbed");
                saveClock(host, clock, clockChanged);
                return;
            }
            if (gateway && t > windowEnd(state)) {
                close(host, state, clock); // a gateway error after the window starts the next burst
                clockChanged = true;
                state = null;
            }
        }

        if (gateway) {
            if (state != null && state.getPhase() == OpenPhase.INCIDENT) {
                late(source, "dead-letter");
                deadLetter(e, "late", "gateway error at " + e.getTimestamp() + " is older than the open incident's window,"
                        + " which starts at " + Instant.ofEpochMilli(state.getFrom()) + " (its first error "
                        + Instant.ofEpochMilli(state.getFirst()) + ", look-back " + lookBackMs + " ms)");
                saveClock(host, clock, clockChanged);
                return;
            }
            if (t <= clock.getClosedUntil()) {
                late(source, "dead-letter");
                deadLetter(e, "late", "gateway error at " + e.getTimestamp() + " arrived after its burst had already closed"
                        + " (the host's last incident ended at " + Instant.ofEpochMilli(clock.getClosedUntil()) + ", "
                        + source + " was at " + Instant.ofEpochMilli(sourceTime == null ? written : sourceTime) + ")");
                saveClock(host, clock, clockChanged);
                return;
            }
            if (state != null && t > warningEnd(state)) {
                close(host, state, clock); // the warning's own time was up
                state = null;
            }
            openIncident(host, e, t, clock, state);
            saveClock(host, clock, true);
            return;
        }

        if (access) {
            countRecentRequest(clock, t, live);
            clockChanged = true;
        }
        if (evidence) {
            if (late && written < sourceTime - lookBackMs) {
                late(source, "dead-letter");
                deadLetter(e, "late", "evidence line at " + e.getTimestamp() + " is older than the look-back (" + lookBackMs
                        + " ms) behind " + source + "'s time " + Instant.ofEpochMilli(sourceTime) + " and no open incident holds it");
            } else if (t <= clock.getClosedUntil()) {
                late(source, "dead-letter");
                deadLetter(e, "late", source + " line at " + e.getTimestamp() + " arrived after its incident had closed"
                        + " (it ended at " + Instant.ofEpochMilli(clock.getClosedUntil()) + ")");
            } else {
                addToRing(host, e, t);
                if (late) late(source, "lookback");
                pendWarning(host, e, t, state, clock);
            }
            saveClock(host, clock, clockChanged);
            return;
        }
        if (late) {
            late(source, "dead-letter");
            deadLetter(e, "late", source + " line at " + e.getTimestamp() + " arrived " + (sourceTime - written)
                    + " ms behind " + source + "'s time " + Instant.ofEpochMilli(sourceTime) + " (grace " + graceMs
                    + " ms) and no open incident holds it");
        }
        saveClock(host, clock, clockChanged);
    }

    /**
     * A tick: what a line without signal (no gateway error, no evidence) does here, the same as
     * {@link #process(LogEvent)} does for such a line — the host's clock of its log, the close rules, an
     * nginx access line counted as a request of the open incident or of the recent seconds, and a line
     * late by more than the grace dead-lettered unless an open incident's window holds it (the parse stage
     * sends a line it can tell is late whole, so this dead letter names the raw record instead of
     * carrying its bytes only after a restart of the parse stage).
     */
    private void process(HostTick k) {
        String host = k.getHost();
        String source = Sources.name(k.getSource());
        long t = k.getEventTime();
        long written = k.getWritten();
        int n = Math.max(1, k.getLines());

        HostClock stored = clocks.get(host);
        HostClock clock = stored == null ? newClock() : stored;
        Long sourceTime = clock.getWritten().get(source);
        boolean late = sourceTime != null && written < sourceTime - graceMs;
        boolean clockChanged = advance(clock, source, sourceTime, written) || stored == null;
        boolean live = gate.isOpen(CloseGate.Stage.CORRELATE, partition);
        boolean access = k.getSource() == SourceKind.NGINX_ACCESS;

        long[] delivered = delivered(host, k.getSource()); // a tick is a delivery of its log like a whole line
        OpenIncident state = loadOpen(host);
        if (state != null && heardOrClosed(host, state, clock, live, delivered, k.getSource())) {
            clockChanged = true;
            state = null;
        }
        if (state != null && state.getPhase() == OpenPhase.INCIDENT && t >= state.getFrom() && t <= windowEnd(state)) {
            if (access) {
                countRequests(state, t, n);
            }
            open.put(host, state);
            if (late) late(source, "absorbed");
            saveClock(host, clock, clockChanged);
            return;
        }
        if (access) {
            for (int i = 0; i < n; i++) {
                countRecentRequest(clock, t, live);
            }
            clockChanged = true;
        }
        if (late) {
            late(source, "dead-letter");
            Instant at = Instant.ofEpochMilli(t);
            String reason = source + " line at " + at + " arrived " + (sourceTime - written) + " ms behind " + source
                    + "'s time " + Instant.ofEpochMilli(sourceTime) + " (grace " + graceMs + " ms) and no open incident"
                    + " holds it; it came as a tick: its bytes are in the raw record named here";
            recorder.increment("dead-letters", "source", source, "stage", "late");
            LOG.debug("dead letter (late): {}", reason);
            DeadLetter d = DeadLetter.newBuilder()
                    .setOriginal(ByteBuffer.allocate(0))
                    .setKey(ByteBuffer.wrap(host.getBytes(StandardCharsets.UTF_8)))
                    .setSourceTopic(k.getRawOffset() == null ? null : topics.raw(k.getSource()))
                    .setSourcePartition(k.getRawPartition())
                    .setSourceOffset(k.getRawOffset())
                    .setSourceKind(k.getSource())
                    .setHost(host)
                    .setStage("late")
                    .setReason(reason)
                    .setRecordedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                    .build();
            context.forward(new Record<Object, Object>(host.getBytes(StandardCharsets.UTF_8), d, t), deadLetterChild);
        }
        saveClock(host, clock, clockChanged);
    }

    /**
     * Moves the clock of {@code source} to {@code written} when that is newer than its {@code sourceTime}
     * (null: nothing from that log yet); whether it moved. A line and a tick advance a log's clock alike.
     */
    private static boolean advance(HostClock clock, String source, Long sourceTime, long written) {
        if (sourceTime == null || written > sourceTime) {
            clock.getWritten().put(source, written);
            return true;
        }
        return false;
    }

    private static HostClock newClock() {
        return HostClock.newBuilder().setWritten(new HashMap<>()).setFloor(0).setClosedUntil(0)
                .setRecentAccessFrom(0).setRecentAccess(ByteBuffer.allocate(0)).build();
    }

    private void saveClock(String host, HostClock clock, boolean changed) {
        if (changed) {
            clocks.put(host, clock);
        }
    }

    // ---- windows and close rules ----

    /** The last event time an incident's window holds: its last gateway error plus the quiet period. */
    private long windowEnd(OpenIncident s) {
        return s.getLast() + quietMs;
    }

    /**
     * A pending warning's end: like an incident's bound after its last line, but at most one look-back
     * after its first (a storm that never stops is still reported), and {@link #WARNING_HOLD_MS} longer
     * so the burst a capacity warning announces can still claim it. {@code Long.MAX_VALUE} for an incident.
     */
    private long warningEnd(OpenIncident s) {
        if (s.getPhase() != OpenPhase.WARNING) {
            return Long.MAX_VALUE;
        }
        long d = s.getLast() + quietMs + graceMs;
        return Math.min(d + WARNING_HOLD_MS, Math.max(d, s.getFirst() + lookBackMs));
    }

    /**
     * Notes that the host's log {@code source} delivered a line now, and returns when each of the host's
     * logs last did (a host not heard from lately starts with every log heard now).
     */
    private long[] delivered(String host, SourceKind source) {
        long[] at = heard.remove(host);
        if (at == null) {
            at = new long[SOURCES.length];
            Arrays.fill(at, silenced.remove(host) ? liveClock - sourceIdleMs : liveClock);
        }
        at[source.ordinal()] = liveClock;
        heard.put(host, at); // to the back: the map stays in the order hosts were last heard from
        return at;
    }

    /**
     * Forgets the hosts none of whose logs delivered a line within {@code sourceIdle}: none of their logs
     * delivers. Those with an open incident are noted as {@link #silenced}.
     */
    private void forgetSilentHosts() {
        for (var it = heard.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            long last = Long.MIN_VALUE;
            for (long a : e.getValue()) {
                last = Math.max(last, a);
            }
            if (last > liveClock - sourceIdleMs) {
                return; // this host and every one after it was heard from since
            }
            if (idle.contains(e.getKey())) {
                silenced.add(e.getKey());
            }
            it.remove();
        }
    }

    /**
     * A record of the host arrived while {@code state} is open: its idle close and its hold start over, and
     * the incident closes when every active log has passed its end ({@link #dueByClocks}).
     *
     * @return whether it closed (the host's clock then changed)
     */
    private boolean heardOrClosed(String host, OpenIncident state, HostClock clock, boolean live, long[] delivered,
                                  SourceKind source) {
        idle.put(host, liveClock + idleCloseMs);
        held.put(host, liveClock + sourceIdleMs);
        if (!dueByClocks(state, clock, live, delivered, source)) {
            return false;
        }
        close(host, state, clock);
        return true;
    }

    /**
     * Whether the host's clocks say that nothing more can arrive for what it has open: every active log
     * has passed its end (last error + quiet + 1 s for an incident). See the class comment.
     *
     * @param live      from the {@link CloseGate}: not live, never
     * @param delivered when each of the host's logs last delivered a line (live-clock ms), or null: none lately
     * @param source    the log of the record being processed (always active), or null from the punctuator
     */
    boolean dueByClocks(OpenIncident s, HostClock clock, boolean live, long[] delivered, SourceKind source) {
        if (!live) {
            return false; // a log that lags, or one not heard from yet, may still hold the rest of the burst
        }
        boolean incident = s.getPhase() == OpenPhase.INCIDENT;
        long end = incident ? windowEnd(s) + 1_000 : warningEnd(s);
        long newest = clock.getFloor();
        for (long w : clock.getWritten().values()) {
            newest = Math.max(newest, w);
        }
        if (newest < end) {
            return false;
        }
        for (SourceKind k : SOURCES) {
            Long w = clock.getWritten().get(Sources.name(k));
            if (w != null && w >= end) {
                continue; // this log is past the end
            }
            if (k == source || delivered != null && delivered[k.ordinal()] > liveClock - sourceIdleMs) {
                return false; // a log still delivering lines has not passed the end
            }
            // a log that delivered nothing for source-idle has stopped, however close to the newest its clock is
        }
        return true;
    }

    // ---- incidents ----

    private void openIncident(String host, LogEvent e, long t, HostClock clock, OpenIncident warning) {
        long from = Math.max(t - lookBackMs, clock.getClosedUntil() + 1);
        OpenIncident s = OpenIncident.newBuilder().setPhase(OpenPhase.INCIDENT).setFleet(e.getFleet()).setFirst(t).setLast(t)
                .setFrom(from).setKinds(new HashMap<>()).setStatusCounts(new HashMap<>()).setErrnoCounts(new HashMap<>())
                .setTotalRequests(0).setRequestsOutside(new ArrayList<>()).setRevision(-1).setVerdict("")
                .setLegacyLines(new ArrayList<>()).build();
        takeRecentRequests(clock, s); // requests already seen in (or near) the burst's seconds
        // the look-back: the ring's lines of the window (a pending warning's lines are among them)
        takeRing(host, s);
        absorb(host, s, e, t, true, true);
        if (warning != null) {
            LOG.debug("{}: pending warning since {} becomes part of the incident at {}", host,
                    Instant.ofEpochMilli(warning.getFirst()), e.getTimestamp());
        }
        open.put(host, s);
        idle.put(host, liveClock + idleCloseMs);
        held.put(host, liveClock + sourceIdleMs);
        diagnose(host, s, clock, context.currentSystemTimeMs()); // the provisional record goes out now
    }

    /**
     * Takes one line into an open incident: its times, counters, and a kept-line slot when its kind has room.
     *
     * @return whether the verdict may have changed: a new kind, a new kept line (not the latest-line slot
     *         that every repeat overwrites), a count that doubled; a repeat of what is there changes nothing
     */
    private boolean absorb(String host, OpenIncident s, LogEvent e, long t, boolean gateway, boolean evidence) {
        boolean notable = false;
        if (gateway) {
            boolean grew = false;
            if (t < s.getFirst()) {
                s.setFirst(t);
                foldRequests(s);
                grew = true;
            }
            if (t > s.getLast()) {
                s.setLast(t);
                foldRequests(s);
                grew = true;
            }
            if (grew && rings.get(host) != null) {
                takeRing(host, s); // lines of a log that ran ahead may lie in the window now
                notable = true;
            }
        }
        Object p = e.getParsed();
        if (p instanceof NginxAccessFields) {
            countRequests(s, t, 1);
            int status = Lines.gatewayStatus(e);
            if (status != 0) {
                notable |= doubled(s.getStatusCounts().merge(Integer.toString(status), 1L, Long::sum));
            }
        } else if (p instanceof NginxErrorFields f && Lines.upstream(f).gateway()) {
            notable |= doubled(s.getErrnoCounts().merge(f.getErrno() == null ? "none" : f.getErrno().toString(), 1L, Long::sum));
        }
        if (evidence) {
            notable |= keep(host, s, e, t);
        }
        return notable;
    }

    /** 1, 2, 4, 8, …: a count whose scale changed. */
    private static boolean doubled(long n) {
        return (n & (n - 1)) == 0;
    }

    /**
     * Counts a line into the incident and keeps it when its kind has room: before the first error, in
     * the look-back slots (the latest {@value #PER_KIND}, taken in turn: the next one takes the slot of
     * the earliest); from the first error on, the first {@value #PER_KIND} in their slots and the latest in
     * one more.
     *
     * @return whether it is a new kind, a new kept line or a doubled count (see {@link #absorb})
     */
    private boolean keep(String host, OpenIncident s, LogEvent e, long t) {
        String kind = Lines.kindKey(e);
        KindTally k = s.getKinds().get(kind);
        if (k == null) {
            k = new KindTally(0L, t, 0L, 0, 0, 0L);
            s.getKinds().put(kind, k);
        }
        k.setFirstAt(Math.min(k.getFirstAt(), t));
        boolean notable;
        if (t < s.getFirst()) {
            notable = true;
            int slot = k.getNextBefore();
            lines.put(CorrelateStores.lineKey(host, CorrelateStores.INCIDENT, kind, "b" + slot), e);
            k.setNextBefore((slot + 1) % PER_KIND);
            k.setKeptBefore(Math.min(PER_KIND, k.getKeptBefore() + 1));
        } else {
            long n = k.getAfter();
            notable = n < PER_KIND || doubled(n + 1);
            if (n < PER_KIND) {
                lines.put(CorrelateStores.lineKey(host, CorrelateStores.INCIDENT, kind, "a" + n), e);
                k.setLastAt(Math.max(k.getLastAt(), t));
            } else if (t > k.getLastAt() || t == k.getLastAt() && laterThanLatestKept(host, kind, e)) {
                lines.put(CorrelateStores.lineKey(host, CorrelateStores.INCIDENT, kind, "a" + PER_KIND), e);
                k.setLastAt(t);
            }
            k.setAfter(n + 1);
        }
        k.setCount(k.getKeptBefore() + k.getAfter());
        return notable;
    }

    /**
     * Of two lines of a kind written at the same instant, the latest-line slot keeps the later in
     * {@link #LINE_ORDER}, whichever arrived last: what is kept never depends on the order of arrival.
     */
    private boolean laterThanLatestKept(String host, String kind, LogEvent e) {
        LogEvent kept = lines.get(CorrelateStores.lineKey(host, CorrelateStores.INCIDENT, kind, "a" + PER_KIND));
        return kept == null || LINE_ORDER.compare(e, kept) > 0;
    }

    /** Counts {@code n} access lines stamped {@code t}: inside [first, last] into the total, else by second. */
    private void countRequests(OpenIncident s, long t, long n) {
        if (t >= s.getFirst() && t <= s.getLast()) {
            s.setTotalRequests(s.getTotalRequests() + n);
            return;
        }
        if (t < s.getFirst() - graceMs || t > windowEnd(s)) {
            return; // no gateway error can take it in any more (or yet)
        }
        long second = Math.floorDiv(t, 1000);
        for (SecondCount b : s.getRequestsOutside()) {
            if (b.getSecond() == second) {
                b.setRequests(b.getRequests() + n);
                return;
            }
        }
        s.getRequestsOutside().add(new SecondCount(second, n));
    }

    /** After first or last moved: the seconds now inside [first, last] go into the total. */
    private void foldRequests(OpenIncident s) {
        List<SecondCount> outside = new ArrayList<>(s.getRequestsOutside().size());
        for (SecondCount b : s.getRequestsOutside()) {
            long at = b.getSecond() * 1000;
            if (at >= s.getFirst() && at <= s.getLast()) {
                s.setTotalRequests(s.getTotalRequests() + b.getRequests());
            } else if (at >= s.getFirst() - graceMs) {
                outside.add(b);
            }
        }
        s.setRequestsOutside(outside); // a decoded Avro array cannot remove through its iterator
    }

    /**
     * Counts an nginx access line no open incident holds, by second: for the grace behind the access
     * log's clock while live, for the look-back while catching up (a log behind it may still bring the
     * gateway error that opens an incident over these seconds).
     */
    private void countRecentRequest(HostClock clock, long t, boolean live) {
        long second = Math.floorDiv(t, 1000);
        Long accessClock = clock.getWritten().get(Sources.name(SourceKind.NGINX_ACCESS));
        long horizon = live ? graceMs : Math.max(graceMs, lookBackMs);
        long oldest = Math.floorDiv((accessClock == null ? t : accessClock) - horizon, 1000);
        ByteBuffer counts = clock.getRecentAccess();
        long from = clock.getRecentAccessFrom();
        int n = counts.remaining() / 2;
        long start = n == 0 ? Math.max(second, oldest) : Math.max(from, oldest);
        long end = Math.max(n == 0 ? start : from + n, second + 1);
        if (second < start) {
            return; // older than anything an incident could still take in
        }
        byte[] out = new byte[(int) Math.min(end - start, 1 + horizon / 1000 + 1) * 2];
        long outStart = end - out.length / 2;
        for (int i = 0; i < n; i++) {
            long sec = from + i;
            if (sec >= outStart) {
                int at = (int) (sec - outStart) * 2;
                out[at] = counts.get(counts.position() + 2 * i);
                out[at + 1] = counts.get(counts.position() + 2 * i + 1);
            }
        }
        if (second >= outStart) {
            int at = (int) (second - outStart) * 2;
            int c = Math.min(0xFFFF, (((out[at] & 0xFF) << 8) | (out[at + 1] & 0xFF)) + 1);
            out[at] = (byte) (c >>> 8);
            out[at + 1] = (byte) c;
        }
        clock.setRecentAccessFrom(outStart);
        clock.setRecentAccess(ByteBuffer.wrap(out));
    }

    /** The access lines counted by {@link #countRecentRequest} go to a new incident, and the counts start over. */
    private void takeRecentRequests(HostClock clock, OpenIncident s) {
        ByteBuffer counts = clock.getRecentAccess();
        long from = clock.getRecentAccessFrom();
        for (int i = 0; i < counts.remaining() / 2; i++) {
            int c = ((counts.get(counts.position() + 2 * i) & 0xFF) << 8) | (counts.get(counts.position() + 2 * i + 1) & 0xFF);
            if (c > 0) {
                countRequests(s, (from + i) * 1000, c);
            }
        }
        clock.setRecentAccessFrom(0);
        clock.setRecentAccess(ByteBuffer.allocate(0));
    }

    // ---- the look-back ring ----

    private void addToRing(String host, LogEvent e, long t) {
        LookbackRing ring = loadRing(host);
        if (ring == null) {
            ring = LookbackRing.newBuilder().setKinds(new HashMap<>()).setNewest(t).setLegacyLines(new ArrayList<>()).build();
        } else if (ring.getNewest() < t - lookBackMs) {
            deleteLines(host, CorrelateStores.RING); // all of it is older than any look-back from here on
            ring.setKinds(new HashMap<>());
        }
        putInRing(host, ring, e, t);
        rings.put(host, ring);
    }

    private void putInRing(String host, LookbackRing ring, LogEvent e, long t) {
        String kind = Lines.kindKey(e);
        KindTally k = ring.getKinds().get(kind);
        if (k == null) {
            k = new KindTally(0L, t, 0L, 0, 0, 0L);
            ring.getKinds().put(kind, k);
        }
        String slot = String.valueOf(k.getCount() % RING_PER_KIND);
        k.setCount(k.getCount() + 1);
        k.setFirstAt(Math.min(k.getFirstAt(), t));
        k.setLastAt(Math.max(k.getLastAt(), t));
        ring.setNewest(Math.max(ring.getNewest(), t));
        lines.put(CorrelateStores.lineKey(host, CorrelateStores.RING, kind, slot), e);
    }

    /** The ring's lines, time ordered (read for a warning and when an incident opens). */
    private List<LogEvent> ringLines(String host) {
        List<LogEvent> out = new ArrayList<>();
        try (KeyValueIterator<String, LogEvent> it = lines.prefixScan(CorrelateStores.linePrefix(host, CorrelateStores.RING),
                new StringSerializer())) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        out.sort(LINE_ORDER);
        return out;
    }

    /**
     * Moves the ring's lines that lie in the incident's window into it: of each kind the latest
     * {@value #PER_KIND} before the first error (in time order, so that later look-back lines take the
     * earliest's slot in turn), and whatever a log running ahead wrote from the first error on. Lines after
     * the window stay in the ring: the window may still grow to them, or they belong to the next incident.
     */
    private void takeRing(String host, OpenIncident s) {
        LookbackRing ring = loadRing(host);
        if (ring == null) {
            return;
        }
        Map<String, List<LogEvent>> before = new TreeMap<>();
        List<LogEvent> after = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        boolean left = false;
        long end = windowEnd(s);
        try (KeyValueIterator<String, LogEvent> it = lines.prefixScan(CorrelateStores.linePrefix(host, CorrelateStores.RING),
                new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, LogEvent> kv = it.next();
                long t = kv.value.getTimestamp().toEpochMilli();
                if (t > end) {
                    left = true;
                    continue;
                }
                taken.add(kv.key);
                if (t < s.getFrom()) {
                    continue; // older than the look-back: no incident takes it any more
                }
                if (t < s.getFirst()) {
                    before.computeIfAbsent(Lines.kindKey(kv.value), k -> new ArrayList<>()).add(kv.value);
                } else {
                    after.add(kv.value);
                }
            }
        }
        for (List<LogEvent> kind : before.values()) {
            kind.sort(LINE_ORDER);
            for (LogEvent x : kind.subList(Math.max(0, kind.size() - PER_KIND), kind.size())) {
                absorb(host, s, x, x.getTimestamp().toEpochMilli(), false, true);
            }
        }
        after.sort(LINE_ORDER);
        for (LogEvent x : after) {
            absorb(host, s, x, x.getTimestamp().toEpochMilli(), false, true);
        }
        taken.forEach(lines::delete);
        if (left) {
            rings.put(host, ring);
        } else {
            rings.delete(host);
        }
    }

    // ---- pending warnings ----

    private void pendWarning(String host, LogEvent e, long t, OpenIncident state, HostClock clock) {
        if (Lines.warningKind(e) == null || state != null && state.getPhase() == OpenPhase.INCIDENT) {
            return; // not a warning line, or an incident is open (the line waits in the ring for the next)
        }
        if (state != null && t > warningEnd(state)) {
            close(host, state, clock);
            state = null;
        }
        if (state == null) {
            state = OpenIncident.newBuilder().setPhase(OpenPhase.WARNING).setFleet(e.getFleet()).setFirst(t).setLast(t)
                    .setFrom(t - lookBackMs).setKinds(new HashMap<>()).setStatusCounts(new HashMap<>())
                    .setErrnoCounts(new HashMap<>()).setRequestsOutside(new ArrayList<>()).setLegacyLines(new ArrayList<>())
                    .build();
        }
        state.setFirst(Math.min(state.getFirst(), t));
        state.setLast(Math.max(state.getLast(), t));
        KindTally k = state.getKinds().computeIfAbsent(Lines.kindKey(e), x -> new KindTally(0L, t, t, 0, 0, 0L));
        k.setCount(k.getCount() + 1);
        k.setFirstAt(Math.min(k.getFirstAt(), t));
        k.setLastAt(Math.max(k.getLastAt(), t));
        open.put(host, state);
        idle.put(host, liveClock + idleCloseMs);
        held.put(host, liveClock + sourceIdleMs);
    }

    // ---- closing and emitting ----

    private void close(String host, OpenIncident s, HostClock clock) {
        open.delete(host);
        idle.remove(host);
        held.remove(host);
        silenced.remove(host);
        diagnoses.remove(host);
        diagnosedAt.remove(host);
        if (s.getPhase() == OpenPhase.INCIDENT) {
            List<LogEvent> kept = incidentLines(host);
            Timeline timeline = timeline(host, s, kept, clock);
            Diagnosis d = Classifier.diagnose(timeline);
            Incident incident = incident(host, s, timeline, d, IncidentStatus.CLOSED, s.getRevision() + 1);
            recorder.increment("incidents", "root_cause", d.rootCause().name());
            recorder.increment("incident-updates", "status", IncidentStatus.CLOSED.name());
            context.forward(new Record<Object, Object>(host, incident, s.getFirst()), incidentsChild);
            context.forward(new Record<Object, Object>(incident.getId(), incident, s.getFirst()), updatesChild);
            deleteLines(host, CorrelateStores.INCIDENT);
            clock.setClosedUntil(Math.max(clock.getClosedUntil(), windowEnd(s)));
        } else {
            emitWarning(host, s, clock);
        }
    }

    private List<LogEvent> incidentLines(String host) {
        List<LogEvent> out = new ArrayList<>();
        try (KeyValueIterator<String, LogEvent> it = lines.prefixScan(
                CorrelateStores.linePrefix(host, CorrelateStores.INCIDENT), new StringSerializer())) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        out.sort(LINE_ORDER);
        return out;
    }

    private void deleteLines(String host, char ns) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, LogEvent> it = lines.prefixScan(CorrelateStores.linePrefix(host, ns), new StringSerializer())) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(lines::delete);
    }

    private Timeline timeline(String host, OpenIncident s, List<LogEvent> kept, HostClock clock) {
        Map<String, Long> kinds = new HashMap<>();
        s.getKinds().forEach((k, v) -> kinds.put(k, v.getCount()));
        return new Timeline(host, s.getFleet(), s.getFirst(), s.getLast(), kept, kinds, s.getStatusCounts(),
                s.getErrnoCounts(), s.getTotalRequests(), clock == null ? Map.of() : clock.getWritten());
    }

    private Incident incident(String host, OpenIncident s, Timeline t, Diagnosis d, IncidentStatus status, int revision) {
        Instant start = Instant.ofEpochMilli(s.getFirst());
        List<LogEvent> shown = new ArrayList<>(t.events());
        Events.capMiddle(shown, cap);
        List<Evidence> evidence = new ArrayList<>(shown.size());
        for (LogEvent x : shown) {
            evidence.add(Classifier.evidence(x));
        }
        return Incident.newBuilder()
                .setId(host + "@" + start)
                .setHost(host)
                .setFleet(s.getFleet())
                .setRootCause(d.rootCause())
                .setStartedAt(start)
                .setEndedAt(Instant.ofEpochMilli(s.getLast()))
                .setStatusCounts(new TreeMap<>(s.getStatusCounts()))
                .setTotalRequests(s.getTotalRequests())
                .setUpstreamErrorsByErrno(new TreeMap<>(s.getErrnoCounts()))
                .setEvidence(evidence)
                .setEvidenceTotal(t.evidenceTotal())
                .setCulprit(d.culprit())
                .setRemediation(d.remediation())
                .setContributingCauses(new ArrayList<>(d.contributing()))
                .setConfidence(d.confidence())
                .setSummary(d.summary())
                .setCausalChain(new ArrayList<>(d.chain()))
                .setStatus(status)
                .setRevision(revision)
                .build();
    }

    /** What an update is judged by: the root cause and the chain's steps, not their counts. */
    static String verdict(Diagnosis d) {
        StringBuilder sb = new StringBuilder(d.rootCause().name());
        for (CausalStep step : d.chain()) {
            sb.append('|').append(step.getKind()).append(':').append(step.getRootCause());
        }
        return sb.toString();
    }

    private void markForDiagnosis(String host) {
        long last = diagnosedAt.getOrDefault(host, Long.MIN_VALUE / 2);
        diagnoses.putIfAbsent(host, Math.max(context.currentSystemTimeMs(), last + DIAGNOSE_EVERY_MS));
    }

    /** Diagnoses an open incident and sends a provisional record when the verdict is new. */
    private void diagnose(String host, OpenIncident s, HostClock clock, long now) {
        diagnosedAt.put(host, now);
        List<LogEvent> kept = incidentLines(host);
        Timeline timeline = timeline(host, s, kept, clock);
        Diagnosis d = Classifier.diagnose(timeline);
        String verdict = verdict(d);
        if (verdict.equals(s.getVerdict()) && s.getRevision() >= 0) {
            return;
        }
        int revision = s.getRevision() + 1;
        s.setRevision(revision);
        s.setVerdict(verdict);
        open.put(host, s);
        Incident incident = incident(host, s, timeline, d, IncidentStatus.OPEN, revision);
        recorder.increment("incident-updates", "status", IncidentStatus.OPEN.name());
        context.forward(new Record<Object, Object>(incident.getId(), incident, s.getFirst()), updatesChild);
    }

    private void emitWarning(String host, OpenIncident s, HostClock clock) {
        loadRing(host); // gives lines read from the encoding before versioned state their own keys
        List<LogEvent> kept = new ArrayList<>();
        long from = s.getFirst() - graceMs;
        long until = warningEnd(s); // its window, whenever it closes
        for (LogEvent x : ringLines(host)) {
            long t = x.getTimestamp().toEpochMilli();
            if (t >= from && t <= until) {
                kept.add(x);
            }
        }
        Map<String, Long> kinds = new HashMap<>();
        kept.forEach(x -> kinds.merge(Lines.kindKey(x), 1L, Long::sum));
        Timeline t = new Timeline(host, s.getFleet(), s.getFirst(), s.getLast(), kept, kinds, Map.of(), Map.of(), 0,
                clock == null ? Map.of() : clock.getWritten());
        Classifier.WarningVerdict v = Classifier.warning(t);
        if (v == null) {
            recorder.increment("warnings-below-threshold");
            return; // e.g. one or two slow requests: not a storm
        }
        Instant start = Instant.ofEpochMilli(s.getFirst());
        Events.capMiddle(kept, cap);
        List<Evidence> evidence = new ArrayList<>(kept.size());
        for (LogEvent x : kept) {
            evidence.add(Classifier.evidence(x));
        }
        long seen = 0;
        for (KindTally k : s.getKinds().values()) {
            seen += k.getCount();
        }
        Warning w = Warning.newBuilder()
                .setId(host + "@" + start + "/" + v.kind())
                .setHost(host)
                .setFleet(s.getFleet())
                .setKind(v.kind())
                .setLikelyCause(v.likelyCause())
                .setStartedAt(start)
                .setEndedAt(Instant.ofEpochMilli(s.getLast()))
                .setEvidence(evidence)
                .setEvidenceTotal(Math.max(seen, t.evidenceTotal()))
                .setCulprit(v.culprit())
                .setRemediation(v.remediation())
                .setSummary(v.summary())
                .build();
        recorder.increment("warnings", "kind", v.kind().name());
        context.forward(new Record<Object, Object>(host, w, s.getFirst()), warningsChild);
    }

    // ---- wall clock ----

    /**
     * Every {@value #PUNCTUATE_MS} ms: advances the live clock while the partition is live (after an
     * outage or a backlog every host's silence counts again from zero), closes what the hosts that went
     * idle left open, and looks again at the verdicts that are due.
     */
    private void punctuate(long wall) {
        boolean live = gate.isOpen(CloseGate.Stage.CORRELATE, partition);
        // a gap far longer than the period means the task did not run (an outage, a rebalance, a long
        // restore): that time is nobody's silence
        long elapsed = Math.min(Math.max(0, wall - lastPunctuation), MAX_PUNCTUATION_GAP_MS);
        lastPunctuation = wall;
        if (live) {
            if (!wasLive) {
                idle.resetAll(liveClock + idleCloseMs);
                held.resetAll(liveClock + sourceIdleMs);
            }
            liveClock += elapsed;
            forgetSilentHosts();
            for (String host : held.pollDue(liveClock)) {
                OpenIncident s = loadOpen(host);
                HostClock clock = clocks.get(host);
                if (s != null && clock != null && dueByClocks(s, clock, true, heard.get(host), null)) {
                    LOG.debug("closing the {} of {}: its logs that delivered lately have stopped", s.getPhase(), host);
                    close(host, s, clock);
                    clocks.put(host, clock);
                }
            }
            for (String host : idle.pollDue(liveClock)) {
                OpenIncident s = loadOpen(host);
                if (s != null) {
                    LOG.debug("closing the {} of {}: no record for {} ms while live", s.getPhase(), host, idleCloseMs);
                    HostClock clock = clocks.get(host);
                    HostClock c = clock == null ? newClock() : clock;
                    close(host, s, c);
                    clocks.put(host, c);
                }
            }
        }
        wasLive = live;
        for (String host : diagnoses.pollDue(wall)) {
            OpenIncident s = loadOpen(host);
            if (s != null && s.getPhase() == OpenPhase.INCIDENT) {
                diagnose(host, s, clocks.get(host), wall);
            }
        }
    }

    // ---- state of earlier encodings ----

    /** The host's open entry; one read from the encoding before versioned state gets its lines their own keys first. */
    private OpenIncident loadOpen(String host) {
        OpenIncident s = open.get(host);
        if (s == null || s.getLegacyLines().isEmpty() && s.getFrom() != 0) {
            return s;
        }
        if (s.getFrom() == 0) {
            s.setFrom(s.getFirst() - lookBackMs);
        }
        List<LogEvent> legacy = new ArrayList<>(s.getLegacyLines());
        legacy.sort(LINE_ORDER);
        Map<String, Long> placed = new HashMap<>();
        for (LogEvent x : legacy) {
            String kind = Lines.kindKey(x);
            long n = placed.merge(kind, 1L, Long::sum) - 1;
            lines.put(CorrelateStores.lineKey(host, CorrelateStores.INCIDENT, kind, "a" + Math.min(n, PER_KIND)), x);
        }
        s.setLegacyLines(new ArrayList<>());
        open.put(host, s);
        return s;
    }

    private LookbackRing loadRing(String host) {
        LookbackRing ring = rings.get(host);
        if (ring == null || ring.getLegacyLines().isEmpty()) {
            return ring;
        }
        List<LogEvent> legacy = new ArrayList<>(ring.getLegacyLines());
        legacy.sort(LINE_ORDER);
        ring.setLegacyLines(new ArrayList<>());
        ring.setKinds(new HashMap<>());
        for (LogEvent x : legacy) {
            putInRing(host, ring, x, x.getTimestamp().toEpochMilli());
        }
        rings.put(host, ring);
        return ring;
    }

    // ---- counters and dead letters ----

    private void late(String source, String outcome) {
        recorder.increment("late", "source", source, "outcome", outcome);
    }

    private void deadLetter(LogEvent e, String stage, String reason) {
        recorder.increment("dead-letters", "source", Sources.name(e.getSource()), "stage", stage);
        LOG.debug("dead letter ({}): {}", stage, reason);
        deadLetter(e.getHost(), e, e.getOriginal().getBytes(StandardCharsets.UTF_8), stage, reason);
    }

    private void deadLetter(String host, LogEvent e, byte[] original, String stage, String reason) {
        Origin o = e == null ? null : e.getOrigin();
        DeadLetter d = DeadLetter.newBuilder()
                .setOriginal(ByteBuffer.wrap(original))
                .setKey(host == null ? null : ByteBuffer.wrap(host.getBytes(StandardCharsets.UTF_8)))
                .setSourceTopic(o == null ? null : o.getTopic())
                .setSourcePartition(o == null ? null : o.getPartition())
                .setSourceOffset(o == null ? null : o.getOffset())
                .setSourceKind(e == null ? null : e.getSource())
                .setHost(host)
                .setStage(stage)
                .setReason(reason)
                .setRecordedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        byte[] key = host == null ? null : host.getBytes(StandardCharsets.UTF_8);
        long ts = e == null ? context.currentSystemTimeMs() : e.getTimestamp().toEpochMilli();
        context.forward(new Record<Object, Object>(key, d, ts), deadLetterChild);
    }
}
