package io.handoff.topology;

import io.handoff.app.HandoffConfig;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.LogEvent;
import io.handoff.avro.Origin;
import io.handoff.avro.SourceKind;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.ship.Envelope;
import io.handoff.topics.Sources;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Sub-topology "parse", one instance per raw topic: shipper envelope → the source's parser →
 * {@link LogEvent} keyed by host with the event time as record timestamp. A record that cannot be
 * used goes to the dead-letter topic with its original bytes and key, where it was read and why:
 * stage {@code envelope} (not a shipper event), {@code time} (an {@code event.timezone} that names
 * no zone) or {@code parse} (the line does not read as this source, or the log format does not
 * compile). Blank lines (php-fpm writes one after its config test) are counted and skipped.
 */
public final class ParseProcessor implements Processor<byte[], byte[], Object, Object> {
    private final SourceKind kind;
    private final String source;
    private final HandoffConfig config;
    private final HandoffMetrics metrics;
    private final String eventsChild;
    private final String deadLetterChild;
    private ProcessorContext<Object, Object> context;
    private HandoffMetrics.Recorder recorder;

    public ParseProcessor(SourceKind kind, HandoffConfig config, HandoffMetrics metrics, String eventsChild,
                          String deadLetterChild) {
        this.kind = kind;
        this.source = Sources.name(kind);
        this.config = config;
        this.metrics = metrics;
        this.eventsChild = eventsChild;
        this.deadLetterChild = deadLetterChild;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.recorder = metrics.recorder(context.metrics(), "parse-" + source);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Envelope.Decoded decoded = Envelope.decode(record.key(), record.value());
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
            zone = zone(env.timezone(), config.defaultZone());
        } catch (DateTimeException e) {
            deadLetter(record, env.host(), "time", "event.timezone '" + env.timezone()
                    + "': expected an offset like +02:00, a region like Europe/Berlin, UTC or Z");
            return;
        }
        LineParser parser;
        String format = env.logFormat() != null ? env.logFormat() : defaultFormat();
        try {
            parser = Parsers.forKind(kind, format);
        } catch (IllegalArgumentException e) {
            deadLetter(record, env.host(), "parse", source + " log format '" + format + "': " + e.getMessage());
            return;
        }
        ParseOutcome outcome = parser.parse(env.message(), ParseContext.of(zone));
        if (outcome instanceof ParseOutcome.Failed failed) {
            deadLetter(record, env.host(), "parse", failed.reason());
            return;
        }
        ParseOutcome.Parsed parsed = (ParseOutcome.Parsed) outcome;
        if (parsed.timestampMillis() <= 0) {
            deadLetter(record, env.host(), "time", source + " line: event time " + parsed.timestampMillis()
                    + " ms is not after 1970-01-01; expected the line's own time stamp");
            return;
        }
        LogEvent event = LogEvent.newBuilder()
                .setHost(env.host())
                .setFleet(env.fleet())
                .setSource(kind)
                .setTimestamp(Instant.ofEpochMilli(parsed.timestampMillis()))
                .setOriginal(env.message())
                .setFile(env.filePath())
                .setOrigin(origin())
                .setParsed(parsed.fields())
                .build();
        recorder.increment("lines", "source", source);
        context.forward(new Record<Object, Object>(env.host(), event, parsed.timestampMillis()), eventsChild);
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
        if (host == null && record.key() != null && record.key().length > 0) {
            host = new String(record.key(), StandardCharsets.UTF_8);
        }
        DeadLetter d = DeadLetter.newBuilder()
                .setOriginal(ByteBuffer.wrap(record.value() == null ? new byte[0] : record.value()))
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setSourceTopic(m.map(RecordMetadata::topic).orElse(null))
                .setSourcePartition(m.map(RecordMetadata::partition).orElse(null))
                .setSourceOffset(m.map(RecordMetadata::offset).orElse(null))
                .setSourceKind(kind)
                .setHost(host)
                .setStage(stage)
                .setReason(reason)
                .setRecordedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        context.forward(new Record<Object, Object>(record.key(), d, record.timestamp()), deadLetterChild);
    }
}
