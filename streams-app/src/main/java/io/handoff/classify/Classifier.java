package io.handoff.classify;

import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.Evidence;
import io.handoff.avro.FpmSlowFields;
import io.handoff.avro.LogEvent;
import io.handoff.avro.Origin;
import io.handoff.avro.RootCause;
import io.handoff.avro.WarningKind;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evidence → verdict, by causal chain. A pure function of a {@link Timeline}:
 * <ol>
 *   <li>the burst's lines become typed events with their links ({@link Burst});</li>
 *   <li>the onset is nginx's first failure (the kind most of the first second's failures show);</li>
 *   <li>the chain is built backwards from it along the {@link Taxonomy}'s edges ({@link Chain}): the
 *       root is the earliest event that explains the onset;</li>
 *   <li>the label is the chain's ({@link Chain#label()}), the contributing causes are the other labels
 *       of the chain in order, then the causes beside it that explain some of the burst's failures;</li>
 *   <li>the confidence says how complete the chain is: a root behind the symptom, logs that agree,
 *       failures the chain leaves unexplained.</li>
 * </ol>
 */
public final class Classifier {
    private Classifier() {}

    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The verdict on one burst: root cause, causal chain, culprit, remedy, confidence and summary. */
    public static Diagnosis diagnose(Timeline t) {
        Burst b = Burst.read(t);
        Clue onset = onset(b);
        Chain chain = Chain.to(onset, b);
        List<RootCause> beside = beside(chain, b);
        Taxonomy primary = chain.label(chain.contains(Sign.FPM_RELOAD) || beside.contains(RootCause.FPM_RELOAD_INTERRUPTION));
        List<RootCause> contributing = contributing(primary, chain, beside, b);
        List<CausalStep> steps = steps(chain, b);
        Culprit culprit = culprit(chain, b);
        double confidence = confidence(primary, chain, b);
        String summary = summary(t.host(), primary, steps, culprit, b);
        return new Diagnosis(primary.label(), contributing, steps, culprit, primary.remediation(), confidence, summary);
    }

    /**
     * An early warning: what built up on a host without gateway errors, or null when the evidence is
     * not enough for one (one or two slow requests are not a storm).
     *
     * @param kind        what built up
     * @param likelyCause the label it would be reported as if gateway errors followed
     */
    public record WarningVerdict(WarningKind kind, RootCause likelyCause, Culprit culprit, String remediation,
                                 String summary) {}

    /**
     * The warning a pending warning's lines amount to, or null: the event furthest down the causal
     * graph that reaches its row's count (the pool filling up, not the slow calls that filled it), the
     * kind its row names, and the chain behind it for the likely cause.
     */
    public static WarningVerdict warning(Timeline t) {
        Burst b = Burst.read(t);
        Clue sink = null;
        for (Clue c : b.clues) {
            if (c.sign() == null || Taxonomy.warningOf(c.sign()) == null || !enough(c.sign(), b)) continue;
            boolean downstream = true;
            for (Clue o : b.clues) {
                if (o.sign() != null && o.sign() != c.sign() && Taxonomy.warningOf(o.sign()) != null && enough(o.sign(), b)
                        && Chain.explains(c, o)) {
                    downstream = false;
                    break;
                }
            }
            if (downstream && (sink == null || rank(c) < rank(sink))) {
                sink = c;
            }
        }
        WarningKind kind;
        Chain chain;
        if (sink != null) {
            kind = Taxonomy.warningOf(sink.sign());
            chain = Chain.to(sink, b);
        } else if (b.slowEntries >= Taxonomy.SLOWLOG_STORM_MIN) {
            kind = WarningKind.SLOWLOG_STORM; // slow requests in PHP code: no sign of their own
            chain = new Chain(List.of());
        } else {
            return null;
        }
        Taxonomy likely = chain.steps().isEmpty() ? Taxonomy.WORKER_POOL_EXHAUSTED : chain.label();
        if (likely == Taxonomy.UNKNOWN) {
            likely = Taxonomy.WORKER_POOL_EXHAUSTED;
        }
        Culprit culprit = culprit(chain, b);
        return new WarningVerdict(kind, likely.label(), culprit, likely.remediation(),
                warningSummary(t.host(), kind, likely, chain, b, culprit));
    }

    private static boolean enough(Sign s, Burst b) {
        if (s.slow()) {
            return Math.max(b.slowEntries, b.count(s)) >= Taxonomy.SLOWLOG_STORM_MIN;
        }
        Taxonomy row = Taxonomy.of(s);
        return row != null && b.count(s) >= Math.max(1, row.warnAt());
    }

