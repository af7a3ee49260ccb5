package io.handoff.parse;

import io.handoff.avro.KernelEventKind;
import io.handoff.avro.KernelFields;
import io.handoff.parse.ParseOutcome.Failed;
import io.handoff.parse.ParseOutcome.Parsed;

/**
 * Kernel log lines, under any of the prefixes a host writes them with:
 * <ul>
 *   <li>raw dmesg {@code [ 1171.795551] } (needs {@link ParseContext#bootTimeMillis()});</li>
 *   <li>{@code dmesg -T}: {@code [Sat Oct  9 12:17:39 2021] } (local time, read in the context's zone);</li>
 *   <li>{@code dmesg --time-format iso}: {@code 2026-11-21T10:39:48,123456+00:00 };</li>
 *   <li>syslog {@code Nov 23 14:21:04 host kernel: } (year from the context, else the current year) and
 *       journald short-iso {@code 2026-11-21T10:39:48+0000 host kernel: };</li>
 * </ul>
 * each optionally followed by a {@code [  147.467058]} since-boot stamp and a caller id {@code [T10579]}.
 * OOM killer lines (all families), {@code segfault at} and {@code traps:} lines are typed; any other
 * kernel message is a valid line of kind OTHER. A task-table row {@code [ 7747]  0  7748 …} is not a
 * stamp (no fraction) and stays in the message.
 */
final class KernelParser implements LineParser {
    static final String WHAT = "kernel line";

    @Override
    public ParseOutcome parse(String s, ParseContext ctx) {
        try {
            return doParse(s, ctx == null ? ParseContext.UTC : ctx);
        } catch (RuntimeException e) {
            return new Failed(WHAT + ": parser error " + e.getClass().getSimpleName() + " (please report this line)");
        }
    }

    private static ParseOutcome doParse(String s, ParseContext ctx) {
        if (s == null || s.isEmpty()) {
            return new Failed(WHAT + ": empty");
        }
        int n = s.length();
        long ts;
        int p;
        double boot = Double.NaN;
        char c0 = s.charAt(0);
        if (c0 == '[') {
            int close = s.indexOf(']');
            if (close < 0) {
                return new Failed(WHAT + ": no ']' closing the '[' stamp at column 1");
            }
            double secs = bootStamp(s, 1, close);
            if (!Double.isNaN(secs)) {
                boot = secs;
                if (ctx.bootTimeMillis() < 0) {
                    return new Failed(WHAT + " has only a since-boot stamp and the host's boot time is unknown");
                }
                ts = ctx.bootTimeMillis() + Math.round(secs * 1000);
            } else {
                ts = dmesgT(s, 1, close, ctx);
                if (ts == Scan.BAD) {
                    return new Failed(WHAT + ": no '[seconds.micros]' or '[Www Mmm dd HH:MM:SS YYYY]' stamp at column 1 (found "
                            + Scan.excerpt(s, 0) + ")");
                }
            }
            p = close + 1;
        } else if (Scan.isDigit(c0)) {
            int[] end = new int[1];
            ts = Scan.isoStamp(s, 0, ctx, end);
            if (ts == Scan.BAD || end[0] >= n || s.charAt(end[0]) != ' ') {
                return new Failed(WHAT + ": no ISO timestamp (YYYY-MM-DDTHH:MM:SS) at column 1 (found " + Scan.excerpt(s, 0) + ")");
            }
            p = afterHostKernel(s, end[0] + 1);
        } else if (Scan.month(s, 0) > 0 && n > 16 && s.charAt(3) == ' ') {
            ts = Scan.syslogStamp(s, 0, ctx);
            if (ts == Scan.BAD || s.charAt(15) != ' ') {
                return new Failed(WHAT + ": no syslog 'Mon DD HH:MM:SS' timestamp at column 1 (found " + Scan.excerpt(s, 0) + ")");
            }
            int q = afterHostKernel(s, 16);
            if (q == 16) {
                return new Failed(WHAT + ": no 'HOST kernel: ' after the syslog timestamp at column 17 (found "
                        + Scan.excerpt(s, 16) + ")");
            }
            p = q;
        } else {
            return new Failed(WHAT + ": no timestamp: expected '[seconds.micros]', '[Www Mmm dd HH:MM:SS YYYY]', "
                    + "an ISO time or a syslog 'Mon DD HH:MM:SS' at column 1 (found " + Scan.excerpt(s, 0) + ")");
        }
        if (ts == Scan.BAD) {
            return new Failed(WHAT + ": timestamp out of range (found " + Scan.excerpt(s, 0) + ")");
        }
        // optional "[  147.467058]" after a syslog/iso prefix, optional caller id "[T10579]" / "[ T9694]"
        while (p < n && s.charAt(p) == ' ') {
            p++;
        }
        if (Double.isNaN(boot) && p < n && s.charAt(p) == '[') {
            int close = s.indexOf(']', p);
            double secs = close < 0 ? Double.NaN : bootStamp(s, p + 1, close);
            if (!Double.isNaN(secs)) {
                boot = secs;
                p = close + 1;
            }
        }
        if (p < n && s.charAt(p) == '[') {
            int close = s.indexOf(']', p);
            if (close > 0 && callerId(s, p + 1, close)) {
                p = close + 1;
            }
        }
        while (p < n && s.charAt(p) == ' ') {
            p++;
        }
        KernelFields f = new KernelFields();
        if (!Double.isNaN(boot)) {
            f.setBootSeconds(boot);
        }
        String m = s.substring(p);
        f.setMessage(m);
        classify(m, f);
        return new Parsed(ts, f);
    }

