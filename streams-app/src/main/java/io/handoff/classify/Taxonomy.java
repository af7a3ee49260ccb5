package io.handoff.classify;

import io.handoff.avro.RootCause;
import io.handoff.avro.WarningKind;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;


/**
 * The root-cause taxonomy in one table. Per label:
 * <ul>
 *   <li>{@code signature}: what the logs show, in words (the README's table);</li>
 *   <li>{@code shownBy}: the {@link Sign}s that stand for the label as a step of a causal chain;</li>
 *   <li>{@code triggers}: those of them that are routine (a reload, more requests than workers): at the
 *       root of a chain in a burst an FPM reload is part of, such a step names the label only when
 *       nothing labelled follows it — a reload whose own effect, resets, reached the clients is a reload
 *       interruption; a reload that made the accept queue overflow, or a spike the queue had to absorb
 *       together with a reload, is a backlog overflow, because of the reload ({@link Chain#label});</li>
 *   <li>{@code canCause}: the causal edges — what this label's events can cause (a symptom causes
 *       nothing but the gateway errors, and every chain ends in them);</li>
 *   <li>{@code weight}: the confidence of a complete, corroborated chain rooted here;</li>
 *   <li>{@code warning}: what the label's events mean as an early warning, when they come without
 *       gateway errors (and how many make one); every slow request also feeds a
 *       {@link WarningKind#SLOWLOG_STORM} of {@link #SLOWLOG_STORM_MIN};</li>
 *   <li>{@code phrase} for the summary sentence, and the remedy.</li>
 * </ul>
 * The classifier ({@link Classifier}) builds a chain backwards from the burst's onset along these edges;
 * it holds no list of its own.
 */
public enum Taxonomy {

    UPSTREAM_MISCONFIGURED(RootCause.UPSTREAM_MISCONFIGURED,
            "nginx: 'upstream sent unsupported FastCGI protocol version', or connect() refused/ENOENT on an address while FPM serves requests elsewhere",
            signs(Sign.UPSTREAM_MISCONFIGURED), signs(), signs(), 0.95, null, 0,
            "nginx passes requests to an address that does not speak FastCGI for this pool",
            "Point fastcgi_pass at the address the pool listens on (compare `listen =` in the pool file with `nginx -T | grep fastcgi_pass`), and make sure it is FastCGI (not an HTTP port); keep one source of truth for the socket path."),

    UPSTREAM_HEADER_TOO_BIG(RootCause.UPSTREAM_HEADER_TOO_BIG,
            "nginx: 'upstream sent too big header while reading response header from upstream'",
            signs(Sign.UPSTREAM_HEADER_TOO_BIG), signs(), signs(), 0.95, null, 0,
            "the application's response headers do not fit nginx's FastCGI buffers",
            "Raise fastcgi_buffer_size and fastcgi_buffers (e.g. 32k and 16 32k) for this location, and find what bloats the headers (huge cookies, Set-Cookie loops, debug headers from a plugin)."),

    SOCKET_PERMISSION_DENIED(RootCause.SOCKET_PERMISSION_DENIED,
            "nginx: connect() to the FPM socket failed (13: Permission denied)",
            signs(Sign.SOCKET_PERMISSION_DENIED), signs(), signs(), 0.95, null, 0,
            "nginx's worker user may not open the FPM socket",
            "Set listen.owner, listen.group and listen.mode (0660) in the pool so nginx's user (www-data) can connect, then reload FPM; with SELinux, label the socket instead of disabling SELinux."),

    DISK_FULL(RootCause.DISK_FULL,
            "any log: '(28: No space left on device)'",
            signs(Sign.DISK_FULL), signs(), signs(), 0.9, null, 0,
            "the disk nginx or PHP writes to is full",
            "Free space on the filesystem holding temp files, sessions and logs (df -h; check rotated logs and /tmp), and alert on disk usage before it reaches 100%."),

