package io.handoff.app;

import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer of {@code GET /health}: UP, DEGRADED or DOWN, and why.
 *
 * <ul>
 *   <li><b>DOWN</b> (503): the application is not processing — still starting (waiting for its topics or
 *       for the schema registry, which it says), Kafka Streams not running (created, shutting down,
 *       error), or the broker unreachable for longer than {@code handoff.unreachable-after}.</li>
 *   <li><b>DEGRADED</b> (200): processing, but the schema registry has been unreachable for longer than
 *       {@code handoff.unreachable-after} (the application goes on with the schema ids it has cached) or a
 *       stream thread failed and was replaced within the last {@value #RECENT_RESTART_MINUTES} minutes.</li>
 *   <li><b>UP</b> (200) otherwise.</li>
 * </ul>
 * Use {@code /health} for readiness; {@code /health/live} answers 200 while the process serves at all, so
 * a liveness probe never restarts the application for an outage of something else (a restart cures
 * nothing there, and would only turn the outage into a crash loop).
 */
record Health(String status, int httpStatus, String json) {
    static final int RECENT_RESTART_MINUTES = 10;

    /**
     * @param starting        what the application waits for before it starts processing, or null once started
     * @param lastRestartMs   when a stream thread was last replaced after a failure, or 0
     */
    static Health of(KafkaStreams.State state, String starting, Reachability reach, Duration unreachableAfter, long nowMs,
                     long restarts, long lastRestartMs) {
        Reachability.State broker = reach.state(Reachability.Dependency.BROKER);
        Reachability.State registry = reach.state(Reachability.Dependency.REGISTRY);
        List<String> reasons = new ArrayList<>();
        String status;
        boolean processing = starting == null && (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING);
        if (starting != null) {
            reasons.add("starting: " + starting);
        } else if (!processing) {
            reasons.add("Kafka Streams is " + state);
        }
        if (broker.downFor(unreachableAfter, nowMs)) {
            reasons.add("the broker has been unreachable since " + broker.since() + ": " + broker.detail());
        }
        boolean registryDown = registry.downFor(unreachableAfter, nowMs);
        if (registryDown) {
            reasons.add("the schema registry has been unreachable since " + registry.since() + ": " + registry.detail());
        }
        boolean recentRestart = lastRestartMs > 0 && nowMs - lastRestartMs < Duration.ofMinutes(RECENT_RESTART_MINUTES).toMillis();
        if (recentRestart) {
            reasons.add(restarts + " stream thread failure(s), the last at " + Instant.ofEpochMilli(lastRestartMs)
                    + " (see the log); replaced after a back-off");
        }
        if (!processing || broker.downFor(unreachableAfter, nowMs)) {
            status = "DOWN";
        } else if (registryDown || recentRestart) {
            status = "DEGRADED";
        } else {
            status = "UP";
        }
        StringBuilder j = new StringBuilder("{\"status\":\"").append(status).append("\",\"state\":\"")
                .append(starting != null ? "STARTING" : String.valueOf(state)).append('"');
        dependency(j, "broker", broker, nowMs);
        dependency(j, "registry", registry, nowMs);
        j.append(",\"stream_thread_restarts\":").append(restarts);
        j.append(",\"reasons\":[");
        for (int i = 0; i < reasons.size(); i++) {
            j.append(i > 0 ? "," : "").append('"').append(escape(reasons.get(i))).append('"');
        }
        j.append("]}\n");
        return new Health(status, status.equals("DOWN") ? 503 : 200, j.toString());
    }

    private static void dependency(StringBuilder j, String name, Reachability.State s, long nowMs) {
        j.append(",\"").append(name).append("\":{\"reachable\":").append(s.reachable());
        if (!s.reachable()) {
            j.append(",\"since\":\"").append(s.since()).append("\",\"for_seconds\":").append((nowMs - s.sinceMs()) / 1000)
                    .append(",\"error\":\"").append(escape(s.detail())).append('"');
        }
        j.append('}');
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
