package io.handoff.config;

import io.handoff.topics.TopicNames;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Everything the topology needs, resolved from defaults, a properties file, {@code HANDOFF_*}
 * environment variables and command-line flags (in that order of precedence, last wins) by the
 * commands' loader ({@code io.handoff.app.ConfigLoader}); each field is a key of {@link Keys}, which holds
 * its default, and {@link #of} is the one place that builds it. The topology is built from this alone: {@code HandoffTopology.build(config)}.
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
 * @param sourceIdle        wall-clock time (counted while live) after a host's log last delivered a line beyond
 *                          which it no longer holds that host's incidents open: a log still delivering lines
 *                          holds an incident until it has passed the incident's window, however far the host's
 *                          other logs ran ahead; one that stopped does not
 * @param eventsTopic       also write every parsed line whole to {@code handoff.events} (an opt-in for other
 *                          consumers; the correlator does not read it)
 * @param ticks             send lines without signal to the correlator as ticks ({@code HostTick}); false sends
 *                          every line whole, as before ticks existed
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
        Limits limits,
        Duration sourceIdle,
        boolean eventsTopic,
        boolean ticks) {

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
     * @param maxLineBytes an entry longer than this is cut to it, with a marker, in the parsed line
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
            return HandoffConfig.defaults().limits();
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

    /** The defaults of {@link Keys}, for tests and the embedded mode. */
    public static HandoffConfig defaults() {
        return of(Map.of());
    }

    /**
     * The one place a configuration is built: each field from its key in {@code settings} (text, read by the
     * key's type), else the key's default; every key that is not handoff's own goes to {@link #streams()}.
     *
     * @throws ConfigException a value that cannot be read, named with its key
     */
    public static HandoffConfig of(Map<String, String> settings) {
        Map<String, String> streams = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (!k.startsWith("handoff.")) {
                streams.put(k, v);
            }
        });
        TopicNames topics;
        try {
            topics = new TopicNames(value(settings, Keys.TOPIC_PREFIX));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Keys.TOPIC_PREFIX.name() + ": " + e.getMessage());
        }
        return new HandoffConfig(topics,
                value(settings, Keys.TIMEZONE),
                value(settings, Keys.NGINX_LOG_FORMAT),
                value(settings, Keys.FPM_ACCESS_FORMAT),
                value(settings, Keys.QUIET_PERIOD),
                value(settings, Keys.LOOK_BACK),
                value(settings, Keys.GRACE),
                value(settings, Keys.IDLE_CLOSE),
                value(settings, Keys.EVIDENCE_CAP),
                value(settings, Keys.FLEET_WINDOW),
                value(settings, Keys.FLEET_MIN_HOSTS),
                value(settings, Keys.FLEET_MIN_SHARE),
                value(settings, Keys.FLEET_ACTIVE_WINDOW),
                value(settings, Keys.RECURRENCE_TOLERANCE),
                value(settings, Keys.RECURRENCE_MIN),
                value(settings, Keys.RECURRENCE_DAYS),
                Map.copyOf(streams),
                new Limits(
                        value(settings, Keys.MAX_EVENT_AGE),
                        value(settings, Keys.MAX_EVENT_LEAD),
                        value(settings, Keys.MAX_LINE_BYTES),
                        value(settings, Keys.MAX_ENTRY_BYTES),
                        value(settings, Keys.UNREACHABLE_AFTER)),
                value(settings, Keys.SOURCE_IDLE),
                value(settings, Keys.EVENTS_ENABLED),
                value(settings, Keys.CORRELATE_TICKS));
    }

    /** The value of {@code key} in {@code settings}, else its default. */
    public static <T> T value(Map<String, String> settings, Key<T> key) {
        String text = settings.get(key.name());
        return text == null ? key.defaultValue() : key.read(text);
    }

    /** The same configuration with other topic names. */
    public HandoffConfig withTopics(TopicNames t) {
        return with(c -> c.topics = t);
    }

    /** The same configuration with these times of closing an incident. */
    public HandoffConfig withCloseTimes(Duration quiet, Duration grace, Duration idleClose) {
        return with(c -> {
            c.quietPeriod = quiet;
            c.grace = grace;
            c.idleClose = idleClose;
        });
    }

    /** The same configuration with these Kafka Streams and client settings instead of its own. */
    public HandoffConfig withStreams(Map<String, String> props) {
        return with(c -> c.streams = Map.copyOf(props));
    }

    /** The same configuration with this wall-clock idle close. */
    public HandoffConfig withIdleClose(Duration d) {
        return with(c -> c.idleClose = d);
    }

    /** The same configuration with these bounds on one record. */
    public HandoffConfig withLimits(Limits l) {
        return with(c -> c.limits = l);
    }

    /** With or without the opt-in {@code handoff.events} topic. */
    public HandoffConfig withEventsTopic(boolean on) {
        return with(c -> c.eventsTopic = on);
    }

    /** With ticks for lines without signal (true), or every line whole to the correlator (false). */
    public HandoffConfig withTicks(boolean on) {
        return with(c -> c.ticks = on);
    }

    /** A copy of this configuration with what {@code change} sets on it: the one place every field is copied. */
    private HandoffConfig with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The fields of a configuration, to change some of them before building a new one. */
    private static final class Copy {
        TopicNames topics;
        ZoneId defaultZone;
        String nginxLogFormat;
        String fpmAccessFormat;
        Duration quietPeriod;
        Duration lookBack;
        Duration grace;
        Duration idleClose;
        int evidenceCap;
        Duration fleetWindow;
        int fleetMinHosts;
        double fleetMinShare;
        Duration activeWindow;
        Duration recurrenceTolerance;
        int recurrenceMin;
        int recurrenceDays;
        Map<String, String> streams;
        Limits limits;
        Duration sourceIdle;
        boolean eventsTopic;
        boolean ticks;

        Copy(HandoffConfig c) {
            topics = c.topics;
            defaultZone = c.defaultZone;
            nginxLogFormat = c.nginxLogFormat;
            fpmAccessFormat = c.fpmAccessFormat;
            quietPeriod = c.quietPeriod;
            lookBack = c.lookBack;
            grace = c.grace;
            idleClose = c.idleClose;
            evidenceCap = c.evidenceCap;
            fleetWindow = c.fleetWindow;
            fleetMinHosts = c.fleetMinHosts;
            fleetMinShare = c.fleetMinShare;
            activeWindow = c.activeWindow;
            recurrenceTolerance = c.recurrenceTolerance;
            recurrenceMin = c.recurrenceMin;
            recurrenceDays = c.recurrenceDays;
            streams = c.streams;
            limits = c.limits;
            sourceIdle = c.sourceIdle;
            eventsTopic = c.eventsTopic;
            ticks = c.ticks;
        }

        HandoffConfig build() {
            return new HandoffConfig(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace,
                    idleClose, evidenceCap, fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance,
                    recurrenceMin, recurrenceDays, streams, limits, sourceIdle, eventsTopic, ticks);
        }
    }
}
