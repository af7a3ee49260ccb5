package io.handoff.classify;

import io.handoff.avro.CallCategory;
import io.handoff.avro.FpmAccessFields;
import io.handoff.avro.FpmLogFields;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.KernelFields;
import io.handoff.avro.LogEvent;
import io.handoff.avro.NginxAccessFields;
import io.handoff.avro.NginxErrorFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the classifier needs from the evidence of one incident or warning, folded line by
 * line so that the classification sees every line even when the evidence list is capped. Bounded:
 * counters, small capped maps and sets. Plain fields so the correlator can store it as JSON.
 */
public final class Findings {
    /** Distinct keys kept per map / set. */
    public static final int MAP_CAP = 32;
    /** Timestamps kept per list (reloads, resets). */
    public static final int TIMES_CAP = 64;
    /** A reset this close to a reload counts as caused by it. */
    public static final long RELOAD_NEAR_MS = 2_000;

    /** Source kinds that contributed a line. */
    public TreeSet<String> sources = new TreeSet<>();
    /** Lines folded in. */
    public long lines;
    // nginx access
    public TreeMap<String, Long> statusCounts = new TreeMap<>();
    public TreeMap<String, Long> failingRequests = new TreeMap<>();
    public long selfRequests;
    // nginx error (upstream)
    public TreeMap<String, Long> errnoCounts = new TreeMap<>();
    public TreeMap<String, Long> upstreams = new TreeMap<>();
    public long upstreamFailures;
    public long eagainConnect, timeoutConnect, timeoutHeader, reset104, refused111, enoent2, eacces13;
    public long noLiveUpstreams, tooBigHeader, badFastcgi, diskFull28, resetAfterHeaders;
    public ArrayList<Long> resetTimes = new ArrayList<>();
    // php-fpm master log
    public long reloads, maxChildren, seemsBusy, tooSlow, fpmStopped, failedThreshold;
    public Integer maxChildrenLimit;
    public ArrayList<Long> reloadTimes = new ArrayList<>();
    public TreeSet<Integer> crashPids = new TreeSet<>();
    public TreeSet<Integer> killedPids = new TreeSet<>();
    public TreeSet<Integer> terminatedPids = new TreeSet<>();
    public long terminatedCount;
    public TreeMap<String, Long> scripts = new TreeMap<>();
    // slowlog
    public long slowHttp, slowDb, slowSleep, slowOther;
    public TreeMap<String, Long> plugins = new TreeMap<>();
    public TreeMap<String, Long> themes = new TreeMap<>();
    public TreeMap<String, Long> blockingFunctions = new TreeMap<>();
    public Integer slowPid;
    // FPM access
    public long fpmServing, slowLowCpu, slowHighCpu;
    /** Latest FPM access line (epoch ms), -1 if none. */
    public long lastFpmServedAt = -1;
    /** Earliest connect() refused/ENOENT (epoch ms), -1 if none. */
    public long firstRefusedAt = -1;
    // kernel
    public TreeSet<Integer> oomPids = new TreeSet<>();
    public TreeSet<Integer> oomPhpPids = new TreeSet<>();
    public TreeSet<Integer> segfaultPids = new TreeSet<>();

