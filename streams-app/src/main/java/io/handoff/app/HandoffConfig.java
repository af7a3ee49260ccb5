package io.handoff.app;

import io.handoff.topics.TopicNames;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Everything the topology needs, resolved from defaults, a properties file, {@code HANDOFF_*}
 * environment variables and command-line flags (in that order of precedence, last wins) by
 * the command line (io.handoff.app). The topology is built from this alone: {@code HandoffTopology.build(config)}.
 *
 * @param topics            topic names (prefix {@code handoff})
 * @param defaultZone       zone of zone-less stamps when the event carries no {@code event.timezone}
 * @param nginxLogFormat    default nginx {@code log_format} when the event carries none ({@code combined})
 * @param fpmAccessFormat   default FPM {@code access.format} when the event carries none
 * @param quietPeriod       an incident closes after this much event time without a gateway error
 * @param lookBack          evidence this far before the first gateway error is taken in
 * @param grace             how far (event time) behind the latest line of its own log a host's line may
 *                          arrive and not be late; how long an incident waits for a log that lags
 * @param idleClose         wall-clock time without any record for a host after which its open
 *                          incident closes even if event time did not advance (live tail, end of replay),
 *                          counted only while the application is caught up and the broker answers
 * @param evidenceCap       evidence lines kept per incident (first and last kept)
 * @param fleetWindow       fleet window length (event time)
 * @param fleetMinHosts     a fleet incident needs at least this many hosts …
 * @param fleetMinShare     … or this share (0..1) of the active fleet
 * @param activeWindow      a host is active when it shipped a line within this window
 * @param recurrenceTolerance same time of day ± this
 * @param recurrenceMin     K of …
 * @param recurrenceDays    … the last D days (counting the current one)
 * @param streams           extra Kafka Streams / client properties (bootstrap.servers, schema.registry.url, …)
 * @param limits            what a record may be before handoff refuses or cuts it ({@link Limits})
 */
public record HandoffConfig(
        TopicNames topics,
        ZoneId defaultZone,
        String nginxLogFormat,
        String fpmAccessFormat,
        Duration quietPeriod,
        Duration lookBack,
        Duration grace,
        Duration idleClose,
        int evidenceCap,
        Duration fleetWindow,
        int fleetMinHosts,
        double fleetMinShare,
        Duration activeWindow,
        Duration recurrenceTolerance,
        int recurrenceMin,
        int recurrenceDays,
        Map<String, String> streams,
        Limits limits) {

    /**
     * Bounds on one record, so that no line, however mistimed or large, can stop the application.
     *
     * @param maxEventAge  a line older than this (event time against the wall clock) is dead-lettered
     *                     with stage {@code time}; {@link Duration#ZERO} means no bound. {@code handoff
     *                     replay}, {@code demo} and {@code bench} replay recorded time and lift it unless it
     *                     is configured.
     * @param maxEventLead a line more than this ahead of the wall clock (a zone-less stamp read in the wrong
     *                     zone, a host clock set wrong) is dead-lettered with stage {@code time}; keep it
     *                     under the broker's {@code log.message.timestamp.after.max.ms} (1 h by default)
     * @param maxLineBytes an entry longer than this is cut to it, with a marker, in {@code handoff.events}
     *                     (original and parsed text); the raw topic keeps it whole
     * @param maxEntryBytes a raw value larger than this is not parsed: it is dead-lettered with its first
     *                     bytes kept ({@code DeadLetter.original_size} says how many there were)
     * @param unreachableAfter how long the broker or the registry may be unreachable before {@code /health}
     *                     of {@code handoff run} reports it (DEGRADED, or DOWN for the broker)
     */
    public record Limits(Duration maxEventAge, Duration maxEventLead, int maxLineBytes, int maxEntryBytes,
                         Duration unreachableAfter) {
        public Limits {
            if (maxEventAge.isNegative() || maxEventLead.isNegative() || maxLineBytes <= 0 || maxEntryBytes <= 0
                    || unreachableAfter.isNegative()) {
                throw new IllegalArgumentException("limits must be positive: " + maxEventAge + ", " + maxEventLead
                        + ", " + maxLineBytes + ", " + maxEntryBytes + ", " + unreachableAfter);
            }
        }

        public static Limits defaults() {
            return new Limits(Duration.ofDays(365), Duration.ofMinutes(15), 16 * 1024, 1024 * 1024, Duration.ofSeconds(30));
        }

        /** Whether {@link #maxEventAge} bounds anything. */
        public boolean ageBounded() {
            return !maxEventAge.isZero();
        }

        /** The same limits with no bound on age (replays of recorded time). */
        public Limits withoutAgeBound() {
            return new Limits(Duration.ZERO, maxEventLead, maxLineBytes, maxEntryBytes, unreachableAfter);
        }
    }

    /** A configuration with the default {@link Limits}, for callers that set no bounds of their own. */
    public HandoffConfig(TopicNames topics, ZoneId defaultZone, String nginxLogFormat, String fpmAccessFormat,
                         Duration quietPeriod, Duration lookBack, Duration grace, Duration idleClose, int evidenceCap,
                         Duration fleetWindow, int fleetMinHosts, double fleetMinShare, Duration activeWindow,
                         Duration recurrenceTolerance, int recurrenceMin, int recurrenceDays, Map<String, String> streams) {
        this(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace, idleClose, evidenceCap,
                fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance, recurrenceMin, recurrenceDays,
                streams, Limits.defaults());
    }

    public static final String NGINX_COMBINED =
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
    public static final String FPM_DEFAULT_ACCESS_FORMAT = "%R - %u %t \"%m %r\" %s";

    /** The defaults, for tests and the embedded mode. */
    public static HandoffConfig defaults() {
        return new HandoffConfig(TopicNames.defaults(), ZoneOffset.UTC, NGINX_COMBINED, FPM_DEFAULT_ACCESS_FORMAT,
                Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(40), 50,
                Duration.ofMinutes(2), 3, 0.10, Duration.ofHours(1), Duration.ofMinutes(10), 2, 3, Map.of(), Limits.defaults());
    }

    public HandoffConfig withStreams(Map<String, String> props) {
        return new HandoffConfig(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace,
                idleClose, evidenceCap, fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance,
                recurrenceMin, recurrenceDays, Map.copyOf(props), limits);
    }

    public HandoffConfig withIdleClose(Duration d) {
        return new HandoffConfig(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace,
                d, evidenceCap, fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance,
                recurrenceMin, recurrenceDays, streams, limits);
    }

    public HandoffConfig withLimits(Limits l) {
        return new HandoffConfig(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace,
                idleClose, evidenceCap, fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance,
                recurrenceMin, recurrenceDays, streams, l);
    }
}
