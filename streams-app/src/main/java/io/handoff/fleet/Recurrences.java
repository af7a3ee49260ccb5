package io.handoff.fleet;

import io.handoff.avro.Recurrence;
import io.handoff.avro.RecurrencePeriod;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a fleet incident repeats an earlier schedule, from the window starts of the earlier fleet
 * incidents of the same fleet and root cause. Pure: the processor keeps the history.
 *
 * <ul>
 *   <li>DAILY: on at least {@code min} of the last {@code days} days, counting the current one, a
 *       fleet incident started within ± {@code tolerance} of the same UTC time of day (day d is
 *       matched by an earlier start within tolerance of {@code start − d × 24 h}, so 23:58 and 00:03
 *       the next day are the same schedule).</li>
 *   <li>WEEKLY (when not daily): the same for the same weekday over the last {@value #WEEKS} weeks.</li>
 * </ul>
 */
final class Recurrences {
    private Recurrences() {}

    static final int WEEKS = 3;
    static final long DAY = Duration.ofDays(1).toMillis();
    static final long WEEK = Duration.ofDays(7).toMillis();

    static final String RELOAD_TRIGGER = "scheduled FPM reload (logrotate/cron)";

    /** A match: the period, the matched earlier starts (ascending) and how many periods back in a row. */
    record Match(RecurrencePeriod period, List<Long> previous, int inARow) {
        int occurrences() {
            return previous.size() + 1;
        }
    }

    /** How long the history must reach back. */
    static Duration horizon(int days, Duration tolerance) {
        return Duration.ofMillis(Math.max((long) days * DAY, (long) (WEEKS - 1) * WEEK) + tolerance.toMillis());
    }

    static Match detect(long start, List<Long> history, Duration tolerance, int min, int days) {
        Match daily = match(RecurrencePeriod.DAILY, DAY, days, start, history, tolerance.toMillis());
        if (daily.occurrences() >= min && daily.occurrences() >= 2) {
            return daily;
        }
        Match weekly = match(RecurrencePeriod.WEEKLY, WEEK, WEEKS, start, history, tolerance.toMillis());
        if (weekly.occurrences() >= min && weekly.occurrences() >= 2) {
            return weekly;
        }
        return null;
    }

    private static Match match(RecurrencePeriod period, long step, int periods, long start, List<Long> history, long tol) {
        List<Long> previous = new ArrayList<>();
        int inARow = 0;
        boolean run = true;
        for (int d = 1; d < periods; d++) {
            long target = start - d * step;
            Long best = null;
            for (long h : history) {
                if (Math.abs(h - target) <= tol && (best == null || Math.abs(h - target) < Math.abs(best - target))) {
                    best = h;
                }
            }
            if (best != null) {
                previous.add(best);
                if (run) inARow++;
            } else {
                run = false;
            }
        }
        previous.sort(null);
        return new Match(period, previous, inARow);
    }

    /** "HH:MM": the window start rounded to the nearest minute, UTC. */
    static String timeOfDay(long start) {
        LocalTime t = Instant.ofEpochMilli(start + 30_000).atOffset(ZoneOffset.UTC).toLocalTime();
        return String.format(Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute());
    }

    static Recurrence toAvro(Match m, long start, boolean reload) {
        String tod = timeOfDay(start);
        String likely = reload ? RELOAD_TRIGGER
                : "a job scheduled at " + tod + " UTC" + (m.period() == RecurrencePeriod.WEEKLY ? " once a week" : "")
                + " (cron, systemd timers, backups)";
        List<Instant> prev = new ArrayList<>();
        for (long p : m.previous()) {
            prev.add(Instant.ofEpochMilli(p));
        }
        return Recurrence.newBuilder()
                .setPeriod(m.period())
                .setTimeOfDayUtc(tod)
                .setOccurrences(m.occurrences())
                .setLikelyTrigger(likely)
                .setPrevious(prev)
                .build();
    }
}
