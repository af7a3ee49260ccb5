package io.handoff.correlate;

import io.handoff.topology.CloseGate;

import io.handoff.app.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.Evidence;
import io.handoff.avro.Incident;
import io.handoff.avro.LogEvent;
import io.handoff.avro.Origin;
import io.handoff.avro.Warning;
import io.handoff.avro.WarningKind;
import io.handoff.classify.Classifier;
import io.handoff.classify.Diagnosis;
import io.handoff.classify.Lines;
import io.handoff.classify.Timeline;
import io.handoff.topics.Sources;
import io.handoff.topology.HandoffMetrics;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Per-host event-time correlation: turns a host's parsed lines into {@link Incident}s (one per burst
 * of gateway errors, emitted once when it closes) and {@link Warning}s (evidence without gateway
 * errors).
 *
 * <h2>State (all per host, all in named stores)</h2>
 * <ul>
 *   <li>{@value #CLOCK_STORE}: the host's event time (latest line, by when it was written). Every
 *       host has one entry: a healthy host costs this one long.</li>
 *   <li>{@value #LOOKBACK_STORE}: evidence candidates of the last look-back while nothing is open,
 *       capped at evidenceCap lines (see {@link LookbackRing}). Healthy traffic never lands here.</li>
 *   <li>{@value #OPEN_STORE}: the open incident or pending warning; only hosts with one have an
 *       entry, so it is the index the stream-time punctuator scans.</li>
 *   <li>In memory only: the wall-clock time of each open host's last record, for the idle close.</li>
 * </ul>
 *
 * <h2>Time</h2>
 * Event time is per host (a partition holds many hosts whose clocks and shippers differ). An
 * incident opens at the first gateway error (access 502/504 or an nginx upstream failure line),
 * takes in the look-back ring, and closes when the host's event time passes
 * {@code last error + quiet + grace} (checked on each of the host's records and by a stream-time
 * punctuator over the open index), or when the host sent nothing for {@code idleClose} of wall-clock
 * time (a wall-clock punctuator: end of a replay, a host that went silent).
 *
 * <h2>Late records</h2>
 * A line is late when it was written more than {@code grace} before the host's event time. It is
 * counted ({@code late{source,outcome}}) and logged at DEBUG, and never dropped: if an open
 * incident's window covers it, it joins the incident ({@code absorbed}); an evidence line still
 * within the look-back joins the ring ({@code lookback}); anything else goes to the dead-letter
 * topic with stage {@code late} and the reason ({@code dead-letter}). Because an incident stays open
 * {@code grace} past its quiet period, a line up to {@code grace} late never misses its incident.
 */
public final class HostCorrelator implements Processor<String, LogEvent, Object, Object> {
    public static final String CLOCK_STORE = "correlate-host-clock";
    public static final String LOOKBACK_STORE = "correlate-lookback";
    public static final String OPEN_STORE = "correlate-open-incidents";

    private static final Logger LOG = LoggerFactory.getLogger(HostCorrelator.class);

    private final long quietMs;
    private final long graceMs;
    private final long lookBackMs;
    private final long idleCloseMs;
    private final CloseGate idle;
    private final int cap;
    private final HandoffMetrics metrics;
    private final String incidentsChild;
    private final String warningsChild;
    private final String deadLetterChild;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Long> clock;
    private KeyValueStore<String, byte[]> lookback;
    private KeyValueStore<String, byte[]> open;
    private HandoffMetrics.Recorder recorder;
    /** Wall-clock ms of the last record of each host with an open entry; bounded by the open index. */
    private final Map<String, Long> lastArrival = new HashMap<>();

    public HostCorrelator(HandoffConfig config, HandoffMetrics metrics, String incidentsChild, String warningsChild,
                          String deadLetterChild) {
        this(config, metrics, CloseGate.always(), incidentsChild, warningsChild, deadLetterChild);
    }

    public HostCorrelator(HandoffConfig config, HandoffMetrics metrics, CloseGate idle, String incidentsChild,
                          String warningsChild, String deadLetterChild) {
        this.idle = idle;
        this.quietMs = config.quietPeriod().toMillis();
        this.graceMs = config.grace().toMillis();
        this.lookBackMs = config.lookBack().toMillis();
        this.idleCloseMs = config.idleClose().toMillis();
        this.cap = Math.max(2, config.evidenceCap());
        this.metrics = metrics;
        this.incidentsChild = incidentsChild;
        this.warningsChild = warningsChild;
        this.deadLetterChild = deadLetterChild;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.clock = context.getStateStore(CLOCK_STORE);
        this.lookback = context.getStateStore(LOOKBACK_STORE);
        this.open = context.getStateStore(OPEN_STORE);
        this.recorder = metrics.recorder(context.metrics(), "correlate-host");
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<String, byte[]> it = open.all()) {
            while (it.hasNext()) {
                lastArrival.put(it.next().key, now); // restored after a restart: idle from now
            }
        }
        context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, this::closeDue);
        long every = Math.max(100, Math.min(1_000, idleCloseMs / 4));
        context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::closeIdle);
    }

    @Override
    public void process(Record<String, LogEvent> record) {
        LogEvent e = record.value();
        if (e == null) {
            recorder.increment("dead-letters", "source", "events", "stage", "deserialize");
            deadLetter(record.key(), null, new byte[0], "deserialize",
                    "events record: expected a LogEvent, got a null value (tombstone)");
            return;
        }
        String host = e.getHost();
        String source = Sources.name(e.getSource());
        long t = e.getTimestamp().toEpochMilli();
        long written = Lines.writtenAt(e);
        long now = context.currentSystemTimeMs();

        Long before = clock.get(host);
        long hostTime = before == null ? written : Math.max(before, written);
        if (before == null || hostTime != before) {
            clock.put(host, hostTime);
        }
        boolean late = before != null && written < before - graceMs;

        OpenState state = load(host);
        if (state != null) {
            lastArrival.put(host, now);
            if (hostTime >= state.deadline(quietMs, graceMs, lookBackMs)) {
                close(host, state);
                state = null;
            }
        }

        boolean gateway = Lines.isGatewayError(e);
        boolean evidence = gateway || Lines.isEvidence(e);

        if (state != null && state.isIncident() && state.covers(t, quietMs, graceMs, lookBackMs)) {
            state.absorb(e, gateway, evidence, cap);
            save(host, state);
            if (late) late(e, source, before, "absorbed");
            return;
        }
        if (gateway) {
            if (late) {
                late(e, source, before, "dead-letter");
                deadLetter(e, "late", "gateway error at " + e.getTimestamp() + " arrived " + (before - written)
                        + " ms behind the host's event time " + Instant.ofEpochMilli(before) + " (grace "
                        + graceMs + " ms); its burst had already closed");
                return;
            }
            if (state != null && state.isIncident()) {
                close(host, state); // a gateway error outside its window starts the next burst
            }
            OpenState incident = OpenState.incident(host, e.getFleet(), t);
            byte[] ring = lookback.get(host);
            if (ring != null) {
                for (LogEvent x : Events.fromBytes(ring)) {
                    if (x.getTimestamp().toEpochMilli() >= t - lookBackMs) {
                        incident.absorb(x, false, true, cap);
                    }
                }
                lookback.delete(host);
            }
            incident.absorb(e, true, true, cap);
            save(host, incident); // replaces a pending warning: its lines are now this incident's evidence
            lastArrival.put(host, now);
            return;
        }
        if (evidence) {
            if (written < hostTime - lookBackMs) {
                late(e, source, before, "dead-letter");
                deadLetter(e, "late", "evidence line at " + e.getTimestamp() + " is older than the look-back ("
                        + lookBackMs + " ms) behind the host's event time " + Instant.ofEpochMilli(hostTime)
                        + " and no open incident covers it");
                return;
            }
            byte[] ringBytes = lookback.get(host);
            List<LogEvent> ring = ringBytes == null ? new ArrayList<>() : Events.fromBytes(ringBytes);
            LookbackRing.add(ring, e, hostTime, lookBackMs, cap);
            lookback.put(host, Events.toBytes(ring));
            if (late) late(e, source, before, "lookback");
            WarningKind wk = Lines.warningKind(e);
            if (wk != null) {
                if (state == null) {
                    state = OpenState.warning(host, e.getFleet(), t);
                }
                state.extendWarning(e);
                save(host, state);
                lastArrival.put(host, now);
            }
            return;
        }
        if (late) {
            late(e, source, before, "dead-letter");
            deadLetter(e, "late", source + " line at " + e.getTimestamp() + " arrived " + (before - written)
                    + " ms behind the host's event time " + Instant.ofEpochMilli(before) + " (grace " + graceMs
                    + " ms) and no open incident covers it");
        }
    }

    private void late(LogEvent e, String source, long hostTime, String outcome) {
        recorder.increment("late", "source", source, "outcome", outcome);
        if (LOG.isDebugEnabled()) {
            LOG.debug("late {} line of {} at {} ({} ms behind host time) -> {}", source, e.getHost(),
                    e.getTimestamp(), hostTime - Lines.writtenAt(e), outcome);
        }
    }

    /** Stream-time sweep over the open index: closes what the host's own event time has passed. */
    private void closeDue(long streamTime) {
        List<KeyValue<String, OpenState>> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = open.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                Long hostTime = clock.get(kv.key);
                OpenState s = OpenState.fromBytes(kv.value);
                if (hostTime != null && hostTime >= s.deadline(quietMs, graceMs, lookBackMs)) {
                    due.add(KeyValue.pair(kv.key, s));
                }
            }
        }
        for (KeyValue<String, OpenState> kv : due) {
            close(kv.key, kv.value);
        }
    }

    /** Wall-clock sweep: closes what a host left open when it went quiet for idleClose. */
    private void closeIdle(long wallClock) {
        if (!idle.isOpen(CloseGate.Stage.CORRELATE)) {
            return;
        }
        Iterator<Map.Entry<String, Long>> it = lastArrival.entrySet().iterator();
        List<String> idle = new ArrayList<>();
        while (it.hasNext()) {
            Map.Entry<String, Long> a = it.next();
            if (wallClock - a.getValue() >= idleCloseMs) {
                idle.add(a.getKey());
            }
        }
        for (String host : idle) {
            OpenState s = load(host);
            if (s != null) {
                LOG.debug("closing {} of {}: no record for {} ms of wall-clock time", s.isIncident() ? "incident" : "warning",
                        host, wallClock - lastArrival.get(host));
                close(host, s);
            } else {
                lastArrival.remove(host);
            }
        }
    }

    private void close(String host, OpenState s) {
        open.delete(host);
        lastArrival.remove(host);
        if (s.isIncident()) {
            emitIncident(host, s);
        } else {
            emitWarning(host, s);
        }
    }

    private void emitIncident(String host, OpenState s) {
        Timeline t = new Timeline(host, s.meta.fleet, s.meta.first, s.meta.last, s.evidence, s.meta.kindCounts,
                s.meta.statusCounts, s.meta.errnoCounts, s.meta.totalRequests, s.meta.sourceClocks);
        Diagnosis d = Classifier.diagnose(t);
        Instant start = Instant.ofEpochMilli(s.meta.first);
        Instant end = Instant.ofEpochMilli(s.meta.last);
        List<Evidence> evidence = new ArrayList<>(s.evidence.size());
        for (LogEvent x : s.evidence) {
            evidence.add(Classifier.evidence(x));
        }
        Incident incident = Incident.newBuilder()
                .setId(host + "@" + start)
                .setHost(host)
                .setFleet(s.meta.fleet)
                .setRootCause(d.rootCause())
                .setStartedAt(start)
                .setEndedAt(end)
                .setStatusCounts(new java.util.TreeMap<>(s.meta.statusCounts))
                .setTotalRequests(s.meta.totalRequests)
                .setUpstreamErrorsByErrno(new java.util.TreeMap<>(s.meta.errnoCounts))
                .setEvidence(evidence)
                .setEvidenceTotal(s.meta.evidenceTotal)
                .setCulprit(d.culprit())
                .setRemediation(d.remediation())
                .setContributingCauses(new ArrayList<>(d.contributing()))
                .setConfidence(d.confidence())
                .setSummary(d.summary())
                .setCausalChain(new ArrayList<>(d.chain()))
                .build();
        recorder.increment("incidents", "root_cause", d.rootCause().name());
        context.forward(new Record<Object, Object>(host, incident, s.meta.first), incidentsChild);
    }

    private void emitWarning(String host, OpenState s) {
        byte[] ringBytes = lookback.get(host);
        List<LogEvent> ring = ringBytes == null ? List.of() : Events.fromBytes(ringBytes);
        List<LogEvent> lines = new ArrayList<>();
        java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
        long from = s.meta.first - graceMs;
        for (LogEvent x : ring) {
            if (x.getTimestamp().toEpochMilli() >= from) {
                lines.add(x);
                kinds.merge(Lines.kindKey(x), 1L, Long::sum);
            }
        }
        Classifier.WarningVerdict v = Classifier.warning(new Timeline(host, s.meta.fleet, s.meta.first, s.meta.last,
                lines, kinds, java.util.Map.of(), java.util.Map.of(), 0, java.util.Map.of()));
        if (v == null) {
            recorder.increment("warnings-below-threshold");
            return; // e.g. one or two slow requests: not a storm
        }
        Instant start = Instant.ofEpochMilli(s.meta.first);
        Instant end = Instant.ofEpochMilli(s.meta.last);
        Events.capMiddle(lines, cap);
        List<Evidence> evidence = new ArrayList<>(lines.size());
        for (LogEvent x : lines) {
            evidence.add(Classifier.evidence(x));
        }
        Warning w = Warning.newBuilder()
                .setId(host + "@" + start + "/" + v.kind())
                .setHost(host)
                .setFleet(s.meta.fleet)
                .setKind(v.kind())
                .setLikelyCause(v.likelyCause())
                .setStartedAt(start)
                .setEndedAt(end)
                .setEvidence(evidence)
                .setEvidenceTotal(Math.max(s.meta.evidenceTotal, lines.size()))
                .setCulprit(v.culprit())
                .setRemediation(v.remediation())
                .setSummary(v.summary())
                .build();
        recorder.increment("warnings", "kind", v.kind().name());
        context.forward(new Record<Object, Object>(host, w, s.meta.first), warningsChild);
    }

    private void deadLetter(LogEvent e, String stage, String reason) {
        recorder.increment("dead-letters", "source", Sources.name(e.getSource()), "stage", stage);
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

    private OpenState load(String host) {
        byte[] b = open.get(host);
        return b == null ? null : OpenState.fromBytes(b);
    }

    private void save(String host, OpenState s) {
        open.put(host, s.toBytes());
    }
}
