package io.handoff.classify;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.KernelFields;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.WarningKind;

import java.util.Locale;

/**
 * What one parsed line means for a 502 hunt: whether it is a gateway error (opens or extends an
 * incident), whether it is evidence worth keeping, what it shows (the {@code signal} text of the
 * incident's evidence) and which early warning it feeds. Pure functions over {@link LogEvent}.
 */
public final class Lines {
    private Lines() {}

    /** What nginx's error log says about the FastCGI upstream. */
    public enum Upstream {
        /** connect() EAGAIN (11) on the socket: accept queue full. */
        EAGAIN(true, "connect() EAGAIN (11) on the FPM socket: its accept queue is full"),
        /** connect() refused (111). */
        REFUSED(true, "connect() refused (111): nothing listens on the FPM address"),
        /** connect() ENOENT (2): socket file missing. */
        ENOENT(true, "connect() ENOENT (2): the FPM socket file does not exist"),
        /** connect() EACCES (13). */
        EACCES(true, "connect() EACCES (13): nginx may not open the FPM socket"),
        /** 110 while connecting (TCP accept queue full). */
        TIMEOUT_CONNECT(true, "upstream timed out (110) while connecting: the FPM accept queue is full"),
        /** 110 while reading the response header: no worker answered in time. */
        TIMEOUT_HEADER(true, "upstream timed out (110) waiting for the response header: no worker answered in time"),
        /** 104 / prematurely closed before the header: the worker went away mid-request. */
        RESET(true, "the worker closed the connection before answering (104 / prematurely closed)"),
        /** 104 after the header was sent: the client got a 200 with a cut body. */
        RESET_AFTER_HEADERS(false, "the worker went away after sending headers (104 while reading upstream)"),
        NO_LIVE(true, "no live upstreams: every FPM address was marked failed"),
        TOO_BIG(true, "upstream sent too big header: response headers exceed fastcgi_buffer_size"),
        BAD_FASTCGI(true, "upstream sent unsupported FastCGI protocol version: the address does not speak FastCGI"),
        /** ENOSPC (28): nginx could not buffer the request (or FPM its files); the request fails. */
        DISK_FULL(true, "no space left on device (28): the request could not be buffered"),
        /** Not an upstream line, or one that does not matter here. */
        NONE(false, null);

        private final boolean gateway;
        private final String signal;

        Upstream(boolean gateway, String signal) {
            this.gateway = gateway;
            this.signal = signal;
        }

        /** Whether nginx answered the client with a gateway error for this line. */
        public boolean gateway() { return gateway; }
        public String signal() { return signal; }
    }

    /** How one nginx error-log entry reads. */
    public static Upstream upstream(NginxErrorFields f) {
        String msg = lower(f.getMessage());
        if (msg.startsWith("fastcgi sent in stderr")) {
            return Upstream.NONE; // PHP's own output; its text may quote any errno
        }
        Integer errno = f.getErrno();
        int e = errno == null ? -1 : errno;
        if (msg.contains("no live upstreams")) return Upstream.NO_LIVE;
        if (msg.contains("upstream sent too big header")) return Upstream.TOO_BIG;
        if (msg.contains("unsupported fastcgi protocol version")) return Upstream.BAD_FASTCGI;
        boolean connecting = msg.contains("while connecting to upstream");
        boolean header = msg.contains("while reading response header from upstream");
        if (connecting) {
            switch (e) {
                case 11: return Upstream.EAGAIN;
                case 111: return Upstream.REFUSED;
                case 2: return Upstream.ENOENT;
                case 13: return Upstream.EACCES;
                case 110: return Upstream.TIMEOUT_CONNECT;
                case 28: return Upstream.DISK_FULL;
                default: break;
            }
            if (msg.contains("timed out")) return Upstream.TIMEOUT_CONNECT;
        }
        if (msg.contains("upstream timed out") && (header || msg.contains("while sending request to upstream"))) {
            return Upstream.TIMEOUT_HEADER;
        }
        boolean gone = e == 104 || msg.contains("prematurely closed");
        if (gone && header) return Upstream.RESET;
        if (gone && msg.contains("while reading upstream")) return Upstream.RESET_AFTER_HEADERS;
        if (e == 28 || msg.contains("no space left on device")) return Upstream.DISK_FULL;
        return Upstream.NONE;
    }

