package io.handoff.classify;

import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.FpmEventKind;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;
import io.handoff.avro.SourceKind;
import io.handoff.topics.Sources;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link Timeline} read as typed events ({@link Clue}s) with their links, ready for the chain:
 * <ul>
 *   <li>the kernel's OOM lines and FPM's SIGKILL of the same pid are one OOM kill; a kernel segfault and
 *       FPM's SIGSEGV exit of the same pid are one segfault;</li>
 *   <li>a reload lasts from "Reloading in progress" until FPM re-executes; a stopped FPM until it is
 *       ready again; a slowlog entry's request started before the entry was written;</li>
 *   <li>a slow HTTP call is the site calling itself when, while it ran, the site's own requests to
 *       itself (loopback or "WordPress/" user agent) got stuck (failed, were given up, or took a
 *       second or more), at least one for every two workers making such calls; a terminated request
 *       with no stack likewise;</li>
 *   <li>a slowlog entry of a worker that FPM then terminated is that request's stack: a sleep or plain
 *       PHP code is told by the termination step, a call of a kind stays a step of its own;</li>
 *   <li>FPM access lines of waiting requests count only when there is no slowlog (their CPU% is a
 *       hint, not a kind);</li>
 *   <li>connect() refused or ENOENT while FPM kept serving requests and was not down meanwhile (no
 *       stop, no silent death followed by a start) is nginx pointing at the wrong address.</li>
 * </ul>
 * Deterministic: the result depends on the set of lines, not on the order they arrived in.
 */
final class Burst {
    /** A slowlog entry is written request_slowlog_timeout after its request started: up to this long. */
    static final long SLOW_LEAD_MS = 30_000;
    /** …and its request may run on this long after the entry. */
    static final long SLOW_TAIL_MS = 60_000;
    /** FPM logs max_children once per episode: the pool counts as full this long after the line. */
    static final long SATURATED_MS = 120_000;
    /** A reload without an execvp line in the logs lasts at most this long (process_control_timeout). */
    static final long RELOAD_MS = 30_000;
    /**
     * After re-executing, FPM serves with pm.start_servers fresh workers and cold caches and spawns
     * more over the next seconds: a spike overflows a small accept queue this long after a reload.
     */
    static final long RELOAD_WARMUP_MS = 10_000;
    /** nginx's default fastcgi_connect_timeout and fastcgi_read_timeout, when the access line gives no $request_time. */
    static final long NGINX_TIMEOUT_MS = 60_000;
    /** Stamps of one-second resolution (nginx, FPM) and the kernel's clock running behind: slack when comparing times. */
    static final long TOLERANCE_MS = 1_000;
    /** nginx failures this long before the first gateway error belong to the burst (a shipper's rounding). */
    static final long LOOK_AROUND_MS = TOLERANCE_MS;

    final Timeline timeline;
    /** The timeline's lines in a fixed order (time, source, text): the verdict must not depend on arrival order. */
    final List<LogEvent> lines;
    final List<Clue> clues;
    /** Lines of the burst by sign (before the correlator's cap), for the steps' counts. */
    final Map<Sign, Long> counts;
    /** Failing requests by path (query cut), for the culprit when nothing names a script. */
    final Map<String, Long> failingPaths = new TreeMap<>();
    /** Upstream addresses of nginx's failures. */
    final Map<String, Long> upstreams = new TreeMap<>();
    /** Sources that wrote a line of the burst. */
    final TreeSet<String> sources = new TreeSet<>();
    /** FPM access lines of 1 s or more: the requests in flight (start, end), for a reload's description. */
    final List<long[]> longRequests = new ArrayList<>();
    /** Slow requests seen: slowlog entries, or FPM's "executing too slow" lines when no slowlog was shipped. */
    long slowEntries;
    /** The largest pm.max_children FPM named, or null. */
    Integer maxChildren;

