package io.handoff.classify;

import io.handoff.avro.RootCause;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The root-cause taxonomy in one table: per label, what evidence it needs ({@code signature},
 * as text and as a predicate over {@link Findings}), the evidence that makes it a <em>contributing</em>
 * cause of another label ({@code present}), the order in which labels are tried ({@code priority},
 * lower first), how much a full match is worth ({@code weight}, the confidence ceiling), a short
 * phrase for the summary sentence and the remedy.
 *
 * <p>Order matters where evidence overlaps: a crash, an OOM kill or a terminated request explains a
 * 104 better than a reload does; a slow call that filled the pool is the root of the EAGAIN that
 * follows ("a slow-call burst is not called a backlog overflow"); a plain backlog overflow comes
 * after them.
 */
public enum Taxonomy {

    UPSTREAM_MISCONFIGURED(RootCause.UPSTREAM_MISCONFIGURED, 10, 0.95,
            "nginx: 'upstream sent unsupported FastCGI protocol version', or connect() refused/ENOENT on an address while FPM serves requests elsewhere",
            f -> f.badFastcgi > 0 || f.fpmServedWhileRefused(),
            f -> f.badFastcgi > 0,
            "nginx passes requests to an address that does not speak FastCGI for this pool",
            "Point fastcgi_pass at the address the pool listens on (compare `listen =` in the pool file with `nginx -T | grep fastcgi_pass`), and make sure it is FastCGI (not an HTTP port); keep one source of truth for the socket path."),

    UPSTREAM_HEADER_TOO_BIG(RootCause.UPSTREAM_HEADER_TOO_BIG, 20, 0.95,
            "nginx: 'upstream sent too big header while reading response header from upstream'",
            f -> f.tooBigHeader > 0,
            f -> f.tooBigHeader > 0,
            "the application's response headers do not fit nginx's FastCGI buffers",
            "Raise fastcgi_buffer_size and fastcgi_buffers (e.g. 32k and 16 32k) for this location, and find what bloats the headers (huge cookies, Set-Cookie loops, debug headers from a plugin)."),

    SOCKET_PERMISSION_DENIED(RootCause.SOCKET_PERMISSION_DENIED, 30, 0.95,
            "nginx: connect() to the FPM socket failed (13: Permission denied)",
            f -> f.eacces13 > 0,
            f -> f.eacces13 > 0,
            "nginx's worker user may not open the FPM socket",
            "Set listen.owner, listen.group and listen.mode (0660) in the pool so nginx's user (www-data) can connect, then reload FPM; with SELinux, label the socket instead of disabling SELinux."),

    DISK_FULL(RootCause.DISK_FULL, 40, 0.9,
            "any log: '(28: No space left on device)'",
            f -> f.diskFull28 > 0,
            f -> f.diskFull28 > 0,
            "the disk nginx or PHP writes to is full",
            "Free space on the filesystem holding temp files, sessions and logs (df -h; check rotated logs and /tmp), and alert on disk usage before it reaches 100%."),

    OOM_KILL(RootCause.OOM_KILL, 50, 0.95,
            "kernel OOM killer killed a php-fpm process (or FPM 'child N exited on signal 9' with N the OOM victim), then nginx 104 / prematurely closed",
            f -> f.oomKilledPhp() > 0 && f.dropped() > 0,
            f -> f.oomKilledPhp() > 0,
            "the kernel's OOM killer killed PHP-FPM workers mid-request",
            "Do not raise pm.max_children: size it to RAM (available memory / worker RSS), lower memory_limit or fix the request that balloons, move other services off the box or add RAM."),

    WORKER_CRASH(RootCause.WORKER_CRASH, 60, 0.9,
            "FPM 'child N exited on signal 11/6/7' or a kernel segfault/trap in php-fpm, with nginx 104 / prematurely closed",
            f -> f.crashes() > 0 && f.dropped() > 0,
            f -> f.crashes() > 0,
            "PHP-FPM workers crashed (segfault/abort) while serving requests",
            "Treat it as a PHP bug, not load: reproduce with the failing URL, disable recently added extensions or the plugin in the stack, update PHP and extensions, enable core dumps to get a backtrace."),