    /** The gateway status of an nginx access line (502 or 504), else 0. A 500 is never a gateway error. */
    public static int gatewayStatus(LogEvent e) {
        if (e.getParsed() instanceof NginxAccessFields a && a.getStatus() != null) {
            int s = a.getStatus();
            return s == 502 || s == 504 ? s : 0;
        }
        return 0;
    }

    /**
     * Whether the line is a gateway error: an access 502/504, or an nginx upstream failure of a
     * client request (a disk-full error counts only when it failed a request, not a log write).
     */
    public static boolean isGatewayError(LogEvent e) {
        if (gatewayStatus(e) != 0) {
            return true;
        }
        if (!(e.getParsed() instanceof NginxErrorFields f)) {
            return false;
        }
        Upstream u = upstream(f);
        return u.gateway() && (u != Upstream.DISK_FULL || f.getRequest() != null);
    }

    /**
     * Whether an access line is the site calling itself: WordPress' HTTP API ("WordPress/x.y; URL" user
     * agent), or a request from the host's own loopback address that is wp-cron or carries no browser's
     * user agent (PHP's file_get_contents sends none, curl and HTTP libraries name themselves). Browsers
     * behind a local proxy also come from 127.0.0.1, but with their own user agent.
     */
    public static boolean isSelfRequest(NginxAccessFields a) {
        String ua = a.getHttpUserAgent();
        if (ua != null && ua.startsWith("WordPress/")) {
            return true;
        }
        String remote = a.getRemoteAddr();
        if (remote == null || !(remote.equals("127.0.0.1") || remote.equals("::1"))) {
            return false;
        }
        String uri = a.getUri() != null ? a.getUri() : a.getRequest();
        if (uri != null && uri.contains("wp-cron.php")) {
            return true;
        }
        if (ua == null || ua.isEmpty() || ua.equals("-")) {
            return true;
        }
        String l = ua.toLowerCase(Locale.ROOT);
        return l.startsWith("curl/") || l.startsWith("php") || l.startsWith("guzzlehttp") || l.startsWith("wget")
                || l.startsWith("python-") || l.startsWith("go-http-client") || l.startsWith("java/");
    }

    /**
     * A request of the site to itself that got stuck: it failed (5xx, or 499 when its caller gave up)
     * or took a second or more. WordPress calls itself all the time (WP-Cron); only stuck inner
     * requests tell of a worker waiting on the site it runs.
     */
    public static boolean isStuckSelfRequest(NginxAccessFields a) {
        if (!isSelfRequest(a)) {
            return false;
        }
        int status = a.getStatus() == null ? 0 : a.getStatus();
        return status >= 500 || status == 499 || a.getRequestTime() != null && a.getRequestTime() >= 1.0;
    }

    /** A php-fpm process name as the kernel writes it (php-fpm8.2, php5-fpm, php-fpm: pool …). */
    public static boolean isPhp(String process) {
        return process != null && process.toLowerCase(Locale.ROOT).contains("php");
    }

    /** Crash signals of a worker: SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV. */
    public static boolean isCrashSignal(int signal) {
        return signal == 4 || signal == 6 || signal == 7 || signal == 8 || signal == 11;
    }

    /** FPM access line that took at least a second. */
    static boolean isSlowFpmAccess(FpmAccessFields a) {
        return a.getDurationMs() != null && a.getDurationMs() >= 1000.0;
    }

    /**
     * A request that waited rather than computed: 5 s or more at under 10% CPU (the field write-up's
     * tell for a blocked outbound call: 9 s at 1–3% CPU; a query waiting on a lock shows the same).
     * CPU-bound requests on a busy host still show 11–20%, and shorter slow requests say nothing about
     * why. Only a hint: the slowlog, when there is one, decides.
     */
    static boolean isWaitingFpmAccess(FpmAccessFields a) {
        return a.getDurationMs() != null && a.getDurationMs() >= 5000.0
                && a.getCpuPercent() != null && a.getCpuPercent() < 10;
    }

