package io.handoff.topology;

import io.handoff.avro.CorrelateInput;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.HostTick;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.Origin;
import io.handoff.avro.SourceKind;
import io.handoff.classify.Lines;
import io.handoff.common.HandoffMetrics;
import io.handoff.config.HandoffConfig;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.Envelope;
import io.handoff.topics.Sources;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sub-topology "parse", one instance per raw topic: shipper envelope → the source's parser →
 * {@link LogEvent} keyed by host with the event time as record timestamp, sent to the correlator's input
 * ({@link CorrelateInput}): whole when the line has signal (a gateway error or evidence,
 * {@link Lines#isGatewayError}, {@link Lines#isEvidence}), else as a {@link HostTick} — the line's host, log,
 * event and written time, and an nginx access line's status, which is all the correlator reads of it.
 * A line without signal goes whole too when it was written more than the grace before the latest line of
 * its host's log this processor has seen: the correlator may find it late, and a late line goes to the
 * dead-letter topic with its bytes. (The latest times are kept in memory, per host; after a restart the
 * correlator still finds a late tick late, and names the raw record instead of carrying its bytes.)
 * With {@code handoff.events.enabled} every line also goes whole to {@code handoff.events}.
 *
 * <p>A record that cannot be
 * used goes to the dead-letter topic with its original bytes and key, where it was read and why:
 * stage {@code envelope} (not a shipper event, or an empty value), {@code size} (a raw value over
 * {@code handoff.max-entry-bytes}: not parsed, its first bytes kept), {@code time} (an
 * {@code event.timezone} that names no zone, or an event time further from the wall clock than
 * {@code handoff.max-event-age} / {@code handoff.max-event-lead}: the broker would refuse such a time, or
 * retention would delete it at once) or {@code parse} (the line does not read as this source, or the log
 * format does not compile). An entry longer than {@code handoff.max-line-bytes} is parsed whole and cut,
 * with a marker, in the event (original and parsed texts), and counted as {@code truncated}. Blank lines
 * in a shipper event (php-fpm writes one after its config test) are counted and skipped.
 */
public final class ParseProcessor implements Processor<byte[], byte[], Object, Object> {
    private final SourceKind kind;
    private final String source;
    private final HandoffConfig config;
    private final HandoffMetrics metrics;
    private final String eventsChild;
    private final String correlateChild;
    private final String deadLetterChild;
    private final long graceMs;
    /** Per host, the latest time a line of this log was written, of the lines this processor has seen. */
    private final Map<String, long[]> written = new HashMap<>();
    private ProcessorContext<Object, Object> context;
    private HandoffMetrics.Recorder recorder;
    private HandoffMetrics.Count lines;
    /** The last {@code event.timezone} read and its zone: a host's entries all carry the same one. */
    private String lastTimezone;
    private ZoneId lastZone;
    /** The last log format read and its parser: the same file's entries carry the same one. */
    private String lastFormat;
    private LineParser lastParser;

    /** Hosts whose latest time is kept; beyond it the memory starts over (lines then go as ticks, see above). */
    static final int MAX_HOSTS = 200_000;

    /**
     * @param eventsChild    the {@code handoff.events} sink, or null when the topic is off
     * @param correlateChild the correlator's input sink
     */
    public ParseProcessor(SourceKind kind, HandoffConfig config, HandoffMetrics metrics, String eventsChild,
                          String correlateChild, String deadLetterChild) {
        this.kind = kind;
        this.source = Sources.name(kind);
        this.config = config;
        this.metrics = metrics;
        this.eventsChild = eventsChild;
        this.correlateChild = correlateChild;
        this.deadLetterChild = deadLetterChild;
        this.graceMs = config.grace().toMillis();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.recorder = metrics.recorder(context.metrics(), "parse-" + source);
        this.lines = recorder.count("lines", "source", source);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        HandoffConfig.Limits limits = config.limits();
        byte[] value = record.value();
        if (value != null && value.length == 0) {
            deadLetter(record, null, "envelope", "empty value: expected a log line or a shipper JSON event, got 0 bytes");
            return;
        }
        if (value != null && value.length > limits.maxEntryBytes()) {
            deadLetter(record, null, "size", source + " value of " + Fit.bytes(value.length)
                    + " bytes is over handoff.max-entry-bytes (" + Fit.bytes(limits.maxEntryBytes())
                    + "): not parsed; the dead letter keeps its first " + Fit.bytes(Math.min(value.length,
                    DeadLetters.MAX_ORIGINAL_BYTES)) + " bytes");
            return;
        }
        Envelope.Decoded decoded = Envelope.decode(record.key(), value);
        if (!decoded.ok()) {
            deadLetter(record, null, "envelope", decoded.error());
            return;
        }
        Envelope env = decoded.envelope();
        if (env.message().isBlank()) {
            recorder.increment("blank-lines", "source", source);
            return;
        }
        ZoneId zone;
        try {
            if (env.timezone() == null || !env.timezone().equals(lastTimezone)) {
                lastZone = zone(env.timezone(), config.defaultZone());
                lastTimezone = env.timezone();
            }
            zone = lastZone;
        } catch (DateTimeException e) {
            deadLetter(record, env.host(), "time", "event.timezone '" + env.timezone()
                    + "': expected an offset like +02:00, a region like Europe/Berlin, UTC or Z");
            return;
        }
        LineParser parser;
        String format = env.logFormat() != null ? env.logFormat() : defaultFormat();
        if (lastParser != null && Objects.equals(format, lastFormat)) {
            parser = lastParser;
        } else {
            try {
                parser = Parsers.forKind(kind, format);
            } catch (IllegalArgumentException e) {
                deadLetter(record, env.host(), "parse", source + " log format '" + format + "': " + e.getMessage());
                return;
            }
            lastFormat = format;
            lastParser = parser;
        }
        ParseOutcome outcome;
        try {
            outcome = parser.parse(env.message(), ParseContext.of(zone));
        } catch (StackOverflowError e) {
            // an Error passes Kafka Streams' processing handler; one line must not stop the application
            deadLetter(record, env.host(), "parse", source + " line of " + env.message().length()
                    + " characters: the parser ran out of stack on it");
            return;
        }
        if (outcome instanceof ParseOutcome.Failed failed) {
            deadLetter(record, env.host(), "parse", failed.reason());
            return;
        }
        ParseOutcome.Parsed parsed = (ParseOutcome.Parsed) outcome;
        long time = parsed.timestampMillis();
        if (time <= 0) {
            deadLetter(record, env.host(), "time", source + " line: event time " + time
                    + " ms is not after 1970-01-01; expected the line's own time stamp");
            return;
        }
        String outOfRange = outOfRange(time, context.currentSystemTimeMs(), limits, env.timezone());
        if (outOfRange != null) {
            deadLetter(record, env.host(), "time", outOfRange);
            return;
        }
        String original = env.message();
        SpecificRecord fields = parsed.fields();
        if ((long) original.length() * 3 > limits.maxLineBytes() && Fit.utf8Length(original) > limits.maxLineBytes()) {
            original = Fit.cut(original, limits.maxLineBytes());
            if (fields != null) {
                fields = Fit.toSize(fields, limits.maxLineBytes());
            }
            recorder.increment("truncated", "source", source);
        }
        LogEvent event = LogEvent.newBuilder()
                .setHost(env.host())
                .setFleet(env.fleet())
                .setSource(kind)
                .setTimestamp(Instant.ofEpochMilli(time))
                .setOriginal(original)
                .setFile(env.filePath())
                .setOrigin(origin())
                .setParsed(fields)
                .build();
        lines.increment();
        if (eventsChild != null) {
            context.forward(new Record<Object, Object>(env.host(), event, time), eventsChild);
        }
        boolean behind = behind(env.host(), Lines.writtenAt(event));
        boolean whole = !config.ticks() || behind || Lines.isGatewayError(event) || Lines.isEvidence(event);
        CorrelateInput in = new CorrelateInput(whole ? event : tick(event));
        context.forward(new Record<Object, Object>(env.host(), in, time), correlateChild);
    }

    /** Whether a line written at {@code at} is more than the grace behind the latest of its host's log; keeps the latest. */
    private boolean behind(String host, long at) {
        long[] latest = written.get(host);
        if (latest == null) {
            if (written.size() >= MAX_HOSTS) {
                written.clear();
            }
            written.put(host, new long[] {at});
            return false;
        }
        boolean behind = at < latest[0] - graceMs;
        latest[0] = Math.max(latest[0], at);
        return behind;
    }

    /** The tick that stands for a line without signal. */
    private static HostTick tick(LogEvent e) {
        return HostTick.newBuilder()
                .setHost(e.getHost())
                .setFleet(e.getFleet())
                .setSource(e.getSource())
                .setEventTime(e.getTimestamp().toEpochMilli())
                .setWritten(Lines.writtenAt(e))
                .setLines(1)
                .setStatus(e.getParsed() instanceof NginxAccessFields a ? a.getStatus() : null)
                .setRawPartition(e.getOrigin() == null ? null : e.getOrigin().getPartition())
                .setRawOffset(e.getOrigin() == null ? null : e.getOrigin().getOffset())
                .build();
    }

    /**
     * Why {@code time} cannot be used at wall-clock time {@code now}, or null when it can: more than
     * {@code maxEventLead} ahead (the broker refuses records over an hour ahead; the host's clocks would
     * run ahead of its lines) or, when bounded, more than {@code maxEventAge} behind.
     */
    static String outOfRange(long time, long now, HandoffConfig.Limits limits, String timezone) {
        long lead = time - now;
        if (lead > limits.maxEventLead().toMillis()) {
            return "event time " + Instant.ofEpochMilli(time) + " is " + span(lead) + " ahead of this machine's clock ("
                    + Instant.ofEpochMilli(now) + "), more than handoff.max-event-lead (" + span(limits.maxEventLead().toMillis())
                    + "): a zone-less stamp read in the wrong zone (event.timezone " + (timezone == null ? "not sent"
                    : "'" + timezone + "'") + "), or the host's clock is set wrong";
        }
        if (limits.ageBounded() && -lead > limits.maxEventAge().toMillis()) {
            return "event time " + Instant.ofEpochMilli(time) + " is " + span(-lead) + " behind this machine's clock ("
                    + Instant.ofEpochMilli(now) + "), more than handoff.max-event-age (" + span(limits.maxEventAge().toMillis())
                    + "): a clock that was never set (1970, 2000), a year read wrong, or logs older than the bound"
                    + " (raise handoff.max-event-age to take them)";
        }
        return null;
    }

    /** {@code 2h}, {@code 1h 10m}, {@code 16m 40s}, {@code 20454d}: for messages. */
    static String span(long ms) {
        long s = ms / 1000;
        if (s >= 2 * 86_400) {
            return (s / 86_400) + "d";
        }
        if (s >= 3_600) {
            return (s / 3_600) + "h" + (s % 3_600 / 60 == 0 ? "" : " " + (s % 3_600 / 60) + "m");
        }
        if (s >= 60) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : " " + (s % 60) + "s");
        }
        return s + "s";
    }

    private String defaultFormat() {
        switch (kind) {
            case NGINX_ACCESS: return config.nginxLogFormat();
            case PHP_FPM_ACCESS: return config.fpmAccessFormat();
            default: return null;
        }
    }

    /** {@code +02:00}, {@code Europe/Berlin}, {@code UTC}, {@code Z}; null or blank → the default. */
    static ZoneId zone(String tz, ZoneId dflt) {
        if (tz == null || tz.isBlank()) {
            return dflt;
        }
        return ZoneId.of(tz.strip());
    }

    private Origin origin() {
        Optional<RecordMetadata> m = context.recordMetadata();
        return m.map(md -> Origin.newBuilder().setTopic(md.topic()).setPartition(md.partition())
                .setOffset(md.offset()).build()).orElse(null);
    }

    private void deadLetter(Record<byte[], byte[]> record, String host, String stage, String reason) {
        recorder.increment("dead-letters", "source", source, "stage", stage);
        Optional<RecordMetadata> m = context.recordMetadata();
        DeadLetter.Builder b = DeadLetters.of(record.key(), record.value(), stage, reason, context.currentSystemTimeMs())
                .setSourceTopic(m.map(RecordMetadata::topic).orElse(null))
                .setSourcePartition(m.map(RecordMetadata::partition).orElse(null))
                .setSourceOffset(m.map(RecordMetadata::offset).orElse(null))
                .setSourceKind(kind);
        if (host != null) {
            b.setHost(host);
        }
        context.forward(new Record<Object, Object>(record.key(), b.build(), record.timestamp()), deadLetterChild);
    }
}
