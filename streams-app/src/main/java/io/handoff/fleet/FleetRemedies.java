package io.handoff.fleet;

import io.handoff.avro.RootCause;

import java.util.EnumMap;
import java.util.Map;

/**
 * The remedy at fleet level, per root cause: when one cause hits many hosts at once, the fix is the
 * shared configuration, the image or the schedule, rolled out everywhere — not one host. The host
 * remedy (io.handoff.classify.Taxonomy) stays on each host incident; this table says what to change
 * for the fleet, side by side per label.
 */
final class FleetRemedies {
    private FleetRemedies() {}

    static final String STAGGER = " Stagger the scheduled FPM reloads across the fleet (logrotate postrotate or cron with a"
            + " per-host random delay, e.g. systemd RandomizedDelaySec=15min, or reload hosts in batches) so the"
            + " hosts do not all reload in the same second.";

    private static final Map<RootCause, String> FLEET = new EnumMap<>(RootCause.class);

    static {
        FLEET.put(RootCause.LISTEN_BACKLOG_OVERFLOW, "Raise the accept queue in the shared configuration, not host by host:"
                + " listen.backlog = 4096 in the common FPM pool template and net.core.somaxconn = 4096 in the base"
                + " sysctl (image or config management), then roll it out to every host.");
        FLEET.put(RootCause.FPM_RELOAD_INTERRUPTION, "Set process_control_timeout (e.g. 10s) in the shared FPM configuration so"
                + " a reload waits for running requests, and make the fleet's log rotation reopen logs (SIGUSR1) instead of"
                + " reloading (SIGUSR2).");
        FLEET.put(RootCause.FPM_UNAVAILABLE, "FPM stopped on many hosts at once: look for the common change (a package"
                + " upgrade, a config push that fails `php-fpm -t`, a deploy that restarts FPM) and gate it on a config test"
                + " and a canary host; let systemd restart FPM everywhere.");
        FLEET.put(RootCause.SOCKET_PERMISSION_DENIED, "Fix listen.owner/listen.group/listen.mode in the shared pool template"
                + " (or the image's users) so nginx's user can open the socket on every host.");
        FLEET.put(RootCause.WORKER_POOL_EXHAUSTED, "Every host ran out of workers at once: a traffic peak or a shared slow"
                + " dependency. Size pm.max_children to RAM in the shared pool template, cache the hot pages, and check"
                + " what all hosts wait on (a common database or API).");
        FLEET.put(RootCause.SLOW_EXTERNAL_CALL, "A shared outbound dependency is slow for the whole fleet: give the call a"
                + " short timeout and a fallback in the application release, cache its answer, or disable the plugin"
                + " fleet-wide until the dependency recovers.");
        FLEET.put(RootCause.SLOW_DATABASE, "The database all hosts share is slow: fix it there (slow query log, missing"
                + " index, locks, IO), not by adding workers on the web hosts.");
        FLEET.put(RootCause.SELF_REQUEST_DEADLOCK, "The release makes the site call itself on every host: run WP-Cron from"
                + " system cron (DISABLE_WP_CRON) in the shared configuration and remove loopback HTTP calls from the code.");
        FLEET.put(RootCause.WORKER_CRASH, "PHP workers crash on many hosts at once: roll back the common change (PHP or"
                + " extension update, new plugin release) and get a core dump from one host.");
        FLEET.put(RootCause.OOM_KILL, "Many hosts ran out of memory at once: lower memory_limit / pm.max_children in the"
                + " shared pool template to fit the instance size, or move the memory-hungry job off the web fleet.");
        FLEET.put(RootCause.REQUEST_TERMINATED, "A request that runs past request_terminate_timeout on every host: fix or"
                + " queue the slow script in the release; move scheduled heavy jobs off the web pool.");
        FLEET.put(RootCause.UPSTREAM_HEADER_TOO_BIG, "Raise fastcgi_buffer_size / fastcgi_buffers in the shared nginx"
                + " configuration and find what bloats the headers in the release.");
        FLEET.put(RootCause.UPSTREAM_MISCONFIGURED, "The shared nginx or FPM configuration points fastcgi_pass at the wrong"
                + " address: fix the template (one source of truth for the socket path) and roll it out.");
        FLEET.put(RootCause.DISK_FULL, "Disks fill up fleet-wide: fix log retention / temp cleanup in the image and alert"
                + " on disk usage before 100%.");
        FLEET.put(RootCause.UNKNOWN, "Gateway errors on many hosts at once without explaining evidence: look for what they"
                + " share at that moment (deploy, reload, dependency) and ship the missing logs from every host.");
    }

    static String remedy(RootCause cause, boolean reloadTrigger) {
        String base = FLEET.getOrDefault(cause, FLEET.get(RootCause.UNKNOWN));
        return reloadTrigger ? base + STAGGER : base;
    }
}
