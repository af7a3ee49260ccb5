package io.handoff.classify;

/**
 * What a line is a sign of, in a 502 hunt: the event kinds a causal chain is made of. The name is the
 * {@code kind} of a {@link io.handoff.avro.CausalStep}. Which label each sign stands for, and what it
 * can cause, is the {@link Taxonomy}'s business; this is only the vocabulary, split by who sees it:
 *
 * <ul>
 *   <li><b>causes</b>, written by PHP-FPM, its slowlog, the kernel, or read from the access logs (a
 *       reload, a slow call, the pool filling up, a crash): something happened to the workers;</li>
 *   <li><b>symptoms</b>, written by nginx about one request (connect() EAGAIN, a reset, a header
 *       timeout): how the handoff failed. A symptom causes nothing but the clients' gateway errors;</li>
 *   <li>{@link #GATEWAY_ERRORS}: the 502/504 the clients got, the last step of every chain.</li>
 * </ul>
 */
public enum Sign {
    // ---- causes ----
    /** FPM got SIGUSR2 ("Reloading in progress"): its workers stop, the master re-executes. */
    FPM_RELOAD(false, "FPM reload"),
    /** The FPM master stopped ("Finishing ...", "exiting, bye-bye!"), or was gone without a word. */
    FPM_STOPPED(false, "PHP-FPM stopped"),
    /** A slowlog stack blocked in an outbound HTTP call (curl, file_get_contents of a URL, sockets, SOAP). */
    SLOW_HTTP_CALL(false, "slow HTTP call"),
    /** A slow HTTP call back to the site itself: the access log shows the inner requests stuck. */
    SELF_REQUEST(false, "the site calling itself"),
    /** A slowlog stack blocked in the database (mysqli, PDO, wpdb, bare execute()/query() in a wrapper). */
    SLOW_DB_CALL(false, "slow database call"),
    /** A slowlog stack in sleep()/usleep(). */
    SLOW_SLEEP_CALL(false, "slow sleep() call"),
    /** No slowlog: FPM access lines of requests that waited (5 s or more at under 30% CPU). */
    SLOW_REQUEST(false, "requests waiting outside PHP"),
    /** "server reached pm.max_children": every worker busy. */
    POOL_SATURATED(false, "pm.max_children reached"),
    /** "execution timed out … terminating": request_terminate_timeout killed a request. */
    REQUEST_TERMINATED(false, "request terminated"),
    /** A worker died of SIGSEGV (FPM's exit line, the kernel's segfault line). */
    SEGFAULT(false, "worker segfault"),
    /** A worker died of another crash signal (SIGABRT, SIGBUS, …) or an unexplained SIGKILL. */
    WORKER_CRASH(false, "worker crash"),
    /** The kernel's OOM killer killed a PHP-FPM process. */
    OOM_KILL(false, "OOM kill"),

    // ---- symptoms: nginx about one request ----
    /** connect() EAGAIN (11) on a unix socket, or 110 while connecting over TCP: the accept queue was full. */
    LISTEN_BACKLOG_OVERFLOW(true, "accept queue full"),
    /** 110 while reading the response header: no answer within fastcgi_read_timeout. */
    HEADER_TIMEOUT(true, "upstream timed out (110)"),
    /** 104 / prematurely closed before the header: the worker went away mid-request. */
    WORKER_RESET(true, "worker closed the connection (104)"),
    /** connect() refused (111), ENOENT (2), or no live upstreams: nothing listened. */
    UPSTREAM_REFUSED(true, "connect() refused"),
    /** connect() EACCES (13). */
    SOCKET_PERMISSION_DENIED(true, "connect() permission denied (13)"),
    /** Response headers over fastcgi_buffer_size. */
    UPSTREAM_HEADER_TOO_BIG(true, "upstream sent too big header"),
    /** The address does not speak FastCGI, or nginx is refused while FPM serves requests elsewhere. */
    UPSTREAM_MISCONFIGURED(true, "upstream is not this pool"),
    /** ENOSPC (28). */
    DISK_FULL(true, "no space left on device (28)"),

    /** The 502/504 the clients got. */
    GATEWAY_ERRORS(true, "gateway errors");

    private final boolean symptom;
    private final String noun;

    Sign(boolean symptom, String noun) {
        this.symptom = symptom;
        this.noun = noun;
    }

    /** Whether nginx reports it about one request (it causes nothing but the gateway errors). */
    public boolean symptom() {
        return symptom;
    }

    /** A short noun for a step that has no better description. */
    public String noun() {
        return noun;
    }

    /** A slow request holding a worker (a call of a kind, or waiting). */
    public boolean slow() {
        return this == SLOW_HTTP_CALL || this == SELF_REQUEST || this == SLOW_DB_CALL || this == SLOW_SLEEP_CALL
                || this == SLOW_REQUEST;
    }
}
