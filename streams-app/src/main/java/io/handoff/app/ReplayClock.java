package io.handoff.app;

import io.handoff.avro.SourceKind;
import io.handoff.classify.Lines;
import io.handoff.config.HandoffConfig;
import io.handoff.parse.LineParser;
import io.handoff.parse.ParseContext;
import io.handoff.parse.ParseOutcome;
import io.handoff.parse.Parsers;
import io.handoff.raw.MultilineJoiner;
import io.handoff.ship.HostFolder;
import io.handoff.ship.ReplaySource;

import java.time.ZoneId;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reads each replayed entry's event time with the same parsers the topology uses, so that replay
 * ships a folder's files merged in the order their lines were written, as live shippers would. An
 * FPM access line is written when its request ends: its time is the stamp plus the duration, as the
 * correlator reads it.
 */
public final class ReplayClock implements ReplaySource.EntryClock {
    private final HandoffConfig config;
    /** Per source, the parser of each log format (a folder has a few). */
    private final Map<SourceKind, Map<String, LineParser>> parsers = new EnumMap<>(SourceKind.class);
    /** Per host folder (by identity: the merge asks once per entry, so no key is built), its parsers' context. */
    private final Map<HostFolder, ParseContext> contexts = new IdentityHashMap<>();

    public ReplayClock(HandoffConfig config) {
        this.config = config;
    }

    @Override
    public long timeOf(HostFolder host, SourceKind kind, MultilineJoiner.Entry entry) {
        String format = host.formats().logFormat(kind);
        if (format == null) {
            format = kind == SourceKind.NGINX_ACCESS ? config.nginxLogFormat()
                    : kind == SourceKind.PHP_FPM_ACCESS ? config.fpmAccessFormat() : null;
        }
        String f = format;
        LineParser parser = parsers.computeIfAbsent(kind, k -> new HashMap<>())
                .computeIfAbsent(f == null ? "" : f, k -> Parsers.forKind(kind, f));
        ParseContext context = contexts.computeIfAbsent(host, h -> ParseContext.of(zone(h)));
        ParseOutcome outcome = parser.parse(entry.text(), context);
        if (!(outcome instanceof ParseOutcome.Parsed p)) {
            return Long.MIN_VALUE;
        }
        // FPM writes an access line when the request ends, stamped (by default) with when it began
        return Lines.writtenAt(p.timestampMillis(), p.fields());
    }

    private ZoneId zone(HostFolder host) {
        String tz = host.formats().timezone();
        if (tz == null) {
            return config.defaultZone();
        }
        try {
            return ZoneId.of(tz);
        } catch (RuntimeException e) {
            return config.defaultZone();
        }
    }
}