    REQUEST_TERMINATED(RootCause.REQUEST_TERMINATED, 70, 0.9,
            "FPM 'execution timed out … terminating' (request_terminate_timeout), then nginx 104",
            f -> f.terminated() > 0 && f.dropped() > 0,
            f -> f.terminated() > 0,
            "FPM killed requests that ran past request_terminate_timeout",
            "Make the slow script fast (slowlog shows where it waits) or move the work to a queue; raise request_terminate_timeout only for that script's pool, and keep nginx's fastcgi_read_timeout above it."),

    SELF_REQUEST_DEADLOCK(RootCause.SELF_REQUEST_DEADLOCK, 80, 0.85,
            "access lines of the site calling itself (WordPress/x.y user agent, wp-cron.php from loopback) + slowlog curl_exec + pool exhausted",
            f -> f.selfRequests > 0 && f.slowHttp > 0 && f.poolPressure() > 0,
            f -> f.selfRequests > 0 && f.slowHttp > 0,
            "workers wait on HTTP requests back to the same site while every worker is busy",
            "Stop calling the site over HTTP from inside a request: call the code or database directly, run WP-Cron from system cron (DISABLE_WP_CRON), give loopback requests a short timeout; more workers only postpone the deadlock."),

    SLOW_EXTERNAL_CALL(RootCause.SLOW_EXTERNAL_CALL, 90, 0.85,
            "slowlog stacks blocked in HTTP calls (curl_exec, …), or with no slowlog FPM access lines of 5 s or more at under 30% CPU, and the pool fills (max_children, 110, EAGAIN)",
            f -> (f.slowHttp > 0 && f.slowHttp >= f.slowDb) && f.poolPressure() > 0
                    || (f.slowEntries() == 0 && f.slowLowCpu > 0 && f.poolPressure() > 0),
            f -> f.slowHttp > 0 || (f.slowEntries() == 0 && f.slowLowCpu > 0),
            "workers were stuck waiting on slow outbound HTTP calls until the pool ran out",
            "Give every outbound HTTP call a short timeout (connect 2s, total 5s) with a fallback, cache the remote answer, and fix or disable the plugin/script the slowlog names; raising pm.max_children does not help."),

    SLOW_DATABASE(RootCause.SLOW_DATABASE, 100, 0.85,
            "slowlog stacks in database calls (mysqli_*, PDO, execute()) or FPM access lines slow with high CPU%, and the pool fills",
            f -> f.slowDb > 0 && f.slowDb > f.slowHttp && f.poolPressure() > 0,
            f -> f.slowDb > 0,
            "workers were stuck in slow database queries until the pool ran out",
            "Find the query in the slowlog frame (enable MySQL's slow query log), add the missing index or cache the result, and check the database for locks and IO wait before adding workers."),

    LISTEN_BACKLOG_OVERFLOW(RootCause.LISTEN_BACKLOG_OVERFLOW, 110, 0.9,
            "nginx: connect() to the FPM unix socket failed (11: Resource temporarily unavailable); over TCP 'upstream timed out (110) while connecting'",
            f -> (f.eagainConnect > 0 || f.timeoutConnect > 0) && !(f.maxChildren > 0 && f.reloads == 0),
            f -> f.eagainConnect > 0 || f.timeoutConnect > 0,
            "the FPM socket's accept queue overflowed and the kernel refused connections",
            "Raise both limits of the accept queue (the smaller wins): listen.backlog = 4096 in the pool and net.core.somaxconn = 4096 via sysctl; stagger FPM reloads (logrotate, deploys) so the queue never has to absorb a full reload."),