    /** Table order of the sign's row, then time: a tie-break among unrelated warnings. */
    private static long rank(Clue c) {
        Taxonomy row = Taxonomy.of(c.sign());
        return (row == null ? 99L : row.ordinal()) * 10_000_000_000_000L + c.at() / 1000;
    }

    /** The onset: the kind of nginx failure most of the burst's first second shows, at its first line. */
    static Clue onset(Burst b) {
        long first = b.timeline.firstError();
        List<Clue> symptoms = new ArrayList<>();
        for (Clue c : b.clues) {
            if (c.sign() != null && c.sign().symptom() && c.at() >= first - Burst.TOLERANCE_MS) {
                symptoms.add(c);
            }
        }
        if (symptoms.isEmpty()) {
            return new Clue(Sign.GATEWAY_ERRORS, first, first - Burst.TOLERANCE_MS, first, null, null, null, null, null,
                    null, firstGatewayLine(b));
        }
        long start = symptoms.get(0).at();
        Map<Sign, Integer> n = new TreeMap<>();
        for (Clue c : symptoms) {
            if (c.at() <= start + Burst.TOLERANCE_MS) n.merge(c.sign(), 1, Integer::sum);
        }
        Sign best = null;
        for (Map.Entry<Sign, Integer> e : n.entrySet()) {
            if (best == null || e.getValue() > n.get(best)) best = e.getKey();
        }
        for (Clue c : symptoms) {
            if (c.sign() == best) return c;
        }
        throw new IllegalStateException("no onset");
    }

    private static LogEvent firstGatewayLine(Burst b) {
        for (LogEvent e : b.lines) {
            if (Lines.isGatewayError(e)) return e;
        }
        return b.lines.isEmpty() ? null : b.lines.get(0);
    }

