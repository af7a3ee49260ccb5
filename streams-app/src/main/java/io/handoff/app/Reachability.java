package io.handoff.app;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Whether the broker and the schema registry answered lately, and since when they have not: what
 * {@code /health} reports (DOWN, DEGRADED) once one has been unreachable for longer than
 * {@code handoff.unreachable-after}. Fed by {@link Probes} and by the start-up waits of {@code handoff run}.
 * Thread-safe.
 */
final class Reachability {
    /** What the application depends on. */
    enum Dependency {
        BROKER("broker"), REGISTRY("registry");

        final String label;

        Dependency(String label) {
            this.label = label;
        }
    }

    /**
     * @param reachable   the last check got an answer
     * @param sinceMs     when the current state began (the first failure of a run of failures), epoch ms;
     *                    0 before any check
     * @param detail      what the last failed check said; null when reachable
     */
    record State(boolean reachable, long sinceMs, String detail) {
        static final State UNKNOWN = new State(true, 0, null);

        /** Unreachable for at least {@code d} at {@code nowMs}. */
        boolean downFor(Duration d, long nowMs) {
            return !reachable && nowMs - sinceMs >= d.toMillis();
        }

        String since() {
            return Instant.ofEpochMilli(sinceMs).toString();
        }
    }

    private final Map<Dependency, State> states = new EnumMap<>(Dependency.class);

    synchronized void reachable(Dependency d, long nowMs) {
        State s = state(d);
        if (!s.reachable || s.sinceMs == 0) {
            states.put(d, new State(true, nowMs, null));
        }
    }

    synchronized void unreachable(Dependency d, long nowMs, String detail) {
        State s = state(d);
        states.put(d, new State(false, s.reachable ? nowMs : s.sinceMs, detail));
    }

    synchronized State state(Dependency d) {
        return states.getOrDefault(d, State.UNKNOWN);
    }
}