    /** Folds one line in. */
    public void add(LogEvent e) {
        long t = e.getTimestamp().toEpochMilli();
        Object p = e.getParsed();
        lines++;
        sources.add(e.getSource().name());
        if (p instanceof NginxAccessFields a) {
            int g = Lines.gatewayStatus(e);
            if (g != 0) {
                inc(statusCounts, Integer.toString(g));
                String path = a.getUri() != null ? a.getUri() : a.getRequest();
                if (path != null) {
                    int q = path.indexOf('?');
                    inc(failingRequests, q >= 0 ? path.substring(0, q) : path);
                }
            }
            if (Lines.isSelfRequest(a)) {
                selfRequests++;
            }
        } else if (p instanceof NginxErrorFields f) {
            addNginxError(f, t);
        } else if (p instanceof FpmLogFields f) {
            addFpm(f, t);
        } else if (p instanceof FpmSlowFields s) {
            CallCategory c = s.getCategory();
            if (c == CallCategory.HTTP) slowHttp++;
            else if (c == CallCategory.DATABASE) slowDb++;
            else if (c == CallCategory.SLEEP) slowSleep++;
            else slowOther++;
            if (s.getPlugin() != null) inc(plugins, s.getPlugin());
            if (s.getTheme() != null) inc(themes, s.getTheme());
            if (s.getBlockingFunction() != null) inc(blockingFunctions, s.getBlockingFunction());
            if (s.getScriptFilename() != null) inc(scripts, s.getScriptFilename());
            if (slowPid == null) slowPid = s.getPid();
        } else if (p instanceof FpmAccessFields a) {
            fpmServing++;
            lastFpmServedAt = Math.max(lastFpmServedAt, t);
            if (Lines.isWaitingFpmAccess(a)) {
                slowLowCpu++;
            } else if (Lines.isSlowFpmAccess(a)) {
                slowHighCpu++;
            }
        } else if (p instanceof KernelFields k) {
            switch (k.getKind()) {
                case OOM_KILLED:
                case OOM_KILL_CHOSEN:
                case OOM_SUMMARY:
                    if (k.getPid() != null) {
                        add(oomPids, k.getPid());
                        if (Lines.isPhp(k.getProcess())) add(oomPhpPids, k.getPid());
                    }
                    break;
                case SEGFAULT:
                case TRAP:
                    if (k.getPid() != null && Lines.isPhp(k.getProcess())) add(segfaultPids, k.getPid());
                    break;
                default:
                    break;
            }
        }
    }

    private void addNginxError(NginxErrorFields f, long t) {
        Lines.Upstream u = Lines.upstream(f);
        if (u == Lines.Upstream.NONE) {
            return;
        }
        if (u.gateway()) {
            upstreamFailures++;
            inc(errnoCounts, f.getErrno() == null ? "none" : f.getErrno().toString());
            String addr = f.getUpstreamAddress() != null ? f.getUpstreamAddress() : f.getUpstream();
            if (addr != null) inc(upstreams, addr);
        }
        switch (u) {
            case EAGAIN: eagainConnect++; break;
            case TIMEOUT_CONNECT: timeoutConnect++; break;
            case TIMEOUT_HEADER: timeoutHeader++; break;
            case RESET: reset104++; addTime(resetTimes, t); break;
            case RESET_AFTER_HEADERS: resetAfterHeaders++; break;
            case REFUSED: refused111++; firstRefused(t); break;
            case ENOENT: enoent2++; firstRefused(t); break;
            case EACCES: eacces13++; break;
            case NO_LIVE: noLiveUpstreams++; break;
            case TOO_BIG: tooBigHeader++; break;
            case BAD_FASTCGI: badFastcgi++; break;
            case DISK_FULL: diskFull28++; break;
            default: break;
        }
    }

    private void addFpm(FpmLogFields f, long t) {
        switch (f.getKind()) {
            case MAX_CHILDREN_REACHED:
            case PROCESS_MAX_REACHED:
                maxChildren++;
                if (f.getMaxChildren() != null) maxChildrenLimit = f.getMaxChildren();
                break;
            case SEEMS_BUSY:
                seemsBusy++;
                break;
            case CHILD_EXITED_ON_SIGNAL: {
                int sig = f.getSignal() == null ? -1 : f.getSignal();
                if (f.getChildPid() != null) {
                    if (Lines.isCrashSignal(sig)) add(crashPids, f.getChildPid());
                    else if (sig == 9) add(killedPids, f.getChildPid());
                }
                break;
            }
            case EXECUTION_TIMED_OUT:
                terminatedCount++;
                if (f.getChildPid() != null) add(terminatedPids, f.getChildPid());
                if (f.getScript() != null) inc(scripts, f.getScript());
                break;
            case EXECUTING_TOO_SLOW:
                tooSlow++;
                if (f.getScript() != null) inc(scripts, f.getScript());
                break;
            case FAILED_PROCESSES_THRESHOLD:
                failedThreshold++;
                break;
            case RELOADING:
                reloads++;
                addTime(reloadTimes, t);
                break;
            case TERMINATING:
            case EXITING:
                fpmStopped++;
                break;
            default:
                if (f.getMessage() != null && f.getMessage().contains("No space left on device")) diskFull28++;
                break;
        }
    }