    private Burst(Timeline timeline, List<LogEvent> lines, List<Clue> clues, Map<Sign, Long> counts) {
        this.timeline = timeline;
        this.lines = List.copyOf(lines);
        this.clues = clues;
        this.counts = counts;
    }

    /** The gateway errors the clients got (access 502/504; nginx's failure lines when the access log has none). */
    long gatewayErrors() {
        long n = 0;
        for (long v : timeline.statusCounts().values()) n += v;
        if (n == 0) {
            for (Map.Entry<String, Long> e : timeline.errnoCounts().entrySet()) n += e.getValue();
        }
        return n;
    }

    long count(Sign s) {
        return counts.getOrDefault(s, 0L);
    }

    static void inc(Map<String, Long> m, String k) {
        if (m.containsKey(k) || m.size() < 64) m.merge(k, 1L, Long::sum);
    }

    /** Reads a timeline. */
    static Burst read(Timeline t) {
        List<LogEvent> events = new ArrayList<>(t.events());
        events.sort(Comparator.comparing(LogEvent::getTimestamp).thenComparing(e -> e.getSource().ordinal())
                .thenComparing(LogEvent::getOriginal));
        Reader r = new Reader(t);
        for (LogEvent e : events) {
            r.add(e);
        }
        List<Clue> clues = r.finish();
        Burst b = new Burst(t, events, clues, r.counts(events, clues));
        b.failingPaths.putAll(r.failingPaths);
        b.upstreams.putAll(r.upstreams);
        b.sources.addAll(r.sources);
        b.longRequests.addAll(r.longRequests);
        b.maxChildren = r.maxChildren;
        long slowlog = 0;
        long tooSlow = 0;
        Map<String, LogEvent> sample = new HashMap<>();
        for (LogEvent e : events) {
            sample.putIfAbsent(Lines.kindKey(e), e);
        }
        for (Map.Entry<String, Long> k : t.kindCounts().entrySet()) {
            LogEvent e = sample.get(k.getKey());
            if (e == null) continue;
            if (e.getParsed() instanceof FpmSlowFields) slowlog += k.getValue();
            if (e.getParsed() instanceof FpmLogFields f && f.getKind() == FpmEventKind.EXECUTING_TOO_SLOW) {
                tooSlow += k.getValue();
            }
        }
        b.slowEntries = slowlog > 0 ? slowlog : tooSlow;
        return b;
    }

    /** The sign a line shows by itself (no context), or null. */
    static Sign signOf(LogEvent e) {
        Object p = e.getParsed();
        if (p instanceof NginxErrorFields f) {
            return symptom(Lines.upstream(f));
        }
        if (p instanceof FpmLogFields f) {
            switch (f.getKind()) {
                case MAX_CHILDREN_REACHED:
                case PROCESS_MAX_REACHED:
                    return Sign.POOL_SATURATED;
                case RELOADING:
                    return f.getMessage().startsWith("Reloading in progress") ? Sign.FPM_RELOAD : null;
                case TERMINATING:
                case EXITING:
                    return Sign.FPM_STOPPED;
                case EXECUTION_TIMED_OUT:
                    return Sign.REQUEST_TERMINATED;
                case FAILED_PROCESSES_THRESHOLD:
                    return Sign.WORKER_CRASH;
                case CHILD_EXITED_ON_SIGNAL: {
                    int sig = f.getSignal() == null ? -1 : f.getSignal();
                    return sig == 11 ? Sign.SEGFAULT : Lines.isCrashSignal(sig) || sig == 9 ? Sign.WORKER_CRASH : null;
                }
                default:
                    return f.getMessage() != null && f.getMessage().contains("No space left on device") ? Sign.DISK_FULL : null;
            }
        }
        if (p instanceof FpmSlowFields s) {
            return switch (s.getCategory()) {
                case HTTP -> Sign.SLOW_HTTP_CALL;
                case DATABASE -> Sign.SLOW_DB_CALL;
                case SLEEP -> Sign.SLOW_SLEEP_CALL;
                default -> null;
            };
        }
        if (p instanceof FpmAccessFields a) {
            return Lines.isWaitingFpmAccess(a) ? Sign.SLOW_REQUEST : null;
        }
        if (p instanceof KernelFields k) {
            switch (k.getKind()) {
                case OOM_KILLED:
                case OOM_KILL_CHOSEN:
                case OOM_SUMMARY:
                    return Lines.isPhp(k.getProcess()) ? Sign.OOM_KILL : null;
                case SEGFAULT:
                    return Lines.isPhp(k.getProcess()) ? Sign.SEGFAULT : null;
                case TRAP:
                    return Lines.isPhp(k.getProcess()) ? Sign.WORKER_CRASH : null;
                default:
                    return null;
            }
        }
        return null;
    }