    OOM_KILL(RootCause.OOM_KILL,
            "kernel OOM killer killed a php-fpm process (or FPM 'child N exited on signal 9' with N the OOM victim), then nginx 104 / prematurely closed",
            signs(Sign.OOM_KILL), signs(), signs(Sign.WORKER_RESET), 0.95, WarningKind.OOM_KILL, 1,
            "the kernel's OOM killer killed PHP-FPM workers mid-request",
            "Do not raise pm.max_children: size it to RAM (available memory / worker RSS), lower memory_limit or fix the request that balloons, move other services off the box or add RAM."),

    WORKER_CRASH(RootCause.WORKER_CRASH,
            "FPM 'child N exited on signal 11/6/7' or a kernel segfault/trap in php-fpm, with nginx 104 / prematurely closed",
            signs(Sign.SEGFAULT, Sign.WORKER_CRASH), signs(), signs(Sign.WORKER_RESET), 0.9, WarningKind.WORKER_CRASH, 1,
            "PHP-FPM workers crashed (segfault/abort) while serving requests",
            "Treat it as a PHP bug, not load: reproduce with the failing URL, disable recently added extensions or the plugin in the stack, update PHP and extensions, enable core dumps to get a backtrace."),

    REQUEST_TERMINATED(RootCause.REQUEST_TERMINATED,
            "FPM 'execution timed out … terminating' (request_terminate_timeout), then nginx 104",
            signs(Sign.REQUEST_TERMINATED), signs(), signs(Sign.WORKER_RESET), 0.9, WarningKind.REQUEST_TERMINATED, 1,
            "FPM killed requests that ran past request_terminate_timeout",
            "Make the slow script fast (slowlog shows where it waits) or move the work to a queue; raise request_terminate_timeout only for that script's pool, and keep nginx's fastcgi_read_timeout above it."),

    SELF_REQUEST_DEADLOCK(RootCause.SELF_REQUEST_DEADLOCK,
            "slow HTTP calls (slowlog) or terminated requests while the site's own requests to itself (loopback or 'WordPress/x.y' user agent) wait or fail in the access log; the pool fills",
            signs(Sign.SELF_REQUEST), signs(), signs(Sign.POOL_SATURATED, Sign.HEADER_TIMEOUT, Sign.REQUEST_TERMINATED), 0.9,
            WarningKind.SLOWLOG_STORM, Taxonomy.SLOWLOG_STORM_MIN,
            "workers wait on HTTP requests back to the same site while every worker is busy",
            "Stop calling the site over HTTP from inside a request: call the code or database directly, run WP-Cron from system cron (DISABLE_WP_CRON), give loopback requests a short timeout; more workers only postpone the deadlock."),

    SLOW_EXTERNAL_CALL(RootCause.SLOW_EXTERNAL_CALL,
            "slowlog stacks blocked in HTTP calls (curl_*, file_get_contents of a URL, sockets, SOAP, wp_remote_*), or with no slowlog FPM access lines of 5 s or more at under 10% CPU (a hint: a database wait looks the same); they fill the pool, time out or get terminated",
            signs(Sign.SLOW_HTTP_CALL, Sign.SLOW_REQUEST), signs(), signs(Sign.POOL_SATURATED, Sign.HEADER_TIMEOUT, Sign.REQUEST_TERMINATED), 0.85,
            WarningKind.SLOWLOG_STORM, Taxonomy.SLOWLOG_STORM_MIN,
            "workers were stuck waiting on slow outbound HTTP calls",
            "Give every outbound HTTP call a short timeout (connect 2s, total 5s) with a fallback, cache the remote answer, and fix or disable the plugin/script the slowlog names; raising pm.max_children does not help."),