    /**
     * When the line was written, for lateness: an FPM access line's {@code %t} is when the request
     * was received, so it is written its duration later.
     */
    public static long writtenAt(LogEvent e) {
        return writtenAt(e.getTimestamp().toEpochMilli(), e.getParsed());
    }

    /**
     * {@link #writtenAt(LogEvent)} of a parsed line before it is an event ({@code handoff replay} orders the
     * lines it ships by it): its time plus, for an FPM access line, its duration rounded up to the millisecond.
     */
    public static long writtenAt(long timestampMillis, Object parsed) {
        if (parsed instanceof FpmAccessFields a && a.getDurationMs() != null && a.getDurationMs() > 0) {
            return timestampMillis + (long) Math.ceil(a.getDurationMs());
        }
        return timestampMillis;
    }

    /**
     * What the line shows for a 502 hunt, or null when it is healthy traffic or noise. Gateway errors,
     * upstream lines, FPM pool/worker events, slowlog entries, slow FPM requests, self-requests and
     * kernel OOM/segfault lines of PHP are evidence.
     */
    public static String signal(LogEvent e) {
        Object p = e.getParsed();
        if (p instanceof NginxAccessFields a) {
            int g = gatewayStatus(e);
            if (g != 0) {
                return g + " for " + nz(a.getRequest(), "?");
            }
            if (isStuckSelfRequest(a)) {
                return "the site calling itself, stuck: " + nz(a.getRequest(), "?") + " from " + nz(a.getRemoteAddr(), "?")
                        + " (" + nz(a.getHttpUserAgent(), "-") + ") ended " + a.getStatus()
                        + (a.getRequestTime() == null ? "" : String.format(Locale.ROOT, " after %.1f s", a.getRequestTime()));
            }
            return null;
        }
        if (p instanceof NginxErrorFields f) {
            Upstream u = upstream(f);
            return u.signal();
        }
        if (p instanceof FpmLogFields f) {
            return fpmSignal(f);
        }
        if (p instanceof FpmSlowFields s) {
            String where = s.getPlugin() != null ? " in plugin " + s.getPlugin()
                    : s.getTheme() != null ? " in theme " + s.getTheme() : "";
            String what = s.getCategory() == CallCategory.HTTP ? "an outbound HTTP call"
                    : s.getCategory() == CallCategory.DATABASE ? "a database call"
                    : s.getCategory() == CallCategory.SLEEP ? "sleep" : "PHP code";
            return "slow request (pid " + s.getPid() + ") blocked in " + what
                    + (s.getBlockingFunction() != null ? " (" + s.getBlockingFunction() + "())" : "") + where
                    + (s.getScriptFilename() != null ? ", script " + s.getScriptFilename() : "");
        }
        if (p instanceof FpmAccessFields a) {
            if (!isSlowFpmAccess(a)) {
                return null;
            }
            String cpu = a.getCpuPercent() == null ? "" : String.format(Locale.ROOT, " at %.0f%% CPU", a.getCpuPercent());
            String verdict = isWaitingFpmAccess(a) ? " (waiting, not computing)" : "";
            return String.format(Locale.ROOT, "FPM request took %.1f s", a.getDurationMs() / 1000.0) + cpu + verdict
                    + (a.getRequestUri() != null ? " for " + a.getRequestUri() : "");
        }
        if (p instanceof KernelFields k) {
            switch (k.getKind()) {
                case OOM_KILLED:
                case OOM_KILL_CHOSEN:
                case OOM_SUMMARY:
                    if (isPhp(k.getProcess())) {
                        return "kernel OOM killer killed " + k.getProcess() + " pid " + k.getPid();
                    }
                    return k.getPid() != null ? "kernel OOM killer killed " + nz(k.getProcess(), "pid") + " " + k.getPid() : null;
                case SEGFAULT:
                case TRAP:
                    return isPhp(k.getProcess()) ? "kernel: " + k.getProcess() + " pid " + k.getPid() + " crashed ("
                            + k.getKind().toString().toLowerCase(Locale.ROOT) + ")" : null;
                default:
                    return null;
            }
        }
        return null;
    }

