package io.handoff.classify;

import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.Evidence;
import io.handoff.avro.LogEvent;
import io.handoff.avro.Origin;
import io.handoff.avro.RootCause;
import io.handoff.avro.WarningKind;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evidence → root cause. A pure function over {@link Findings}: the first {@link Taxonomy} row (by
 * priority) whose signature matches is the primary label; every other row whose marker is present
 * is a contributing cause; the culprit, remedy, confidence and summary follow from the same rows.
 */
public final class Classifier {
    private Classifier() {}

    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /**
     * @param rootCause    primary label
     * @param contributing other labels whose evidence is present, in taxonomy order
     * @param culprit      script, plugin/theme, pid, upstream the evidence points at (fields may be null)
     * @param remediation  what to change, for the primary label
     * @param confidence   0..1
     * @param phrase       what happened, in a few words
     */
    public record Classification(RootCause rootCause, List<RootCause> contributing, Culprit culprit,
                                 String remediation, double confidence, String phrase) {}

    /**
     * The verdict on one burst: root cause, causal chain, culprit, remedy, confidence and summary.
     * (Interim: folds the timeline's lines into {@link Findings} and asks the priority list; the chain
     * holds the label and the gateway errors only.)
     */
    public static Diagnosis diagnose(Timeline t) {
        Findings f = fold(t);
        Classification c = classify(f);
        Instant start = Instant.ofEpochMilli(t.firstError());
        Instant end = Instant.ofEpochMilli(t.lastError());
        long gateway = 0;
        for (long v : t.statusCounts().values()) gateway += v;
        List<CausalStep> chain = List.of(
                CausalStep.newBuilder().setKind(c.rootCause().name()).setRootCause(c.rootCause()).setAt(start)
                        .setCount(1).setDescription(c.phrase()).build(),
                CausalStep.newBuilder().setKind("GATEWAY_ERRORS").setAt(start).setCount(gateway)
                        .setDescription(gateway + " gateway errors").build());
        return new Diagnosis(c.rootCause(), c.contributing(), chain, c.culprit(), c.remediation(), c.confidence(),
                summary(t.host(), c, f, start, end));
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

    /** The warning a pending warning's lines amount to, or null. */
    public static WarningVerdict warning(Timeline t) {
        Findings f = fold(t);
        WarningKind kind = warningKind(f);
        if (kind == null) {
            return null;
        }
        RootCause likely = likelyCause(kind, f);
        return new WarningVerdict(kind, likely, culprit(f), warningRemediation(likely),
                warningSummary(t.host(), kind, likely, f, Instant.ofEpochMilli(t.firstError()),
                        Instant.ofEpochMilli(t.lastError())));
    }

    private static Findings fold(Timeline t) {
        Findings f = new Findings();
        for (LogEvent e : t.events()) {
            f.add(e);
        }
        f.statusCounts.clear();
        f.statusCounts.putAll(t.statusCounts());
        return f;
    }

    /** Classifies the evidence of one burst. */
    public static Classification classify(Findings f) {
        Taxonomy primary = Taxonomy.UNKNOWN;
        for (Taxonomy row : Taxonomy.byPriority()) {
            if (row.matches(f)) {
                primary = row;
                break;
            }
        }
        List<RootCause> contributing = new ArrayList<>();
        for (Taxonomy row : Taxonomy.values()) {
            if (row != primary && row != Taxonomy.UNKNOWN && row.present(f)) {
                contributing.add(row.label());
            }
        }
        return new Classification(primary.label(), List.copyOf(contributing), culprit(f), primary.remediation(),
                confidence(primary, f), primary.phrase());
    }

    /**
     * Confidence: the row's weight, scaled by corroboration (evidence from several logs is worth more
     * than one log saying it), lowered when the label had to be chosen over a competing full match.
     */
    static double confidence(Taxonomy primary, Findings f) {
        if (primary == Taxonomy.UNKNOWN) {
            return f.lines == 0 ? 0.0 : Taxonomy.UNKNOWN.weight();
        }
        int sources = f.sources.size();
        double corroboration = sources >= 3 ? 1.0 : sources == 2 ? 0.9 : 0.75;
        int competing = 0;
        for (Taxonomy row : Taxonomy.byPriority()) {
            if (row != primary && row != Taxonomy.UNKNOWN && row.priority() > primary.priority() && row.matches(f)
                    && !explains(primary, row)) {
                competing++;
            }
        }
        double c = primary.weight() * corroboration * (competing == 0 ? 1.0 : 0.85);
        return Math.round(c * 100) / 100.0;
    }

    /** Rows the primary label explains by design (its downstream effects), so they do not lower confidence. */
    private static boolean explains(Taxonomy primary, Taxonomy other) {
        switch (primary) {
            case SELF_REQUEST_DEADLOCK:
            case SLOW_EXTERNAL_CALL:
            case SLOW_DATABASE:
                return other == Taxonomy.WORKER_POOL_EXHAUSTED || other == Taxonomy.LISTEN_BACKLOG_OVERFLOW
                        || other == Taxonomy.SLOW_EXTERNAL_CALL || other == Taxonomy.SLOW_DATABASE;
            case LISTEN_BACKLOG_OVERFLOW:
                return other == Taxonomy.FPM_RELOAD_INTERRUPTION || other == Taxonomy.WORKER_POOL_EXHAUSTED;
            case OOM_KILL:
                return other == Taxonomy.WORKER_CRASH || other == Taxonomy.FPM_RELOAD_INTERRUPTION;
            case WORKER_CRASH:
            case REQUEST_TERMINATED:
                return other == Taxonomy.FPM_RELOAD_INTERRUPTION;
            default:
                return false;
        }
    }

    static Culprit culprit(Findings f) {
        String script = Findings.top(f.scripts);
        if (script == null) {
            script = Findings.top(f.failingRequests);
        }
        return Culprit.newBuilder()
                .setScript(script)
                .setPlugin(Findings.top(f.plugins))
                .setTheme(Findings.top(f.themes))
                .setPid(f.blamedPid())
                .setUpstream(Findings.top(f.upstreams))
                .build();
    }

    /** One readable sentence about an incident. */
    public static String summary(String host, Classification c, Findings f, Instant start, Instant end) {
        StringBuilder sb = new StringBuilder();
        sb.append(host).append(": ");
        long n502 = f.statusCounts.getOrDefault("502", 0L);
        long n504 = f.statusCounts.getOrDefault("504", 0L);
        if (n502 + n504 > 0) {
            List<String> parts = new ArrayList<>();
            if (n502 > 0) parts.add(n502 + "×502");
            if (n504 > 0) parts.add(n504 + "×504");
            sb.append(String.join(" and ", parts));
        } else {
            sb.append(f.upstreamFailures).append(" upstream failure").append(f.upstreamFailures == 1 ? "" : "s");
        }
        sb.append(" from ").append(HMS.format(start)).append(" to ").append(HMS.format(end)).append(" UTC: ");
        sb.append(c.phrase());
        if (!c.contributing().isEmpty()) {
            List<String> names = new ArrayList<>();
            for (RootCause r : c.contributing()) names.add(Taxonomy.of(r).label().name());
            sb.append(" (with ").append(String.join(", ", names)).append(")");
        }
        appendCulprit(sb, c.culprit());
        return sb.append('.').toString();
    }

    /** One readable sentence about an early warning. */
    public static String warningSummary(String host, WarningKind kind, RootCause likely, Findings f,
                                        Instant start, Instant end) {
        StringBuilder sb = new StringBuilder();
        sb.append(host).append(": ").append(warningPhrase(kind, f)).append(" from ").append(HMS.format(start))
                .append(" to ").append(HMS.format(end)).append(" UTC without gateway errors; if it grows it will show as ")
                .append(likely.name());
        appendCulprit(sb, culprit(f));
        return sb.append('.').toString();
    }

    private static String warningPhrase(WarningKind kind, Findings f) {
        switch (kind) {
            case POOL_SATURATED: return "pool reached pm.max_children " + f.maxChildren + " time" + (f.maxChildren == 1 ? "" : "s");
            case SLOWLOG_STORM: return f.slowEntries() + " slow requests";
            case WORKER_CRASH: return f.crashes() + " worker crash" + (f.crashes() == 1 ? "" : "es") + " no client saw";
            case OOM_KILL: return f.oomKilledPhp() + " PHP worker" + (f.oomKilledPhp() == 1 ? "" : "s") + " killed by the OOM killer";
            case REQUEST_TERMINATED: return f.terminated() + " request" + (f.terminated() == 1 ? "" : "s") + " terminated by request_terminate_timeout";
            default: return "capacity evidence";
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

    /**
     * The warning an evidence set amounts to when no gateway error came, or null when it is not
     * enough: one OOM kill, crash, terminated request or max_children line; slowlog from 3 entries.
     */
    public static WarningKind warningKind(Findings f) {
        if (f.oomKilledPhp() > 0) return WarningKind.OOM_KILL;
        if (f.crashes() > 0) return WarningKind.WORKER_CRASH;
        if (f.terminated() > 0) return WarningKind.REQUEST_TERMINATED;
        if (f.maxChildren > 0) return WarningKind.POOL_SATURATED;
        if (f.slowEntries() >= SLOWLOG_STORM_MIN) return WarningKind.SLOWLOG_STORM;
        return null;
    }

    /** Slow entries that make a storm. */
    public static final int SLOWLOG_STORM_MIN = 3;

    /** The label a warning would be reported as if gateway errors followed. */
    public static RootCause likelyCause(WarningKind kind, Findings f) {
        switch (kind) {
            case OOM_KILL: return RootCause.OOM_KILL;
            case WORKER_CRASH: return RootCause.WORKER_CRASH;
            case REQUEST_TERMINATED: return RootCause.REQUEST_TERMINATED;
            default:
                if (f.selfRequests > 0 && f.slowHttp > 0) return RootCause.SELF_REQUEST_DEADLOCK;
                if (f.slowHttp > 0 && f.slowHttp >= f.slowDb) return RootCause.SLOW_EXTERNAL_CALL;
                if (f.slowDb > 0) return RootCause.SLOW_DATABASE;
                return RootCause.WORKER_POOL_EXHAUSTED;
        }
    }

    /** The remedy text for a warning: the likely cause's remedy. */
    public static String warningRemediation(RootCause likely) {
        return Taxonomy.of(likely).remediation();
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