    SLOW_DATABASE(RootCause.SLOW_DATABASE,
            "slowlog stacks blocked in database calls (mysqli_*, PDO, wpdb, a bare execute()/query()/fetch*() in a database wrapper or a plugin); they fill the pool, time out or get terminated",
            signs(Sign.SLOW_DB_CALL), signs(), signs(Sign.POOL_SATURATED, Sign.HEADER_TIMEOUT, Sign.REQUEST_TERMINATED), 0.85,
            WarningKind.SLOWLOG_STORM, Taxonomy.SLOWLOG_STORM_MIN,
            "workers were stuck in slow database queries",
            "Find the query in the slowlog frame (enable MySQL's slow query log), add the missing index or cache the result, and check the database for locks and IO wait before adding workers."),

    LISTEN_BACKLOG_OVERFLOW(RootCause.LISTEN_BACKLOG_OVERFLOW,
            "nginx: connect() to the FPM unix socket failed (11: Resource temporarily unavailable); over TCP 'upstream timed out (110) while connecting'; alone, in the seconds of an FPM reload, or after a pool filled by short requests",
            signs(Sign.LISTEN_BACKLOG_OVERFLOW), signs(), signs(), 0.9, null, 0,
            "the FPM socket's accept queue overflowed and the kernel refused connections",
            "Raise both limits of the accept queue (the smaller wins): listen.backlog = 4096 in the pool and net.core.somaxconn = 4096 via sysctl; stagger FPM reloads (logrotate, deploys) so the queue never has to absorb a full reload."),

    FPM_RELOAD_INTERRUPTION(RootCause.FPM_RELOAD_INTERRUPTION,
            "nginx 104 / prematurely closed in the same seconds as FPM 'Reloading in progress', without EAGAIN",
            signs(Sign.FPM_RELOAD), signs(Sign.FPM_RELOAD), signs(Sign.LISTEN_BACKLOG_OVERFLOW, Sign.WORKER_RESET), 0.85, null, 0,
            "an FPM reload cut off requests in flight",
            "Set process_control_timeout (e.g. 10s) so a reload waits for running requests, reload rather than restart, and stagger reloads across hosts."),

    FPM_UNAVAILABLE(RootCause.FPM_UNAVAILABLE,
            "nginx: connect() failed (111: Connection refused) or (2: No such file or directory) on the FPM socket, or 'no live upstreams'",
            signs(Sign.FPM_STOPPED, Sign.UPSTREAM_REFUSED), signs(), signs(Sign.UPSTREAM_REFUSED, Sign.WORKER_RESET), 0.9, null, 0,
            "PHP-FPM was not running or not listening",
            "Start PHP-FPM and find out why it stopped (journalctl -u php8.2-fpm: a failed config test, a crash loop, an OOM of the master); let systemd restart it and alert on the service state."),

    WORKER_POOL_EXHAUSTED(RootCause.WORKER_POOL_EXHAUSTED,
            "FPM 'server reached pm.max_children' (workers held by sleep(), by PHP code, or simply more requests than workers), with nginx 'upstream timed out (110) while reading response header' (often 504s)",
            signs(Sign.POOL_SATURATED, Sign.SLOW_SLEEP_CALL, Sign.HEADER_TIMEOUT), signs(Sign.POOL_SATURATED),
            signs(Sign.POOL_SATURATED, Sign.HEADER_TIMEOUT, Sign.LISTEN_BACKLOG_OVERFLOW, Sign.REQUEST_TERMINATED), 0.8,
            WarningKind.POOL_SATURATED, 1,
            "every PHP-FPM worker was busy and requests queued until nginx gave up",
            "Measure worker RSS and size pm.max_children to the RAM you have, enable the slowlog (request_slowlog_timeout = 5s) to find what holds workers, and cache the hot pages; more workers without more RAM trades 504s for OOM kills."),

    UNKNOWN(RootCause.UNKNOWN,
            "gateway errors with no evidence that explains them",
            signs(), signs(), signs(), 0.3, null, 0,
            "gateway errors without explaining evidence in the logs shipped",
            "Ship the missing logs (nginx error log, FPM log with log_level = notice, slowlog, kernel log) for this host, enable the FPM slowlog, and look at the evidence lines of this incident.");