    static Sign symptom(Lines.Upstream u) {
        return switch (u) {
            case EAGAIN, TIMEOUT_CONNECT -> Sign.LISTEN_BACKLOG_OVERFLOW;
            case TIMEOUT_HEADER -> Sign.HEADER_TIMEOUT;
            case RESET -> Sign.WORKER_RESET;
            case REFUSED, ENOENT, NO_LIVE -> Sign.UPSTREAM_REFUSED;
            case EACCES -> Sign.SOCKET_PERMISSION_DENIED;
            case TOO_BIG -> Sign.UPSTREAM_HEADER_TOO_BIG;
            case BAD_FASTCGI -> Sign.UPSTREAM_MISCONFIGURED;
            case DISK_FULL -> Sign.DISK_FULL;
            default -> null;
        };
    }

    /** Folds the lines of one timeline into clues. */
    private static final class Reader {
        final Timeline t;
        final List<Clue> clues = new ArrayList<>();
        final Map<String, Long> failingPaths = new TreeMap<>();
        final Map<String, Long> upstreams = new TreeMap<>();
        final TreeSet<String> sources = new TreeSet<>();
        final List<long[]> longRequests = new ArrayList<>();
        /** Gateway access lines by "client request" for the $request_time of nginx's error lines. */
        final Map<String, List<NginxAccessFields>> accessByRequest = new HashMap<>();
        final Map<String, List<Long>> accessTimes = new HashMap<>();
        final List<long[]> stuckSelf = new ArrayList<>();
        final List<Long> reloadEnds = new ArrayList<>();
        final List<Long> starts = new ArrayList<>();
        final Map<Integer, Clue> oom = new LinkedHashMap<>();
        final Map<Integer, Clue> segv = new LinkedHashMap<>();
        final List<Clue> sigkills = new ArrayList<>();
        final TreeSet<Integer> phpVictims = new TreeSet<>();
        final List<LogEvent> startLines = new ArrayList<>();
        final List<Clue> waiting = new ArrayList<>();
        final List<Clue> nginx = new ArrayList<>();
        boolean slowlog;
        Integer maxChildren;

        Reader(Timeline t) {
            this.t = t;
        }

