package io.handoff.fleet;

import io.handoff.avro.RecurrencePeriod;
import io.handoff.avro.RootCause;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RecurrencesTest {
    static final Duration TOL = Duration.ofMinutes(10);

    static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void dailyCountsTheCurrentOneAndMatchesAcrossMidnight() {
        long now = t("2026-11-23T00:03:00Z");
        Recurrences.Match m = Recurrences.detect(now, List.of(t("2026-11-21T00:00:04Z"), t("2026-11-21T23:58:00Z")), TOL, 2, 3);
        assertEquals(RecurrencePeriod.DAILY, m.period());
        assertEquals(3, m.occurrences());
        assertEquals(2, m.inARow());
        assertEquals(List.of(t("2026-11-21T00:00:04Z"), t("2026-11-21T23:58:00Z")), m.previous());
        assertEquals("00:03", Recurrences.timeOfDay(now));
        assertEquals("00:00", Recurrences.timeOfDay(t("2026-11-22T23:59:40Z")), "rounded to the nearest minute");
    }

    @Test
    void aGapDayStillCountsButIsNotInARow() {
        long now = t("2026-11-23T00:00:00Z");
        Recurrences.Match m = Recurrences.detect(now, List.of(t("2026-11-21T00:05:00Z")), TOL, 2, 3);
        assertEquals(2, m.occurrences());
        assertEquals(0, m.inARow());
        assertEquals("X on 3 of 9 hosts at 00:00 UTC, after the nightly FPM reload — 2 of the last 3 days at this time",
                FleetWindowProcessor.summary(null, RootCause.UNKNOWN, Map.of("UNKNOWN", 3), 3, 9, now,
                        true, m, 3).replace("UNKNOWN", "X"));
    }

    @Test
    void outsideTheToleranceOrTheDaysIsNoRecurrence() {
        long now = t("2026-11-23T00:00:00Z");
        assertNull(Recurrences.detect(now, List.of(t("2026-11-22T00:10:01Z")), TOL, 2, 3), "10 min 1 s off");
        assertNull(Recurrences.detect(now, List.of(t("2026-11-20T00:00:00Z")), TOL, 2, 3), "3 days back is outside the last 3 days");
        assertNull(Recurrences.detect(now, List.of(t("2026-11-22T00:00:00Z")), TOL, 3, 3), "2 of 3 is fewer than K = 3");
        assertNull(Recurrences.detect(now, List.of(), TOL, 1, 3), "the current one alone never recurs");
    }

    @Test
    void sameWeekdayOnTwoOfTheLastThreeWeeksIsWeekly() {
        long now = t("2026-11-23T02:00:00Z"); // a Monday
        Recurrences.Match m = Recurrences.detect(now, List.of(t("2026-11-09T02:04:00Z")), TOL, 2, 3);
        assertEquals(RecurrencePeriod.WEEKLY, m.period());
        assertEquals(2, m.occurrences());
        var avro = Recurrences.toAvro(m, now, false);
        assertEquals("02:00", avro.getTimeOfDayUtc());
        assertEquals("a job scheduled at 02:00 UTC once a week (cron, systemd timers, backups)", avro.getLikelyTrigger());
        assertEquals(List.of(Instant.parse("2026-11-09T02:04:00Z")), avro.getPrevious());
    }
}