    /** Slow requests that make a slowlog storm warning. */
    public static final int SLOWLOG_STORM_MIN = 3;

    private final RootCause label;
    private final String signature;
    private final Set<Sign> shownBy;
    private final Set<Sign> triggers;
    private final Set<Sign> canCause;
    private final double weight;
    private final WarningKind warning;
    private final int warnAt;
    private final String phrase;
    private final String remediation;

    Taxonomy(RootCause label, String signature, Set<Sign> shownBy, Set<Sign> triggers, Set<Sign> canCause, double weight,
             WarningKind warning, int warnAt, String phrase, String remediation) {
        this.label = label;
        this.signature = signature;
        this.shownBy = shownBy;
        this.triggers = triggers;
        this.canCause = canCause;
        this.weight = weight;
        this.warning = warning;
        this.warnAt = warnAt;
        this.phrase = phrase;
        this.remediation = remediation;
    }

    private static Set<Sign> signs(Sign... s) {
        EnumSet<Sign> set = EnumSet.noneOf(Sign.class);
        Collections.addAll(set, s);
        return Collections.unmodifiableSet(set);
    }

    public RootCause label() { return label; }
    /** Human description of the evidence the label needs. */
    public String signature() { return signature; }
    /** The signs that stand for this label as a step of a causal chain. */
    public Set<Sign> shownBy() { return shownBy; }
    /** The routine ones among them (see the class comment). */
    public Set<Sign> triggers() { return triggers; }
    /** What this label's events can cause. */
    public Set<Sign> canCause() { return canCause; }
    /** Confidence of a complete, corroborated chain rooted here (0..1). */
    public double weight() { return weight; }
    /** What its events mean as an early warning, or null when they make none. */
    public WarningKind warning() { return warning; }
    /** How many of its events make that warning. */
    public int warnAt() { return warnAt; }
    /** Short phrase used in the summary sentence. */
    public String phrase() { return phrase; }
    /** What to change. */
    public String remediation() { return remediation; }

    private static final Map<Sign, Taxonomy> BY_SIGN = new EnumMap<>(Sign.class);

    static {
        for (Taxonomy t : values()) {
            for (Sign s : t.shownBy) {
                if (BY_SIGN.put(s, t) != null) {
                    throw new ExceptionInInitializerError("sign " + s + " stands for two labels");
                }
            }
        }
    }

    public static Taxonomy of(RootCause label) {
        for (Taxonomy t : values()) {
            if (t.label == label) {
                return t;
            }
        }
        throw new IllegalArgumentException("no taxonomy row for " + label);
    }

    /** The row a sign stands for, or null (a reset, the gateway errors: symptoms of several labels). */
    public static Taxonomy of(Sign sign) {
        return BY_SIGN.get(sign);
    }

    /**
     * Whether an event of sign {@code cause} can cause one of sign {@code effect}: an edge of the table
     * (the row {@code cause} stands for lists {@code effect}); a symptom causes only the gateway errors.
     */
    public static boolean canCause(Sign cause, Sign effect) {
        if (effect == Sign.GATEWAY_ERRORS) {
            return cause.symptom() && cause != Sign.GATEWAY_ERRORS;
        }
        if (cause.symptom() || cause == effect) {
            return false;
        }
        Taxonomy row = BY_SIGN.get(cause);
        return row != null && row.canCause.contains(effect);
    }

    /** What a line of this sign feeds when no gateway error follows, or null. */
    public static WarningKind warningOf(Sign sign) {
        if (sign.slow()) {
            return WarningKind.SLOWLOG_STORM;
        }
        Taxonomy row = BY_SIGN.get(sign);
        return row == null || sign.symptom() ? null : row.warning;
    }
}