        void add(LogEvent e) {
            sources.add(Sources.name(e.getSource()));
            long at = e.getTimestamp().toEpochMilli();
            Object p = e.getParsed();
            if (p instanceof NginxAccessFields a) {
                access(e, a, at);
            } else if (p instanceof NginxErrorFields f) {
                Lines.Upstream u = Lines.upstream(f);
                Sign s = symptom(u);
                if (s == null || s == Sign.DISK_FULL && f.getRequest() == null && !Lines.isGatewayError(e)) {
                    return;
                }
                String addr = f.getUpstreamAddress() != null ? f.getUpstreamAddress() : f.getUpstream();
                if (addr != null) inc(upstreams, addr);
                nginx.add(new Clue(s, at, at, at, null, f.getRequest(), null, u.name(), null, null, e));
            } else if (p instanceof FpmLogFields f) {
                fpm(e, f, at);
            } else if (p instanceof FpmSlowFields s) {
                slowlog = true;
                Sign sign = signOf(e);
                String where = s.getPlugin() != null ? " in plugin " + s.getPlugin()
                        : s.getTheme() != null ? " in theme " + s.getTheme() : "";
                String fn = s.getBlockingFunction() == null ? "PHP code" : s.getBlockingFunction() + "()";
                String what = fn + where;
                Clue c = new Clue(sign, at, at - SLOW_LEAD_MS, at + SLOW_TAIL_MS, s.getPid(), null,
                        s.getScriptFilename(), what, s.getPlugin(), s.getTheme(), e);
                clues.add(c); // sign null: plain PHP code, kept for the culprit and the termination it may explain
            } else if (p instanceof FpmAccessFields a) {
                long d = a.getDurationMs() == null ? 0 : (long) Math.ceil(a.getDurationMs());
                if (d >= 1_000) {
                    longRequests.add(new long[] {at, at + d});
                }
                if (Lines.isWaitingFpmAccess(a)) {
                    String what = String.format(Locale.ROOT, "%.1f s at %.0f%% CPU", d / 1000.0,
                            Objects.requireNonNullElse(a.getCpuPercent(), 0.0));
                    waiting.add(new Clue(Sign.SLOW_REQUEST, at, at, at + d, a.getPid(), a.getRequestUri(),
                            a.getScriptFilename(), what, null, null, e));
                }
            } else if (p instanceof KernelFields k) {
                kernel(e, k, at);
            }
        }

        private void access(LogEvent e, NginxAccessFields a, long at) {
            double rt = a.getRequestTime() == null ? 0 : a.getRequestTime();
            int g = Lines.gatewayStatus(e);
            if (g != 0) {
                String path = a.getUri() != null ? a.getUri() : a.getRequest();
                if (path != null) {
                    int q = path.indexOf('?');
                    inc(failingPaths, q >= 0 ? path.substring(0, q) : path);
                }
                String key = a.getRemoteAddr() + " " + a.getRequest();
                accessByRequest.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
                accessTimes.computeIfAbsent(key, k -> new ArrayList<>()).add(at);
            }
            if (Lines.isStuckSelfRequest(a)) {
                stuckSelf.add(new long[] {at - (long) (rt * 1000), at});
            }
        }

        private void fpm(LogEvent e, FpmLogFields f, long at) {
            String msg = f.getMessage() == null ? "" : f.getMessage();
            switch (f.getKind()) {
                case MAX_CHILDREN_REACHED:
                case PROCESS_MAX_REACHED:
                    if (f.getMaxChildren() != null) {
                        maxChildren = maxChildren == null ? f.getMaxChildren() : Math.max(maxChildren, f.getMaxChildren());
                    }
                    clues.add(new Clue(Sign.POOL_SATURATED, at, at, at + SATURATED_MS, null, null, null,
                            f.getMaxChildren() == null ? null : f.getMaxChildren().toString(), null, null, e));
                    break;
                case RELOADING:
                    if (msg.startsWith("Reloading in progress")) {
                        clues.add(new Clue(Sign.FPM_RELOAD, at, at, at + RELOAD_MS, null, null, null, null, null, null, e));
                    } else {
                        reloadEnds.add(at);
                    }
                    break;
                case READY:
                    starts.add(at);
                    startLines.add(e);
                    break;
                case TERMINATING:
                case EXITING:
                    clues.add(new Clue(Sign.FPM_STOPPED, at, at, Long.MAX_VALUE / 4, null, null, null, msg, null, null, e));
                    break;
                case EXECUTION_TIMED_OUT: {
                    long d = f.getDurationSeconds() == null ? 0 : (long) (f.getDurationSeconds() * 1000);
                    clues.add(new Clue(Sign.REQUEST_TERMINATED, at, at - d, at, f.getChildPid(), f.getRequest(),
                            f.getScript(), f.getDurationSeconds() == null ? null
                            : String.format(Locale.ROOT, "%.1f s", f.getDurationSeconds()), null, null, e));
                    break;
                }
                case FAILED_PROCESSES_THRESHOLD:
                    clues.add(new Clue(Sign.WORKER_CRASH, at, at, at, null, null, null, "too many workers failed", null, null, e));
                    break;
                case CHILD_EXITED_ON_SIGNAL: {
                    int sig = f.getSignal() == null ? -1 : f.getSignal();
                    String name = f.getSignalName() != null ? f.getSignalName() : "signal " + sig;
                    Clue c = new Clue(sig == 11 ? Sign.SEGFAULT : Sign.WORKER_CRASH, at, at, at, f.getChildPid(), null, null,
                            name, null, null, e);
                    if (sig == 9) {
                        sigkills.add(c);
                    } else if (sig == 11) {
                        merge(segv, c, false);
                    } else if (Lines.isCrashSignal(sig)) {
                        clues.add(c);
                    }
                    break;
                }
                default:
                    if (msg.contains("No space left on device")) {
                        clues.add(new Clue(Sign.DISK_FULL, at, at, at, null, null, null, null, null, null, e));
                    }
                    break;
            }
        }