    /**
     * The causes beside the chain: labelled events that explain failures of the burst the chain does not
     * account for by itself (a reload in the middle of a saturated pool's overflow, but not the reload of
     * the second in which a worker segfaulted: that one reset is the crash's), in time order.
     */
    static List<RootCause> beside(Chain chain, Burst b) {
        Set<RootCause> out = new LinkedHashSet<>();
        Set<Sign> chainSigns = signs(chain);
        List<Clue> open = unaccounted(chain, b);
        for (Clue c : b.clues) {
            if (c.sign() == null || c.sign().symptom() || chainSigns.contains(c.sign())) continue;
            Taxonomy row = Taxonomy.of(c.sign());
            if (row == null) continue;
            for (Clue x : open) {
                if (Chain.explains(c, x)) {
                    out.add(row.label());
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    /** Other labels of the chain in order; then the causes beside it; then the labels of failures of another kind. */
    static List<RootCause> contributing(Taxonomy primary, Chain chain, List<RootCause> beside, Burst b) {
        Set<RootCause> out = new LinkedHashSet<>(chain.otherLabels(primary));
        out.addAll(beside);
        Set<Sign> chainSigns = signs(chain);
        for (Clue c : b.clues) {
            if (c.sign() != null && c.sign().symptom() && !chainSigns.contains(c.sign())) {
                Taxonomy row = Taxonomy.of(c.sign());
                if (row != null) out.add(row.label());
            }
        }
        out.remove(primary.label());
        out.remove(RootCause.UNKNOWN);
        return List.copyOf(out);
    }

    private static Set<Sign> signs(Chain chain) {
        Set<Sign> s = EnumSet.noneOf(Sign.class);
        for (Clue c : chain.steps()) {
            if (c.sign() != null) s.add(c.sign());
        }
        return s;
    }

    /**
     * The burst's failures (and the chain's own events) that the chain's events of one worker do not
     * account for: each crash, kill or termination of the chain accounts for one failure it explains.
     */
    private static List<Clue> unaccounted(Chain chain, Burst b) {
        Set<Sign> chainSigns = signs(chain);
        List<Clue> effects = new ArrayList<>();
        for (Clue c : b.clues) {
            if (c.sign() != null && (c.sign().symptom() || chainSigns.contains(c.sign()))
                    && c.at() >= b.timeline.firstError() - Burst.LOOK_AROUND_MS) {
                effects.add(c);
            }
        }
        List<Clue> out = new ArrayList<>(effects);
        for (Clue cause : b.clues) {
            if (cause.pid() == null || cause.sign() == null || cause.sign().symptom() || !chainSigns.contains(cause.sign())) {
                continue;
            }
            Clue nearest = null;
            for (Clue x : out) {
                if (x.sign().symptom() && Chain.explains(cause, x)
                        && (nearest == null || Math.abs(x.at() - cause.at()) < Math.abs(nearest.at() - cause.at()))) {
                    nearest = x;
                }
            }
            if (nearest != null) out.remove(nearest);
        }
        return out;
    }

    /**
     * How complete the chain is: the label's weight, less when nothing behind the symptom explains it,
     * when fewer logs agree, and by the share of the burst's failures the chain leaves unexplained.
     */
    static double confidence(Taxonomy primary, Chain chain, Burst b) {
        if (primary == Taxonomy.UNKNOWN) {
            return b.timeline.events().isEmpty() ? 0.0 : Taxonomy.UNKNOWN.weight();
        }
        Clue root = chain.root();
        double complete = root.sign() != null && (!root.sign().symptom() || nothingCauses(root.sign())) ? 1.0 : 0.9;
        int sources = b.sources.size();
        double corroboration = sources >= 3 ? 1.0 : sources == 2 ? 0.9 : 0.75;
        Set<Sign> chainSigns = signs(chain);
        int failures = 0;
        int unexplained = 0;
        for (Clue x : b.clues) {
            if (x.sign() == null || !x.sign().symptom() || x.at() < b.timeline.firstError() - Burst.LOOK_AROUND_MS) continue;
            failures++;
            if (chainSigns.contains(x.sign())) continue;
            boolean explained = false;
            for (Clue c : b.clues) {
                if (!c.sign().symptom() && Chain.explains(c, x)) {
                    explained = true;
                    break;
                }
            }
            if (!explained) unexplained++;
        }
        double share = failures == 0 ? 0 : (double) unexplained / failures;
        double c = primary.weight() * complete * corroboration * (1 - 0.3 * share);
        return Math.round(c * 100) / 100.0;
    }

    /** A failure no event of the table can cause (a permission, a header size, a wrong address): its own root. */
    private static boolean nothingCauses(Sign s) {
        for (Sign c : Sign.values()) {
            if (c != s && Taxonomy.canCause(c, s) && c != Sign.GATEWAY_ERRORS) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- steps

    /** The chain as the contract's steps: root first, the clients' gateway errors last. */
    static List<CausalStep> steps(Chain chain, Burst b) {
        List<CausalStep> out = new ArrayList<>();
        for (Clue c : chain.steps()) {
            if (c.sign() == Sign.GATEWAY_ERRORS) continue;
            Taxonomy row = Taxonomy.of(c.sign());
            out.add(CausalStep.newBuilder()
                    .setKind(c.sign().name())
                    .setRootCause(row == null ? null : row.label())
                    .setAt(Instant.ofEpochMilli(c.at()))
                    .setCount(Math.max(1, b.count(c.sign())))
                    .setDescription(describe(c, b))
                    .setEvidence(c.line() == null ? null : evidence(c.line()))
                    .build());
        }
        LogEvent first = firstGatewayLine(b);
        out.add(CausalStep.newBuilder()
                .setKind(Sign.GATEWAY_ERRORS.name())
                .setRootCause(null)
                .setAt(Instant.ofEpochMilli(b.timeline.firstError()))
                .setCount(Math.max(1, b.gatewayErrors()))
                .setDescription(gatewayText(b))
                .setEvidence(first == null ? null : evidence(first))
                .build());
        return out;
    }

    /** The step in a few words. */
    static String describe(Clue c, Burst b) {
        String what = c.what();
        switch (c.sign()) {
            case FPM_RELOAD: {
                long held = c.to() - c.at();
                int inFlight = 0;
                for (long[] r : b.longRequests) {
                    if (r[0] <= c.at() && r[1] > c.at()) inFlight++;
                }
                if (held >= 2_000 && held < Burst.RELOAD_MS) {
                    return "FPM reload held " + Math.round(held / 1000.0) + " s" + (inFlight > 0
                            ? " by " + inFlight + " request" + (inFlight == 1 ? "" : "s") + " in flight" : "");
                }
                return "FPM reload (SIGUSR2)";
            }
            case FPM_STOPPED:
                return what != null && what.startsWith("no stop logged")
                        ? "PHP-FPM not running (no stop logged; started again at " + CLOCK.format(Instant.ofEpochMilli(c.to())) + " UTC)"
                        : "PHP-FPM stopped (" + (what == null ? "exiting" : what.trim()) + ")";
            case SLOW_HTTP_CALL:
            case SLOW_DB_CALL:
                return "slow " + what;
            case SELF_REQUEST:
            case SLOW_SLEEP_CALL:
                return what;
            case SLOW_REQUEST:
                return "requests waiting outside PHP, no slowlog (" + what + ")";
            case POOL_SATURATED:
                return "pm.max_children" + (what == null ? "" : " (" + what + ")") + " reached";
            case REQUEST_TERMINATED: {
                String req = path(c.request());
                return "request_terminate_timeout killed " + (req == null ? "a request" : req)
                        + (what == null ? "" : " after " + what);
            }
            case SEGFAULT:
                return "worker " + c.pid() + " segfaulted (SIGSEGV)";
            case WORKER_CRASH:
                return c.pid() == null ? "workers crashed (" + what + ")"
                        : "SIGKILL".equals(what) ? "worker " + c.pid() + " killed (SIGKILL)"
                        : "worker " + c.pid() + " crashed (" + what + ")";
            case OOM_KILL:
                return "OOM killer killed " + (what == null ? "php-fpm" : what) + " pid " + c.pid();
            case LISTEN_BACKLOG_OVERFLOW:
                return Lines.Upstream.TIMEOUT_CONNECT.name().equals(what)
                        ? "connect() timed out (110): accept queue full" : "EAGAIN on the socket (accept queue full)";
            case HEADER_TIMEOUT:
                return "upstream timed out (110) waiting for the header";
            case WORKER_RESET:
                return "worker closed the connection (104)";
            case UPSTREAM_REFUSED:
                return Lines.Upstream.ENOENT.name().equals(what) ? "no socket file (ENOENT)"
                        : Lines.Upstream.NO_LIVE.name().equals(what) ? "no live upstreams" : "connect() refused (111)";
            case UPSTREAM_MISCONFIGURED:
                return Lines.Upstream.BAD_FASTCGI.name().equals(what) ? "upstream is not FastCGI (unsupported protocol version)"
                        : "connect() refused while FPM serves requests: nginx points at the wrong address";
            default:
                return c.sign().noun();
        }
    }

    private static String path(String request) {
        if (request == null) return null;
        String[] p = request.split(" ");
        return p.length >= 2 ? p[1] : request;
    }

    static String gatewayText(Burst b) {
        Map<String, Long> counts = new TreeMap<>(b.timeline.statusCounts());
        counts.values().removeIf(v -> v == 0);
        if (counts.isEmpty()) {
            long n = b.gatewayErrors();
            return n + " failed request" + (n == 1 ? "" : "s");
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((s, n) -> parts.add(n + "×" + s));
        return String.join(" and ", parts);
    }

    /** The chain on one line: "slow curl_exec() in plugin acme-crm-sync → pm.max_children (4) reached → … → 94×502". */
    public static String chainText(List<CausalStep> steps) {
        List<String> parts = new ArrayList<>(steps.size());
        for (CausalStep s : steps) {
            parts.add(s.getDescription());
        }
        return String.join(" → ", parts);
    }

    // ---------------------------------------------------------------- culprit and sentences

    /**
     * Script, plugin or theme, pid and upstream: from the chain's steps, root first (what the chain does
     * not name is not blamed: the slow requests that held a reload open are not the culprit of the
     * overflow it caused); the script falls back to the path that failed most. With no chain, or a pool
     * that filled with nothing slow behind it, the slowlog's most frequent plugin, theme and script (its
     * plain PHP code) are the best guess.
     */
    static Culprit culprit(Chain chain, Burst b) {
        String script = null;
        String plugin = null;
        String theme = null;
        Integer pid = null;
        boolean explained = false;
        for (Clue c : chain.steps()) {
            if (c.sign() != null && !c.sign().symptom() && c.sign() != Sign.GATEWAY_ERRORS) explained = true;
            if (script == null && c.script() != null) script = c.script();
            if (plugin == null && theme == null && (c.plugin() != null || c.theme() != null)) {
                plugin = c.plugin();
                theme = c.theme();
            }
            if (pid == null && c.pid() != null) pid = c.pid();
        }
        // what filled a pool nothing slow explains (plain PHP code in the slowlog) is still its culprit
        boolean poolRoot = !chain.steps().isEmpty() && chain.root().sign() == Sign.POOL_SATURATED;
        if (!explained || poolRoot && plugin == null && theme == null) {
            Map<String, Long> plugins = new TreeMap<>();
            Map<String, Long> themes = new TreeMap<>();
            Map<String, Long> scripts = new TreeMap<>();
            for (Clue c : b.clues) {
                if (!(c.line().getParsed() instanceof FpmSlowFields)) continue;
                if (c.plugin() != null) Burst.inc(plugins, c.plugin());
                if (c.theme() != null) Burst.inc(themes, c.theme());
                if (c.script() != null) Burst.inc(scripts, c.script());
            }
            if (plugin == null && theme == null) {
                plugin = top(plugins);
                theme = plugin == null ? top(themes) : null;
            }
            if (script == null) script = top(scripts);
        }
        if (script == null) script = top(b.failingPaths);
        return Culprit.newBuilder().setScript(script).setPlugin(plugin).setTheme(theme).setPid(pid)
                .setUpstream(top(b.upstreams)).build();
    }

    /** The most frequent key, ties broken by name; null when empty. */
    static String top(Map<String, Long> m) {
        String best = null;
        long n = -1;
        for (Map.Entry<String, Long> e : new TreeMap<>(m).entrySet()) {
            if (e.getValue() > n) {
                best = e.getKey();
                n = e.getValue();
            }
        }
        return best;
    }

    /** One readable sentence about an incident. */
    static String summary(String host, Taxonomy primary, List<CausalStep> steps, Culprit culprit, Burst b) {
        StringBuilder sb = new StringBuilder();
        sb.append(host).append(": ").append(gatewayText(b)).append(" from ")
                .append(HMS.format(Instant.ofEpochMilli(b.timeline.firstError()))).append(" to ")
                .append(HMS.format(Instant.ofEpochMilli(b.timeline.lastError()))).append(" UTC: ")
                .append(primary.phrase()).append(" (").append(chainText(steps)).append(")");
        appendCulprit(sb, culprit);
        return sb.append('.').toString();
    }

    static String warningSummary(String host, WarningKind kind, Taxonomy likely, Chain chain, Burst b, Culprit culprit) {
        StringBuilder sb = new StringBuilder();
        sb.append(host).append(": ").append(warningPhrase(kind, b)).append(" from ")
                .append(HMS.format(Instant.ofEpochMilli(b.timeline.firstError()))).append(" to ")
                .append(HMS.format(Instant.ofEpochMilli(b.timeline.lastError())))
                .append(" UTC without gateway errors");
        if (chain.steps().size() > 1) {
            List<String> parts = new ArrayList<>();
            for (Clue c : chain.steps()) parts.add(describe(c, b));
            sb.append(" (").append(String.join(" → ", parts)).append(")");
        }
        sb.append("; if it grows it will show as ").append(likely.label().name());
        appendCulprit(sb, culprit);
        return sb.append('.').toString();
    }

    private static String warningPhrase(WarningKind kind, Burst b) {
        switch (kind) {
            case POOL_SATURATED: {
                long n = b.count(Sign.POOL_SATURATED);
                return "pool reached pm.max_children" + (b.maxChildren == null ? "" : " (" + b.maxChildren + ")") + " "
                        + n + " time" + (n == 1 ? "" : "s");
            }
            case SLOWLOG_STORM:
                return b.slowEntries + " slow requests";
            case WORKER_CRASH: {
                long n = b.count(Sign.SEGFAULT) + b.count(Sign.WORKER_CRASH);
                return n + " worker crash" + (n == 1 ? "" : "es") + " no client saw";
            }
            case OOM_KILL: {
                long n = b.clues.stream().filter(c -> c.sign() == Sign.OOM_KILL).count();
                return n + " PHP worker" + (n == 1 ? "" : "s") + " killed by the OOM killer";
            }
            case REQUEST_TERMINATED: {
                long n = b.count(Sign.REQUEST_TERMINATED);
                return n + " request" + (n == 1 ? "" : "s") + " terminated by request_terminate_timeout";
            }
            default:
                return "capacity evidence";
        }
    }

    private static void appendCulprit(StringBuilder sb, Culprit k) {
        List<String> parts = new ArrayList<>();
        if (k.getPlugin() != null) parts.add("plugin " + k.getPlugin());
        if (k.getTheme() != null) parts.add("theme " + k.getTheme());
        if (k.getScript() != null) parts.add("script " + k.getScript());
        if (k.getPid() != null) parts.add("pid " + k.getPid());
        if (!parts.isEmpty()) sb.append("; culprit: ").append(String.join(", ", parts));
    }

    /** An evidence entry for a line, with what it shows. */
    public static Evidence evidence(LogEvent e) {
        Origin o = e.getOrigin();
        return Evidence.newBuilder()
                .setSource(e.getSource())
                .setTimestamp(e.getTimestamp())
                .setLine(e.getOriginal())
                .setOrigin(o == null ? null : Origin.newBuilder(o).build())
                .setSignal(Lines.signal(e))
                .build();
    }
}
