package io.handoff.parse;

import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * What a parser needs to know about the host beyond the line.
 *
 * @param zone           zone of stamps that carry none (nginx error log, PHP-FPM log): the event's
 *                       {@code event.timezone}, else the host's configured zone, else UTC
 * @param bootTimeMillis the host's boot time, epoch ms, for raw dmesg {@code [secs.usec]} stamps; -1 if unknown
 * @param year           the year for syslog stamps that carry none ({@code Nov 21 00:00:04}); 0 for the current UTC year
 */
public record ParseContext(ZoneId zone, long bootTimeMillis, int year) {
    public static final ParseContext UTC = new ParseContext(ZoneOffset.UTC, -1, 0);

    public static ParseContext of(ZoneId zone) {
        return new ParseContext(zone, -1, 0);
    }
}
