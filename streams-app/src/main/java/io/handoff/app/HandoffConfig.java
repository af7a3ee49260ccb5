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
        Map<String, String> streams) {

    public static final String NGINX_COMBINED =
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";
    public static final String FPM_DEFAULT_ACCESS_FORMAT = "%R - %u %t \"%m %r\" %s";

    /** The defaults, for tests and the embedded mode. */
    public static HandoffConfig defaults() {
        return new HandoffConfig(TopicNames.defaults(), ZoneOffset.UTC, NGINX_COMBINED, FPM_DEFAULT_ACCESS_FORMAT,
                Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(40), 50,
                Duration.ofMinutes(2), 3, 0.10, Duration.ofHours(1), Duration.ofMinutes(10), 2, 3, Map.of());
    }

    public HandoffConfig withStreams(Map<String, String> props) {
        return new HandoffConfig(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace,
                idleClose, evidenceCap, fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance,
                recurrenceMin, recurrenceDays, Map.copyOf(props));
    }

    public HandoffConfig withIdleClose(Duration d) {
        return new HandoffConfig(topics, defaultZone, nginxLogFormat, fpmAccessFormat, quietPeriod, lookBack, grace,
                d, evidenceCap, fleetWindow, fleetMinHosts, fleetMinShare, activeWindow, recurrenceTolerance,
                recurrenceMin, recurrenceDays, streams);
    }
}