    private void firstRefused(long t) {
        firstRefusedAt = firstRefusedAt < 0 ? t : Math.min(firstRefusedAt, t);
    }

    // ---- derived facts used by the taxonomy ----

    /**
     * FPM kept serving requests (its access log) more than a second after nginx was first refused or
     * found no socket, and FPM did not log a stop: nginx is pointed at the wrong address.
     */
    public boolean fpmServedWhileRefused() {
        return firstRefusedAt >= 0 && lastFpmServedAt > firstRefusedAt + 1_000 && fpmStopped == 0;
    }

    /** Workers killed by the OOM killer: php processes in OOM lines, plus FPM SIGKILLed children whose pid the kernel named. */
    public int oomKilledPhp() {
        Set<Integer> s = new TreeSet<>(oomPhpPids);
        for (Integer pid : killedPids) {
            if (oomPids.contains(pid)) s.add(pid);
        }
        return s.size();
    }

    /** Workers that crashed: FPM crash signals, kernel segfaults/traps of PHP, and SIGKILLs the OOM killer did not explain. */
    public int crashes() {
        Set<Integer> s = new TreeSet<>(crashPids);
        s.addAll(segfaultPids);
        for (Integer pid : killedPids) {
            if (!oomPids.contains(pid)) s.add(pid);
        }
        s.removeAll(oomPhpPids);
        return s.size() + (int) Math.min(failedThreshold, 1);
    }

    public long terminated() {
        return terminatedCount;
    }

    /** Requests nginx lost because the worker went away before answering (104 / prematurely closed). */
    public long dropped() {
        return reset104;
    }

    /** Signs that no worker was free: max_children, header timeouts, EAGAIN on connect. */
    public long poolPressure() {
        return maxChildren + timeoutHeader + eagainConnect + timeoutConnect;
    }

    /** 502/504 access lines plus nginx upstream failure lines. */
    public long gatewayErrors() {
        long n = upstreamFailures;
        for (long v : statusCounts.values()) n += v;
        return n;
    }

    /** Resets within {@link #RELOAD_NEAR_MS} of an FPM reload. */
    public long resetsNearReload() {
        long n = 0;
        for (long r : resetTimes) {
            for (long rl : reloadTimes) {
                if (Math.abs(r - rl) <= RELOAD_NEAR_MS) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    public long slowEntries() {
        return slowHttp + slowDb + slowSleep + slowOther + tooSlow;
    }

    /** The first pid the evidence blames: a crashed, OOM-killed, terminated or slow worker. */
    public Integer blamedPid() {
        for (Set<Integer> s : List.of(oomPhpPids, crashPids, segfaultPids, killedPids, terminatedPids)) {
            if (!s.isEmpty()) return s.iterator().next();
        }
        return slowPid;
    }

    /** The most frequent key of a map, ties broken by name; null when empty. */
    public static String top(Map<String, Long> m) {
        String best = null;
        long n = -1;
        for (Map.Entry<String, Long> e : m.entrySet()) {
            if (e.getValue() > n) {
                best = e.getKey();
                n = e.getValue();
            }
        }
        return best;
    }

    static void inc(Map<String, Long> m, String k) {
        if (m.containsKey(k) || m.size() < MAP_CAP) m.merge(k, 1L, Long::sum);
    }

    static void add(Set<Integer> s, Integer v) {
        if (s.size() < MAP_CAP) s.add(v);
    }

    static void addTime(List<Long> l, long t) {
        if (l.size() < TIMES_CAP) l.add(t);
    }
}