    /** {@code  1171.795551} (space-padded seconds, a dot, digits) inside brackets; NaN if it is not one. */
    private static double bootStamp(String s, int from, int to) {
        int i = from;
        while (i < to && s.charAt(i) == ' ') {
            i++;
        }
        int dot = Scan.digitsEnd(s, i);
        if (dot == i || dot >= to || s.charAt(dot) != '.' || Scan.digitsEnd(s, dot + 1) != to || to == dot + 1) {
            return Double.NaN;
        }
        return Num.decimal(s, i, to);
    }

    /** {@code T10579}, {@code  T9694}, {@code C1}. */
    private static boolean callerId(String s, int from, int to) {
        int i = from;
        while (i < to && s.charAt(i) == ' ') {
            i++;
        }
        if (i >= to || (s.charAt(i) != 'T' && s.charAt(i) != 'C')) {
            return false;
        }
        return Scan.digitsEnd(s, i + 1) == to && to > i + 1;
    }

    /** {@code Sat Oct  9 12:17:39 2021} in s[from, to). */
    private static long dmesgT(String s, int from, int to, ParseContext ctx) {
        if (to - from != 24 || s.charAt(from + 3) != ' ' || s.charAt(from + 7) != ' ' || s.charAt(from + 10) != ' '
                || s.charAt(from + 13) != ':' || s.charAt(from + 16) != ':' || s.charAt(from + 19) != ' ') {
            return Scan.BAD;
        }
        int mo = Scan.month(s, from + 4);
        int d = s.charAt(from + 8) == ' ' ? Scan.digits(s, from + 9, from + 10) : Scan.digits(s, from + 8, from + 10);
        int h = Scan.digits(s, from + 11, from + 13);
        int mi = Scan.digits(s, from + 14, from + 16);
        int sec = Scan.digits(s, from + 17, from + 19);
        int y = Scan.digits(s, from + 20, from + 24);
        if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || y < 0) {
            return Scan.BAD;
        }
        return Scan.epochMillis(y, mo, d, h, mi, sec, 0, ctx.zone());
    }

    /** After {@code HOST kernel: } starting at p, or p when the text there is not that (dmesg iso has no host). */
    private static int afterHostKernel(String s, int p) {
        int sp = s.indexOf(' ', p);
        if (sp > p && s.startsWith("kernel: ", sp + 1)) {
            return sp + 9;
        }
        if (sp > p && s.startsWith("kernel:", sp + 1) && sp + 8 == s.length()) {
            return sp + 8;
        }
        return p;
    }

    private static void classify(String m, KernelFields f) {
        KernelEventKind kind = KernelEventKind.OTHER;
        int i;
        if ((i = m.indexOf("Killed process ")) >= 0 && (i == 0 || m.startsWith(": ", i - 2))) {
            kind = killed(m, i + 15, f) ? KernelEventKind.OOM_KILLED : KernelEventKind.OTHER;
        } else if ((i = m.indexOf(" invoked oom-killer: ")) > 0) {
            kind = KernelEventKind.OOM_INVOKED;
            f.setProcess(m.substring(0, i));
        } else if (m.startsWith("oom-kill:")) {
            kind = KernelEventKind.OOM_SUMMARY;
            summary(m, f);
        } else if ((i = m.indexOf("Kill process ")) >= 0 && m.endsWith(" or sacrifice child")) {
            int pe = Scan.digitsEnd(m, i + 13);
            int pid = Scan.intOf(m, i + 13, pe);
            int close = m.lastIndexOf(") score ");
            if (pid >= 0 && m.startsWith(" (", pe) && close > pe + 2) {
                kind = KernelEventKind.OOM_KILL_CHOSEN;
                f.setPid(pid);
                f.setProcess(m.substring(pe + 2, close));
            }
        } else if (m.startsWith("oom_reaper: reaped process ")) {
            int pe = Scan.digitsEnd(m, 27);
            int pid = Scan.intOf(m, 27, pe);
            int close = m.lastIndexOf("), now ");
            if (pid >= 0 && m.startsWith(" (", pe) && close > pe + 2) {
                kind = KernelEventKind.OOM_REAPED;
                f.setPid(pid);
                f.setProcess(m.substring(pe + 2, close));
                memory(m, close, f);
            }
        } else if (m.startsWith("Out of memory and no killable processes")
                || m.startsWith("Memory cgroup out of memory and no killable processes")) {
            kind = KernelEventKind.OOM_NO_KILLABLE;
        } else if ((i = m.indexOf("]: segfault at ")) > 0) {
            int ob = m.lastIndexOf('[', i);
            int pid = ob > 0 ? Scan.intOf(m, ob + 1, i) : -1;
            if (pid >= 0) {
                kind = KernelEventKind.SEGFAULT;
                f.setPid(pid);
                f.setProcess(m.substring(0, ob));
                int as = i + 15;
                int ae = m.indexOf(' ', as);
                f.setFaultAddress(m.substring(as, ae < 0 ? m.length() : ae));
                fault(m, ae < 0 ? m.length() : ae, " ip ", f);
            }
        } else if (m.startsWith("traps: ")) {
            int ob = m.indexOf('[', 7);
            int cb = ob < 0 ? -1 : m.indexOf("] ", ob);
            int pid = cb > ob ? Scan.intOf(m, ob + 1, cb) : -1;
            if (pid >= 0) {
                kind = KernelEventKind.TRAP;
                f.setPid(pid);
                f.setProcess(m.substring(7, ob));
                fault(m, cb, " ip:", f);
            }
        }
        f.setKind(kind);
    }

    /** ip and the "in OBJECT[" object of a segfault or trap line. */
    private static void fault(String m, int from, String ipKey, KernelFields f) {
        int ip = m.indexOf(ipKey, from);
        if (ip >= 0) {
            int s = ip + ipKey.length();
            int e = m.indexOf(' ', s);
            f.setFaultIp(m.substring(s, e < 0 ? m.length() : e));
        }
        int in = m.indexOf(" in ", from);
        if (in >= 0) {
            int ob = m.indexOf('[', in + 4);
            if (ob > in + 4) {
                f.setFaultObject(m.substring(in + 4, ob));
            }
        }
    }

    /**
     * {@code 27438 (R) total-vm:…} (comm may hold spaces and parentheses), or RHEL 6
     * {@code 11726, UID 498, (mysqld) total-vm:…}, at p.
     */
    private static boolean killed(String m, int p, KernelFields f) {
        int pe = Scan.digitsEnd(m, p);
        int pid = Scan.intOf(m, p, pe);
        if (pid < 0) {
            return false;
        }
        f.setPid(pid);
        int open;
        if (m.startsWith(", UID ", pe)) {
            int ue = Scan.digitsEnd(m, pe + 6);
            int uid = Scan.intOf(m, pe + 6, ue);
            if (uid < 0 || !m.startsWith(", (", ue)) {
                return false;
            }
            f.setUid(uid);
            open = ue + 3;
        } else if (m.startsWith(" (", pe)) {
            open = pe + 2;
        } else {
            return false;
        }
        int close = m.indexOf(") total-vm:", open);
        if (close < 0) {
            close = m.lastIndexOf(')');
        }
        if (close < open) {
            return false;
        }
        f.setProcess(m.substring(open, close));
        memory(m, close, f);
        int u = m.indexOf(", UID:", close);
        if (u >= 0) {
            int ue = Scan.digitsEnd(m, u + 6);
            int uid = Scan.intOf(m, u + 6, ue);
            if (uid >= 0) {
                f.setUid(uid);
            }
        }
        return true;
    }

    private static void memory(String m, int from, KernelFields f) {
        long v;
        if ((v = kb(m, "total-vm:", from)) >= 0) f.setTotalVmKb(v);
        if ((v = kb(m, "anon-rss:", from)) >= 0) f.setAnonRssKb(v);
        if ((v = kb(m, "file-rss:", from)) >= 0) f.setFileRssKb(v);
        if ((v = kb(m, "shmem-rss:", from)) >= 0) f.setShmemRssKb(v);
    }

    private static long kb(String m, String key, int from) {
        int i = m.indexOf(key, from);
        if (i < 0) {
            return -1;
        }
        int s = i + key.length();
        int e = Scan.digitsEnd(m, s);
        return m.startsWith("kB", e) ? Scan.longOf(m, s, e) : -1;
    }

    /**
     * {@code oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/x,task_memcg=/x,task=a.out,pid=9692,uid=-2}.
     * The task name may contain commas, so task, pid and uid are read from the end.
     */
    private static void summary(String m, KernelFields f) {
        int c = m.indexOf("constraint=");
        if (c >= 0) {
            int e = m.indexOf(',', c);
            f.setConstraint(m.substring(c + 11, e < 0 ? m.length() : e));
        }
        int uid = m.lastIndexOf(",uid=");
        int pid = m.lastIndexOf(",pid=", uid < 0 ? m.length() : uid);
        int task = pid < 0 ? -1 : m.lastIndexOf(",task=", pid);
        if (uid > 0) {
            int sign = uid + 5 < m.length() && m.charAt(uid + 5) == '-' ? 1 : 0;
            int v = Scan.intOf(m, uid + 5 + sign, m.length());
            if (v >= 0) {
                f.setUid(sign == 1 ? -v : v);
            }
        }
        if (pid > 0) {
            int v = Scan.intOf(m, pid + 5, uid > pid ? uid : m.length());
            if (v >= 0) {
                f.setPid(v);
            }
        }
        if (task > 0) {
            f.setProcess(m.substring(task + 6, pid));
        }
        int tm = m.indexOf(",task_memcg=");
        if (tm >= 0) {
            int e = task > tm ? task : m.indexOf(',', tm + 12);
            f.setMemcg(m.substring(tm + 12, e < 0 ? m.length() : e));
        } else {
            int om = m.indexOf(",oom_memcg=");
            if (om >= 0) {
                int e = m.indexOf(',', om + 11);
                f.setMemcg(m.substring(om + 11, e < 0 ? m.length() : e));
            }
        }
    }
}