        private void kernel(LogEvent e, KernelFields k, long at) {
            if (k.getPid() == null) {
                return;
            }
            long from = at - TOLERANCE_MS;
            long to = at + TOLERANCE_MS;
            switch (k.getKind()) {
                case OOM_KILLED:
                case OOM_KILL_CHOSEN:
                case OOM_SUMMARY:
                    // any victim for now: a SIGKILL of that pid from FPM makes it a worker even when the comm was cut
                    merge(oom, new Clue(Sign.OOM_KILL, at, from, to, k.getPid(), null, null, k.getProcess(), null, null, e),
                            k.getKind() == KernelEventKind.OOM_KILLED);
                    if (Lines.isPhp(k.getProcess())) phpVictims.add(k.getPid());
                    break;
                case SEGFAULT:
                case TRAP:
                    if (Lines.isPhp(k.getProcess())) {
                        boolean segfault = k.getKind() == KernelEventKind.SEGFAULT;
                        Clue c = new Clue(segfault ? Sign.SEGFAULT : Sign.WORKER_CRASH, at, from, to, k.getPid(), null, null,
                                segfault ? "SIGSEGV" : "trap", null, null, e);
                        if (segfault) merge(segv, c, true);
                        else clues.add(c);
                    }
                    break;
                default:
                    break;
            }
        }

        /** One event told by several lines of one pid: the earliest time, the preferred line as evidence. */
        private static void merge(Map<Integer, Clue> byPid, Clue c, boolean preferred) {
            Clue before = byPid.get(c.pid());
            if (before == null) {
                byPid.put(c.pid(), c);
                return;
            }
            long at = Math.min(before.at(), c.at());
            LogEvent line = preferred ? c.line() : before.line();
            String what = before.what() != null ? before.what() : c.what();
            Sign sign = before.sign() != null ? before.sign() : c.sign();
            byPid.put(c.pid(), new Clue(sign, at, Math.min(before.from(), c.from()), Math.max(before.to(), c.to()), c.pid(),
                    null, null, what, null, null, line));
        }