    FPM_RELOAD_INTERRUPTION(RootCause.FPM_RELOAD_INTERRUPTION, 120, 0.85,
            "nginx 104 / prematurely closed in the same seconds as FPM 'Reloading in progress', without EAGAIN",
            f -> f.resetsNearReload() > 0,
            f -> f.reloads > 0,
            "an FPM reload cut off requests in flight",
            "Set process_control_timeout (e.g. 10s) so a reload waits for running requests, reload rather than restart, and stagger reloads across hosts."),

    FPM_UNAVAILABLE(RootCause.FPM_UNAVAILABLE, 130, 0.9,
            "nginx: connect() failed (111: Connection refused) or (2: No such file or directory) on the FPM socket, or 'no live upstreams'",
            f -> f.refused111 > 0 || f.enoent2 > 0 || f.noLiveUpstreams > 0,
            f -> f.refused111 > 0 || f.enoent2 > 0 || f.noLiveUpstreams > 0,
            "PHP-FPM was not running or not listening",
            "Start PHP-FPM and find out why it stopped (journalctl -u php8.2-fpm: a failed config test, a crash loop, an OOM of the master); let systemd restart it and alert on the service state."),

    WORKER_POOL_EXHAUSTED(RootCause.WORKER_POOL_EXHAUSTED, 140, 0.8,
            "FPM 'server reached pm.max_children' with nginx 'upstream timed out (110) while reading response header' (often 504s)",
            f -> f.maxChildren > 0 && (f.timeoutHeader > 0 || f.eagainConnect > 0 || f.gatewayErrors() > 0),
            f -> f.maxChildren > 0 || f.timeoutHeader > 0,
            "every PHP-FPM worker was busy and requests queued until nginx gave up",
            "Measure worker RSS and size pm.max_children to the RAM you have, enable the slowlog (request_slowlog_timeout = 5s) to find what holds workers, and cache the hot pages; more workers without more RAM trades 504s for OOM kills."),

    UNKNOWN(RootCause.UNKNOWN, 1000, 0.3,
            "gateway errors with no evidence that explains them",
            f -> true,
            f -> false,
            "gateway errors without explaining evidence in the logs shipped",
            "Ship the missing logs (nginx error log, FPM log with log_level = notice, slowlog, kernel log) for this host, enable the FPM slowlog, and look at the evidence lines of this incident.");

    private final RootCause label;
    private final int priority;
    private final double weight;
    private final String signature;
    private final Predicate<Findings> matches;
    private final Predicate<Findings> present;
    private final String phrase;
    private final String remediation;

    Taxonomy(RootCause label, int priority, double weight, String signature, Predicate<Findings> matches,
             Predicate<Findings> present, String phrase, String remediation) {
        this.label = label;
        this.priority = priority;
        this.weight = weight;
        this.signature = signature;
        this.matches = matches;
        this.present = present;
        this.phrase = phrase;
        this.remediation = remediation;
    }

    public RootCause label() { return label; }
    public int priority() { return priority; }
    /** Confidence of a full match (0..1). */
    public double weight() { return weight; }
    /** Human description of the evidence the label needs. */
    public String signature() { return signature; }
    /** Whether the evidence carries this label's full signature. */
    public boolean matches(Findings f) { return matches.test(f); }
    /** Whether this label's marker is in the evidence at all (it may then contribute to another label). */
    public boolean present(Findings f) { return present.test(f); }
    /** Short phrase used in the summary sentence. */
    public String phrase() { return phrase; }
    /** What to change. */
    public String remediation() { return remediation; }

    private static final List<Taxonomy> BY_PRIORITY = Arrays.stream(values())
            .sorted(Comparator.comparingInt(Taxonomy::priority)).toList();

    /** Rows in the order the classifier tries them. */
    public static List<Taxonomy> byPriority() {
        return BY_PRIORITY;
    }

    public static Taxonomy of(RootCause label) {
        for (Taxonomy t : values()) {
            if (t.label == label) {
                return t;
            }
        }
        throw new IllegalArgumentException("no taxonomy row for " + label);
    }
}
