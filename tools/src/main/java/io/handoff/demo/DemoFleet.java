package io.handoff.demo;

import io.handoff.demo.FleetScenario.Role;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's fleet: 24 hosts of fleet {@code eu-central} over the three nights before the captures,
 * built by {@link FleetScenario} from the real captures ({@code web-01}: a listen-backlog overflow
 * around an FPM reload; {@code web-12}: a reload that cuts the requests in flight; {@code web-14}: a
 * healthy host whose logs logrotate reopens; {@code web-06}: crashing workers), re-timed and
 * re-hosted. Every night at 00:00 UTC logrotate reloads FPM — the seeds' nightly reload — and most
 * hosts overflow the socket's backlog while a few, whose pools do not wait for running requests, cut
 * their checkouts; one host crashes alone in the afternoon. The fleet stage reports one fleet incident
 * per night with the hosts per label, the second and third as a daily recurrence, and no fleet
 * incident for the lone crash.
 */
public final class DemoFleet {
    public static final String FLEET = "eu-central";
    public static final int HOSTS = 24;
    /** The first night; the captures were made on 2026-11-21. */
    public static final Instant NIGHT1 = Instant.parse("2026-11-18T00:00:00Z");

    private DemoFleet() {}

    public static String host(int n) {
        return String.format(Locale.ROOT, "fra-web-%02d", n);
    }

    /** What host {@code n} shows on night {@code night} (0-based): escapes, cut requests, or an overflowing queue. */
    public static Role role(int n, int night) {
        int k = (n + night) % 6;
        return k == 0 ? Role.LOG_REOPEN : k == 4 ? Role.RELOAD_INTERRUPTION : Role.BACKLOG_AFTER_RELOAD;
    }

    /** Writes the fleet's host folders into {@code out}, taking the templates from {@code captures}. */
    public static void write(Path captures, Path out) {
        FleetScenario s = new FleetScenario(captures, 10);
        List<String> all = new ArrayList<>();
        for (int n = 1; n <= HOSTS; n++) {
            // a third of the fleet writes its logs in Berlin time: the stage must align them in UTC
            ZoneId zone = n % 3 == 0 ? ZoneId.of("Europe/Berlin") : ZoneOffset.UTC;
            s.host(host(n), zone, FLEET);
            all.add(host(n));
        }
        for (int night = 0; night < 3; night++) {
            Instant midnight = NIGHT1.plus(Duration.ofDays(night));
            for (String h : all) {
                s.traffic(h, midnight.minusSeconds(120), midnight.plusSeconds(330), 40);
            }
            for (int n = 1; n <= HOSTS; n++) {
                // logrotate's reload hits most hosts; a few escape each night (their queue held), a few
                // others lose the requests in flight instead (process_control_timeout = 0)
                switch (role(n, night)) {
                    case BACKLOG_AFTER_RELOAD -> s.event(host(n), Role.BACKLOG_AFTER_RELOAD, midnight.plusSeconds(n % 4));
                    case RELOAD_INTERRUPTION -> s.event(host(n), Role.RELOAD_INTERRUPTION, midnight.plusSeconds(n % 3));
                    default -> s.event(host(n), Role.LOG_REOPEN, midnight);
                }
            }
        }
        Instant afternoon = NIGHT1.plus(Duration.ofDays(1)).plusSeconds(13 * 3600);
        s.traffic(host(HOSTS), afternoon.minusSeconds(120), afternoon.plusSeconds(330), 40);
        s.event(host(HOSTS), Role.WORKER_CRASH, afternoon);
        s.write(out);
    }
}