        List<Clue> finish() {
            // a SIGKILL of an OOM victim is the OOM kill; any other SIGKILL is a crash nobody explains
            for (Clue k : sigkills) {
                Clue victim = oom.get(k.pid());
                if (victim != null) {
                    phpVictims.add(k.pid());
                    oom.put(k.pid(), victim.withSpan(Math.min(victim.from(), k.from()), Math.max(victim.to(), k.to())));
                } else {
                    clues.add(k.withStack("SIGKILL", null, null, null));
                }
            }
            for (Clue c : oom.values()) {
                if (phpVictims.contains(c.pid())) clues.add(c);
            }
            clues.addAll(segv.values());

            // reload windows end when FPM re-executes (or is ready again); a stop ends when FPM starts
            List<Clue> spanned = new ArrayList<>(clues.size());
            for (Clue c : clues) {
                if (c.sign() == Sign.FPM_RELOAD) {
                    long end = firstAfter(reloadEnds, c.at());
                    if (end < 0) end = firstAfter(starts, c.at());
                    spanned.add(c.withSpan(c.from(), end < 0 ? c.at() + RELOAD_MS : Math.min(end, c.at() + RELOAD_MS * 4)));
                } else if (c.sign() == Sign.FPM_STOPPED) {
                    long end = firstAfter(starts, c.at());
                    spanned.add(end < 0 ? c : c.withSpan(c.from(), end));
                } else {
                    spanned.add(c);
                }
            }
            List<Clue> out = spanned;
            out.addAll(withRequestTimes(nginx));
            stoppedSilently(out);

            // FPM's CPU% is a hint only without a slowlog; "executing too slow" lines only name scripts then
            if (!slowlog) {
                out.addAll(waiting);
            }
            out = selfRequests(out);
            out = foldIntoTerminations(out);
            out = wrongAddress(out);
            out.removeIf(c -> c.sign() == null && !(c.line().getParsed() instanceof FpmSlowFields));
            out.sort(Comparator.comparingLong(Clue::at).thenComparing(c -> c.sign() == null ? "" : c.sign().name())
                    .thenComparing(c -> c.line().getOriginal()));
            return out;
        }

        private static long firstAfter(List<Long> times, long t) {
            long best = -1;
            for (long x : times) {
                if (x >= t && (best < 0 || x < best)) best = x;
            }
            return best;
        }

        /** nginx failures with the span of their request: a timeout's request was sent up to the timeout earlier. */
        private List<Clue> withRequestTimes(List<Clue> lines) {
            List<Clue> out = new ArrayList<>(lines.size());
            for (Clue c : lines) {
                NginxErrorFields f = (NginxErrorFields) c.line().getParsed();
                double rt = requestTime(f, c.at());
                boolean timeout = c.what().equals(Lines.Upstream.TIMEOUT_CONNECT.name())
                        || c.what().equals(Lines.Upstream.TIMEOUT_HEADER.name());
                long span = rt >= 0 ? (long) (rt * 1000) : timeout ? NGINX_TIMEOUT_MS : TOLERANCE_MS;
                out.add(new Clue(c.sign(), c.at(), c.at() - span, c.at(), null, f.getRequest(), null, c.what(), null, null,
                        c.line()));
            }
            return out;
        }

        /** $request_time of the access line of the same client and request within a second, or -1. */
        private double requestTime(NginxErrorFields f, long at) {
            String key = f.getClient() + " " + f.getRequest();
            List<NginxAccessFields> as = accessByRequest.get(key);
            if (as == null) {
                return -1;
            }
            List<Long> ts = accessTimes.get(key);
            for (int i = 0; i < as.size(); i++) {
                if (Math.abs(ts.get(i) - at) <= TOLERANCE_MS && as.get(i).getRequestTime() != null) {
                    return as.get(i).getRequestTime();
                }
            }
            return -1;
        }