    private static String fpmSignal(FpmLogFields f) {
        String msg = f.getMessage() == null ? "" : f.getMessage();
        switch (f.getKind()) {
            case MAX_CHILDREN_REACHED:
                return "pool reached pm.max_children" + (f.getMaxChildren() != null ? " (" + f.getMaxChildren() + ")" : "")
                        + ": every worker busy";
            case SEEMS_BUSY:
                return "pool seems busy: spawning children";
            case PROCESS_MAX_REACHED:
                return "process.max reached";
            case CHILD_EXITED_ON_SIGNAL: {
                int sig = f.getSignal() == null ? -1 : f.getSignal();
                if (isCrashSignal(sig)) {
                    return "worker " + f.getChildPid() + " crashed (" + nz(f.getSignalName(), "signal " + sig) + ")";
                }
                if (sig == 9) {
                    return "worker " + f.getChildPid() + " was killed (SIGKILL)";
                }
                return null; // SIGTERM/SIGQUIT: shutdown or reload
            }
            case EXECUTION_TIMED_OUT:
                return "FPM terminated a request past request_terminate_timeout" + (f.getScript() != null ? ": " + f.getScript() : "");
            case EXECUTING_TOO_SLOW:
                return "request executing too slow" + (f.getScript() != null ? ": " + f.getScript() : "");
            case FAILED_PROCESSES_THRESHOLD:
                return "too many workers failed: FPM initiated an emergency reload";
            case RELOADING:
                return msg.startsWith("Reloading in progress") ? "FPM reload (SIGUSR2): workers stop, the master re-executes"
                        : "FPM re-executes: the reload is done";
            case READY:
                return "FPM ready to handle connections (started)";
            case TERMINATING:
            case EXITING:
                return "FPM master stopping";
            default:
                return msg.contains("No space left on device") ? "no space left on device (28)" : null;
        }
    }

    /** Whether the line is worth keeping as evidence. */
    public static boolean isEvidence(LogEvent e) {
        return signal(e) != null;
    }

    /**
     * A key naming what kind of evidence a line is, so a bounded look-back ring can keep one of each
     * kind rather than only the newest of the most frequent kind.
     */
    public static String kindKey(LogEvent e) {
        Object p = e.getParsed();
        if (p instanceof NginxErrorFields f) return "nginx-error:" + upstream(f);
        if (p instanceof FpmLogFields f) {
            if (f.getKind() == FpmEventKind.RELOADING) {
                return "fpm:RELOADING:" + (f.getMessage().startsWith("Reloading in progress") ? "signal" : "exec");
            }
            return "fpm:" + f.getKind() + ":" + f.getSignal();
        }
        if (p instanceof FpmSlowFields s) return "slow:" + s.getCategory();
        if (p instanceof KernelFields k) return "kern:" + k.getKind();
        if (p instanceof NginxAccessFields a) {
            int g = gatewayStatus(e);
            return "access:" + g + (isStuckSelfRequest(a) ? ":self" : "");
        }
        if (p instanceof FpmAccessFields a) return "fpm-access:" + (isWaitingFpmAccess(a) ? "waiting" : "slow");
        return String.valueOf(e.getSource());
    }

    /**
     * The early warning a line feeds when no gateway error follows, or null: what its sign means as a
     * warning in the {@link Taxonomy}; a slowlog entry or an "executing too slow" line feeds a slowlog
     * storm whatever the call. FPM access lines open none (their CPU% is only a hint).
     */
    public static WarningKind warningKind(LogEvent e) {
        Object p = e.getParsed();
        if (p instanceof FpmSlowFields
                || p instanceof FpmLogFields f && f.getKind() == FpmEventKind.EXECUTING_TOO_SLOW) {
            return WarningKind.SLOWLOG_STORM;
        }
        Sign s = Burst.signOf(e);
        return s == null || s == Sign.SLOW_REQUEST ? null : Taxonomy.warningOf(s);
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static String nz(String s, String dflt) {
        return s == null || s.isEmpty() ? dflt : s;
    }
}