        /**
         * Slow HTTP calls, and terminated requests with no stack of their own, that ran while the site's
         * own requests to itself were stuck — at least one stuck self-request per two workers making
         * such calls, so that a lone wp-cron request stuck behind a slow API is no deadlock.
         */
        private List<Clue> selfRequests(List<Clue> in) {
            if (stuckSelf.isEmpty()) {
                return in;
            }
            List<Clue> out = new ArrayList<>(in.size());
            TreeSet<Integer> callers = new TreeSet<>();
            int overlapping = 0;
            for (Clue c : in) {
                if (c.sign() == Sign.SLOW_HTTP_CALL || c.sign() == Sign.REQUEST_TERMINATED && !hasStack(in, c)) {
                    int n = stuckDuring(c.from(), c.to());
                    if (n > 0) {
                        if (c.pid() != null) callers.add(c.pid());
                        overlapping = Math.max(overlapping, n);
                    }
                }
            }
            long stuck = Math.max(stuckSelf.size(), stuckSelfTotal());
            boolean deadlock = overlapping > 0 && stuck * 2 >= Math.max(1, callers.size());
            for (Clue c : in) {
                if (deadlock && c.sign() == Sign.SLOW_HTTP_CALL && stuckDuring(c.from(), c.to()) > 0) {
                    out.add(c.withStack(c.what() + " calling the site itself", c.plugin(), c.theme(), null).withSign(Sign.SELF_REQUEST));
                } else if (deadlock && c.sign() == Sign.REQUEST_TERMINATED && !hasStack(in, c)
                        && stuckDuring(c.from(), c.to()) > 0) {
                    out.add(new Clue(Sign.SELF_REQUEST, c.from(), c.from(), c.at(), c.pid(), c.request(), c.script(),
                            "the request calling the site itself", null, null, c.line()));
                    out.add(c);
                } else {
                    out.add(c);
                }
            }
            return out;
        }

        /** Stuck self-requests of the burst before the correlator's cap (their kind ends in ":self"). */
        private long stuckSelfTotal() {
            long n = 0;
            for (Map.Entry<String, Long> k : t.kindCounts().entrySet()) {
                if (k.getKey().startsWith("access:") && k.getKey().endsWith(":self")) n += k.getValue();
            }
            return n;
        }

        private int stuckDuring(long from, long to) {
            int n = 0;
            for (long[] s : stuckSelf) {
                if (s[0] <= to + TOLERANCE_MS && s[1] >= from - TOLERANCE_MS) n++;
            }
            return n;
        }

        private static boolean hasStack(List<Clue> in, Clue termination) {
            for (Clue c : in) {
                if (c.line().getParsed() instanceof FpmSlowFields && c.samePid(termination)
                        && c.at() >= termination.from() - TOLERANCE_MS && c.at() <= termination.at() + TOLERANCE_MS) {
                    return true;
                }
            }
            return false;
        }

        /**
         * A slowlog entry of the worker FPM then terminated is that request's stack. One request, one
         * step: a sleep, plain PHP code, or a call of a kind that held only its own worker (the pool never
         * filled while it ran) is told by the termination step. A call of a kind that ran while the pool
         * was full stays a step of its own, the root the termination only ended (a slow API holding every
         * worker until request_terminate_timeout); the site calling itself always does.
         */
        private static List<Clue> foldIntoTerminations(List<Clue> in) {
            List<Clue> out = new ArrayList<>(in);
            Set<Clue> folded = new HashSet<>();
            for (int i = 0; i < out.size(); i++) {
                Clue term = out.get(i);
                if (term.sign() != Sign.REQUEST_TERMINATED) continue;
                boolean poolFull = false;
                for (Clue p : in) {
                    poolFull |= p.sign() == Sign.POOL_SATURATED && p.overlaps(term, TOLERANCE_MS);
                }
                for (Clue s : in) {
                    boolean ownCall = s.sign() == null || s.sign() == Sign.SLOW_SLEEP_CALL
                            || !poolFull && (s.sign() == Sign.SLOW_HTTP_CALL || s.sign() == Sign.SLOW_DB_CALL);
                    if (s.line().getParsed() instanceof FpmSlowFields && s.samePid(term) && ownCall
                            && s.at() >= term.from() - TOLERANCE_MS && s.at() <= term.at() + TOLERANCE_MS) {
                        term = term.withStack((term.what() == null ? "" : term.what() + " ") + "in " + s.what(),
                                s.plugin(), s.theme(), s.script());
                        folded.add(s);
                    }
                }
                out.set(i, term);
            }
            out.removeAll(folded);
            return out;
        }

        /**
         * nginx refused (or found no socket) and FPM logged no stop before it, but started again after it:
         * the master had gone without a word (SIGKILL, a crash). The step is told by the start.
         */
        private void stoppedSilently(List<Clue> out) {
            long firstRefused = Long.MAX_VALUE;
            boolean stopLogged = false;
            for (Clue c : out) {
                if (c.sign() == Sign.UPSTREAM_REFUSED) firstRefused = Math.min(firstRefused, c.at());
            }
            if (firstRefused == Long.MAX_VALUE) {
                return;
            }
            for (Clue c : out) {
                if (c.sign() == Sign.FPM_STOPPED && c.at() <= firstRefused + TOLERANCE_MS) stopLogged = true;
            }
            long start = firstAfter(starts, firstRefused);
            if (stopLogged || start < 0) {
                return;
            }
            LogEvent line = startLines.get(starts.indexOf(start));
            out.add(new Clue(Sign.FPM_STOPPED, firstRefused, firstRefused - TOLERANCE_MS, start, null, null, null,
                    "no stop logged; started again", null, null, line));
        }

        /**
         * connect() refused/ENOENT while FPM kept serving requests (its access log went on past the first
         * refusal) and no stop of FPM explains the refusals (none logged before the last of them, and no
         * silent death: FPM did not start again after the first): nginx points at the wrong address. A
         * start or a reload before the burst does not matter (a pool moved to a new socket and reloaded is
         * exactly how nginx comes to point at the old one).
         */
        private List<Clue> wrongAddress(List<Clue> in) {
            long firstRefused = Long.MAX_VALUE;
            long lastRefused = Long.MIN_VALUE;
            for (Clue c : in) {
                if (c.sign() == Sign.UPSTREAM_REFUSED) {
                    firstRefused = Math.min(firstRefused, c.at());
                    lastRefused = Math.max(lastRefused, c.at());
                }
            }
            boolean stopped = false;
            for (Clue c : in) {
                stopped |= c.sign() == Sign.FPM_STOPPED && c.from() <= lastRefused + TOLERANCE_MS
                        && c.to() >= firstRefused - TOLERANCE_MS; // down while nginx was refused
            }
            Long served = t.sourceClocks().get(Sources.name(SourceKind.PHP_FPM_ACCESS));
            if (firstRefused == Long.MAX_VALUE || stopped || served == null || served <= firstRefused + TOLERANCE_MS) {
                return in;
            }
            List<Clue> out = new ArrayList<>(in.size());
            for (Clue c : in) {
                out.add(c.sign() == Sign.UPSTREAM_REFUSED ? c.withSign(Sign.UPSTREAM_MISCONFIGURED) : c);
            }
            return out;
        }

        /** Lines by sign: each kind the correlator counted, under the sign its lines show. */
        Map<Sign, Long> counts(List<LogEvent> events, List<Clue> clues) {
            Map<String, LogEvent> sample = new HashMap<>();
            for (LogEvent e : events) {
                sample.putIfAbsent(Lines.kindKey(e), e);
            }
            Map<Sign, Long> out = new EnumMap<>(Sign.class);
            for (Map.Entry<String, Long> k : new TreeMap<>(t.kindCounts()).entrySet()) {
                LogEvent e = sample.get(k.getKey());
                Sign s = e == null ? null : signOf(e);
                if (s != null) out.merge(s, k.getValue(), Long::sum);
            }
            // signs a line does not show by itself (the site calling itself, the wrong address), and events
            // told by several lines of one pid (the kernel's and FPM's lines of one OOM kill or segfault): their clues
            Map<Sign, Long> derived = new EnumMap<>(Sign.class);
            for (Clue c : clues) {
                if (c.sign() != null && (!out.containsKey(c.sign()) || c.sign() == Sign.OOM_KILL || c.sign() == Sign.SEGFAULT)) {
                    derived.merge(c.sign(), 1L, Long::sum);
                }
            }
            out.putAll(derived);
            return out;
        }
    }

}
